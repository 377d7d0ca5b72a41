//! Tags and keep-in-touch over 100k contacts, in one process with a baseline run beside them.
//!
//! 10% of the contacts are tagged `investor` (whose default cadence is a month), 5% `vip`, 20% have
//! a cadence of their own, and last interactions are spread over the past year. Measured: the
//! losing-touch list (first 50, most overdue first), a tag filter (first page of 50 by name, and
//! its count), `#investor` in a search; the baseline is the first page of 50 contacts by name with
//! no filter, interleaved with each.
//!
//! Run: `cargo bench -p plugs-core --bench keep_in_touch` (PLUGS_BENCH_CONTACTS to change the size,
//! PLUGS_BENCH_PLANS=1 to print the query plans).

use plugs_core::touch::{Cadence, CadenceUnit};
use plugs_core::workspace::NewWorkspace;
use plugs_core::{Filter, ListQuery, Store, Timestamp};
use serde_json::json;
use std::time::{Duration, Instant};

mod common;
use common::*;

fn report(name: &str, mut xs: Vec<Duration>, mut base: Vec<Duration>, goal: &str) {
    xs.sort();
    base.sort();
    let (p50, p95, b50, b95) = (pct(&xs, 0.5), pct(&xs, 0.95), pct(&base, 0.5), pct(&base, 0.95));
    println!(
        "{name:<46} p50 {:>8.2} ms  p95 {:>8.2} ms   baseline p50 {:>6.2} ms p95 {:>6.2} ms   p95 ratio {:>5.1}×   goal {goal}",
        us(p50) / 1e3,
        us(p95) / 1e3,
        us(b50) / 1e3,
        us(b95) / 1e3,
        us(p95) / us(b95)
    );
}

fn main() {
    if std::env::var_os(plugs_core::vault::PASSPHRASE_ENV).is_none() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        plugs_core::vault::set_passphrase(Some("a passphrase for the benchmark"));
    }
    let n: usize = std::env::var("PLUGS_BENCH_CONTACTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Bench".into(), first_name: "B".into(), last_name: "B".into(), email: "b@bench.example".into() }).unwrap();
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    let t = Instant::now();
    seed(&store, n, &mut rng);
    let now = Timestamp::now();
    {
        let conn = store.connection();
        conn.execute_batch("BEGIN").unwrap();
        let ids: Vec<String> = conn.prepare("SELECT id FROM contacts").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let mut st = conn.prepare("UPDATE contacts SET metadata = ?2, last_interaction = ?3 WHERE id = ?1").unwrap();
        for (i, id) in ids.iter().enumerate() {
            let mut meta = serde_json::Map::new();
            let mut tags = vec![];
            if i % 10 == 0 {
                tags.push("investor");
            }
            if i % 20 == 3 {
                tags.push("vip");
            }
            if !tags.is_empty() {
                meta.insert("tags".into(), json!(tags));
            }
            if i % 5 == 1 {
                meta.insert("keep_in_touch".into(), json!({ "every": 1 + rng.next() % 8, "unit": "weeks" }));
            }
            let last = Timestamp::from_datetime(now.as_datetime() - chrono::Duration::hours((rng.next() % (365 * 24)) as i64));
            st.execute(rusqlite::params![id, serde_json::Value::Object(meta).to_string(), last.to_string()]).unwrap();
        }
        drop(st);
        conn.execute_batch("COMMIT; ANALYZE").unwrap();
    }
    store.set_tag_cadence("investor", Some(Cadence { every: 1, unit: CadenceUnit::Months })).unwrap();
    println!("seeded {n} contacts with tags and cadences in {:.1} s", t.elapsed().as_secs_f64());

    if std::env::var_os("PLUGS_BENCH_PLANS").is_some() {
        let org = store.actor().unwrap().organization_id.to_string();
        for sql in [
            "SELECT id FROM contacts WHERE organization_id = ?1 AND NOT is_deleted AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.tag = 'investor' AND t.contact_id = contacts.id) ORDER BY last_name ASC, first_name ASC, id ASC LIMIT 51",
            "SELECT t.contact_id FROM contact_touch t CROSS JOIN contacts c ON c.id = t.contact_id WHERE c.organization_id = ?1 AND NOT c.is_deleted AND t.next_touch <= '2030' ORDER BY t.next_touch, t.contact_id LIMIT 50",
        ] {
            let conn = store.connection();
            let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = st.query_map([&org], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
            println!("{sql}\n  {}", plan.join("\n  "));
            let t = Instant::now();
            let _: i64 = conn.query_row(&format!("SELECT count(*) FROM ({sql})"), [&org], |r| r.get(0)).unwrap();
            println!("  {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let contacts = store.table("contacts").unwrap();
    let page = ListQuery { sort: Some("last_name".into()), limit: Some(50), ..Default::default() };
    let baseline = || {
        let t = Instant::now();
        assert_eq!(contacts.list(&page).unwrap().items.len(), 50);
        t.elapsed()
    };
    // The first read works out every next touch the seeding marked (as after an import or an
    // initial sync): once.
    let t = Instant::now();
    store.losing_touch(now, 50).unwrap();
    println!("first losing-touch list after {} contacts with a cadence were written: {:.1} ms (once)", n * 3 / 10, t.elapsed().as_secs_f64() * 1e3);
    let runs = 200;
    let (mut xs, mut base) = (vec![], vec![]);
    let mut overdue = 0;
    for _ in 0..runs {
        base.push(baseline());
        let t = Instant::now();
        overdue = store.losing_touch(now, 50).unwrap().len();
        xs.push(t.elapsed());
    }
    assert_eq!(overdue, 50);
    report("losing-touch list, first 50 of 100k", xs, base, "≤ 50 ms");

    let tagged = ListQuery { filters: vec![Filter::Eq("tag".into(), json!("investor"))], ..page.clone() };
    let (mut xs, mut base) = (vec![], vec![]);
    for _ in 0..runs {
        base.push(baseline());
        let t = Instant::now();
        assert_eq!(contacts.list(&tagged).unwrap().items.len(), 50);
        xs.push(t.elapsed());
    }
    report("tag filter, first page of 50 by name", xs, base, "p95 ≤ 20 ms");

    let (mut xs, mut base) = (vec![], vec![]);
    for _ in 0..runs {
        base.push(baseline());
        let t = Instant::now();
        assert_eq!(contacts.count(&tagged).unwrap(), (n as i64 + 9) / 10);
        xs.push(t.elapsed());
    }
    report("tag filter, count", xs, base, "p95 ≤ 20 ms");

    let (mut xs, mut base) = (vec![], vec![]);
    for _ in 0..runs {
        base.push(baseline());
        let t = Instant::now();
        assert_eq!(store.search_contact_rows("#investor", &[], 50).unwrap().len(), 50);
        xs.push(t.elapsed());
    }
    report("search '#investor', best 50", xs, base, "p95 ≤ 20 ms");

    let (mut xs, mut base) = (vec![], vec![]);
    let mut found = 0;
    for _ in 0..runs {
        base.push(baseline());
        let t = Instant::now();
        found = store.search_contact_rows("#vip software", &[], 50).unwrap().len();
        xs.push(t.elapsed());
    }
    assert!(found > 0);
    report("search '#vip software', best 50", xs, base, "p95 ≤ 20 ms");

    // Merging two contacts with 1,000 interactions each (5 pairs), against one edit of a contact.
    let actor = store.actor().unwrap();
    let (mut xs, mut base) = (vec![], vec![]);
    for round in 0..5 {
        let repo = store.repo::<plugs_core::tables::contacts::Contact>();
        let a = repo.create(&json!({ "first_name": format!("Merge{round}"), "last_name": "Keep" })).unwrap();
        let b = repo.create(&json!({ "first_name": format!("Merge{round}"), "last_name": "Away" })).unwrap();
        {
            let conn = store.connection();
            conn.execute_batch("BEGIN").unwrap();
            let mut st = conn
                .prepare("INSERT INTO contact_interactions (id, organization_id, contact_id, user_id, interaction_type, interaction_date, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'meeting', ?5, 'completed', ?5, ?5)")
                .unwrap();
            for c in [a.id, b.id] {
                for i in 0..1000 {
                    let at = Timestamp::from_datetime(now.as_datetime() - chrono::Duration::hours(i)).to_string();
                    st.execute(rusqlite::params![uuid::Uuid::now_v7().to_string(), actor.organization_id.to_string(), c.to_string(), actor.user_id.to_string(), at]).unwrap();
                }
            }
            drop(st);
            conn.execute_batch("COMMIT").unwrap();
        }
        let t = Instant::now();
        repo.update(a.id, &json!({ "notes": format!("round {round}") })).unwrap();
        base.push(t.elapsed());
        let t = Instant::now();
        let r = store.merge_contacts(&plugs_core::merge::MergeRequest { keep: a.id, others: vec![b.id], fields: [("last_name".to_owned(), b.id)].into() }).unwrap();
        xs.push(t.elapsed());
        assert_eq!(r.interactions_moved, 1000);
    }
    report("merge two contacts with 1,000 interactions each", xs, base, "≤ 200 ms");
}
