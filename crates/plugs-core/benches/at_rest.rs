//! Encryption at rest, on against off, in one process: two stores of the same 100k contacts, one
//! encrypted (SQLCipher, as the app keeps it) and one in clear (`Store::open_unencrypted`), measured
//! interleaved so both see the same machine:
//! (a) capture p99, (b) search p95, (c) cold start (open + the check at open, the page cache
//!     empty), and the key's unlock on its own (Argon2id for a passphrase).
//! Captures are also made in a third store, encrypted through SQLCipher's own OpenSSL provider
//! instead of the app's (`vault::use_rustcrypto`), to show what the provider changes.
//!
//! Run: `cargo bench -p plugs-core --bench at_rest` (PLUGS_BENCH_CONTACTS to scale). The initial
//! sync on against off is in `cargo bench -p plugs-tests --bench initial_sync`.

use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

mod common;
use common::*;

fn ms(d: Duration) -> f64 {
    us(d) / 1e3
}

/// Drops the file's pages from the OS cache, so an open reads the disk as after a reboot (where
/// the OS allows it; else the figures are a warm start for both).
fn drop_os_cache(path: &Path) -> bool {
    use std::os::unix::io::AsRawFd;
    let Ok(f) = std::fs::File::open(path) else { return false };
    let _ = f.sync_all();
    // POSIX_FADV_DONTNEED = 4 on Linux.
    extern "C" {
        fn posix_fadvise(fd: i32, offset: i64, len: i64, advice: i32) -> i32;
    }
    unsafe { posix_fadvise(f.as_raw_fd(), 0, 0, 4) == 0 }
}

fn main() {
    if std::env::var_os(plugs_core::vault::PASSPHRASE_ENV).is_none() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // No keychain here: the encrypted store's key is wrapped with a passphrase, as on a server.
        plugs_core::vault::set_passphrase(Some("a passphrase for the benchmark"));
    }
    let n: usize = std::env::var("PLUGS_BENCH_CONTACTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let (enc_path, plain_path, ossl_path) = (dir.path().join("enc").join("plugs.db"), dir.path().join("plain").join("plugs.db"), dir.path().join("openssl").join("plugs.db"));
    for p in [&enc_path, &plain_path, &ossl_path] {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    }
    let open = |encrypted: bool| if encrypted { Store::open(&enc_path).unwrap() } else { Store::open_unencrypted(&plain_path).unwrap() };
    // The same store kept through SQLCipher's OpenSSL provider (each connection keeps the
    // provider it was keyed with).
    let open_openssl = || {
        assert!(plugs_core::vault::use_rustcrypto(false));
        let s = Store::open(&ossl_path).unwrap();
        assert!(plugs_core::vault::use_rustcrypto(true));
        let name: String = s.connection().query_row("PRAGMA cipher_provider", [], |r| r.get(0)).unwrap();
        assert_eq!(name, "openssl");
        s
    };
    for (k, encrypted) in [true, false, true].into_iter().enumerate() {
        let s = if k == 2 { open_openssl() } else { open(encrypted) };
        s.init_workspace(&NewWorkspace { organization_name: "Bench".into(), first_name: "B".into(), last_name: "B".into(), email: "b@bench.example".into() }).unwrap();
        let t = Instant::now();
        seed(&s, n, &mut Rng(0x9E37_79B9_7F4A_7C15));
        println!("seeded {n} contacts {} in {:.1} s", ["encrypted", "in clear", "encrypted through OpenSSL"][k], t.elapsed().as_secs_f64());
        assert_eq!(s.is_encrypted(), encrypted);
    }
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0;
    println!("files: encrypted {:.1} MB, in clear {:.1} MB", size(&enc_path), size(&plain_path));

    let mut stores = vec![open(true), open(false), open_openssl()];
    let name: String = stores[0].connection().query_row("PRAGMA cipher_provider", [], |r| r.get(0)).unwrap();
    assert_eq!(name, plugs_core::vault::CIPHER_PROVIDER);
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);

    // (a) capture, interleaved.
    let rounds = 5000;
    let mut cap: [Vec<Duration>; 3] = [vec![], vec![], vec![]];
    for i in 0..rounds + 200 {
        let (f, l, co) = (rng.pick(FIRST), rng.pick(LAST), format!("{} {}", rng.pick(CO1), rng.pick(CO2)));
        for (k, s) in stores.iter().enumerate() {
            let input = json!({ "first_name": f, "last_name": l, "company": co, "email": format!("cap{i}.{k}@booth.example"), "notes": "Met at the booth, wants a demo" });
            let t0 = Instant::now();
            s.repo::<Contact>().create(&input).unwrap();
            if i >= 200 {
                cap[k].push(t0.elapsed());
            }
        }
    }
    cap.iter_mut().for_each(|v| v.sort());
    let (e99, p99) = (pct(&cap[0], 0.99), pct(&cap[1], 0.99));
    println!("(a) capture with {n} stored, {rounds} rounds each:");
    println!("    encrypted p50 {:7.1} µs  p99 {:7.1} µs", us(pct(&cap[0], 0.5)), us(e99));
    println!("    in clear  p50 {:7.1} µs  p99 {:7.1} µs", us(pct(&cap[1], 0.5)), us(p99));
    println!("    ratio p99 {:.2}×   (goal ≤ 1.3×), p50 {:.2}×", us(e99) / us(p99), us(pct(&cap[0], 0.5)) / us(pct(&cap[1], 0.5)));
    let o99 = pct(&cap[2], 0.99);
    println!(
        "    encrypted through SQLCipher's OpenSSL provider: p50 {:7.1} µs  p99 {:7.1} µs, ratio to clear p99 {:.2}×, p50 {:.2}×",
        us(pct(&cap[2], 0.5)),
        us(o99),
        us(o99) / us(p99),
        us(pct(&cap[2], 0.5)) / us(pct(&cap[1], 0.5))
    );
    println!(
        "    the encryption's own cost (encrypted − in clear, p50): {:.1} µs with the app's provider, {:.1} µs with OpenSSL's",
        us(pct(&cap[0], 0.5)) - us(pct(&cap[1], 0.5)),
        us(pct(&cap[2], 0.5)) - us(pct(&cap[1], 0.5))
    );
    stores.truncate(2);

    // (b) search as you type, interleaved.
    let mut queries: Vec<String> = vec![];
    for _ in 0..60 {
        let (f, l, co) = (rng.pick(FIRST), rng.pick(LAST), rng.pick(CO1));
        queries.push(f.chars().take(2).collect());
        queries.push(f.chars().take(3).collect());
        queries.push(l.chars().take(4).collect());
        queries.push(co.to_lowercase());
        queries.push(format!("{} {}", f, l.chars().take(2).collect::<String>()));
    }
    let mut search: [Vec<Duration>; 2] = [vec![], vec![]];
    for round in 0..3 {
        for q in &queries {
            for (k, s) in stores.iter().enumerate() {
                let t0 = Instant::now();
                s.search_contacts(q, &[], 50).unwrap();
                if round > 0 {
                    search[k].push(t0.elapsed());
                }
            }
        }
    }
    search.iter_mut().for_each(|v| v.sort());
    let (e95, p95) = (pct(&search[0], 0.95), pct(&search[1], 0.95));
    println!("(b) search top 50, {} queries each:", search[0].len());
    println!("    encrypted p50 {:6.2} ms  p95 {:6.2} ms", ms(pct(&search[0], 0.5)), ms(e95));
    println!("    in clear  p50 {:6.2} ms  p95 {:6.2} ms", ms(pct(&search[1], 0.5)), ms(p95));
    println!("    ratio p95 {:.2}×   (goal ≤ 1.3×)", us(e95) / us(p95));
    drop(stores);

    // (c) cold start: open (key from this process, as after the unlock), the check at open, and
    // the first screen's query; the OS cache dropped before each.
    let mut cold: [Vec<Duration>; 2] = [vec![], vec![]];
    let mut opened: [Vec<Duration>; 2] = [vec![], vec![]];
    let mut dropped = true;
    for _ in 0..7 {
        for (k, encrypted) in [true, false].into_iter().enumerate() {
            let p = if encrypted { &enc_path } else { &plain_path };
            dropped &= drop_os_cache(p);
            let t0 = Instant::now();
            let s = open(encrypted);
            opened[k].push(t0.elapsed());
            s.repo::<Contact>().list(&plugs_core::ListQuery { limit: Some(50), ..Default::default() }).unwrap();
            cold[k].push(t0.elapsed());
        }
    }
    opened.iter_mut().for_each(|v| v.sort());
    println!("    (of which the open: encrypted {:.1} ms, in clear {:.1} ms)", ms(pct(&opened[0], 0.5)), ms(pct(&opened[1], 0.5)));
    cold.iter_mut().for_each(|v| v.sort());
    let (ec, pc) = (pct(&cold[0], 0.5), pct(&cold[1], 0.5));
    println!("(c) cold start with {n} contacts (median of 7{}):", if dropped { ", OS cache dropped" } else { ", OS cache warm" });
    println!("    encrypted {:7.1} ms   in clear {:7.1} ms   ratio {:.2}×   (goal ≤ 1.3× and < 1500 ms)", ms(ec), ms(pc), us(ec) / us(pc));
    // The unlock itself, once per start.
    plugs_core::vault::forget(&enc_path);
    let t0 = Instant::now();
    drop(open(true));
    let first = t0.elapsed();
    println!("    + the key's unlock ({}): open with it {:.1} ms, so a first start takes {:.1} ms", plugs_core::vault::describe(&enc_path), ms(first), ms(first));
}
