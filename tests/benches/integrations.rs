//! HubSpot benchmark: 10,000 new contacts pushed to a local HubSpot that enforces its documented
//! private-app limit (100 requests per rolling 10 s), against the floor that limit sets for the
//! requests the run needs (one search and 100 batch creates: the 101st request cannot start
//! before 10 s). Goal: within 10% of the floor. Then a second run with nothing to send.
//!
//! Mailchimp: 10,000 contacts (half of them tagged) to an audience of a local Mailchimp, as one
//! batch operation (`POST /3.0/batches`, polled, its results archive read and every member
//! linked). Goal: ≤ 5 s of client time.
//!
//! Run: `cargo bench -p plugs-tests --bench integrations`

use plugs_core::integrations::MemorySecrets as Secrets;
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use plugs_testkit::hubspot::FakeHubSpot;
use plugs_testkit::mailchimp::FakeMailchimp;
use serde_json::json;
use std::time::{Duration, Instant};

const TOKEN: &str = "pat-na1-bench";

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async {
        let (max, window) = (100usize, Duration::from_secs(10));
        let hub = FakeHubSpot::with_limit(TOKEN, max, window).await;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).unwrap();
        store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "L".into(), email: "ada@acme.test".into() }).unwrap();
        let secrets = Secrets::default();
        let i = store.connect_integration(&secrets, "hubspot", "crm", TOKEN).unwrap();
        store.table("integrations").unwrap().update(i.id, json!({ "settings": { "base_url": hub.base } }).as_object().unwrap().clone()).unwrap();
        let n = 10_000;
        let made = Instant::now();
        let import: String = std::iter::once("First name,Last name,Email,Company\n".to_owned())
            .chain((0..n).map(|k| format!("Person{k},Bench,person{k}@example.test,Company {}\n", k % 97)))
            .collect();
        let report = store.import_contacts(import.as_bytes(), &plugs_core::interop::ImportOptions::default(), |_, _| {}).unwrap();
        println!("{} contacts made here in {:.1} s", report.created, made.elapsed().as_secs_f64());

        let start = Instant::now();
        let r = store.run_integration(&secrets, "hubspot").await.unwrap();
        let took = start.elapsed();
        assert_eq!((r.status.as_str(), r.counts.created as usize), ("success", n), "{r:?}");
        assert_eq!(hub.contacts().len(), n);
        let floor = window * ((r.requests as usize).div_ceil(max) as u32 - 1);
        println!(
            "10,000 contacts to HubSpot: {:.2} s for {} requests ({} answered 429); the limit's floor {:.0} s: {:.3}× the floor (goal ≤ 1.10×)",
            took.as_secs_f64(),
            r.requests,
            r.throttled,
            floor.as_secs_f64(),
            took.as_secs_f64() / floor.as_secs_f64()
        );
        let start = Instant::now();
        let again = store.run_integration(&secrets, "hubspot").await.unwrap();
        println!(
            "a second run (HubSpot's 10,000 echoed back by the search, nothing to send): {:.2} s, {} requests, {} created, {} updated",
            start.elapsed().as_secs_f64(),
            again.requests,
            again.counts.created,
            again.counts.updated
        );

        mailchimp(&store, &secrets).await;
    });
}

/// 10,000 members to Mailchimp in one batch operation.
async fn mailchimp(store: &Store, secrets: &Secrets) {
    let key = "0123456789abcdef0123456789abcdef-us6";
    let chimp = FakeMailchimp::start(key).await;
    let list = chimp.create_list("Bench");
    let ids = store.contact_ids_matching("", &[]).unwrap();
    store.tag_rows("contacts", &ids[..ids.len() / 2], &["lead".into()], &[]).unwrap();
    let settings = json!({ "list_id": list, "base_url": chimp.base }).as_object().unwrap().clone();
    store.connect_integration_with(secrets, "mailchimp", "", key, &settings).unwrap();
    let start = Instant::now();
    let r = store.run_integration(secrets, "mailchimp").await.unwrap();
    let took = start.elapsed();
    assert_eq!((r.status.as_str(), r.counts.created), ("success", ids.len() as u64), "{r:?}");
    assert_eq!(chimp.members(&list).len(), ids.len());
    println!("{} members to Mailchimp: {:.2} s in all, {} requests, batches of {:?} operations (goal ≤ 5 s)", ids.len(), took.as_secs_f64(), r.requests, chimp.batches());
}
