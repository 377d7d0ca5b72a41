//! What the screens ask of the core: the home summary, audit history, expense totals and
//! breakdowns, counts, attached files and receipts, preferences.

use plugs_core::files::Upload;
use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::{ListRequest, Store, Timestamp};
use serde_json::{json, Value};

fn workspace() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Admin".into(), email: "ada@acme.test".into() }).unwrap();
    (dir, store)
}

fn create(store: &Store, table: &str, v: Value) -> Value {
    Value::Object(store.table(table).unwrap().create(serde_json::from_value(v).unwrap()).unwrap())
}

fn at(minutes: i64) -> String {
    Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_string()
}

#[test]
fn home_shows_due_follow_ups_events_and_unread_notifications() {
    let (_d, store) = workspace();
    let me = store.actor().unwrap().user_id;
    let c = store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper" })).unwrap();
    create(&store, "contact_interactions", json!({ "contact_id": c.id, "interaction_type": "call", "status": "scheduled", "interaction_date": at(-30), "subject": "late call" }));
    create(&store, "contact_interactions", json!({ "contact_id": c.id, "interaction_type": "call", "status": "scheduled", "interaction_date": at(60 * 24 * 3) }));
    create(&store, "contact_interactions", json!({ "contact_id": c.id, "interaction_type": "call", "status": "scheduled", "interaction_date": at(60 * 24 * 30) }));
    create(&store, "contact_interactions", json!({ "contact_id": c.id, "interaction_type": "call", "status": "completed", "interaction_date": at(-10) }));
    create(&store, "events", json!({ "title": "Now", "event_type": "meeting", "start_date": at(-5), "end_date": at(30) }));
    create(&store, "events", json!({ "title": "Soon", "event_type": "meeting", "start_date": at(60 * 24 * 2), "end_date": at(60 * 24 * 2 + 60) }));
    create(&store, "events", json!({ "title": "Called off", "event_type": "meeting", "status": "cancelled", "start_date": at(60 * 24 * 2), "end_date": at(60 * 24 * 2 + 60) }));
    let n = create(&store, "notifications", json!({ "user_id": me, "title": "Hello", "message": "m" }));
    create(&store, "notifications", json!({ "user_id": me, "title": "Expired", "message": "m", "expires_at": at(-1) }));
    let h = store.home_summary().unwrap();
    assert_eq!(h.follow_ups.len(), 2, "the two due within two weeks, not the later one nor the completed one");
    assert!(h.follow_ups[0].overdue && !h.follow_ups[1].overdue);
    assert_eq!(h.follow_ups[0].contact_name, "Grace Hopper");
    assert_eq!(h.events_today.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(), vec!["Now"]);
    assert_eq!(h.events_upcoming.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(), vec!["Soon"]);
    assert_eq!((h.unread_count, h.unread.len()), (1, 1), "expired notifications are left out");
    store.mark_notification_read(n["id"].as_str().unwrap().parse().unwrap()).unwrap();
    assert_eq!(store.home_summary().unwrap().unread_count, 0);
    assert!(h.pending_changes > 0);
}

#[test]
fn home_shows_the_people_just_met_newest_first() {
    let (_d, store) = workspace();
    // Met three weeks ago: no longer "just met".
    store.shift_clock(chrono::Duration::days(-21));
    store.repo::<Contact>().create(&json!({ "first_name": "Old", "last_name": "Friend" })).unwrap();
    store.shift_clock(chrono::Duration::zero());
    let grace = store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper" })).unwrap();
    let gone = store.repo::<Contact>().create(&json!({ "first_name": "Gone", "last_name": "Soon" })).unwrap();
    let alan = store.repo::<Contact>().create(&json!({ "first_name": "Alan", "last_name": "Turing" })).unwrap();
    store.repo::<Contact>().delete(gone.id).unwrap();
    let recent: Vec<_> = store.home_summary().unwrap().recent_captures.into_iter().map(|c| c.id).collect();
    assert_eq!(recent, vec![alan.id, grace.id], "newest first; deleted and older ones left out");
}

#[test]
fn the_company_filter_finds_a_part_of_the_name_without_case() {
    let (_d, store) = workspace();
    for (f, c) in [("Grace", "Acme Robotics"), ("Alan", "ACME"), ("Ada", "Nacmex"), ("Bo", "Globex"), ("Cy", "100% Acme_Labs"), ("Di", "100x Acmeylabs")] {
        store.repo::<Contact>().create(&json!({ "first_name": f, "last_name": "Lee", "company": c })).unwrap();
    }
    let names = |part: &str| {
        let q = ListRequest { contains: serde_json::from_value(json!({ "company": part })).unwrap(), sort: Some("first_name".into()), ..Default::default() }.query();
        let n = store.count_rows("contacts", &q).unwrap();
        let found: Vec<String> = store.table("contacts").unwrap().list(&q).unwrap().items.into_iter().map(|r| r["first_name"].as_str().unwrap().to_owned()).collect();
        assert_eq!(n as usize, found.len(), "the count matches the list for '{part}'");
        found
    };
    assert_eq!(names("acme"), vec!["Ada", "Alan", "Cy", "Di", "Grace"], "any case, anywhere in the name");
    assert_eq!(names("Acme Rob"), vec!["Grace"]);
    assert_eq!(names("% acme_"), vec!["Cy"], "% and _ are plain characters");
    assert_eq!(names("  "), vec!["Ada", "Alan", "Bo", "Cy", "Di", "Grace"], "a blank part filters nothing");
    let bad = ListRequest { contains: serde_json::from_value(json!({ "lead_score": "5" })).unwrap(), ..Default::default() }.query();
    assert_eq!(store.count_rows("contacts", &bad).unwrap_err().to_payload().field.as_deref(), Some("lead_score"));
}

#[test]
fn audit_history_counts_and_expense_totals_are_exact() {
    let (_d, store) = workspace();
    let c = store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper" })).unwrap();
    store.table("contacts").unwrap().update(c.id, serde_json::from_value(json!({ "company": "Navy" })).unwrap()).unwrap();
    let h = store.audit_history("contacts", c.id).unwrap();
    assert_eq!(h.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), vec!["update", "create"], "newest first");
    assert_eq!(h[0].new_values.as_ref().unwrap()["company"], "Navy");
    assert_eq!(store.audit_history("nope", c.id).unwrap_err().to_payload().code, "unknown_table");

    let ev = create(&store, "events", json!({ "title": "Summit", "event_type": "conference", "start_date": at(60), "end_date": at(120) }));
    for (a, cur, event) in [("0.10", "EUR", true), ("0.20", "EUR", true), ("1000.00", "EUR", false), ("5.55", "USD", true)] {
        let mut x = json!({ "title": "x", "amount": a, "currency": cur, "expense_type": "travel", "expense_date": "2026-11-20" });
        if event {
            x["event_id"] = ev["id"].clone();
        }
        create(&store, "expenses", x);
    }
    let totals = store.expense_totals(&[]).unwrap();
    let show: Vec<(String, Option<String>, i64, String)> = totals.iter().map(|t| (t.currency.clone(), t.event_name.clone(), t.count, t.total.to_string())).collect();
    assert_eq!(
        show,
        vec![
            ("EUR".into(), None, 3, "1000.30".into()),
            ("USD".into(), None, 1, "5.55".into()),
            ("EUR".into(), Some("Summit".into()), 2, "0.30".into()),
            ("USD".into(), Some("Summit".into()), 1, "5.55".into()),
        ]
    );
    let only_usd = ListRequest { equals: serde_json::from_value(json!({ "currency": "usd" })).unwrap(), ..Default::default() };
    assert_eq!(store.expense_totals(&only_usd.filters()).unwrap().len(), 2);
    assert_eq!(store.count_rows("expenses", &only_usd.query()).unwrap(), 1);
    let b = store.expense_breakdown().unwrap();
    assert_eq!(b.iter().map(|x| (x.currency.as_str(), x.total.to_string())).collect::<Vec<_>>(), vec![("EUR", "1000.30".to_owned()), ("USD", "5.55".to_owned())]);
    let lead = store.lead_status_breakdown().unwrap();
    assert_eq!((lead[0].key.as_str(), lead[0].count), ("cold_lead", 1));
    let bad = ListRequest { gte: serde_json::from_value(json!({ "nope": 1 })).unwrap(), ..Default::default() };
    assert_eq!(store.count_rows("expenses", &bad.query()).unwrap_err().to_payload().field.as_deref(), Some("nope"));
}

#[test]
fn a_receipt_is_stored_linked_and_previewable_and_a_refused_one_leaves_no_file() {
    let (dir, store) = workspace();
    let x = create(&store, "expenses", json!({ "title": "Taxi", "amount": "42.00", "currency": "EUR", "expense_type": "travel", "expense_date": "2026-11-20" }));
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    let up = |expense: Option<&str>, data: &str| Upload {
        file_name: "../../receipt.PNG".into(),
        mime_type: "image/png".into(),
        data_base64: data.into(),
        title: None,
        related_contact: None,
        related_event: None,
        expense_id: expense.map(|e| e.parse().unwrap()),
    };
    let m = store.attach_upload(&up(x["id"].as_str(), png)).unwrap();
    assert_eq!((m.file_name.as_str(), m.media_type.as_str(), m.file_size), ("receipt.PNG", "image", 70), "the name is only the file's name");
    // Kept under its SHA-256, with a thumbnail; the server, not the device, will say it is ready.
    let sha = m.metadata["sha256"].as_str().unwrap().to_owned();
    assert_eq!(m.file_path, format!("media/{sha}"));
    assert_eq!(sha, plugs_core::files::sha256_hex(&base64::Engine::decode(&base64::engine::general_purpose::STANDARD, png).unwrap()));
    assert!(dir.path().join(&m.file_path).exists());
    assert_eq!(m.status.as_str(), "processing");
    let thumb = m.metadata["thumbnail"]["sha256"].as_str().unwrap();
    assert!(store.blob_path(thumb).exists());
    assert_eq!((m.metadata["thumbnail"]["width"].as_u64(), m.metadata["thumbnail"]["mime"].as_str()), (Some(1), Some("image/jpeg")));
    assert_eq!(m.metadata["expense_id"], x["id"]);
    let x2 = store.table("expenses").unwrap().get(x["id"].as_str().unwrap().parse().unwrap()).unwrap();
    assert_eq!(x2["metadata"]["receipt_media_id"], json!(m.id));
    assert!(store.media_data_url(m.id).unwrap().starts_with("data:image/jpeg;base64,/9j/"), "the preview is the thumbnail");
    assert_eq!(store.media_bytes(m.id).unwrap().1.len(), 70);

    // The same bytes again are kept once.
    let files = || std::fs::read_dir(store.media_dir()).unwrap().count();
    let before = files();
    let again = store.attach_upload(&up(x["id"].as_str(), png)).unwrap();
    assert_eq!((again.file_path, files()), (m.file_path.clone(), before));

    // A program named .PNG is kept as a download, never previewed.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.resize(512, 0);
    let prog = store.attach_upload(&up(None, &base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &exe))).unwrap();
    assert_eq!((prog.media_type.as_str(), prog.mime_type.as_str()), ("document", "application/octet-stream"));
    assert!(prog.metadata["type_warning"].as_str().unwrap().contains("program"));
    assert_eq!(store.media_data_url(prog.id).unwrap_err().to_payload().code, "not_an_image");

    let before = files();
    let other_png = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, {
        let mut b = Vec::new();
        image::RgbImage::from_pixel(3, 2, image::Rgb([200, 10, 10])).write_to(&mut std::io::Cursor::new(&mut b), image::ImageFormat::Png).unwrap();
        b
    });
    let missing = store.attach_upload(&up(Some("01a21308-0000-7000-8000-000000000000"), &other_png)).unwrap_err().to_payload();
    assert_eq!(missing.field.as_deref(), Some("expense_id"));
    assert_eq!(files(), before, "a refused attachment leaves no file behind");
    assert_eq!(store.attach_upload(&up(None, "")).unwrap_err().to_payload().code, "empty");
    assert_eq!(store.attach_upload(&up(None, "%%%")).unwrap_err().to_payload().field.as_deref(), Some("file"));
}

#[test]
fn preferences_are_checked_and_kept_on_the_device() {
    let (_d, store) = workspace();
    let s = store.app_settings().unwrap();
    assert_eq!((s.theme.as_str(), s.keep_running, s.reminder_lead_minutes, s.server_url), ("light", true, 10, None));
    store.set_app_setting("theme", "dark").unwrap();
    store.set_app_setting("keep_running", "false").unwrap();
    store.set_app_setting("reminder_lead_minutes", "45").unwrap();
    let s = store.app_settings().unwrap();
    assert_eq!((s.theme.as_str(), s.keep_running, s.reminder_lead_minutes), ("dark", false, 45));
    assert_eq!(store.reminder_settings().unwrap().lead, chrono::Duration::minutes(45));
    let e = store.set_app_setting("reminder_lead_minutes", "-3").unwrap_err().to_payload();
    assert_eq!(e.field.as_deref(), Some("reminder_lead_minutes"));
    assert_eq!(store.set_app_setting("theme", "purple").unwrap_err().to_payload().field.as_deref(), Some("theme"));
    assert_eq!(store.set_app_setting("password", "x").unwrap_err().to_payload().field.as_deref(), Some("key"));
    assert_eq!(store.app_settings().unwrap().reminder_lead_minutes, 45, "a refused value changes nothing");
}
