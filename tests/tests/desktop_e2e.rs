//! The desktop app end to end, in its real webview: tauri-driver drives the built app through
//! Debian's WebKitWebDriver under Xvfb. Onboarding, quick capture, a validation error shown and
//! fixed, search; each step leaves a screenshot in target/e2e/.

use plugs_core::tables::contacts::Contact;
use plugs_core::{ListQuery, Store};
use plugs_testkit::webdriver::Driver;
use plugs_testkit::VirtualDisplay;
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

/// One window at a time: the tests share the machine's two cores and WebKit is heavy.
static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A workspace made through the core before the app starts (as a previous session would leave it).
fn seeded(dir: &std::path::Path) -> Store {
    let store = Store::open_dir(dir).unwrap();
    store
        .init_workspace(&plugs_core::workspace::NewWorkspace {
            organization_name: "Acme Events".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: "ada@acme.test".into(),
        })
        .unwrap();
    store
}

#[test]
fn onboarding_quick_capture_validation_and_search_in_the_real_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        {
            let d = Driver::start(&screen.display, data.path());
            // Onboarding: a workspace with no server.
            d.type_into("#org-name", "Acme Events");
            d.type_into("#first-name", "Ada");
            d.type_into("#last-name", "Lovelace");
            d.type_into("#email", "ada@acme.test");
            d.screenshot("onboarding");
            d.click("#create-workspace");
            d.wait("#cap-first");
            d.wait_text("#sync-status", "Offline workspace");
            // Quick capture, offline.
            d.type_into("#cap-first", "Grace");
            d.type_into("#cap-last", "Hopper");
            d.type_into("#cap-company", "Navy");
            d.click("#cap-save");
            d.wait_text("#cap-saved", "Saved Grace Hopper");
            // A bad email: the error names the field, and what was typed stays.
            d.type_into("#cap-first", "Alan");
            d.type_into("#cap-last", "Turing");
            d.type_into("#cap-email", "not-an-email");
            d.click("#cap-save");
            // The error shows by its field, in words.
            let err = d.wait_text("#cap-email-error", "Email");
            assert!(err.contains("not an email address"), "{err}");
            d.screenshot("validation-error");
            let first = d.wait("#cap-first");
            let kept = d.call(reqwest::Method::GET, &format!("/element/{first}/property/value"), None);
            assert_eq!(kept["value"], "Alan", "nothing typed is lost");
            d.click("#cap-email");
            let email = d.wait("#cap-email");
            d.call(reqwest::Method::POST, &format!("/element/{email}/clear"), Some(json!({})));
            d.type_into("#cap-email", "alan@bletchley.test");
            d.click("#cap-save");
            d.wait_text("#cap-saved", "Saved Alan Turing");
            // Search as you type.
            d.type_into("#search", "gra");
            let list = d.wait_text("#contacts", "Grace Hopper");
            assert!(!list.contains("Turing"), "{list}");
            d.screenshot("search");
        }
        // What the window saved is in the app's database, through the core.
        let store = Store::open_dir(data.path()).unwrap();
        let names: Vec<String> = store.repo::<Contact>().list(&ListQuery::default()).unwrap().items.into_iter().map(|c| c.last_name).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    });
}

#[test]
fn contact_detail_edit_with_a_validation_error_then_fixed_and_an_interaction_logged() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        let grace = seeded(data.path()).repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper", "company": "Navy" })).unwrap();
        {
            let d = Driver::start(&screen.display, data.path());
            d.click("#nav-contacts");
            d.wait_text("#contacts", "Grace Hopper");
            d.click("#contacts .contact-row");
            // The page opens to read; Edit shows the form.
            d.wait_text("#contact-name", "Grace Hopper");
            d.screenshot("contact-view");
            d.click("#contact-edit");
            // An invalid email: the error shows next to the field and the value stays.
            d.clear_and_type("#edit-email", "grace-at-navy");
            d.click("#edit-save");
            let err = d.wait_text("#err-email", "not an email address");
            assert!(!err.is_empty());
            assert_eq!(d.value("#edit-email"), "grace-at-navy", "nothing typed is lost");
            d.screenshot("contact-edit-error");
            d.clear_and_type("#edit-email", "grace@navy.test");
            d.click("#edit-save");
            // Saved: back to the page, the email a mailto: link.
            let view = d.wait_text("#contact-view", "grace@navy.test");
            assert!(d.find("#err-email").is_none(), "the form and its error are gone once saved: {view}");
            assert_eq!(d.count("#contact-view a[href='mailto:grace@navy.test']"), 1);
            // Log an interaction: it appears in the timeline.
            d.type_into("#int-subject", "Coffee at the booth");
            d.click("#int-save");
            d.wait_text("#timeline", "Coffee at the booth");
            d.screenshot("contact-detail");
        }
        let store = Store::open_dir(data.path()).unwrap();
        let now: Contact = store.repo::<Contact>().get(grace.id).unwrap();
        assert_eq!(now.email.as_deref(), Some("grace@navy.test"));
        assert!(now.last_interaction.is_some(), "a completed interaction moves last_interaction");
        let logged = store.table("contact_interactions").unwrap().list(&ListQuery::default()).unwrap().items;
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0]["subject"], "Coffee at the booth");
    });
}

#[test]
fn an_event_filled_to_capacity_with_check_ins_and_an_expense_approved() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        {
            let store = seeded(data.path());
            for (f, l) in [("Bob", "Bauer"), ("Cat", "Chen"), ("Dan", "Diaz")] {
                store
                    .table("users")
                    .unwrap()
                    .create(serde_json::from_value(json!({ "first_name": f, "last_name": l, "email": format!("{}@acme.test", f.to_lowercase()) })).unwrap())
                    .unwrap();
            }
        }
        {
            let d = Driver::start(&screen.display, data.path());
            d.click("#nav-events");
            d.type_into("#ev-name", "Booth at Web Summit");
            d.type_into("#ev-capacity", "2");
            d.click("#ev-save");
            d.wait_text("#ev-saved", "Created Booth at Web Summit");
            d.click("#ev-open-created");
            d.wait_text("#ev-capacity-text", "0 / 2");
            for (who, n) in [("Bob", 1), ("Cat", 2)] {
                d.clear_and_type("#att-search", who);
                d.wait_text(".att-pick", who);
                d.click(".att-pick");
                d.click("#att-register");
                d.wait_count(".attendee-row", n);
            }
            d.wait_text("#ev-capacity-text", "2 / 2");
            // The third is refused: the event is full, and the UI says so.
            d.clear_and_type("#att-search", "Dan");
            d.wait_text(".att-pick", "Dan");
            d.click(".att-pick");
            d.click("#att-register");
            let full = d.wait_text("#att-error", "full");
            assert!(!full.is_empty());
            d.wait_count(".attendee-row", 2);
            // Check both in.
            d.click(".attendee-row .att-checkin");
            d.wait_count(".att-checkin", 1);
            d.click(".attendee-row .att-checkin");
            d.wait_count(".att-checkin", 0);
            d.screenshot("event-detail");

            // An expense for the event, approved by the admin.
            d.click("#nav-expenses");
            d.type_into("#exp-amount", "1234.50");
            d.clear_and_type("#exp-currency", "EUR");
            d.type_into("#exp-description", "Booth rental");
            let opt = d.wait("#exp-event option:nth-child(2)");
            d.call(reqwest::Method::POST, &format!("/element/{opt}/click"), Some(json!({})));
            d.click("#exp-save");
            d.wait_count(".expense-row", 1);
            d.wait_text(".expense-row", "1234.50");
            d.click(".expense-row .exp-approve");
            d.wait_text(".expense-row", "pproved");
            d.screenshot("expenses");
        }
        let store = Store::open_dir(data.path()).unwrap();
        let attendees = store.table("event_attendees").unwrap().list(&ListQuery::default()).unwrap().items;
        assert_eq!(attendees.len(), 2);
        assert!(attendees.iter().all(|a| !a["check_in_time"].is_null()), "{attendees:?}");
        let events = store.table("events").unwrap().list(&ListQuery::default()).unwrap().items;
        assert_eq!((events[0]["current_attendees"].as_i64(), events[0]["max_attendees"].as_i64()), (Some(2), Some(2)));
        let x = store.table("expenses").unwrap().list(&ListQuery::default()).unwrap().items;
        assert_eq!((x[0]["amount"].as_str(), x[0]["currency"].as_str(), x[0]["status"].as_str()), (Some("1234.50"), Some("EUR"), Some("approved")));
        assert_eq!(x[0]["event_id"], events[0]["id"]);
        assert!(!x[0]["approved_by"].is_null());
    });
}

#[test]
fn clicking_a_reminder_opens_its_contact_in_the_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        // A desktop with a real notification service (notification-daemon on a private session bus).
        let desk = plugs_testkit::NotificationServer::start();
        let data = tempfile::tempdir().unwrap();
        {
            let store = seeded(data.path());
            store.repo::<Contact>().create(&json!({ "first_name": "Ada", "last_name": "Byron" })).unwrap();
            let grace = store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper", "company": "Navy" })).unwrap();
            let at = plugs_core::Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::seconds(10 * 60 - 2)).to_string();
            store
                .table("contact_interactions")
                .unwrap()
                .create(
                    serde_json::from_value(json!({ "contact_id": grace.id, "interaction_type": "call", "status": "scheduled", "subject": "Demo call", "interaction_date": at }))
                        .unwrap(),
                )
                .unwrap();
        }
        let d = Driver::start_with(&desk.env, data.path());
        d.wait("#nav-home");
        // The app's scheduler fires the follow-up (due now: ten minutes ahead, the default lead).
        let start = Instant::now();
        while desk.notifications().is_empty() {
            assert!(start.elapsed() < Duration::from_secs(20), "no reminder reached the notification service");
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(desk.notifications()[0].0, "Follow up with Grace Hopper");
        // The user clicks it: the service reports the default action for the notification (id 1, the
        // first this fresh service shows). Sent until the app, which starts listening just after it
        // showed the notification, takes it.
        let start = Instant::now();
        while !d.text_content("#contact-name").contains("Grace Hopper") {
            assert!(start.elapsed() < Duration::from_secs(20), "the click did not open the contact");
            let sent = Command::new("dbus-send")
                .args(["--session", "--type=signal", "/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", "uint32:1", "string:default"])
                .envs(desk.env.iter().map(|(k, v)| (k, v)))
                .status()
                .unwrap();
            assert!(sent.success());
            std::thread::sleep(Duration::from_millis(700));
        }
        d.wait_text("#contact-name", "Grace Hopper");
        d.screenshot("reminder-opened-contact");
    });
}

#[test]
fn importing_a_linkedin_export_in_the_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        drop(seeded(data.path()));
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop/linkedin_connections.csv");
        // Where the export goes instead of the save dialog (a native dialog WebDriver cannot answer).
        let out = tempfile::tempdir().unwrap();
        {
            let d = Driver::start_with(&[("DISPLAY".into(), screen.display.clone()), ("PLUGS_EXPORT_DIR".into(), out.path().display().to_string())], data.path());
            d.click("#nav-settings");
            // Choosing the file: WebDriver types its path into the file input.
            d.type_into("#import-file", file.to_str().unwrap());
            d.click("#import-run");
            d.wait_text("#import-report", "Dry run");
            assert_eq!(d.text_content("#import-created"), "3 contacts");
            d.click("#import-dry-run");
            d.click("#import-run");
            d.wait_text("#import-report", "Imported");
            assert_eq!(d.text_content("#import-created"), "3 contacts");
            d.screenshot("import");
            // Export: the message names the file written, which holds the people just imported.
            d.click("#export-vcard");
            let said = d.wait_text("#export-done", "Contacts (vCard) saved to");
            let path = said.split("saved to ").nth(1).unwrap().trim().to_owned();
            assert!(path.starts_with(&out.path().display().to_string()) && path.ends_with(".vcf"), "{said}");
            let vcf = std::fs::read_to_string(&path).unwrap();
            assert_eq!(vcf.matches("BEGIN:VCARD").count(), 3, "{vcf}");
            assert!(vcf.contains("Okafor"));
        }
        let store = Store::open_dir(data.path()).unwrap();
        let names: Vec<String> = store.repo::<Contact>().list(&ListQuery::default()).unwrap().items.into_iter().map(|c| c.last_name).collect();
        assert_eq!(names, vec!["Okafor", "Ortega", "Raman"]);
    });
}

/// Damage the check at open cannot see (an index that disagrees with its table) is found by the
/// app's full check in the background and shown in the window, naming the file and what to do.
#[test]
fn the_background_check_shows_damage_in_the_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        {
            let store = seeded(data.path());
            for i in 0..50 {
                store.repo::<Contact>().create(&json!({ "first_name": format!("Guest{i}"), "last_name": "Hall", "lead_score": i })).unwrap();
            }
        }
        {
            let conn = plugs_core::vault::open_connection(&data.path().join("plugs.db")).unwrap();
            conn.execute_batch("PRAGMA writable_schema = ON").unwrap();
            conn.execute(
                "UPDATE sqlite_master SET sql = 'CREATE INDEX idx_contacts_lead_score ON contacts(first_name) WHERE NOT is_deleted' WHERE name = 'idx_contacts_lead_score'",
                [],
            )
            .unwrap();
        }
        let d = Driver::start_with(&[("DISPLAY".into(), screen.display.clone()), ("PLUGS_CHECK_AFTER_SECS".into(), "1".into())], data.path());
        d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": 800, "height": 600 })));
        d.wait("#store-damage");
        let text = d.text_content("#store-damage");
        assert!(text.contains("plugs.db") && text.contains("damaged") && text.contains("plugs repair"), "{text}");
        d.screenshot("store-damage-800x600");
    });
}

/// Meeting people at an event, offline, keyboard first: five captures while an event is on (one
/// with a single name, one with a follow-up in 3 days, one a person already captured, caught and
/// added to them); the event's page lists the four people met, and the follow-up is on Home.
#[test]
fn captures_at_an_event_are_its_leads_in_the_real_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        let summit = {
            let store = seeded(data.path());
            let at = |m: i64| plugs_core::Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::minutes(m)).to_string();
            let e = store
                .table("events")
                .unwrap()
                .create(serde_json::from_value(json!({ "title": "Lisbon Summit", "event_type": "conference", "start_date": at(-60), "end_date": at(60 * 8) })).unwrap())
                .unwrap();
            e["id"].as_str().unwrap().to_owned()
        };
        let d = Driver::start(&screen.display, data.path());
        d.wait("#nav-home");
        let enter = "\u{E007}";
        let open_capture = |d: &Driver| {
            // Ctrl+N, as a person would.
            d.call(
                reqwest::Method::POST,
                "/actions",
                Some(json!({ "actions": [{ "type": "key", "id": "kb", "actions": [
                { "type": "keyDown", "value": "\u{E009}" }, { "type": "keyDown", "value": "n" },
                { "type": "keyUp", "value": "n" }, { "type": "keyUp", "value": "\u{E009}" }] }] })),
            );
            d.wait("#cap-first");
        };
        open_capture(&d);
        d.wait_text("#cap-at", "Lisbon Summit");
        // 1. One name is enough.
        d.type_into("#cap-first", "Jun");
        d.type_into("#cap-company", &format!("Nimbus{enter}"));
        d.wait_text("#cap-saved", "Saved Jun · met at Lisbon Summit");
        // 2. A follow-up in three days.
        d.type_into("#cap-first", "Grace");
        d.type_into("#cap-last", "Hopper");
        d.type_into("#cap-email", "grace@navy.test");
        d.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": "const s = document.getElementById('cap-follow'); s.value = '3'; s.dispatchEvent(new Event('change', { bubbles: true }));", "args": [] })),
        );
        d.type_into("#cap-email", enter);
        d.wait_text("#cap-saved", "Saved Grace Hopper · met at Lisbon Summit · follow-up in 3 days");
        // 3. and 4.
        d.type_into("#cap-first", "Alan");
        d.type_into("#cap-last", &format!("Turing{enter}"));
        d.wait_text("#cap-saved", "Saved Alan Turing");
        d.type_into("#cap-first", "Margaret");
        d.type_into("#cap-last", &format!("Hamilton{enter}"));
        d.wait_text("#cap-saved", "Saved Margaret Hamilton");
        // 5. Grace again, typed another way: caught, and the meeting goes to her.
        d.type_into("#cap-first", "grace");
        d.type_into("#cap-email", "GRACE@navy.test");
        d.wait_text("#cap-matches", "Grace Hopper");
        d.screenshot("capture-duplicate-warning");
        d.click("#cap-matches .add-to");
        d.wait_text("#cap-adding", "Grace Hopper");
        d.type_into("#cap-first", enter);
        d.wait_text("#cap-saved", "Added the meeting to Grace Hopper");
        // The event's page: four people met, all by this user.
        d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": "location.hash = arguments[0];", "args": [format!("#/event/{summit}")] })));
        let leads = d.wait_text("#event-leads", "4 people");
        for name in ["Jun", "Grace Hopper", "Alan Turing", "Margaret Hamilton"] {
            assert!(leads.contains(name), "{name} missing from {leads}");
        }
        assert!(d.text_content("#leads-per-member").contains("Ada Lovelace: 4"));
        d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": "document.getElementById('event-leads').scrollIntoView();", "args": [] })));
        d.screenshot("event-leads");
        // The contacts list filtered by the event.
        d.click("#leads-list");
        d.wait_text("#contacts-total", "4");
        // The follow-up is on Home.
        d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": "location.hash = '#/home';", "args": [] })));
        d.wait_text("#follow-ups", "Grace Hopper");
        d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": 800, "height": 600 })));
        open_capture(&d);
        d.screenshot("capture-at-event-800x600");
        drop(d);
        let store = Store::open_dir(data.path()).unwrap();
        assert_eq!(store.repo::<Contact>().list(&ListQuery::default()).unwrap().items.len(), 4, "the duplicate made no new contact");
    });
}

/// A business card photo dropped into quick capture is read offline (Tesseract), fills the form
/// for a check, and is kept with the person saved: the bytes on disk are the photo's.
#[test]
fn a_scanned_card_fills_capture_and_stays_with_the_person_in_the_real_window() {
    use base64::Engine;
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        drop(seeded(data.path()));
        // A card printed in DejaVu Sans, slightly rotated, with noise (made by plugs-scan's test cards).
        let photo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/scan/card-jun-park.jpg")).unwrap();
        let d = Driver::start(&screen.display, data.path());
        d.wait("#nav-home");
        d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": "location.hash = '#/contacts';", "args": [] })));
        d.click("#new-contact");
        d.wait("#cap-scan");
        // The photo dropped on the form, as a file manager's drag and drop delivers it.
        let photo64 = base64::engine::general_purpose::STANDARD.encode(&photo);
        let deliver = |kind: &str| {
            let script = "const b = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0)); const dt = new DataTransfer(); dt.items.add(new File([b], 'IMG_0042.jpg', { type: 'image/jpeg' })); \
            const target = document.querySelector(arguments[1] === 'drop' ? 'section.capture' : '#cap-first'); \
            const e = arguments[1] === 'drop' ? new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }) : new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }); \
            target.dispatchEvent(e); return e.defaultPrevented;";
            let r = d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": [photo64, kind] })));
            assert_eq!(r["value"], json!(true), "the form took the {kind}: {r}");
        };
        deliver("drop");
        d.wait_text("#cap-scanned", "Read from the card");
        assert_eq!(d.value("#cap-first"), "Jun");
        assert_eq!(d.value("#cap-last"), "Park");
        assert_eq!(d.value("#cap-company"), "Nimbus Robotics");
        assert_eq!(d.value("#cap-title"), "Head of Partnerships");
        assert_eq!(d.value("#cap-email"), "jun.park@nimbus-robotics.com");
        let panel = d.text_content("#cap-scanned");
        assert!(panel.contains("LinkedIn: https://www.linkedin.com/in/junpark"), "{panel}");
        // Removed, then pasted (Ctrl+V of a photo): read again, what is typed kept.
        d.click("#cap-scan-drop");
        assert_eq!(d.count("#cap-scanned"), 0);
        deliver("paste");
        d.wait_text("#cap-scanned", "Read from the card");
        assert_eq!(d.value("#cap-first"), "Jun");
        d.screenshot("capture-scanned-card");
        d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": 800, "height": 600 })));
        d.screenshot("capture-scanned-card-800x600");
        d.type_into("#cap-email", "\u{E007}");
        d.wait_text("#cap-saved", "Saved Jun Park");
        assert_eq!(d.count("#cap-scanned"), 0);
        drop(d);

        let store = Store::open_dir(data.path()).unwrap();
        let jun = store.repo::<Contact>().list(&ListQuery::default()).unwrap().items.into_iter().find(|c| c.first_name == "Jun").expect("Jun saved");
        assert_eq!(jun.linkedin_url.as_deref(), Some("https://www.linkedin.com/in/junpark"));
        let (related, path): (String, String) =
            store.connection().query_row("SELECT related_contact, file_path FROM media WHERE NOT is_deleted", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!(related, jun.id.to_string());
        assert!(plugs_core::vault::is_sealed(&data.path().join(&path)), "the photo is kept sealed");
        assert_eq!(store.read_blob(path.trim_start_matches("media/")).unwrap(), photo, "the photo kept is the photo scanned");
    });
}

/// The screens at the window's default size and at 800×600, where the sidebar becomes a rail that
/// a menu button opens: screenshots for docs/screenshots, and the content column kept usable.
#[test]
fn the_screens_at_1280_by_820_and_at_800_by_600() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        {
            let store = seeded(data.path());
            for (f, l, c, t) in
                [("Grace", "Hopper", "US Navy", "Rear Admiral"), ("Alan", "Turing", "Bletchley Park", "Cryptanalyst"), ("Ada", "Byron", "Analytical Engines", "Programmer")]
            {
                store.repo::<Contact>().create(&json!({ "first_name": f, "last_name": l, "company": c, "job_title": t, "email": format!("{}@{}.test", f.to_lowercase(), l.to_lowercase()), "phone": "+44 20 7946 0000", "linkedin_url": format!("https://www.linkedin.com/in/{}", f.to_lowercase()) })).unwrap();
            }
        }
        let d = Driver::start(&screen.display, data.path());
        let width = |css: &str| {
            d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": format!("return document.querySelector('{css}').getBoundingClientRect().width"), "args": [] })))
                ["value"]
                .as_f64()
                .unwrap_or(0.0)
        };
        for (w, h, tag) in [(1280, 820, "1280x820"), (800, 600, "800x600")] {
            d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": w, "height": h })));
            std::thread::sleep(Duration::from_millis(400));
            // Home: the people just met, newest first.
            d.click("#nav-home");
            let met = d.wait_text("#recent-captures", "Grace Hopper");
            assert!(met.find("Ada Byron") < met.find("Grace Hopper") && met.contains("Rear Admiral at US Navy"), "{met}");
            d.click("#nav-contacts");
            d.wait_text("#contacts", "Grace Hopper");
            let content = width(".content");
            assert!(content >= 600.0, "at {tag} the content column is {content}px wide");
            d.click("#contacts .contact-row");
            d.wait("#contact-view");
            d.screenshot(&format!("contact-view-{tag}"));
            d.click("#nav-settings");
            d.wait("#backup");
            d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": "document.getElementById('backup').scrollIntoView()", "args": [] })));
            std::thread::sleep(Duration::from_millis(200));
            d.screenshot(&format!("settings-backup-{tag}"));
            if w == 800 {
                // The rail: labels hidden, the menu button opens the whole sidebar over the page.
                assert!(width("#sidenav") < 100.0, "a rail at 800 px: {}", width("#sidenav"));
                d.click("#nav-toggle");
                std::thread::sleep(Duration::from_millis(300));
                assert!(width("#sidenav") > 150.0, "the menu opens the sidebar whole");
                d.click("#nav-home");
                std::thread::sleep(Duration::from_millis(300));
                assert!(width("#sidenav") < 100.0, "choosing a screen closes it");
            }
        }
    });
}

/// Tags and keep in touch in the real window: three contacts found by a filter are tagged in one
/// go and filtered by their tag; a weekly cadence set on one, a touch logged moves its next touch;
/// Home's losing-touch list shows the person a week overdue and a touch logged there takes them
/// off. Screenshots at 1280×820 and 800×600.
#[test]
fn tags_and_keep_in_touch_in_the_real_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        // A desktop with a real notification service: the overdue touch pops up there once.
        let desk = plugs_testkit::NotificationServer::start();
        let data = tempfile::tempdir().unwrap();
        let (ada, linus) = {
            let store = seeded(data.path());
            // Ada Byron comes first by surname: the one whose page is opened.
            let mut ada = None;
            for (f, l, c) in [("Grace", "Hopper", "US Navy"), ("Alan", "Turing", "Bletchley Park"), ("Ada", "Byron", "Analytical Engines")] {
                let made = store.repo::<Contact>().create(&json!({ "first_name": f, "last_name": l, "company": c })).unwrap();
                ada = Some(made.id);
            }
            let linus = store.repo::<Contact>().create(&json!({ "first_name": "Linus", "last_name": "Torvalds" })).unwrap();
            let met = plugs_core::Timestamp::from_datetime(chrono::Utc::now() - chrono::Duration::days(15)).to_string();
            store
                .repo::<plugs_core::tables::contact_interactions::ContactInteraction>()
                .create(&json!({ "contact_id": linus.id, "interaction_type": "meeting", "interaction_date": met, "status": "completed" }))
                .unwrap();
            store.set_keep_in_touch(linus.id, Some(plugs_core::touch::Cadence { every: 1, unit: plugs_core::touch::CadenceUnit::Weeks })).unwrap();
            // Katherine, met a day ago less a few seconds and due daily: her next touch passes while
            // the window is open (Linus, long overdue, waits on the list rather than pop up).
            let katherine = store.repo::<Contact>().create(&json!({ "first_name": "Katherine", "last_name": "Johnson" })).unwrap();
            let met = plugs_core::Timestamp::from_datetime(chrono::Utc::now() - chrono::Duration::days(1) + chrono::Duration::seconds(8)).to_string();
            store
                .repo::<plugs_core::tables::contact_interactions::ContactInteraction>()
                .create(&json!({ "contact_id": katherine.id, "interaction_type": "call", "interaction_date": met, "status": "completed" }))
                .unwrap();
            store.set_keep_in_touch(katherine.id, Some(plugs_core::touch::Cadence { every: 1, unit: plugs_core::touch::CadenceUnit::Days })).unwrap();
            (ada.unwrap(), linus.id)
        };
        {
            let d = Driver::start_with(&desk.env, data.path());
            d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": 1280, "height": 820 })));
            std::thread::sleep(Duration::from_millis(400));
            // Home: Linus, met 15 days ago and due weekly, is 8 days overdue.
            d.click("#nav-home");
            let losing = d.wait_text("#losing-touch", "Linus Torvalds");
            assert!(losing.contains("8 days overdue") && losing.contains("every week"), "{losing}");
            d.screenshot("home-losing-touch-1280x820");
            // Contacts: the company filter finds three; all three tagged at once.
            d.click("#nav-contacts");
            d.wait_text("#contacts", "Grace Hopper");
            d.type_into("#f-company", "a");
            d.wait_text("#contacts-total", "3 contacts");
            d.type_into("#bulk-tag-input", "Investor");
            d.click("#bulk-tag-add");
            d.wait_text("#bulk-tag-message", "Added #investor: 3 contacts changed");
            d.clear_and_type("#f-company", " ");
            d.wait_text("#contacts-total", "5 contacts");
            let opt = d.wait("#f-tag option[value='investor']");
            d.call(reqwest::Method::POST, &format!("/element/{opt}/click"), Some(json!({})));
            d.wait_text("#contacts-total", "3 contacts");
            d.screenshot("contacts-tag-filter-1280x820");
            // The tag filter saved as a list: it shows in the sidebar and brings the filter back.
            d.click("#list-new");
            d.type_into("#list-name", "Investors");
            d.click("#list-save");
            d.wait_text("#list-message", "Saved as “Investors” in the sidebar");
            d.wait_text("#nav-lists", "Investors");
            d.screenshot("sidebar-lists-1280x820");
            let any = d.wait("#f-tag option[value='']");
            d.call(reqwest::Method::POST, &format!("/element/{any}/click"), Some(json!({})));
            d.wait_text("#contacts-total", "5 contacts");
            d.click("#nav-lists .nav-list");
            d.wait_text("#contacts-total", "3 contacts");
            assert_eq!(d.value("#f-tag"), "investor");
            // Ada: a weekly cadence, then a touch logged moves the next touch a week from now.
            d.click("#contacts .contact-row");
            d.wait_text("#contact-tags", "#investor");
            let opt = d.wait("#touch-cadence option[value='1 weeks']");
            d.call(reqwest::Method::POST, &format!("/element/{opt}/click"), Some(json!({})));
            let before = d.wait_text("#touch-next", "every week");
            d.click("#touch-log");
            d.wait_text("#timeline", "Kept in touch");
            let after = d.text_content("#touch-next");
            assert!(!after.contains("overdue"), "{before} → {after}");
            d.screenshot("contact-keep-in-touch-1280x820");
            d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": 800, "height": 600 })));
            std::thread::sleep(Duration::from_millis(400));
            d.screenshot("contact-keep-in-touch-800x600");
            // Home again: a touch logged with Linus takes him off the list.
            d.click("#nav-toggle");
            std::thread::sleep(Duration::from_millis(300));
            d.click("#nav-home");
            d.wait_text("#losing-touch", "Linus Torvalds");
            d.screenshot("home-losing-touch-800x600");
            d.click("#nav-toggle");
            std::thread::sleep(Duration::from_millis(300));
            d.wait_text("#nav-lists", "Investors");
            d.screenshot("sidebar-lists-800x600");
            d.click("#nav-home");
            // The app's scheduler tells the desktop once when Katherine's next touch passes, however
            // long the window stays open; she joins Linus on the list.
            let touch = |n: &(String, String)| n.0 == "Keep in touch with Katherine Johnson";
            let start = Instant::now();
            while !desk.notifications().iter().any(touch) {
                assert!(start.elapsed() < Duration::from_secs(30), "no keep-in-touch reminder reached the desktop: {:?}", desk.notifications());
                std::thread::sleep(Duration::from_millis(100));
            }
            for screen in ["#nav-contacts", "#nav-home"] {
                d.click("#nav-toggle");
                std::thread::sleep(Duration::from_millis(300));
                d.click(screen);
            }
            d.wait_text("#losing-touch", "Katherine Johnson");
            std::thread::sleep(Duration::from_secs(3));
            assert_eq!(desk.notifications().iter().filter(|n| touch(n)).count(), 1, "{:?}", desk.notifications());
            assert!(!desk.notifications().iter().any(|n| n.0.contains("Linus")), "a touch long overdue waits on the list: {:?}", desk.notifications());
            // A touch logged from the list takes each off it, the most overdue first.
            d.click("#losing-touch .touch-log");
            let start = Instant::now();
            while d.text_content("#losing-touch").contains("Linus Torvalds") {
                assert!(start.elapsed() < Duration::from_secs(10), "Linus stays on the list");
                std::thread::sleep(Duration::from_millis(100));
            }
            d.click("#losing-touch .touch-log");
            d.wait_text("#home-losing-touch", "Everyone you keep in touch with is up to date");
        }
        let store = Store::open_dir(data.path()).unwrap();
        let g = store.repo::<Contact>().get(ada).unwrap();
        assert_eq!(g.metadata["tags"], json!(["investor"]));
        assert_eq!(g.metadata["keep_in_touch"], json!({ "every": 1, "unit": "weeks" }));
        assert!(store.touch_of(ada).unwrap().unwrap().next_touch.as_datetime() > chrono::Utc::now() + chrono::Duration::days(6));
        assert!(store.losing_touch(plugs_core::Timestamp::now(), 10).unwrap().is_empty(), "Linus was touched: {linus}");
    });
}

/// Merge in the real window: two contacts found by different searches picked with their boxes,
/// merged side by side (the email the kept one lacked comes from the other, and so does the other's
/// meeting), then undone: both back as they were. And a LinkedIn link opens in the desktop's
/// browser (here a stand-in `xdg-open` that notes the address), the window staying on the app.
#[test]
fn merge_picked_contacts_and_undo_in_the_real_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let data = tempfile::tempdir().unwrap();
        let (grace, hopper) = {
            let store = seeded(data.path());
            let grace = store
                .repo::<Contact>()
                .create(&json!({ "first_name": "Grace", "last_name": "Hopper", "phone": "+1 202 555 0100", "linkedin_url": "https://www.linkedin.com/in/gracehopper" }))
                .unwrap();
            let hopper = store.repo::<Contact>().create(&json!({ "first_name": "Amazing", "last_name": "Grace", "email": "grace@navy.test", "company": "US Navy" })).unwrap();
            store.repo::<Contact>().create(&json!({ "first_name": "Alan", "last_name": "Turing" })).unwrap();
            store
            .repo::<plugs_core::tables::contact_interactions::ContactInteraction>()
            .create(&json!({ "contact_id": hopper.id, "interaction_type": "meeting", "interaction_date": "2026-11-30T20:00:00.000000Z", "status": "completed", "subject": "Met at the expo" }))
            .unwrap();
            (grace.id, hopper.id)
        };
        let bin = tempfile::tempdir().unwrap();
        let opened = bin.path().join("opened.txt");
        let opener = bin.path().join("xdg-open");
        std::fs::write(&opener, format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", opened.display())).unwrap();
        std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
        {
            let d = Driver::start_with(&[("DISPLAY".into(), screen.display.clone()), ("PATH".into(), path)], data.path());
            let pick = |name: &str| {
                let script = format!("const r = [...document.querySelectorAll('#contacts li.contact-row')].find((r) => r.textContent.includes('{name}')); r.querySelector('input.pick').click(); return true");
                d.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": [] })));
            };
            for (w, h, tag) in [(800, 600, "800x600"), (1280, 820, "1280x820")] {
                d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": w, "height": h })));
                std::thread::sleep(Duration::from_millis(400));
                d.click("#nav-contacts");
                d.clear_and_type("#search", " ");
                d.wait_text("#contacts", "Grace Hopper");
                // Picked from two searches: the picks stay while the words change.
                d.clear_and_type("#search", "hopper");
                d.wait_text("#contacts-total", "1 contact found");
                pick("Grace Hopper");
                d.wait_text("#picked-count", "1 contact picked");
                d.clear_and_type("#search", "amazing");
                d.wait_text("#contacts", "Amazing Grace");
                pick("Amazing Grace");
                d.wait_text("#picked", "Grace Hopper, Amazing Grace");
                d.click("#merge-picked");
                d.wait("#merge-row-email");
                d.screenshot(&format!("merge-{tag}"));
                if w == 800 {
                    d.click("#merge-cancel");
                    d.click("#picked-clear");
                    assert_eq!(d.count("#picked"), 0);
                }
            }
            d.click("#merge-run");
            d.wait_text("#merge-message", "Merged 2 contacts into one: 1 interaction and 0 files moved.");
            d.clear_and_type("#search", " ");
            d.wait_text("#contacts-total", "2 contacts");
            d.screenshot("merge-done-1280x820");
            {
                let store = Store::open_dir(data.path()).unwrap();
                let kept = store.repo::<Contact>().get(grace).unwrap();
                assert_eq!(kept.email.as_deref(), Some("grace@navy.test"), "the email the kept contact lacked");
                assert_eq!(kept.phone.as_deref(), Some("+1 202 555 0100"));
                let gone = store.repo::<Contact>().get(hopper).unwrap();
                assert!(gone.is_deleted && gone.metadata["merged_into"] == json!(grace.to_string()), "{:?}", gone.metadata);
            }
            d.click("#merge-undo");
            d.wait_text("#merge-message", "Merge undone");
            d.wait_text("#contacts-total", "3 contacts");
            {
                let store = Store::open_dir(data.path()).unwrap();
                assert_eq!(store.repo::<Contact>().get(grace).unwrap().email, None, "undo puts the kept contact back as it was");
                assert!(!store.repo::<Contact>().get(hopper).unwrap().is_deleted);
            }
            // The contact page's LinkedIn link goes to the desktop's browser; the window stays.
            d.clear_and_type("#search", "hopper");
            d.wait_text("#contacts-total", "1 contact found");
            d.click("#contacts .contact-row .name");
            d.wait_text("#contact-linkedin", "linkedin.com/in/gracehopper");
            d.click("#contact-linkedin");
            let start = Instant::now();
            while std::fs::read_to_string(&opened).unwrap_or_default().is_empty() {
                assert!(start.elapsed() < Duration::from_secs(10), "the link did not reach the desktop's browser");
                std::thread::sleep(Duration::from_millis(100));
            }
            assert_eq!(std::fs::read_to_string(&opened).unwrap(), "https://www.linkedin.com/in/gracehopper\n");
            std::thread::sleep(Duration::from_millis(300));
            d.wait_text("#contact-name", "Grace Hopper");
        }
    });
}

/// HubSpot in the real window, with the app's keychain (gnome-keyring on a private bus) and a
/// local HubSpot: the token pasted and connected, "Run now" sends the contacts, the run shows with
/// its figures.
#[test]
fn integrations_connected_and_run_in_the_real_window() {
    let _one = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    plugs_testkit::webdriver::once_more_if_unresponsive(|| {
        let screen = VirtualDisplay::start();
        let keys = plugs_testkit::SecretService::start();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let hub = rt.block_on(plugs_testkit::hubspot::FakeHubSpot::start("pat-na1-window"));
        let graph = rt.block_on(plugs_testkit::graph::FakeGraph::start("window-app"));
        graph.poll_interval(1);
        let t = chrono::Utc::now() - chrono::Duration::days(1);
        graph.add_event("Partner review", t, t + chrono::Duration::hours(1), "Europe/Paris", true, &[("Katherine Johnson", "kj@nasa.test")]);
        let data = tempfile::tempdir().unwrap();
        {
            let store = seeded(data.path());
            for (f, l) in [("Grace", "Hopper"), ("Alan", "Turing"), ("Ada", "Byron")] {
                store.repo::<Contact>().create(&json!({ "first_name": f, "last_name": l, "email": format!("{}@example.test", f.to_lowercase()) })).unwrap();
            }
            // A HubSpot connection pointed at the local HubSpot, switched off: the window connects it.
            struct Nowhere;
            impl plugs_core::integrations::SecretStore for Nowhere {
                fn set(&self, _: &str, _: &str) -> plugs_core::Result<()> {
                    Ok(())
                }
                fn get(&self, _: &str) -> plugs_core::Result<Option<String>> {
                    Ok(None)
                }
                fn delete(&self, _: &str) -> plugs_core::Result<()> {
                    Ok(())
                }
            }
            let i = store.connect_integration(&Nowhere, "hubspot", "crm", "placeholder").unwrap();
            store.table("integrations").unwrap().update(i.id, json!({ "settings": { "base_url": hub.base } }).as_object().unwrap().clone()).unwrap();
            store.disconnect_integration(&Nowhere, "hubspot").unwrap();
            // Teams likewise: its settings point at the local Microsoft.
            let settings = json!({ "client_id": "window-app", "base_url": graph.base }).as_object().unwrap().clone();
            store.connect_integration_with(&Nowhere, "teams", "", "placeholder", &settings).unwrap();
            store.disconnect_integration(&Nowhere, "teams").unwrap();
        }
        let mut env = keys.env.clone();
        env.push(("DISPLAY".into(), screen.display.clone()));
        let d = Driver::start_with(&env, data.path());
        d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": 800, "height": 600 })));
        std::thread::sleep(Duration::from_millis(400));
        d.click("#nav-integrations");
        d.wait("#connect-hubspot");
        d.wait("#connect-mailchimp");
        std::thread::sleep(Duration::from_millis(800));
        d.screenshot("integrations-connect-800x600");
        d.call(reqwest::Method::POST, "/window/rect", Some(json!({ "width": 1280, "height": 820 })));
        std::thread::sleep(Duration::from_millis(400));
        d.type_into("#hubspot-token", "pat-na1-window");
        d.click("#hubspot-connect");
        d.wait_text("#integrations-message", "HubSpot connected");
        d.click("#integration-hubspot .run");
        d.wait_text("#integrations-message", "3 created");
        d.wait_text("#logs-hubspot", "3 records");
        // Microsoft Teams: a code to type at Microsoft, then the connection.
        // The form shows the client id the connection had.
        assert_eq!(d.value("#teams-client"), "window-app");
        d.click("#teams-sign-in");
        d.wait("#teams-code");
        let shown = d.text_content("#teams-code");
        assert_eq!(shown.trim().len(), 9, "Microsoft's code is shown: {shown}");
        while graph.device_code_polls() == 0 {
            std::thread::sleep(Duration::from_millis(100));
        }
        graph.approve();
        d.wait_text("#integrations-message", "Microsoft Teams connected");
        d.click("#integration-teams .run");
        d.wait_text("#integrations-message", "Microsoft Teams:");
        d.wait_text("#logs-teams", "records");
        d.screenshot("integrations-1280x820");
        assert_eq!(hub.contacts().len(), 3);
        assert_eq!(hub.by_email("grace@example.test").unwrap().properties["firstname"], "Grace");
        let page = d.text_content("body");
        assert!(!page.contains("pat-na1-window"), "the token is not shown");
        drop(d);
        drop(rt);
    });
}
