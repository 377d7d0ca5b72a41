//! A seeded randomized simulation: three devices make thousands of random creates, edits, deletes
//! and restores across tables, syncing through a proxy that drops requests and responses,
//! duplicates and delays them, and cuts the network, while the server is killed and restarted and
//! tombstones are purged (with what they take by cascade). One
//! laptop talks to a second server instance over the same database; access tokens expire every two
//! seconds, so refreshes meet the same faults.
//! At the end every device and the server hold identical data, and every row any device created
//! exists everywhere (or was refused by the server, with its reason kept on the device).
//!
//! `PLUGS_SIM_SEED` picks the seed (default 7), `PLUGS_SIM_STEPS` the number of steps (default
//! 2400). Many seeds: `for s in $(seq 1 50); do PLUGS_SIM_SEED=$s cargo test -p plugs-tests --test
//! sync_simulation -- --nocapture || break; done`.

mod common;

use common::{first_device, Cloud, Device, PASSWORD};
use plugs_core::repo::read_record;
use plugs_core::sync::wire::SYNC_ORDER;
use plugs_core::sync::{Remote, Syncer};
use plugs_core::{Filter, ListQuery, Store};
use plugs_testkit::proxy::{FaultProxy, Faults};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;
use std::time::Duration;
use uuid::Uuid;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Every synced table of a device, normalized, keyed by table then id.
fn device_digest(store: &Store) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    for t in SYNC_ORDER {
        let spec = Store::spec(t).unwrap();
        let mut st = store.connection().prepare(&format!("SELECT {} FROM {t}", spec.select_list())).unwrap();
        let rows: BTreeMap<String, Value> = st
            .query_map([], |r| read_record(spec, r))
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                (r["id"].as_str().unwrap().to_owned(), Value::Object(r))
            })
            .collect();
        out.insert(t.to_string(), rows);
    }
    out
}

/// The same tables on the server, through the same normalization.
async fn server_digest(cloud: &Cloud) -> BTreeMap<String, BTreeMap<String, Value>> {
    let c = cloud.db.admin_client().await;
    let mut out = BTreeMap::new();
    for t in SYNC_ORDER {
        let spec = Store::spec(t).unwrap();
        let cols = plugs_server::sync::select_list_from(spec, "");
        let rows = c.query(&format!("SELECT row_to_json(x)::text FROM (SELECT {cols} FROM {t}) x"), &[]).await.unwrap();
        let mut m = BTreeMap::new();
        for r in rows {
            let raw: Map<String, Value> = serde_json::from_str(&r.get::<_, String>(0)).unwrap();
            let mut norm = Map::new();
            for col in spec.columns {
                let v = raw.get(col.name).cloned().unwrap_or(Value::Null);
                let n = if v.is_null() { Value::Null } else { plugs_core::schema::Column { nullable: true, default: None, ..*col }.normalize(&v).unwrap() };
                norm.insert(col.name.to_owned(), n);
            }
            m.insert(norm["id"].as_str().unwrap().to_owned(), Value::Object(norm));
        }
        out.insert(t.to_string(), m);
    }
    out
}

fn ids(store: &Store, table: &str, deleted: Option<bool>) -> Vec<Uuid> {
    let q = ListQuery {
        limit: Some(1000),
        include_deleted: deleted.is_some(),
        filters: deleted.map(|d| vec![Filter::Eq("is_deleted".into(), json!(d))]).unwrap_or_default(),
        ..Default::default()
    };
    store.table(table).unwrap().list(&q).unwrap().items.iter().map(|r| Uuid::parse_str(r["id"].as_str().unwrap()).unwrap()).collect()
}

fn pick(rng: &mut StdRng, v: &[Uuid]) -> Option<Uuid> {
    if v.is_empty() {
        None
    } else {
        Some(v[rng.gen_range(0..v.len())])
    }
}

/// One random user action on a device; returns the created row, if any.
fn act(rng: &mut StdRng, store: &Store, step: u64) -> Option<(String, Uuid)> {
    let created =
        |t: &str, r: plugs_core::Result<plugs_core::Record>| -> Option<(String, Uuid)> { r.ok().map(|r| (t.to_owned(), Uuid::parse_str(r["id"].as_str().unwrap()).unwrap())) };
    let obj = |v: Value| v.as_object().unwrap().clone();
    let roll = rng.gen_range(0..100);
    match roll {
        0..=29 => created("contacts", store.table("contacts").unwrap().create(obj(json!({ "first_name": format!("P{step}"), "last_name": "Sim", "company": (["Acme", "Globex", "Initech"][rng.gen_range(0..3)]), "lead_score": rng.gen_range(0..=100) })))),
        30..=49 => {
            let id = pick(rng, &ids(store, "contacts", None))?;
            let patch = match rng.gen_range(0..4) {
                0 => json!({ "company": format!("Co{}", rng.gen_range(0..5)) }),
                1 => json!({ "lead_score": rng.gen_range(0..=100) }),
                2 => json!({ "notes": format!("note {step}") }),
                _ => json!({ "status": (["new_client", "existing_client", "hot_lead", "cold_lead"][rng.gen_range(0..4)]) }),
            };
            let _ = store.table("contacts").unwrap().update(id, obj(patch));
            None
        }
        50..=55 => {
            let id = pick(rng, &ids(store, "contacts", None))?;
            let _ = store.table("contacts").unwrap().delete(id);
            None
        }
        56..=60 => {
            let id = pick(rng, &ids(store, "contacts", Some(true)))?;
            let _ = store.table("contacts").unwrap().restore(id);
            None
        }
        61..=72 => {
            let c = pick(rng, &ids(store, "contacts", None))?;
            let status = (["completed", "scheduled"])[rng.gen_range(0..2)];
            let date = format!("2026-{:02}-{:02}T10:00:00Z", rng.gen_range(1..=12), rng.gen_range(1..=28));
            created("contact_interactions", store.table("contact_interactions").unwrap().create(obj(json!({ "contact_id": c, "interaction_type": "meeting", "interaction_date": date, "status": status }))))
        }
        73..=76 => {
            let id = pick(rng, &ids(store, "contact_interactions", None))?;
            let _ = if rng.gen_bool(0.5) { store.table("contact_interactions").unwrap().delete(id) } else { store.table("contact_interactions").unwrap().update(id, obj(json!({ "status": "completed" }))) };
            None
        }
        77..=82 => created("events", store.table("events").unwrap().create(obj(json!({ "title": format!("Event {step}"), "start_date": "2026-12-01T09:00:00Z", "end_date": "2026-12-01T18:00:00Z", "max_attendees": rng.gen_range(1..=3) })))),
        83..=88 => {
            let e = pick(rng, &ids(store, "events", None))?;
            let me = store.actor().ok()?.user_id;
            created("event_attendees", store.table("event_attendees").unwrap().create(obj(json!({ "event_id": e, "user_id": me }))))
        }
        89..=95 => {
            let e = pick(rng, &ids(store, "events", None));
            created("expenses", store.table("expenses").unwrap().create(obj(json!({ "title": "Taxi", "amount": format!("{}.{:02}", rng.gen_range(0..500), rng.gen_range(0..100)), "expense_date": "2026-12-01", "event_id": e }))))
        }
        _ => {
            let id = pick(rng, &ids(store, "expenses", None))?;
            let _ = store.table("expenses").unwrap().update(id, obj(json!({ "amount": format!("{}.50", rng.gen_range(0..900)) })));
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_devices_through_a_faulty_network_converge_without_loss() {
    let seed = env_or("PLUGS_SIM_SEED", 7);
    let steps = env_or("PLUGS_SIM_STEPS", 2400);
    let mut rng = StdRng::seed_from_u64(seed);
    // Access tokens expire every 2 s, so refreshes go through the faulty network too (a lost answer,
    // a duplicated request: the refresh grace keeps the session).
    let mut cloud = Cloud::start_with(|c| c.access_token_ttl = Duration::from_secs(2)).await;
    let faults = Faults { drop_request: 0.08, drop_response: 0.08, duplicate: 0.08, max_delay: Duration::from_millis(20), ..Default::default() };
    let proxy = FaultProxy::start(cloud.addr, seed, faults).await;
    // A second server instance over the same database: the third laptop talks to it.
    let second = cloud.another_instance().await;
    let proxy2 = FaultProxy::start(second.addr, seed + 1, faults).await;
    // Three laptops of one account: the first registers; all then talk through the faulty proxy.
    let first = first_device(&cloud, "Acme", "ada@acme.test").await;
    let mut devices = vec![first];
    for _ in 0..2 {
        let d = Device::blank(&cloud.url());
        d.syncer.login(&d.store, "ada@acme.test", PASSWORD).await.unwrap();
        devices.push(d);
    }
    for (i, d) in devices.iter_mut().enumerate() {
        let via = if i == 2 { proxy2.url() } else { proxy.url() };
        let mut s = Syncer::new(Remote::with_client(&via, FaultProxy::client).unwrap(), d.credentials.clone());
        s.page_size = 37;
        s.push_batch = 23;
        d.syncer = s;
    }
    let mut created: Vec<(usize, String, Uuid)> = vec![];
    let (mut syncs, mut failed_syncs, mut restarts) = (0, 0, 0);
    let mut failures: BTreeMap<&'static str, u64> = BTreeMap::new();
    let pool = plugs_server::db::pool(&plugs_server::Config::new(cloud.db.admin.clone(), cloud.db.admin.clone())).unwrap();
    let mut purged = 0;
    for step in 0..steps {
        let d = rng.gen_range(0..devices.len());
        if let Some((t, id)) = act(&mut rng, &devices[d].store, step) {
            created.push((d, t, id));
        }
        if rng.gen_ratio(1, 6) {
            let s = rng.gen_range(0..devices.len());
            syncs += 1;
            if let Err(e) = devices[s].syncer.sync_once(&devices[s].store, |_| {}).await {
                failed_syncs += 1;
                *failures.entry(e.code()).or_insert(0) += 1;
            }
        }
        if step % 400 == 399 {
            cloud.restart().await;
            restarts += 1;
        }
        if step % 600 == 599 {
            // Tombstones past retention (here: all of them) are purged, with what they take by cascade.
            purged += plugs_server::sync::purge_tombstones(&pool, Duration::ZERO).await.unwrap().unwrap_or(0);
        }
        if step % 500 == 250 {
            proxy.partition(true);
            proxy2.partition(true);
        }
        if step % 500 == 300 {
            proxy.partition(false);
            proxy2.partition(false);
        }
    }
    // Heal the network and let every device settle.
    proxy.partition(false);
    proxy.set_faults(Faults::default());
    proxy2.partition(false);
    proxy2.set_faults(Faults::default());
    for _ in 0..4 {
        for d in &devices {
            d.syncer.sync_once(&d.store, |_| {}).await.expect("a sync over a healthy network succeeds");
        }
    }
    let st = proxy.stats();
    let st2 = proxy2.stats();
    println!(
        "seed {seed}: {steps} steps, {} rows created, {syncs} syncs ({failed_syncs} failed), {restarts} server restarts; proxy: {} requests, {} dropped, {} answers lost, {} duplicated, {} refused while partitioned",
        created.len(),
        st.requests.load(Ordering::Relaxed),
        st.dropped_requests.load(Ordering::Relaxed),
        st.dropped_responses.load(Ordering::Relaxed),
        st.duplicated.load(Ordering::Relaxed),
        st.refused_partitioned.load(Ordering::Relaxed)
    );
    println!("failed syncs by cause: {failures:?}");
    assert!(!failures.contains_key("signed_out"), "no device was signed out by a lost or repeated refresh: {failures:?}");
    println!(
        "second instance's proxy: {} requests, {} answers lost, {} duplicated",
        st2.requests.load(Ordering::Relaxed),
        st2.dropped_responses.load(Ordering::Relaxed),
        st2.duplicated.load(Ordering::Relaxed)
    );
    assert!(failed_syncs > 0 && st.dropped_responses.load(Ordering::Relaxed) > 0, "the faults really happened");
    assert!(st2.dropped_responses.load(Ordering::Relaxed) > 0, "on the way to the second instance too");
    for d in &devices {
        assert_eq!(d.store.pending_changes().unwrap(), 0, "everything was pushed");
    }
    let server = server_digest(&cloud).await;
    for (i, d) in devices.iter().enumerate() {
        // The contacts' search index matches the rows, whatever the pulls wrote and removed.
        d.store.connection().execute_batch("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')").unwrap_or_else(|e| panic!("device {i}: search index: {e}"));
        let mine = device_digest(&d.store);
        for t in SYNC_ORDER {
            let (a, b) = (&mine[*t], &server[*t]);
            let only_here: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
            let only_there: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
            assert!(only_here.is_empty() && only_there.is_empty(), "device {i}, {t}: {} only on the device, {} only on the server", only_here.len(), only_there.len());
            for (id, row) in a {
                assert_eq!(row, &b[id], "device {i}, {t} {id} differs from the server");
            }
        }
    }
    // Every row a device created is on the server, unless the server refused it (kept with its
    // reason) or it was deleted and purged (a removal marker in the server's log).
    let mut refused: HashSet<Uuid> = HashSet::new();
    for d in &devices {
        refused.extend(d.store.sync_rejections().unwrap().into_iter().map(|(_, id, _, _)| id));
    }
    let removed: HashSet<Uuid> =
        cloud.db.admin_client().await.query("SELECT record_id FROM sync_rows WHERE removed", &[]).await.unwrap().into_iter().map(|r| r.get::<_, Uuid>(0)).collect();
    let (mut present, mut gone) = (0, 0);
    for (d, t, id) in &created {
        if server[t.as_str()].contains_key(&id.to_string()) {
            present += 1;
        } else if removed.contains(id) {
            gone += 1;
        } else {
            assert!(refused.contains(id), "{t} {id} created on device {d} is neither on the server, nor purged, nor refused");
        }
    }
    println!(
        "{present} of {} created rows are on the server, {gone} were deleted and purged ({purged} tombstones purged in {} runs); {} were refused by rules (e.g. a full event)",
        created.len(),
        steps / 600,
        created.len() - present - gone
    );
    assert!(purged > 0, "the purge really removed rows");
    assert!((present + gone) * 10 >= created.len() * 8, "most creates are accepted");
}
