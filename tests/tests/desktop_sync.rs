//! Sync running in the app, end to end: the window registers its offline workspace on a real
//! server (tokens into gnome-keyring's Secret Service on a private bus), shows "up to date",
//! receives another device's edit live, shows "offline" (not an error) when the server goes away
//! with a change waiting, and pushes it once the server is back.

mod common;

use common::{second_device, Cloud};
use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use plugs_testkit::webdriver::Driver;
use plugs_testkit::{SecretService, VirtualDisplay};
use serde_json::json;

/// Runs WebDriver steps (blocking HTTP) off the async runtime, handing the session back.
async fn steps(d: Driver, f: impl FnOnce(&Driver) + Send + 'static) -> Driver {
    tokio::task::spawn_blocking(move || {
        f(&d);
        d
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Runs WebDriver steps that answer something, handing the session back with the answer.
async fn steps_with<T: Send + 'static>(d: Driver, f: impl FnOnce(&Driver) -> T + Send + 'static) -> (Driver, T) {
    tokio::task::spawn_blocking(move || {
        let t = f(&d);
        (d, t)
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_registers_syncs_live_and_rides_out_the_server_going_away() {
    let mut cloud = Cloud::start().await;
    let keys = SecretService::start();
    let screen = VirtualDisplay::start();
    let data = tempfile::tempdir().unwrap();
    {
        let store = Store::open_dir(data.path()).unwrap();
        store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Admin".into(), email: "ada@acme.test".into() }).unwrap();
        store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper" })).unwrap();
    }
    let mut env = keys.env.clone();
    env.push(("DISPLAY".into(), screen.display.clone()));
    let (url, dir) = (cloud.url(), data.path().to_owned());
    let d = tokio::task::spawn_blocking(move || Driver::start_with(&env, &dir)).await.unwrap();

    // Settings → register this workspace on the server.
    let d = steps(d, move |d| {
        d.wait_text("#sync-status", "Offline workspace");
        d.click("#nav-settings");
        d.clear_and_type("#server-url", &url);
        d.type_into("#server-password", common::PASSWORD);
        d.click("#register-server");
        d.wait_text("#signed-in-as", "Signed in as ada@acme.test");
        d.wait_text("#sync-status", "Up to date");
        d.screenshot("settings-signed-in");
    })
    .await;
    assert_eq!(cloud.sql_count("SELECT count(*) FROM contacts").await, 1, "the offline contact reached the server");

    // Another device of the same account adds a contact: it shows in this window by itself.
    let other = second_device(&cloud, "ada@acme.test").await;
    other.store.repo::<Contact>().create(&json!({ "first_name": "Linus", "last_name": "Torvalds" })).unwrap();
    other.sync().await;
    let d = steps(d, |d| {
        d.clear_and_type("#search", "torv");
        d.wait_text("#contacts", "Linus Torvalds");
    })
    .await;

    // The server goes away; a capture made meanwhile waits, shown as offline, not as an error.
    cloud.stop().await;
    let d = steps(d, |d| {
        d.click("#open-capture");
        d.type_into("#cap-first", "Margaret");
        d.type_into("#cap-last", "Hamilton");
        d.click("#cap-save");
        d.wait_text("#cap-saved", "Saved Margaret Hamilton");
        d.wait_text("#sync-status", "Offline");
        assert!(!d.text_content("#sync-status").contains("problem"));
        d.screenshot("sync-offline");
    })
    .await;
    assert_eq!(cloud.sql_count("SELECT count(*) FROM contacts").await, 2);

    // Back online: the waiting change is pushed without anyone asking.
    cloud.restart().await;
    let d = steps(d, |d| {
        d.wait_text("#sync-status", "Up to date");
    })
    .await;
    let mut pushed = 0;
    for _ in 0..100 {
        pushed = cloud.sql_count("SELECT count(*) FROM contacts WHERE last_name = 'Hamilton'").await;
        if pushed == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(pushed, 1);
    tokio::task::spawn_blocking(move || drop(d)).await.unwrap();
}

/// A receipt attached offline on a teammate's laptop reaches the admin's window: the expense row
/// shows its thumbnail, and the receipt opens in the window with the very bytes attached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_from_a_teammates_laptop_shows_and_opens_on_the_expense_row() {
    use base64::Engine;
    let blobs = tempfile::tempdir().unwrap();
    let blob_dir = blobs.path().to_string_lossy().into_owned();
    let cloud = Cloud::start_with(move |c| c.blobs = plugs_server::blobs::Blobs::open(&blob_dir).unwrap()).await;
    let admin = common::first_device(&cloud, "Acme", "ada@acme.test").await;
    common::add_member(&cloud, &admin, "bo@acme.test", "Bo").await;
    let bo = second_device(&cloud, "bo@acme.test").await;
    // Offline on Bo's laptop: a taxi, its receipt photographed.
    let x = bo
        .store
        .table("expenses")
        .unwrap()
        .create(json!({ "title": "Taxi to the venue", "amount": "42.00", "currency": "EUR", "expense_type": "travel", "expense_date": "2026-11-20" }).as_object().unwrap().clone())
        .unwrap();
    let receipt = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/scan/card-jun-park.jpg")).unwrap();
    let upload = plugs_core::files::Upload {
        file_name: "taxi-receipt.jpg".into(),
        mime_type: "image/jpeg".into(),
        expense_id: Some(x["id"].as_str().unwrap().parse().unwrap()),
        ..Default::default()
    };
    let m = bo.store.attach_file(&upload, &receipt).unwrap();
    // Back online.
    bo.sync().await;
    bo.syncer.transfer_files(&bo.store, |_| {}).await.unwrap();

    // The admin's laptop, in the window.
    let keys = SecretService::start();
    let screen = VirtualDisplay::start();
    let data = tempfile::tempdir().unwrap();
    {
        let store = Store::open_dir(data.path()).unwrap();
        store.init_workspace(&NewWorkspace { organization_name: "Mine".into(), first_name: "Ada".into(), last_name: "Admin".into(), email: "ada@acme.test".into() }).unwrap();
    }
    let mut env = keys.env.clone();
    env.push(("DISPLAY".into(), screen.display.clone()));
    let (url, dir) = (cloud.url(), data.path().to_owned());
    let d = tokio::task::spawn_blocking(move || Driver::start_with(&env, &dir)).await.unwrap();
    let id = m.id;
    let (d, src) = steps_with(d, move |d| {
        d.click("#nav-settings");
        d.clear_and_type("#server-url", &url);
        d.clear_and_type("#server-email", "ada@acme.test");
        d.type_into("#server-password", common::PASSWORD);
        d.click("#sign-in");
        d.wait_text("#signed-in-as", "Signed in as ada@acme.test");
        d.wait_text("#sync-status", "Up to date");
        d.click("#nav-expenses");
        d.wait_text("#expenses", "Taxi to the venue");
        d.wait(&format!("[data-media='{id}'] .receipt-thumb"));
        d.screenshot("expense-receipt");
        d.click(&format!("[data-media='{id}'] .receipt-view"));
        d.wait("#receipt-full-image");
        d.screenshot("expense-receipt-open");
        d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": 800, "height": 600 })));
        d.screenshot("expense-receipt-open-800x600");
        let src = d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": "return document.getElementById('receipt-full-image').src;", "args": [] })));
        src["value"].as_str().unwrap_or_default().to_owned()
    })
    .await;
    let (head, b64) = src.split_once(',').expect("a data: URL");
    assert_eq!(head, "data:image/jpeg;base64");
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), receipt, "the window shows the bytes Bo attached");
    tokio::task::spawn_blocking(move || drop(d)).await.unwrap();
}
