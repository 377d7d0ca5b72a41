//! Sync beyond the basic round: concurrent pushes never hide a row from a pull, scope rules,
//! paged and resumable initial sync with progress, the background engine (live updates, offline,
//! signed out), and refreshing tokens.

mod common;

use common::{first_device, second_device, Cloud, Device, PASSWORD};
use plugs_core::sync::engine::EngineOptions;
use plugs_core::sync::wire::{ChangeKind, PullKind, PushChange, PushRequest};
use plugs_core::sync::{Credentials, Remote, SyncEngine, SyncState, Syncer, Tokens};
use plugs_core::tables::contacts::Contact;
use plugs_core::{Store, Timestamp};
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

fn count_contacts(store: &Store) -> usize {
    store.connection().query_row("SELECT COUNT(*) FROM contacts", [], |r| r.get::<_, i64>(0)).unwrap() as usize
}

/// Tokens for a blank device, without the first sync `login` would run.
async fn sign_in_only(cloud: &Cloud, d: &Device) {
    let signed = Remote::new(&cloud.url()).unwrap().login("ada@acme.test", PASSWORD).await.unwrap();
    d.credentials.save(&Tokens { access_token: signed["access_token"].as_str().unwrap().into(), refresh_token: signed["refresh_token"].as_str().unwrap().into() }).unwrap();
}

fn token(d: &Device) -> String {
    d.credentials.load().unwrap().unwrap().access_token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_never_hide_a_row_from_a_pull() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let (org, user, tok, device) = (a.store.actor().unwrap().organization_id, a.store.actor().unwrap().user_id, token(&a), a.store.device_id());
    let url = cloud.url();
    let mut pushers = vec![];
    let mut expected = HashSet::new();
    for p in 0..4 {
        let mut batches = vec![];
        for b in 0..20 {
            let changes: Vec<PushChange> = (0..10)
                .map(|i| {
                    let id = Uuid::now_v7();
                    expected.insert(id);
                    let now = Timestamp::now();
                    PushChange {
                        mutation_id: Uuid::now_v7(),
                        table: "contacts".into(),
                        record_id: id,
                        kind: ChangeKind::Upsert,
                        fields: [("first_name".to_string(), now)].into(),
                        row: json!({ "id": id, "organization_id": org, "created_by": user, "first_name": format!("P{p}B{b}I{i}"), "last_name": "X",
                                     "contact_type": "target", "status": "cold_lead", "priority": "medium", "metadata": {}, "lead_score": 0,
                                     "created_at": now, "updated_at": now, "is_deleted": false })
                        .as_object()
                        .cloned(),
                    }
                })
                .collect();
            batches.push(PushRequest { device_id: device, client_time: Timestamp::now(), changes });
        }
        let (url, tok) = (url.clone(), tok.clone());
        pushers.push(tokio::spawn(async move {
            let remote = Remote::new(&url).unwrap();
            for b in batches {
                remote.push(&tok, &b).await.unwrap();
            }
        }));
    }
    // A puller that follows the cursor while the pushes run, never going back.
    let remote = Remote::new(&cloud.url()).unwrap();
    let mut cursor = 0;
    let mut seen = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.len() < expected.len() && Instant::now() < deadline {
        let page = remote.pull(&tok, cursor, 7, 0, false).await.unwrap();
        for r in &page.rows {
            assert!(r.seq > cursor, "pages come in order");
            if r.table == "contacts" && r.kind == PullKind::Upsert {
                seen.insert(r.record_id);
            }
        }
        cursor = page.cursor;
        if page.rows.is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    for p in pushers {
        p.await.unwrap();
    }
    let missing: Vec<_> = expected.difference(&seen).collect();
    assert!(missing.is_empty(), "{} rows were skipped by a pull that followed the cursor", missing.len());
}

#[tokio::test]
async fn each_user_receives_only_what_they_may_see() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    // Bob, a colleague, on his own device.
    let signed: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v1/users", cloud.url()))
        .bearer_auth(token(&a))
        .json(&json!({ "email": "bob@acme.test", "password": PASSWORD, "first_name": "Bob", "last_name": "B" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bob_id = signed["id"].as_str().unwrap().to_owned();
    a.sync().await;
    let notes = a.store.table("notifications").unwrap();
    notes.create(json!({ "user_id": a.store.actor().unwrap().user_id, "title": "For Ada", "message": "m" }).as_object().unwrap().clone()).unwrap();
    notes.create(json!({ "user_id": bob_id, "title": "For Bob", "message": "m" }).as_object().unwrap().clone()).unwrap();
    let media = a.store.table("media").unwrap();
    let private = media
        .create(json!({ "title": "Ada's private", "file_name": "p.png", "file_path": "/p.png", "media_type": "image", "mime_type": "image/png", "file_size": 3, "access_level": "private" }).as_object().unwrap().clone())
        .unwrap();
    media
        .create(
            json!({ "title": "Shared", "file_name": "s.png", "file_path": "/s.png", "media_type": "image", "mime_type": "image/png", "file_size": 3 }).as_object().unwrap().clone(),
        )
        .unwrap();
    a.sync().await;
    let bob = second_device(&cloud, "bob@acme.test").await;
    let titles = |d: &Device, t: &str, col: &str| -> Vec<String> {
        d.store.connection().prepare(&format!("SELECT {col} FROM {t} ORDER BY {col}")).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(titles(&bob, "notifications", "title"), ["For Bob"]);
    assert_eq!(titles(&bob, "media", "title"), ["Shared"]);
    assert_eq!(titles(&a, "media", "title"), ["Ada's private", "Shared"], "the uploader keeps seeing hers");
    // Made visible, it arrives; made private again, it leaves Bob's device.
    let pid = uuid::Uuid::parse_str(private["id"].as_str().unwrap()).unwrap();
    media.update(pid, json!({ "access_level": "organization" }).as_object().unwrap().clone()).unwrap();
    a.sync().await;
    bob.sync().await;
    assert_eq!(titles(&bob, "media", "title").len(), 2);
    media.update(pid, json!({ "access_level": "private" }).as_object().unwrap().clone()).unwrap();
    a.sync().await;
    bob.sync().await;
    assert_eq!(titles(&bob, "media", "title"), ["Shared"]);
}

#[tokio::test]
async fn initial_sync_is_paged_and_reports_progress() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    for i in 0..500 {
        a.store.repo::<Contact>().create(&json!({ "first_name": format!("C{i:03}"), "last_name": "X" })).unwrap();
    }
    a.sync().await;
    let mut b = Device::blank(&cloud.url());
    b.syncer.page_size = 50;
    sign_in_only(&cloud, &b).await;
    let mut seen = vec![];
    b.syncer.pull_all(&b.store, |p| seen.push(p)).await.unwrap();
    assert!(seen.len() >= 10, "{} pages", seen.len());
    assert!(seen.windows(2).all(|w| w[1].done > w[0].done), "progress only goes up");
    assert!(seen.iter().all(|p| p.total == seen[0].total), "the total is announced once, up front");
    let last = seen.last().unwrap();
    assert_eq!(last.done, last.total);
    assert!(last.total >= 500);
    assert_eq!(count_contacts(&b.store), 500);
    // Pulled contacts are in the search index, exactly.
    b.store.connection().execute_batch("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')").unwrap();
    let found: i64 = b.store.connection().query_row("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH '\"c04\"*'", [], |r| r.get(0)).unwrap();
    assert_eq!(found, 10, "C040 to C049");
    let again = b.syncer.pull_all(&b.store, |_| {}).await.unwrap();
    assert_eq!(again.pulled, 0, "the cursor is kept with the data: nothing is downloaded twice");
}

#[tokio::test]
async fn an_interrupted_initial_sync_resumes_where_it_stopped() {
    let mut cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    for i in 0..300 {
        a.store.repo::<Contact>().create(&json!({ "first_name": format!("C{i:03}"), "last_name": "X" })).unwrap();
    }
    a.sync().await;
    let mut b = Device::blank(&cloud.url());
    b.syncer.page_size = 20;
    sign_in_only(&cloud, &b).await;
    // Stop the server after the device has taken a few pages.
    let syncer = b.syncer.clone();
    let mut total = 0;
    let pull = syncer.pull_all(&b.store, |p| total = p.total);
    let cut = async {
        loop {
            tokio::time::sleep(Duration::from_millis(2)).await;
            let c: i64 =
                b.store.connection().query_row("SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM local_settings WHERE key = 'sync.cursor'), 0)", [], |r| r.get(0)).unwrap();
            if c > 0 {
                cloud.stop().await;
                return;
            }
        }
    };
    let (first, ()) = tokio::join!(pull, cut);
    let half = count_contacts(&b.store);
    if first.is_err() {
        assert!(half > 0 && half < 300, "stopped part way, with the pages already written kept ({half} of 300)");
    }
    cloud.restart().await;
    let rest = b.syncer.pull_all(&b.store, |_| {}).await.unwrap();
    assert_eq!(count_contacts(&b.store), 300);
    // Every contact kept from the first pull is a row not fetched again.
    assert!(total > 300 && rest.pulled as i64 <= total - half as i64, "only what was missing was fetched again ({} of {total} rows after {half} contacts)", rest.pulled);
    b.syncer.page_size = 20;
}

fn engine_for(d: &Device) -> SyncEngine {
    let syncer = Syncer::new(Remote::new(d.syncer.remote().base()).unwrap(), d.credentials.clone() as Arc<dyn Credentials>);
    SyncEngine::start(d.db_path(), syncer, EngineOptions { debounce: Duration::from_millis(50), ..Default::default() }).unwrap()
}

async fn wait_for(mut cond: impl FnMut() -> bool, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_on_one_device_shows_on_the_other_within_a_second() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = a.store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper" })).unwrap();
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    let ea = engine_for(&a);
    let eb = engine_for(&b);
    // Let both settle into waiting on the server.
    wait_for(|| ea.status().state == SyncState::Idle && eb.status().state == SyncState::Idle, Duration::from_secs(10)).await.expect("engines idle");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut worst = Duration::ZERO;
    for round in 0..5 {
        let note = format!("edit {round}");
        a.store.repo::<Contact>().update(c.id, &json!({ "notes": note })).unwrap();
        ea.nudge();
        let took = wait_for(|| b.store.repo::<Contact>().get(c.id).unwrap().notes.as_deref() == Some(note.as_str()), Duration::from_secs(5)).await.expect("the edit arrived");
        worst = worst.max(took);
    }
    println!("edit-to-arrival latency, worst of 5: {worst:?}");
    assert!(worst < Duration::from_secs(1), "worst {worst:?}");
    wait_for(|| eb.status().state == SyncState::Idle, Duration::from_secs(5)).await.expect("settles back to idle");
    assert!(eb.status().last_success.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_is_a_state_not_an_error_and_nothing_is_lost() {
    let mut cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    cloud.stop().await;
    let e = SyncEngine::start(
        a.db_path(),
        Syncer::new(Remote::new(&cloud.url()).unwrap(), a.credentials.clone() as Arc<dyn Credentials>),
        EngineOptions { debounce: Duration::from_millis(20), min_backoff: Duration::from_millis(50), max_backoff: Duration::from_millis(400), ..Default::default() },
    )
    .unwrap();
    for i in 0..5 {
        a.store.repo::<Contact>().create(&json!({ "first_name": format!("Hall{i}"), "last_name": "X" })).unwrap();
    }
    e.nudge();
    // The engine may have tried once before the writes: wait for the round that saw them.
    wait_for(|| e.status().state == SyncState::Offline && e.status().pending == 5, Duration::from_secs(5)).await.expect("shown as offline with the writes pending");
    assert!(e.status().message.unwrap().contains("cannot reach"));
    cloud.restart().await;
    wait_for(|| e.status().state == SyncState::Idle && e.status().pending == 0, Duration::from_secs(10)).await.expect("back online, retried with backoff, all pushed");
    assert_eq!(cloud.sql_count("SELECT COUNT(*) FROM contacts").await, 5);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_then_sign_in_is_asked_without_losing_changes() {
    let cloud = Cloud::start_with(|c| c.access_token_ttl = Duration::from_secs(1)).await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    a.store.repo::<Contact>().create(&json!({ "first_name": "After", "last_name": "Expiry" })).unwrap();
    let before = a.credentials.load().unwrap().unwrap();
    a.sync().await;
    let after = a.credentials.load().unwrap().unwrap();
    assert_ne!(before, after, "the token pair was refreshed and saved");
    assert_eq!(cloud.sql_count("SELECT COUNT(*) FROM contacts").await, 1);
    // Now the session is revoked on the server: refresh fails, the device asks to sign in again.
    reqwest::Client::new().post(format!("{}/v1/auth/logout", cloud.url())).bearer_auth(&after.access_token).send().await.unwrap();
    a.store.repo::<Contact>().create(&json!({ "first_name": "Pending", "last_name": "Change" })).unwrap();
    let err = a.syncer.sync_once(&a.store, |_| {}).await.unwrap_err();
    assert_eq!(err.code(), "signed_out");
    assert_eq!(a.store.pending_changes().unwrap(), 1, "the change waits for the next sign-in");
    a.syncer.login(&a.store, "ada@acme.test", PASSWORD).await.unwrap();
    assert_eq!(a.store.pending_changes().unwrap(), 0);
    assert_eq!(cloud.sql_count("SELECT COUNT(*) FROM contacts").await, 2);
}
