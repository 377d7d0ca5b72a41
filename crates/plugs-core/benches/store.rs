//! Store benchmarks, in one process so the ratios compare like with like.
//!
//! (a) Capturing a contact through the core (validation + insert + search index + audit row +
//!     change record, one transaction) with 100k contacts already stored, against a bare single-row
//!     INSERT of a contact in its own transaction, interleaved in the same run.
//! (b) Contact search, top 50, over those 100k contacts, with what people type (prefixes of names,
//!     companies, two-word queries).
//!
//! Run: `cargo bench -p plugs-core --bench store` (PLUGS_BENCH_CONTACTS, PLUGS_BENCH_DURABILITY=full).

use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::{Durability, Store, Timestamp};
use serde_json::json;
use std::time::{Duration, Instant};
use uuid::Uuid;

mod common;
use common::*;

fn main() {
    if std::env::var_os(plugs_core::vault::PASSPHRASE_ENV).is_none() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // No keychain here: the stores' keys are wrapped with a passphrase, as on a server.
        plugs_core::vault::set_passphrase(Some("a passphrase for the benchmark"));
    }
    let n: usize = std::env::var("PLUGS_BENCH_CONTACTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let durability = if std::env::var("PLUGS_BENCH_DURABILITY").as_deref() == Ok("full") { Durability::Full } else { Durability::Normal };
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(&dir.path().join("bench.db"), durability).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Bench".into(), first_name: "B".into(), last_name: "B".into(), email: "b@bench.example".into() }).unwrap();
    let actor = store.actor().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let t = Instant::now();
    seed(&store, n, &mut rng);
    println!("seeded {n} contacts in {:.1} s (durability {durability:?})", t.elapsed().as_secs_f64());

    // (a) capture vs bare insert, interleaved.
    let rounds = 3000;
    let (mut capture, mut bare) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    let repo = store.repo::<Contact>();
    let conn = store.connection();
    let bare_sql = "INSERT INTO contacts (id, organization_id, created_by, first_name, last_name, email, company, notes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
    for i in 0..rounds + 200 {
        let (f, l, co) = (rng.pick(FIRST), rng.pick(LAST), format!("{} {}", rng.pick(CO1), rng.pick(CO2)));
        let input = json!({ "first_name": f, "last_name": l, "company": co, "email": format!("cap{i}@booth.example"), "contact_type": "target", "status": "hot_lead", "priority": "high", "notes": "Met at the booth, wants a demo" });
        let t0 = Instant::now();
        repo.create(&input).unwrap();
        let dc = t0.elapsed();
        let t1 = Instant::now();
        let tx = conn.unchecked_transaction().unwrap();
        tx.prepare_cached(bare_sql)
            .unwrap()
            .execute(rusqlite::params![
                Uuid::now_v7().to_string(),
                actor.organization_id.to_string(),
                actor.user_id.to_string(),
                f,
                l,
                format!("bare{i}@booth.example"),
                co,
                "Met at the booth, wants a demo",
                Timestamp::now().to_string()
            ])
            .unwrap();
        tx.commit().unwrap();
        let db = t1.elapsed();
        if i >= 200 {
            capture.push(dc);
            bare.push(db);
        }
    }
    capture.sort();
    bare.sort();
    let (c50, c99, b50, b99) = (pct(&capture, 0.5), pct(&capture, 0.99), pct(&bare, 0.5), pct(&bare, 0.99));
    println!("(a) capture a contact with {n} stored, {rounds} rounds:");
    println!("    core capture   p50 {:7.1} µs   p99 {:7.1} µs", us(c50), us(c99));
    println!("    bare INSERT    p50 {:7.1} µs   p99 {:7.1} µs", us(b50), us(b99));
    println!("    ratio          p50 {:.2}×       p99 {:.2}×      (goal: p99 ≤ 2000 µs, ratio ≤ 3)", us(c50) / us(b50), us(c99) / us(b99));

    // (b) search as you type.
    let mut queries: Vec<String> = vec![];
    for _ in 0..60 {
        let f = rng.pick(FIRST);
        let l = rng.pick(LAST);
        let co = rng.pick(CO1);
        queries.push(f.chars().take(2).collect());
        queries.push(f.chars().take(3).collect());
        queries.push(l.chars().take(4).collect());
        queries.push(co.to_lowercase());
        queries.push(format!("{} {}", f, l.chars().take(2).collect::<String>()));
        queries.push(format!("{} {}", co, rng.pick(INDUSTRY).chars().take(3).collect::<String>()));
    }
    let mut times = vec![];
    let mut hits = 0;
    for round in 0..2 {
        for q in &queries {
            let t0 = Instant::now();
            let r = store.search_contacts(q, &[], 50).unwrap();
            if round == 1 {
                times.push(t0.elapsed());
                hits += r.len();
            }
        }
    }
    times.sort();
    println!("(b) search top 50 over {} contacts, {} queries (avg {:.0} results):", n + 2 * rounds, times.len(), hits as f64 / times.len() as f64);
    println!(
        "    p50 {:7.2} ms   p95 {:7.2} ms   p99 {:7.2} ms   max {:7.2} ms   (goal: p95 ≤ 10 ms)",
        us(pct(&times, 0.5)) / 1e3,
        us(pct(&times, 0.95)) / 1e3,
        us(pct(&times, 0.99)) / 1e3,
        us(*times.last().unwrap()) / 1e3
    );
    let worst: Vec<&String> = {
        let mut qt: Vec<(Duration, &String)> = queries
            .iter()
            .map(|q| {
                let t0 = Instant::now();
                store.search_contacts(q, &[], 50).unwrap();
                (t0.elapsed(), q)
            })
            .collect();
        qt.sort();
        qt.iter().rev().take(3).map(|(_, q)| *q).collect()
    };
    println!("    slowest queries: {worst:?}");

    // (c) capture's duplicate suggestions as a person types, keystroke by keystroke: first name,
    // last name, company, then email and phone; half the people typed are already stored.
    let mut times = vec![];
    let mut found = 0;
    let stored: Vec<(String, String, String, Option<String>)> = conn
        .prepare("SELECT first_name, last_name, company, email FROM contacts ORDER BY random() LIMIT 100")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (i, (f, l, co, email)) in stored.iter().enumerate() {
        let (f, l, co, email) = if i % 2 == 0 {
            (f.clone(), l.clone(), co.clone(), email.clone().unwrap_or_default())
        } else {
            (format!("{f}x"), l.clone(), "Nowhere Ltd".into(), format!("new{i}@nowhere.example"))
        };
        let phone = format!("+1 212 555 {:04}", i);
        let mut typed = serde_json::Map::new();
        for (field, value) in [("first_name", &f), ("last_name", &l), ("company", &co), ("email", &email), ("phone", &phone)] {
            for end in value.char_indices().map(|(i, _)| i).skip(1).chain([value.len()]) {
                typed.insert(field.into(), json!(&value[..end]));
                let t0 = Instant::now();
                let m = store.likely_matches(&typed, 5).unwrap();
                times.push(t0.elapsed());
                if end == value.len() && field == "phone" && !m.is_empty() {
                    found += 1;
                }
            }
        }
    }
    times.sort();
    println!("(c) duplicate suggestions while typing over {} contacts, {} keystrokes ({found} of 100 people found known):", n + 2 * rounds, times.len());
    println!(
        "    p50 {:7.2} ms   p95 {:7.2} ms   p99 {:7.2} ms   max {:7.2} ms   (goal: p95 ≤ 15 ms)",
        us(pct(&times, 0.5)) / 1e3,
        us(pct(&times, 0.95)) / 1e3,
        us(pct(&times, 0.99)) / 1e3,
        us(*times.last().unwrap()) / 1e3
    );
}
