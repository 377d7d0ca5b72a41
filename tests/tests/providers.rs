//! Mailchimp, Zoom and Microsoft Teams for real shapes: each integration runs against a local
//! server speaking the provider's API (plugs_testkit::{mailchimp, zoom, graph}) that keeps its
//! state, so every test checks a round trip. The last test syncs a device that ran all four
//! providers and looks for their credentials in what reached the server.

mod common;

use plugs_core::integrations::teams;
use plugs_core::integrations::MemorySecrets as Secrets;
use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::{Filter, ListQuery, Store};
use plugs_testkit::graph::FakeGraph;
use plugs_testkit::mailchimp::FakeMailchimp;
use plugs_testkit::zoom::FakeZoom;
use serde_json::{json, Map, Value};
use std::time::Duration;

const MC_KEY: &str = "5f2a9c0e71d84b3fa6c1e09d2b7f4a11-us6";
const ZOOM_SECRET: &str = "zoomS2Ssecret-7Qm4Xc9RkT2vLp8N";
const GRAPH_CLIENT: &str = "3f1d2c4b-5a69-4e7d-8c0b-1a2b3c4d5e6f";

fn new_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@acme.test".into() }).unwrap();
    (dir, store)
}

fn settings(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn contact(store: &Store, first: &str, email: Option<&str>, company: &str, tags: &[&str]) -> Contact {
    store.repo::<Contact>().create(&json!({ "first_name": first, "last_name": "Test", "email": email, "company": company, "metadata": { "tags": tags } })).unwrap()
}

fn by_email(store: &Store, email: &str) -> Option<Value> {
    store
        .table("contacts")
        .unwrap()
        .list(&ListQuery { filters: vec![Filter::Eq("email".into(), json!(email))], limit: Some(1), ..Default::default() })
        .unwrap()
        .items
        .pop()
        .map(Value::Object)
}

fn count(store: &Store, table: &str, filters: Vec<Filter>) -> i64 {
    store.table(table).unwrap().count(&ListQuery { filters, ..Default::default() }).unwrap()
}

fn last_log(store: &Store, provider: &str) -> Value {
    serde_json::to_value(store.integration_logs(provider, 1).unwrap().items.remove(0)).unwrap()
}

// ---------------------------------------------------------------- Mailchimp

async fn mailchimp_world(push: &str) -> (tempfile::TempDir, Store, Secrets, FakeMailchimp, String) {
    let (dir, store) = new_store();
    let fake = FakeMailchimp::start(MC_KEY).await;
    let list = fake.create_list("Leads");
    let secrets = Secrets::default();
    store.connect_integration_with(&secrets, "mailchimp", "", MC_KEY, &settings(json!({ "list_id": list, "push": push, "base_url": fake.base }))).unwrap();
    (dir, store, secrets, fake, list)
}

#[tokio::test]
async fn contacts_reach_a_mailchimp_audience_and_an_unsubscribe_is_pulled_and_respected() {
    let (_d, store, secrets, fake, list) = mailchimp_world("all").await;
    contact(&store, "Grace", Some("Grace@Navy.test"), "Navy", &["vip"]);
    contact(&store, "Alan", Some("alan@bletchley.test"), "GCHQ", &[]);
    contact(&store, "Nomail", None, "", &[]);
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.created, r.counts.skipped), ("success", 2, 1), "{r:?}");
    let grace = fake.member(&list, "grace@navy.test").expect("Grace is a member");
    assert_eq!((grace.status.as_str(), grace.merge_fields["FNAME"].as_str(), grace.merge_fields["COMPANY"].as_str()), ("subscribed", "Grace", "Navy"));
    assert!(grace.tags.contains("vip"), "{grace:?}");
    // Nothing changed: the next run sends nothing.
    let before = fake.requests();
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!((r.counts.created, r.counts.updated), (0, 0), "{r:?}");
    assert_eq!(fake.requests() - before, 2, "the audience and one page of changes");
    // Grace unsubscribes in Mailchimp; Alan's address bounces for good.
    fake.unsubscribe(&list, "grace@navy.test");
    fake.clean(&list, "alan@bletchley.test");
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!(r.counts.pulled, 2, "{r:?}");
    let g = by_email(&store, "grace@navy.test").unwrap();
    assert_eq!(g["metadata"]["mailchimp"]["status"], "unsubscribed");
    assert_eq!(by_email(&store, "alan@bletchley.test").unwrap()["metadata"]["mailchimp"]["status"], "cleaned");
    // Edited here later: still never sent again, never re-subscribed.
    store.table("contacts").unwrap().update(uuid::Uuid::parse_str(g["id"].as_str().unwrap()).unwrap(), settings(json!({ "company": "US Navy" }))).unwrap();
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.updated, r.counts.skipped), ("success", 0, 3), "{r:?}");
    let grace = fake.member(&list, "grace@navy.test").unwrap();
    assert_eq!((grace.status.as_str(), grace.merge_fields["COMPANY"].as_str()), ("unsubscribed", "Navy"));
    assert_eq!(fake.resubscribed(), 0);
    // A tag removed here is removed there.
    let a = contact(&store, "Katherine", Some("kj@nasa.test"), "NASA", &["speaker", "vip"]);
    store.run_integration(&secrets, "mailchimp").await.unwrap();
    store.tag_rows("contacts", &[a.id], &[], &["vip".into()]).unwrap();
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!(r.counts.updated, 1, "{r:?}");
    assert_eq!(fake.member(&list, "kj@nasa.test").unwrap().tags.into_iter().collect::<Vec<_>>(), vec!["speaker".to_owned()]);
}

#[tokio::test]
async fn mailchimp_sends_only_the_tag_or_saved_list_chosen() {
    let (_d, store, secrets, fake, list) = mailchimp_world("tag:investor").await;
    contact(&store, "Ina", Some("ina@fund.test"), "Fund", &["investor"]);
    contact(&store, "Otto", Some("otto@shop.test"), "Shop", &[]);
    store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!(fake.members(&list).iter().map(|m| m.email.clone()).collect::<Vec<_>>(), vec!["ina@fund.test".to_owned()]);
    let request = plugs_core::ListRequest { contains: settings(json!({ "company": "shop" })), ..Default::default() };
    let saved = store.save_list("Shops", "", &request).unwrap();
    let err = store.configure_integration("mailchimp", &settings(json!({ "push": "list:Nope" }))).unwrap_err();
    assert!(err.to_string().starts_with("push: there is no saved list 'Nope'"), "{err}");
    store.configure_integration("mailchimp", &settings(json!({ "push": "list:Shops" }))).unwrap();
    assert_eq!(store.integration_for("mailchimp").unwrap().settings["push"], json!(format!("list:{}", saved.id)));
    store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert!(fake.member(&list, "otto@shop.test").is_some());
}

#[tokio::test]
async fn many_contacts_go_as_one_batch_and_a_refused_one_is_named() {
    let (_d, store, secrets, fake, list) = mailchimp_world("all").await;
    for i in 0..1500 {
        contact(&store, &format!("P{i}"), Some(&format!("p{i}@example.test")), "Acme", if i % 2 == 0 { &["lead"] } else { &[] });
    }
    // Mailchimp thinks this one is fake; the contact rules let it be.
    let odd = contact(&store, "Odd", Some("odd@localhost"), "", &[]);
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.created), ("partial", 1500), "{r:?}");
    assert_eq!(fake.batches(), vec![1500 + 750 + 1], "one batch: 1,501 members and 750 tag changes");
    assert_eq!(fake.members(&list).len(), 1500);
    assert_eq!(r.counts.failed.len(), 1);
    assert_eq!(r.counts.failed[0].record_id, Some(odd.id));
    assert!(r.counts.failed[0].reason.contains("Invalid Resource") && !r.counts.failed[0].reason.contains("odd@"), "{}", r.counts.failed[0].reason);
    let log = last_log(&store, "mailchimp");
    assert_eq!((log["status"].as_str(), log["records_failed"].as_i64()), (Some("partial"), Some(1)));
    // Run again: only the refused one is tried, alone.
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!((r.counts.created, r.counts.failed.len()), (0, 1), "{r:?}");
    assert_eq!(fake.batches().len(), 1);
}

#[tokio::test]
async fn a_cut_answer_from_mailchimp_fails_in_words_and_writes_nothing_and_a_wrong_key_asks_to_reconnect() {
    let (_d, store, secrets, fake, list) = mailchimp_world("all").await;
    contact(&store, "Grace", Some("grace@navy.test"), "Navy", &[]);
    fake.add_member(&list, "grace@navy.test", "unsubscribed");
    // The audience answers; the page of members is cut short.
    fake.fail_after(1, [plugs_testkit::mailchimp::Fault::Truncated]);
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!(r.status, "failed", "{r:?}");
    assert!(r.message.contains("could not be read"), "{}", r.message);
    assert!(by_email(&store, "grace@navy.test").unwrap()["metadata"].get("mailchimp").is_none(), "nothing taken from the cut page");
    assert!(fake.member(&list, "grace@navy.test").unwrap().status == "unsubscribed" && fake.resubscribed() == 0);
    let log = last_log(&store, "mailchimp");
    assert_eq!(log["status"], "failed");
    // Next time it reads, marks, and still never subscribes her.
    let r = store.run_integration(&secrets, "mailchimp").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.pulled, r.counts.created), ("success", 1, 0), "{r:?}");
    assert_eq!(fake.resubscribed(), 0);
    // A key Mailchimp does not know: the connection asks to be connected again.
    let (_d2, store2) = new_store();
    let s2 = Secrets::default();
    store2.connect_integration_with(&s2, "mailchimp", "", "0000000000000000-us6", &settings(json!({ "list_id": list, "base_url": fake.base }))).unwrap();
    let r = store2.run_integration(&s2, "mailchimp").await.unwrap();
    assert_eq!(r.status, "failed");
    let i = serde_json::to_value(store2.integration_for("mailchimp").unwrap()).unwrap();
    assert_eq!((i["status"].as_str(), i["metadata"]["last_error"].as_str()), (Some("error"), Some("Mailchimp refused the credential: reconnect")));
    let err = store2.connect_integration_with(&s2, "mailchimp", "", "no-data-center", &settings(json!({ "list_id": list }))).unwrap_err();
    assert!(err.to_string().starts_with("secret: a Mailchimp API key ends with its data center"), "{err}");
    let err = store2.connect_integration_with(&s2, "mailchimp", "", MC_KEY, &settings(json!({ "list_id": " " }))).unwrap_err();
    assert!(err.to_string().starts_with("list_id: the Mailchimp audience"), "{err}");
}

// ---------------------------------------------------------------- Zoom

async fn zoom_world() -> (tempfile::TempDir, Store, Secrets, FakeZoom) {
    let (dir, store) = new_store();
    let fake = FakeZoom::start("acct-1", "client-1", ZOOM_SECRET).await;
    let secrets = Secrets::default();
    store.connect_integration_with(&secrets, "zoom", "video", ZOOM_SECRET, &settings(json!({ "account_id": "acct-1", "client_id": "client-1", "base_url": fake.base }))).unwrap();
    (dir, store, secrets, fake)
}

#[tokio::test]
async fn a_zoom_meeting_of_300_over_3_pages_is_taken_once_even_when_the_run_is_killed_halfway() {
    let (_d, store, secrets, fake) = zoom_world().await;
    let start = chrono::Utc::now() - chrono::Duration::days(2);
    // A UUID Zoom asks to be encoded twice.
    let (id, uuid) = fake.add_meeting_with_uuid("/Qx9+ab//CdEf0123==", "Partner briefing", start, 45, "Europe/Berlin", true);
    let mut people: Vec<(String, String)> = (0..298).map(|i| (format!("Guest {i}"), format!("guest{i}@partner.test"))).collect();
    people.push(("Ada Lovelace".into(), "ada@acme.test".into()));
    people.push(("Dial-in caller".into(), String::new()));
    let refs: Vec<(&str, &str)> = people.iter().map(|(n, e)| (n.as_str(), e.as_str())).collect();
    fake.add_participants(&uuid, &refs);
    fake.add_registrants(id, &[("Grace", "Hopper", "grace@navy.test")]);
    // The third page of participants is held; the run is stopped while it waits (as a kill would).
    fake.hold("participants", 3);
    let run = store.run_integration(&secrets, "zoom");
    tokio::select! {
        r = run => panic!("the run should have been held: {r:?}"),
        _ = async { while fake.seen("participants") < 3 { tokio::time::sleep(Duration::from_millis(20)).await } } => {}
    }
    fake.release();
    let guests = || count(&store, "contact_interactions", vec![Filter::Eq("interaction_type".into(), json!("meeting"))]);
    assert_eq!(guests(), 201, "Grace registered, and two pages of 100 were taken whole");
    // Run again: the rest, each person once.
    let r = store.run_integration(&secrets, "zoom").await.unwrap();
    assert_eq!(r.status, "success", "{r:?}");
    assert_eq!(guests(), 299, "298 guests and Grace");
    assert_eq!(count(&store, "contacts", vec![]), 299);
    assert_eq!(count(&store, "event_attendees", vec![]), 1, "Ada, a user of the organization, attended");
    let events = store.table("events").unwrap().list(&ListQuery::default()).unwrap().items;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!((e["event_type"].as_str(), e["timezone"].as_str(), e["status"].as_str()), (Some("meeting"), Some("Europe/Berlin"), Some("completed")));
    assert_eq!(e["metadata"]["zoom_uuid"], json!(uuid));
    assert_eq!(chrono::DateTime::parse_from_rfc3339(e["start_date"].as_str().unwrap()).unwrap().timestamp(), start.timestamp());
    let attendee = store.table("event_attendees").unwrap().list(&ListQuery::default()).unwrap().items.remove(0);
    assert_eq!(attendee["status"], "attended");
    assert!(r.counts.skipped >= 1, "the dial-in caller without an email: {r:?}");
    // A third run reads the meetings, and not the participants of one already taken.
    let seen = fake.seen("participants");
    let r = store.run_integration(&secrets, "zoom").await.unwrap();
    assert_eq!((r.counts.pulled, fake.seen("participants")), (0, seen), "{r:?}");
}

#[tokio::test]
async fn an_expired_zoom_token_is_asked_for_again() {
    let (_d, store, secrets, fake) = zoom_world().await;
    fake.token_lifetime(Duration::from_secs(1));
    let (_, uuid) = fake.add_meeting("Standup", chrono::Utc::now() - chrono::Duration::hours(3), 15, "UTC", true);
    fake.add_participants(&uuid, &[("Grace Hopper", "grace@navy.test")]);
    // The participants request waits until the token it carries has expired.
    fake.hold("participants", 1);
    let run = store.run_integration(&secrets, "zoom");
    let release = async {
        while fake.seen("participants") < 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(1300)).await;
        fake.release();
    };
    let (r, ()) = tokio::join!(run, release);
    let r = r.unwrap();
    assert_eq!(r.status, "success", "{r:?}");
    assert!(fake.tokens_issued() >= 2, "a new token: {}", fake.tokens_issued());
    assert!(by_email(&store, "grace@navy.test").is_some());
    // A wrong secret: the credential is refused, the status asks to reconnect.
    let (_d2, store2) = new_store();
    let s2 = Secrets::default();
    store2.connect_integration_with(&s2, "zoom", "", "wrong", &settings(json!({ "account_id": "acct-1", "client_id": "client-1", "base_url": fake.base }))).unwrap();
    let r = store2.run_integration(&s2, "zoom").await.unwrap();
    assert_eq!(r.status, "failed");
    assert_eq!(store2.integration_for("zoom").unwrap().metadata["last_error"], "Zoom refused the credential: reconnect");
    let err = store2.connect_integration_with(&s2, "zoom", "", "x", &settings(json!({ "account_id": "", "client_id": "client-1" }))).unwrap_err();
    assert!(err.to_string().starts_with("account_id: the app's Account ID"), "{err}");
}

// ---------------------------------------------------------------- Microsoft Teams

async fn sign_in(fake: &FakeGraph) -> (Map<String, Value>, String) {
    let s = settings(json!({ "client_id": GRAPH_CLIENT, "base_url": fake.base }));
    let hosts = teams::Hosts::of(&Value::Object(s.clone())).unwrap();
    let http = reqwest::Client::new();
    let code = teams::start_sign_in(&http, &hosts).await.unwrap();
    assert!(code.message.contains(&code.user_code) && code.verification_uri.contains("devicelogin"), "{code:?}");
    let approve = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        fake.approve();
    };
    let (refresh, ()) = tokio::join!(teams::finish_sign_in(&http, &hosts, &code), approve);
    (s, refresh.unwrap())
}

#[tokio::test]
async fn teams_signs_in_with_a_code_and_its_online_meetings_become_events_with_their_people() {
    let fake = FakeGraph::start(GRAPH_CLIENT).await;
    fake.poll_interval(1);
    let (s, refresh) = sign_in(&fake).await;
    assert!(fake.device_code_polls() >= 2, "polled while pending");
    let (_d, store) = new_store();
    let secrets = Secrets::default();
    let i = store.connect_teams(&secrets, &s, &refresh).unwrap();
    let start = chrono::Utc::now() - chrono::Duration::days(1);
    fake.add_event("Quarterly review", start, start + chrono::Duration::hours(1), "Europe/Paris", true, &[("Ada Lovelace", "ada@acme.test"), ("Grace Hopper", "grace@navy.test")]);
    fake.add_event("Dentist", start, start + chrono::Duration::hours(1), "Europe/Paris", false, &[]);
    let later = chrono::Utc::now() + chrono::Duration::days(3);
    fake.add_event("Kick-off", later, later + chrono::Duration::minutes(30), "Eastern Standard Time", true, &[("Grace Hopper", "grace@navy.test")]);
    let r = store.run_integration(&secrets, "teams").await.unwrap();
    assert_eq!(r.status, "success", "{r:?}");
    let events = store.table("events").unwrap().list(&ListQuery { sort: Some("start_date".into()), ..Default::default() }).unwrap().items;
    assert_eq!(events.iter().map(|e| e["title"].as_str().unwrap()).collect::<Vec<_>>(), vec!["Quarterly review", "Kick-off"], "online meetings only");
    assert_eq!((events[0]["status"].as_str(), events[1]["status"].as_str()), (Some("completed"), Some("published")));
    assert_eq!((events[0]["timezone"].as_str(), events[1]["timezone"].as_str()), (Some("Europe/Paris"), Some("America/New_York")), "Outlook's Windows zone names in IANA's words");
    assert_eq!(chrono::DateTime::parse_from_rfc3339(events[0]["start_date"].as_str().unwrap()).unwrap().timestamp(), start.timestamp(), "in UTC");
    assert_eq!(count(&store, "event_attendees", vec![]), 1, "Ada");
    let grace = by_email(&store, "grace@navy.test").expect("Grace became a contact");
    let gid = json!(grace["id"]);
    let mut statuses: Vec<String> = store
        .table("contact_interactions")
        .unwrap()
        .list(&ListQuery { filters: vec![Filter::Eq("contact_id".into(), gid)], ..Default::default() })
        .unwrap()
        .items
        .iter()
        .map(|x| x["status"].as_str().unwrap().to_owned())
        .collect();
    statuses.sort();
    assert_eq!(statuses, vec!["completed", "scheduled"]);
    // The refresh token was used, and the new one replaced it in the keychain.
    let kept = store.integration_secret(&secrets, i.id).unwrap().unwrap();
    assert_ne!(kept, refresh);
    // A meeting renamed in Outlook: the next run brings the change, and nothing else.
    let id = fake.add_event("Typo", later, later + chrono::Duration::hours(1), "UTC", true, &[]);
    store.run_integration(&secrets, "teams").await.unwrap();
    fake.edit_event(&id, "Board meeting");
    let r = store.run_integration(&secrets, "teams").await.unwrap();
    assert_eq!(r.counts.pulled, 1, "{r:?}");
    assert_eq!(count(&store, "events", vec![Filter::Eq("title".into(), json!("Board meeting"))]), 1);
    assert_eq!(count(&store, "events", vec![]), 3);
}

#[tokio::test]
async fn a_graph_429_waits_its_retry_after_and_an_expired_token_is_refreshed_on_the_way() {
    let fake = FakeGraph::start(GRAPH_CLIENT).await;
    fake.poll_interval(1);
    let (s, refresh) = sign_in(&fake).await;
    let (_d, store) = new_store();
    let secrets = Secrets::default();
    store.connect_teams(&secrets, &s, &refresh).unwrap();
    let start = chrono::Utc::now() - chrono::Duration::days(10);
    for n in 0..120 {
        let t = start + chrono::Duration::hours(n);
        fake.add_event(&format!("Call {n}"), t, t + chrono::Duration::minutes(30), "UTC", true, &[("Grace Hopper", "grace@navy.test")]);
    }
    fake.token_lifetime(Duration::from_secs(1));
    fake.throttle_next(1, 2);
    let refreshes = fake.refreshes();
    let r = store.run_integration(&secrets, "teams").await.unwrap();
    assert_eq!((r.status.as_str(), r.throttled), ("success", 1), "{r:?}");
    let times = fake.graph_request_times();
    assert!(times.len() >= 4, "one 429, then three pages of 50 (and a retry for a token that expired on the way): {}", times.len());
    assert!(times[1].duration_since(times[0]) >= Duration::from_secs(2), "Retry-After was waited: {:?}", times[1].duration_since(times[0]));
    assert!(fake.refreshes() - refreshes >= 2, "the token that expired during the wait was refreshed");
    assert_eq!(count(&store, "events", vec![]), 120);
    assert_eq!(count(&store, "contacts", vec![]), 1, "Grace once");
    // A cut page: the run fails in words and takes nothing from it.
    fake.add_event("One more", chrono::Utc::now(), chrono::Utc::now() + chrono::Duration::hours(1), "UTC", true, &[]);
    fake.token_lifetime(Duration::from_secs(3600));
    fake.fail_next([plugs_testkit::graph::Fault::Truncated]);
    let r = store.run_integration(&secrets, "teams").await.unwrap();
    assert_eq!(r.status, "failed");
    assert!(r.message.contains("could not be read"), "{}", r.message);
    assert_eq!(count(&store, "events", vec![]), 120);
    let r = store.run_integration(&secrets, "teams").await.unwrap();
    assert_eq!((r.status.as_str(), r.counts.pulled), ("success", 1), "{r:?}");
}

#[tokio::test]
async fn a_declined_microsoft_sign_in_says_so() {
    let fake = FakeGraph::start(GRAPH_CLIENT).await;
    fake.poll_interval(1);
    let hosts = teams::Hosts::of(&json!({ "client_id": GRAPH_CLIENT, "base_url": fake.base })).unwrap();
    let http = reqwest::Client::new();
    let code = teams::start_sign_in(&http, &hosts).await.unwrap();
    let decline = async {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        fake.decline();
    };
    let (r, ()) = tokio::join!(teams::finish_sign_in(&http, &hosts, &code), decline);
    assert!(r.unwrap_err().to_string().contains("declined"));
    let wrong = teams::Hosts::of(&json!({ "client_id": "not-registered", "base_url": fake.base })).unwrap();
    let e = teams::start_sign_in(&http, &wrong).await.unwrap_err();
    assert!(e.to_string().contains("sign in again") || e.to_string().contains("unauthorized_client"), "{e}");
}

// ---------------------------------------------------------------- the schedule, and secrets

#[tokio::test]
async fn connections_run_on_their_schedule_only_where_the_credential_is() {
    let (_d, store, secrets, _fake, _list) = mailchimp_world("all").await;
    let now = chrono::Utc::now();
    assert_eq!(store.due_integrations(&secrets, now).unwrap(), vec!["mailchimp".to_owned()], "never run: due");
    let r = store.run_due_integrations(&secrets).await;
    assert_eq!(r.len(), 1);
    assert!(store.due_integrations(&secrets, now + chrono::Duration::minutes(30)).unwrap().is_empty(), "hourly by default");
    assert_eq!(store.due_integrations(&secrets, now + chrono::Duration::minutes(61)).unwrap().len(), 1);
    store.configure_integration("mailchimp", &settings(json!({ "sync_frequency": "daily" }))).unwrap();
    assert!(store.due_integrations(&secrets, now + chrono::Duration::hours(2)).unwrap().is_empty());
    store.configure_integration("mailchimp", &settings(json!({ "sync_frequency": "manual" }))).unwrap();
    assert!(store.due_integrations(&secrets, now + chrono::Duration::days(30)).unwrap().is_empty());
    let err = store.configure_integration("mailchimp", &settings(json!({ "sync_frequency": "sometimes" }))).unwrap_err();
    assert!(err.to_string().starts_with("sync_frequency: 'sometimes' is not one of"), "{err}");
    // Another device of the team (no credential in its keychain) never runs it.
    store.configure_integration("mailchimp", &settings(json!({ "sync_frequency": "15m" }))).unwrap();
    assert!(store.due_integrations(&Secrets::default(), now + chrono::Duration::days(1)).unwrap().is_empty());
    assert_eq!(store.due_integrations(&secrets, now + chrono::Duration::minutes(16)).unwrap().len(), 1);
}

/// Every provider connected and run on a device that then syncs: no credential (token, key,
/// client secret, refresh or access token) in any row the server received, in the device's
/// database files, or in a log line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_reaches_a_row_the_server_or_a_log() {
    let cloud = common::Cloud::start().await;
    let device = common::first_device(&cloud, "Acme", "ada@acme.test").await;
    let store = &device.store;
    let secrets = Secrets::default();
    let hub = plugs_testkit::hubspot::FakeHubSpot::start("pat-na1-SECRETHUBSPOTTOKEN").await;
    let mail = FakeMailchimp::start(MC_KEY).await;
    let list = mail.create_list("Leads");
    let zoom = FakeZoom::start("acct-1", "client-1", ZOOM_SECRET).await;
    let graph = FakeGraph::start(GRAPH_CLIENT).await;
    graph.poll_interval(1);
    let (teams_settings, refresh) = sign_in(&graph).await;
    let grace = contact(store, "Grace", Some("grace@navy.test"), "Navy", &["vip"]);
    store
        .table("contact_interactions")
        .unwrap()
        .create(settings(json!({ "contact_id": grace.id, "interaction_type": "call", "subject": "Intro", "interaction_date": "2026-11-30T10:00:00Z" })))
        .unwrap();
    let (_, uuid) = zoom.add_meeting("Briefing", chrono::Utc::now() - chrono::Duration::days(1), 30, "UTC", true);
    zoom.add_participants(&uuid, &[("Alan Turing", "alan@bletchley.test")]);
    graph.add_event(
        "Review",
        chrono::Utc::now() - chrono::Duration::days(1),
        chrono::Utc::now() - chrono::Duration::hours(23),
        "UTC",
        true,
        &[("Katherine Johnson", "kj@nasa.test")],
    );
    store.connect_integration_with(&secrets, "hubspot", "", "pat-na1-SECRETHUBSPOTTOKEN", &settings(json!({ "base_url": hub.base }))).unwrap();
    store.connect_integration_with(&secrets, "mailchimp", "", MC_KEY, &settings(json!({ "list_id": list, "base_url": mail.base }))).unwrap();
    store.connect_integration_with(&secrets, "zoom", "", ZOOM_SECRET, &settings(json!({ "account_id": "acct-1", "client_id": "client-1", "base_url": zoom.base }))).unwrap();
    store.connect_teams(&secrets, &teams_settings, &refresh).unwrap();
    for p in ["hubspot", "mailchimp", "zoom", "teams"] {
        let r = store.run_integration(&secrets, p).await.unwrap();
        assert_eq!(r.status, "success", "{p}: {r:?}");
    }
    assert_eq!(hub.notes().len(), 1, "the call went to HubSpot as a note on Grace");
    assert!(hub.notes()[0].properties["hs_note_body"].contains("Intro"));
    let report = device.sync().await;
    assert_eq!(report.rejected, 0, "{report:?}");
    let mut needles: Vec<String> = secrets.values();
    needles.extend(["pat-na1-SECRETHUBSPOTTOKEN".to_owned(), MC_KEY.to_owned(), ZOOM_SECRET.to_owned(), refresh.clone()]);
    assert!(needles.len() >= 8);
    // Every row the server holds for the organization, as text.
    let rows: Vec<String> = {
        let client = cloud.db.admin_client().await;
        let mut out = vec![];
        for t in ["integrations", "integration_logs", "contacts", "contact_interactions", "events", "event_attendees", "audit_logs", "analytics_events"] {
            for r in client.query(&format!("SELECT row_to_json(t)::text FROM {t} t"), &[]).await.unwrap() {
                out.push(r.get::<_, String>(0));
            }
        }
        out
    };
    assert!(rows.iter().any(|r| r.contains("keychain_ref")), "the integrations reached the server");
    assert!(rows.iter().any(|r| r.contains("\"operation\":\"sync\"")), "so did their logs");
    for n in &needles {
        assert!(!rows.iter().any(|r| r.contains(n.as_str())), "a credential in a row on the server");
        for e in std::fs::read_dir(device.dir.path()).unwrap() {
            let p = e.unwrap().path();
            if let Ok(bytes) = std::fs::read(&p) {
                assert!(!bytes.windows(n.len()).any(|w| w == n.as_bytes()), "a credential in {}", p.display());
            }
        }
    }
}
