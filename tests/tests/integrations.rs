//! HubSpot for real shapes: the integration runs against a local HubSpot that speaks the CRM API v3
//! (plugs_testkit::hubspot) and keeps its contacts, so every test checks a round trip. The
//! credential is kept by a stand-in for the keychain here; the last test runs the CLI on the real
//! Secret Service and scans the database, its WAL and the logs for the token.

use plugs_core::integrations::MemorySecrets as Secrets;
use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::{Error, Filter, ListQuery, Store};
use plugs_testkit::hubspot::{FakeHubSpot, Fault};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const TOKEN: &str = "pat-na1-0d7c5a3e-9b1f-4c2e-8f6a-hubspot-test";

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    secrets: Secrets,
    hub: FakeHubSpot,
}

async fn world(max: usize, per: Duration) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@acme.test".into() }).unwrap();
    let hub = FakeHubSpot::with_limit(TOKEN, max, per).await;
    let secrets = Secrets::default();
    let i = store.connect_integration(&secrets, "hubspot", "crm", TOKEN).unwrap();
    store.table("integrations").unwrap().update(i.id, json!({ "settings": { "base_url": hub.base } }).as_object().unwrap().clone()).unwrap();
    World { _dir: dir, store, secrets, hub }
}

fn add(store: &Store, n: usize) {
    for i in 0..n {
        store
            .repo::<Contact>()
            .create(&json!({ "first_name": format!("Person{i}"), "last_name": "Test", "email": format!("person{i}@example.test"), "company": "Acme", "status": if i % 3 == 0 { "hot_lead" } else { "cold_lead" } }))
            .unwrap();
    }
}

fn contact_by_email(store: &Store, email: &str) -> Contact {
    store.repo::<Contact>().list(&ListQuery { filters: vec![Filter::Eq("email".into(), json!(email))], limit: Some(1), ..Default::default() }).unwrap().items.remove(0)
}

fn integration(store: &Store) -> Value {
    Value::Object(store.table("integrations").unwrap().get(store.integration_for("hubspot").unwrap().id).unwrap())
}

fn logs(store: &Store) -> Vec<Value> {
    let q = ListQuery { sort: Some("started_at".into()), limit: Some(100), ..Default::default() };
    store.table("integration_logs").unwrap().list(&q).unwrap().items.into_iter().map(Value::Object).collect()
}

#[tokio::test]
async fn contacts_go_to_hubspot_in_batches_come_back_linked_and_a_second_run_sends_nothing() {
    let w = world(100, Duration::from_secs(10)).await;
    add(&w.store, 250);
    w.store.repo::<Contact>().create(&json!({ "first_name": "No", "last_name": "Email" })).unwrap();
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.created, r.counts.updated, r.counts.skipped), ("success", 250, 0, 1), "{r:?}");
    assert_eq!(w.hub.contacts().len(), 250);
    // Batches of 100 at most: one search, three creates.
    assert_eq!(w.hub.batch_sizes(), vec![100, 100, 50]);
    assert_eq!(r.requests, 4, "{r:?}");
    let grace = w.hub.by_email("person3@example.test").unwrap();
    assert_eq!(
        (grace.properties["firstname"].as_str(), grace.properties["lifecyclestage"].as_str(), grace.properties["hs_lead_status"].as_str()),
        ("Person3", "salesqualifiedlead", "IN_PROGRESS")
    );
    let here = contact_by_email(&w.store, "person3@example.test");
    assert_eq!(here.metadata["hubspot_id"], json!(grace.id), "the HubSpot id is kept with the contact");
    // The run is logged, and the connection's last sync is when it completed (derived from its log).
    let log = logs(&w.store).pop().unwrap();
    assert_eq!((log["status"].as_str(), log["records_processed"].as_i64(), log["records_failed"].as_i64()), (Some("success"), Some(250), Some(0)));
    let i = integration(&w.store);
    assert_eq!((i["status"].as_str(), i["last_sync"].as_str()), (Some("connected"), log["completed_at"].as_str()));
    // Run again: the search brings back what the first run wrote (three pages), which changes
    // nothing here; nothing is sent, and there is no duplicate.
    let again = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!((again.counts.created, again.counts.updated, again.counts.pulled), (0, 0, 0), "{again:?}");
    assert_eq!(again.requests, 3, "{again:?}");
    let third = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!(third.requests, 1, "only the search for changes: {third:?}");
    assert_eq!(w.hub.contacts().len(), 250);
}

#[tokio::test]
async fn edits_travel_both_ways_and_an_edit_on_both_sides_goes_to_the_later_one() {
    let w = world(100, Duration::from_secs(10)).await;
    add(&w.store, 3);
    w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    let (p0, p1, p2) = (w.hub.by_email("person0@example.test").unwrap(), w.hub.by_email("person1@example.test").unwrap(), contact_by_email(&w.store, "person2@example.test"));
    // In HubSpot: a new title for Person0, and a customer now; Person1's phone.
    w.hub.edit(&p0.id, &[("jobtitle", "CTO"), ("lifecyclestage", "customer")]);
    tokio::time::sleep(Duration::from_millis(20)).await;
    // Here: Person1's phone too, later (this one wins); Person2's company.
    w.hub.edit(&p1.id, &[("phone", "+1 202 555 0100")]);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let p1_here = contact_by_email(&w.store, "person1@example.test");
    w.store.repo::<Contact>().update(p1_here.id, &json!({ "phone": "+1 202 555 0199" })).unwrap();
    w.store.repo::<Contact>().update(p2.id, &json!({ "company": "Globex" })).unwrap();
    // And a contact made in HubSpot.
    w.hub.create(&[("email", "new@hubspot.test"), ("firstname", "Nia"), ("lastname", "Hub"), ("lifecyclestage", "opportunity")]);
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!(r.status, "success", "{r:?}");
    let p0_here = contact_by_email(&w.store, "person0@example.test");
    assert_eq!((p0_here.job_title.as_deref(), serde_json::to_value(p0_here.status).unwrap()), (Some("CTO"), json!("new_client")));
    assert_eq!(contact_by_email(&w.store, "person1@example.test").phone.as_deref(), Some("+1 202 555 0199"), "the later edit, made here");
    assert_eq!(w.hub.by_email("person1@example.test").unwrap().properties["phone"], "+1 202 555 0199");
    assert_eq!(w.hub.by_email("person2@example.test").unwrap().properties["company"], "Globex");
    let nia = contact_by_email(&w.store, "new@hubspot.test");
    assert_eq!((nia.first_name.as_str(), serde_json::to_value(nia.status).unwrap()), ("Nia", json!("hot_lead")));
    // HubSpot's "customer" and "opportunity" are not sent back in this app's words.
    assert_eq!(w.hub.by_email("new@hubspot.test").unwrap().properties["lifecyclestage"], "opportunity");
    assert_eq!(w.hub.by_email("person0@example.test").unwrap().properties["lifecyclestage"], "customer");
    assert_eq!(w.hub.contacts().len(), 4);
}

#[tokio::test]
async fn the_rate_limit_is_kept_and_a_429_waits_as_told() {
    // 10 requests a second: the client learns it from the headers of the first answer.
    let w = world(10, Duration::from_secs(1)).await;
    add(&w.store, 1500);
    let start = Instant::now();
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    let took = start.elapsed();
    assert_eq!((r.status.as_str(), r.counts.created), ("success", 1500), "{r:?}");
    // 1 search + 15 creates = 16 requests: more than one window of 10.
    assert_eq!(r.requests, 16 + r.throttled, "{r:?}");
    assert!(r.throttled <= 1, "paced under the limit, not bounced off it: {r:?}");
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert_eq!(w.hub.requests().1, r.throttled);
    assert_eq!(w.hub.contacts().len(), 1500);
}

#[tokio::test]
async fn a_5xx_is_retried_and_a_run_killed_halfway_then_run_again_makes_no_duplicate() {
    let w = world(100, Duration::from_secs(10)).await;
    add(&w.store, 300);
    // A 503 once: retried.
    w.hub.fail_next([Fault::Status(503)]);
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.created), ("success", 300), "{r:?}");
    add_more(&w.store, 300..500);
    // HubSpot then fails for good halfway (after the search's three pages and the first create):
    // the run fails, what was created is linked; the next run creates the rest once.
    w.hub.fail_after(4, [Fault::Status(500), Fault::Status(500), Fault::Status(500), Fault::Status(500)]);
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!(r.status, "failed", "{r:?}");
    assert!(r.message.contains("failed (500) on every try"), "{}", r.message);
    let made = w.hub.contacts().len();
    assert_eq!(made, 400, "the first batch of the second run was created");
    let log = logs(&w.store).pop().unwrap();
    assert_eq!(log["status"], "failed");
    assert_eq!(integration(&w.store)["status"], "error");
    let again = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!(again.status, "success", "{again:?}");
    assert_eq!(w.hub.contacts().len(), 500, "each contact once");
    let emails: std::collections::BTreeSet<String> = w.hub.contacts().iter().map(|c| c.properties["email"].clone()).collect();
    assert_eq!(emails.len(), 500);
    assert_eq!(integration(&w.store)["status"], "connected");
}

fn add_more(store: &Store, range: std::ops::Range<usize>) {
    for i in range {
        store.repo::<Contact>().create(&json!({ "first_name": format!("Person{i}"), "last_name": "Test", "email": format!("person{i}@example.test") })).unwrap();
    }
}

#[tokio::test]
async fn a_cut_answer_fails_the_run_in_words_and_writes_nothing_and_a_refused_token_asks_to_reconnect() {
    let w = world(100, Duration::from_secs(10)).await;
    add(&w.store, 2);
    w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    let p0 = w.hub.by_email("person0@example.test").unwrap();
    w.hub.edit(&p0.id, &[("jobtitle", "CTO")]);
    // The search's answer is cut short: nothing of it is taken.
    w.hub.fail_next([Fault::Truncated]);
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!(r.status, "failed");
    assert!(r.message.contains("could not be read"), "{}", r.message);
    assert_eq!(contact_by_email(&w.store, "person0@example.test").job_title, None);
    let log = logs(&w.store).pop().unwrap();
    assert!(log["error_details"]["error"].as_str().unwrap().contains("could not be read"), "{log}");
    // The next run takes the edit.
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.pulled), ("success", 1));
    assert_eq!(contact_by_email(&w.store, "person0@example.test").job_title.as_deref(), Some("CTO"));
    // The token is revoked in HubSpot: the run fails, the connection says reconnect.
    w.hub.rotate_token("pat-na1-new");
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!(r.status, "failed");
    let i = integration(&w.store);
    assert_eq!(i["status"], "error");
    assert!(i["metadata"]["last_error"].as_str().unwrap().contains("reconnect"), "{i}");
    // Connected again with the new token: the same connection, running again.
    w.store.connect_integration(&w.secrets, "hubspot", "crm", "pat-na1-new").unwrap();
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!(r.status, "success", "{r:?}");
    assert_eq!(integration(&w.store)["status"], "connected");
    assert_eq!(w.secrets.values().len(), 1, "the old credential left the keychain");
}

#[tokio::test]
async fn a_contact_hubspot_has_had_for_long_is_matched_by_email_not_made_twice() {
    let w = world(100, Duration::from_secs(10)).await;
    add(&w.store, 150);
    w.hub.create(&[("email", "seed@hubspot.test"), ("firstname", "Seed")]);
    w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    // In HubSpot since last year (older than what the runs search for), and now captured here.
    let old =
        w.hub.create_at(&[("email", "old@hubspot.test"), ("firstname", "Olga"), ("lastname", "Old"), ("phone", "+49 30 1234")], chrono::Utc::now() - chrono::Duration::days(400));
    w.store.repo::<Contact>().create(&json!({ "first_name": "Olga", "last_name": "Old", "email": "Old@HubSpot.test", "job_title": "Buyer" })).unwrap();
    add_more(&w.store, 150..160);
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.created, r.counts.updated), ("success", 10, 1), "{r:?}");
    assert_eq!(w.hub.contacts().len(), 150 + 2 + 10);
    let olga = w.hub.by_email("old@hubspot.test").unwrap();
    assert_eq!((olga.id.as_str(), olga.properties["jobtitle"].as_str()), (old.as_str(), "Buyer"));
    assert_eq!(olga.properties["phone"], "+49 30 1234", "a value HubSpot has is not blanked by one this side lacks");
    assert_eq!(contact_by_email(&w.store, "old@hubspot.test").metadata["hubspot_id"], json!(old));
    // The next run's search brings Olga back (just updated): her phone from HubSpot fills the
    // blank here, her title stays.
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!((r.counts.created, r.counts.updated), (0, 0), "{r:?}");
    let here = contact_by_email(&w.store, "old@hubspot.test");
    assert_eq!((here.phone.as_deref(), here.job_title.as_deref()), (Some("+49 30 1234"), Some("Buyer")));
}

#[tokio::test]
async fn a_contact_linked_for_the_first_time_fills_each_sides_blanks() {
    let w = world(100, Duration::from_secs(10)).await;
    w.hub.create(&[("email", "grace@navy.test"), ("firstname", "Grace"), ("lastname", "Hopper"), ("phone", "+1 202 555 0100"), ("jobtitle", "")]);
    w.store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.test", "job_title": "Rear Admiral" })).unwrap();
    let r = w.store.run_integration(&w.secrets, "hubspot").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.pulled, r.counts.created, r.counts.updated), ("success", 1, 0, 1), "{r:?}");
    let here = contact_by_email(&w.store, "grace@navy.test");
    assert_eq!((here.phone.as_deref(), here.job_title.as_deref()), (Some("+1 202 555 0100"), Some("Rear Admiral")));
    let there = w.hub.by_email("grace@navy.test").unwrap();
    assert_eq!((there.properties["phone"].as_str(), there.properties["jobtitle"].as_str()), ("+1 202 555 0100", "Rear Admiral"));
    assert_eq!(w.hub.contacts().len(), 1);
}

#[tokio::test]
async fn offline_the_run_waits_and_logs_no_failure() {
    let w = world(100, Duration::from_secs(10)).await;
    add(&w.store, 1);
    let i = w.store.integration_for("hubspot").unwrap();
    w.store.table("integrations").unwrap().update(i.id, json!({ "settings": { "base_url": "http://127.0.0.1:9" } }).as_object().unwrap().clone()).unwrap();
    let e = w.store.run_integration(&w.secrets, "hubspot").await.unwrap_err();
    assert!(matches!(e, Error::Offline(_)), "{e:?}");
    assert!(logs(&w.store).is_empty());
    assert_eq!(integration(&w.store)["status"], "connected");
}

/// The whole way from the command line, with the credentials in the real keychain (gnome-keyring's
/// Secret Service on a private bus): connect HubSpot, Mailchimp, Zoom and Teams (signing in with a
/// code), run each, read the logs. No credential is anywhere else: not in the database's files
/// (its WAL included), not in any row (which is what sync sends), not in the output or the debug
/// log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_the_command_line_the_token_stays_in_the_keychain() {
    const MC_KEY: &str = "9d1e4c7a2b5f8e0d3c6a9b2e5f8d1c4a-us21";
    const ZOOM_SECRET: &str = "zoomCliSecret-Hq3Vt8Lw2Pz5";
    let keys = plugs_testkit::SecretService::start();
    let hub = FakeHubSpot::start(TOKEN).await;
    let chimp = plugs_testkit::mailchimp::FakeMailchimp::start(MC_KEY).await;
    let list = chimp.create_list("Leads");
    let zoom = plugs_testkit::zoom::FakeZoom::start("acct-cli", "client-cli", ZOOM_SECRET).await;
    let (_, uuid) = zoom.add_meeting("Briefing", chrono::Utc::now() - chrono::Duration::days(1), 30, "Europe/Berlin", true);
    zoom.add_participants(&uuid, &[("Alan Turing", "alan@bletchley.test")]);
    let graph = plugs_testkit::graph::FakeGraph::start("cli-app").await;
    graph.poll_interval(1);
    let t = chrono::Utc::now() - chrono::Duration::hours(30);
    graph.add_event("Review", t, t + chrono::Duration::hours(1), "Europe/Paris", true, &[("Katherine Johnson", "kj@nasa.test")]);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_owned();
    let (base, chimp_base, zoom_base, graph_base) = (hub.base.clone(), chimp.base.clone(), zoom.base.clone(), graph.base.clone());
    let env = keys.env.clone();
    let list_id = list.clone();
    let cli = tokio::task::spawn_blocking(move || {
        let list = list_id;
        let plugs = |args: &[&str], stdin: Option<&str>| {
            let mut c = assert_cmd::Command::cargo_bin("plugs").unwrap();
            c.arg("--data-dir").arg(&data).args(args).env("RUST_LOG", "debug");
            for (k, v) in &env {
                c.env(k, v);
            }
            if let Some(s) = stdin {
                c.write_stdin(s.to_owned());
            }
            let out = c.output().unwrap();
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
        };
        let mut all = vec![];
        all.push(plugs(&["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"], None));
        all.push(plugs(&["contact", "add", "--first-name", "Grace", "--last-name", "Hopper", "--email", "grace@navy.test"], None));
        all.push(plugs(&["integration", "connect", "--provider", "hubspot", "--integration-type", "crm", "--secret-stdin", "--base-url", &base], Some(&format!("{TOKEN}\n"))));
        all.push(plugs(&["integration", "connect", "--provider", "mailchimp", "--list-id", &list, "--secret-stdin", "--base-url", &chimp_base], Some(&format!("{MC_KEY}\n"))));
        all.push(plugs(
            &[
                "integration",
                "connect",
                "--provider",
                "zoom",
                "--account-id",
                "acct-cli",
                "--client-id",
                "client-cli",
                "--sync-frequency",
                "daily",
                "--secret-stdin",
                "--base-url",
                &zoom_base,
            ],
            Some(&format!("{ZOOM_SECRET}\n")),
        ));
        // Teams: the code is shown; the person signs in at Microsoft (the test approves meanwhile).
        let signed = plugs(&["integration", "connect", "--provider", "teams", "--client-id", "cli-app", "--base-url", &graph_base], None);
        assert!(signed.contains("microsoft.com/devicelogin") && signed.contains("enter the code"), "{signed}");
        all.push(signed);
        for p in ["hubspot", "mailchimp", "zoom", "teams"] {
            let run = plugs(&["--json", "integration", "run", p], None);
            assert!(run.contains("\"status\": \"success\"") || run.contains("\"status\":\"success\""), "{p}: {run}");
            all.push(run);
        }
        let logs = plugs(&["--json", "integration", "logs", "hubspot"], None);
        assert!(logs.contains("1 created"), "{logs}");
        all.push(logs);
        all.push(plugs(&["--json", "integration", "logs", "zoom"], None));
        all.push(plugs(&["--json", "integration", "list"], None));
        all.push(plugs(&["--json", "integration-log", "list"], None));
        all.push(plugs(&["--json", "contact", "list"], None));
        all.push(plugs(&["--json", "event", "list"], None));
        all
    });
    // The person approves the sign-in at Microsoft once the CLI asked for a code.
    while graph.device_code_polls() == 0 && !cli.is_finished() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    graph.approve();
    let outputs = cli.await.unwrap();
    assert_eq!(hub.by_email("grace@navy.test").unwrap().properties["firstname"], "Grace");
    assert!(chimp.member(&list, "grace@navy.test").is_some());
    let joined = outputs.join("\n");
    assert!(joined.contains("Briefing") && joined.contains("Review"), "the meetings became events");
    assert!(joined.contains("alan@bletchley.test") && joined.contains("kj@nasa.test"), "their people became contacts");
    assert!(joined.contains("\"sync_frequency\": \"daily\"") || joined.contains("\"sync_frequency\":\"daily\""), "settings from the command line");
    for secret in [TOKEN, MC_KEY, ZOOM_SECRET] {
        for o in &outputs {
            assert!(!o.contains(secret), "a credential in the output or the log: {o}");
            assert!(!o.contains("Bearer") && !o.contains("refresh_token="), "{o}");
        }
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let p = e.unwrap().path();
            if let Ok(bytes) = std::fs::read(&p) {
                assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "a credential in {}", p.display());
            }
        }
    }
}
