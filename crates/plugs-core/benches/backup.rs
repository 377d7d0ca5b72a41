//! Backup and restore of a large store: 100k contacts with 500k interactions (and 40 files of
//! 256 KB), against the goals (backup ≤ 10 s, restore ≤ 15 s) and against a baseline run in the
//! same process: copying the database file as it is (no consistency, no encryption).
//!
//! `cargo bench -p plugs-core --bench backup` (PLUGS_BENCH_CONTACTS to change the size; each
//! contact gets five interactions; PLUGS_BENCH_OPENSSL=1 keeps the stores through SQLCipher's own
//! OpenSSL provider instead of the app's, to compare the two).

use plugs_core::workspace::NewWorkspace;
use plugs_core::{Store, Timestamp};
use std::time::Instant;
use uuid::Uuid;

fn main() {
    if std::env::var_os("PLUGS_BENCH_OPENSSL").is_some() {
        assert!(plugs_core::vault::use_rustcrypto(false));
        println!("the stores kept through SQLCipher's OpenSSL provider");
    }
    if std::env::var_os(plugs_core::vault::PASSPHRASE_ENV).is_none() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // No keychain here: the stores' keys are wrapped with a passphrase, as on a server.
        plugs_core::vault::set_passphrase(Some("a passphrase for the benchmark"));
    }
    let n: usize = std::env::var("PLUGS_BENCH_CONTACTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Bench".into(), first_name: "B".into(), last_name: "B".into(), email: "b@bench.example".into() }).unwrap();
    let actor = store.actor().unwrap();
    let (org, user) = (actor.organization_id.to_string(), actor.user_id.to_string());
    let t = Instant::now();
    {
        let conn = store.connection();
        conn.execute_batch("BEGIN").unwrap();
        let mut c = conn.prepare("INSERT INTO contacts (id, organization_id, created_by, first_name, last_name, email, company, notes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)").unwrap();
        let mut i = conn
            .prepare("INSERT INTO contact_interactions (id, organization_id, contact_id, user_id, interaction_type, subject, interaction_date, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'call', ?5, ?6, ?6, ?6)")
            .unwrap();
        let now = Timestamp::now().to_string();
        for k in 0..n {
            let id = Uuid::now_v7().to_string();
            c.execute(rusqlite::params![
                id,
                org,
                user,
                format!("First{k}"),
                format!("Last{}", k % 997),
                format!("p{k}@bench{}.example", k % 311),
                format!("Company {}", k % 1999),
                (k % 4 == 0).then(|| format!("met at booth {}", k % 300)),
                now
            ])
            .unwrap();
            for j in 0..5 {
                i.execute(rusqlite::params![Uuid::now_v7().to_string(), org, id, user, format!("Call {j} about the follow-up"), now]).unwrap();
            }
        }
        drop((c, i));
        conn.execute_batch("COMMIT").unwrap();
    }
    let media = dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for f in 0..40 {
        let bytes: Vec<u8> = (0..256 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        std::fs::write(media.join(format!("{f:064x}")), bytes).unwrap();
    }
    let files = ["plugs.db", "plugs.db-wal"];
    let db_bytes: u64 = files.iter().map(|f| std::fs::metadata(dir.path().join(f)).map(|m| m.len()).unwrap_or(0)).sum();
    println!("seeded {n} contacts, {} interactions, 40 files in {:.1} s; database and its log {:.0} MB", n * 5, t.elapsed().as_secs_f64(), db_bytes as f64 / 1e6);

    let out = tempfile::tempdir().unwrap();
    // Baseline: the database and its write-ahead log copied as they are.
    let t = Instant::now();
    for f in files {
        let _ = std::fs::copy(dir.path().join(f), out.path().join(f));
    }
    let copy = t.elapsed();

    let file = out.path().join("bench.plugsbackup");
    let t = Instant::now();
    let r = store.backup(&file, "a long bench passphrase").unwrap();
    let backup = t.elapsed();
    let t = Instant::now();
    plugs_core::backup::inspect(&file, "a long bench passphrase").unwrap();
    let check = t.elapsed();
    let target = tempfile::tempdir().unwrap();
    let t = Instant::now();
    plugs_core::backup::restore(target.path(), &file, "a long bench passphrase").unwrap();
    let restore = t.elapsed();
    let t = Instant::now();
    let reopened = Store::open_dir(target.path()).unwrap();
    let open = t.elapsed();
    let contacts: i64 = reopened.connection().query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).unwrap();
    assert_eq!(contacts as usize, n);
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!("backup file {:.0} MB ({:.0}% of the database)", r.bytes as f64 / 1e6, r.bytes as f64 * 100.0 / db_bytes as f64);
    println!("file copy (baseline)  {:>8.0} ms", ms(copy));
    println!("backup                {:>8.0} ms  ({:.1}× the copy; goal ≤ 10 s)", ms(backup), ms(backup) / ms(copy));
    println!("check (restore --check) {:>6.0} ms", ms(check));
    println!("restore               {:>8.0} ms  ({:.1}× the copy; goal ≤ 15 s), then open {:.0} ms", ms(restore), ms(restore) / ms(copy), ms(open));
}
