//! Meeting someone: capture linked to the event going on, one-name people, follow-ups, the
//! duplicate warning and "add to this contact instead", an event's leads.

use plugs_core::capture::Capture;
use plugs_core::matching::Reason;
use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::{ListRequest, Record, Store, Timestamp};
use serde_json::{json, Value};
use uuid::Uuid;

fn workspace() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Admin".into(), email: "ada@acme.test".into() }).unwrap();
    (dir, store)
}

fn rec(v: Value) -> Record {
    serde_json::from_value(v).unwrap()
}

fn at(minutes: i64) -> String {
    Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_string()
}

fn event(store: &Store, title: &str, from: i64, to: i64) -> Uuid {
    let e = store.table("events").unwrap().create(rec(json!({ "title": title, "event_type": "conference", "start_date": at(from), "end_date": at(to) }))).unwrap();
    Uuid::parse_str(e["id"].as_str().unwrap()).unwrap()
}

fn count(store: &Store, table: &str) -> i64 {
    store.connection().query_row(&format!("SELECT count(*) FROM {table} WHERE NOT is_deleted"), [], |r| r.get(0)).unwrap()
}

#[test]
fn a_capture_at_an_event_is_met_there_with_its_follow_up() {
    let (_d, store) = workspace();
    event(&store, "Last week", -60 * 24 * 8, -60 * 24 * 7);
    let summit = event(&store, "Lisbon Summit", -60, 60 * 8);
    let on = store.capture_event().unwrap().expect("the event going on");
    assert_eq!((on.event.id, on.chosen), (summit, false));

    // A one-name person is saved, met at the event.
    let jun = store.capture(&Capture { contact: rec(json!({ "first_name": "Jun", "company": "Nimbus" })), event_id: Some(summit), ..Default::default() }).unwrap();
    assert!(jun.created);
    assert_eq!((jun.contact.first_name.as_str(), jun.contact.last_name.as_str()), ("Jun", ""));
    let met = jun.met_at.expect("a meeting");
    assert_eq!(met.subject.as_deref(), Some("Met at Lisbon Summit"));
    assert_eq!(met.metadata["event_id"], json!(summit.to_string()));
    assert_eq!(met.user_id, store.actor().unwrap().user_id, "who captured");
    assert!(jun.contact.last_interaction.is_some(), "the meeting is the contact's last interaction");

    // With a follow-up in 3 days: scheduled, so the reminders pick it up.
    let grace = store
        .capture(&Capture {
            contact: rec(json!({ "first_name": "Grace", "last_name": "Hopper", "job_title": "Rear Admiral" })),
            event_id: Some(summit),
            follow_up_days: Some(3),
            ..Default::default()
        })
        .unwrap();
    let f = grace.follow_up.expect("a follow-up");
    assert_eq!(f.status.as_str(), "scheduled");
    assert_eq!(f.interaction_type.as_str(), "follow_up");
    let days = (f.interaction_date.as_datetime() - chrono::Utc::now()).num_hours();
    assert!((71..=72).contains(&days), "{days} hours away");
    assert_eq!(f.subject.as_deref(), Some("Follow up with Grace Hopper (met at Lisbon Summit)"));

    // Not at an event.
    let bob = store.capture(&Capture { contact: rec(json!({ "first_name": "Bob", "last_name": "Stone" })), ..Default::default() }).unwrap();
    assert!(bob.met_at.is_none() && bob.follow_up.is_none());

    let leads = store.event_leads(summit).unwrap();
    assert_eq!(leads.leads.iter().map(|l| l.contact.first_name.as_str()).collect::<Vec<_>>(), vec!["Grace", "Jun"], "newest first");
    assert_eq!(leads.per_member.len(), 1);
    assert_eq!((leads.per_member[0].name.as_str(), leads.per_member[0].leads), ("Ada Admin", 2));

    // The contacts list and search filter by event.
    let q = ListRequest { equals: rec(json!({ "met_at_event": summit.to_string() })), ..Default::default() };
    let page = store.table("contacts").unwrap().list(&q.query()).unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(store.count_rows("contacts", &q.query()).unwrap(), 2);
    assert_eq!(store.search_contacts("hopper", &q.filters(), 10).unwrap().len(), 1);
    let other = ListRequest { equals: rec(json!({ "met_at_event": Uuid::now_v7().to_string() })), ..Default::default() };
    assert_eq!(store.count_rows("contacts", &other.query()).unwrap(), 0);
}

#[test]
fn the_event_chosen_for_today_wins_and_none_means_none() {
    let (_d, store) = workspace();
    let going_on = event(&store, "Going on", -30, 30);
    let dinner = event(&store, "Founders Dinner", 60 * 5, 60 * 8);
    store.choose_capture_event(Some(dinner)).unwrap();
    let e = store.capture_event().unwrap().unwrap();
    assert_eq!((e.event.id, e.chosen), (dinner, true));
    store.choose_capture_event(None).unwrap();
    assert!(store.capture_event().unwrap().is_none(), "no event today, though one is going on");
    // Tomorrow the choice is forgotten.
    store.shift_clock(chrono::Duration::days(1));
    assert!(store.capture_event().unwrap().is_none_or(|e| e.event.id != dinner));
    store.shift_clock(chrono::Duration::zero());
    let err = store.choose_capture_event(Some(Uuid::now_v7())).unwrap_err().to_payload();
    assert_eq!((err.field.as_deref(), err.code.as_str()), (Some("event_id"), "not_found"));
    let _ = going_on;
}

#[test]
fn a_refused_capture_writes_nothing() {
    let (_d, store) = workspace();
    let summit = event(&store, "Summit", -60, 60);
    let before = (count(&store, "contacts"), count(&store, "contact_interactions"));
    for (c, field) in [
        (Capture { contact: rec(json!({ "first_name": "Eve" })), event_id: Some(summit), follow_up_days: Some(0), ..Default::default() }, "follow_up_days"),
        (Capture { contact: rec(json!({ "first_name": "Eve", "email": "not an email" })), event_id: Some(summit), ..Default::default() }, "email"),
        (Capture { contact: rec(json!({ "first_name": "Eve" })), event_id: Some(Uuid::now_v7()), ..Default::default() }, "event_id"),
        (Capture { contact: rec(json!({ "first_name": "Eve" })), add_to: Some(Uuid::now_v7()), ..Default::default() }, "add_to"),
    ] {
        let e = store.capture(&c).unwrap_err().to_payload();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    }
    assert_eq!((count(&store, "contacts"), count(&store, "contact_interactions")), before);
}

#[test]
fn a_scanned_card_is_kept_as_the_contacts_media_in_the_same_write() {
    use base64::Engine;
    let (d, store) = workspace();
    let picture = b"\xff\xd8\xff\xe0 a card photo".to_vec();
    let card = plugs_core::files::Upload {
        file_name: "IMG_0042.jpg".into(),
        mime_type: "image/jpeg".into(),
        data_base64: base64::engine::general_purpose::STANDARD.encode(&picture),
        ..Default::default()
    };
    let media_files = || std::fs::read_dir(d.path().join("media")).map(|r| r.count()).unwrap_or(0);

    // Refused (a bad email): no contact, no media row, no file left behind.
    let bad = Capture { contact: rec(json!({ "first_name": "Jun", "email": "jun at nimbus" })), card: Some(card.clone()), ..Default::default() };
    assert_eq!(store.capture(&bad).unwrap_err().to_payload().field.as_deref(), Some("email"));
    assert_eq!((count(&store, "contacts"), count(&store, "media"), media_files()), (0, 0, 0));

    let ok = Capture { contact: rec(json!({ "first_name": "Jun", "company": "Nimbus" })), card: Some(card), ..Default::default() };
    let jun = store.capture(&ok).unwrap().contact;
    let (title, related, path): (String, String, String) =
        store.connection().query_row("SELECT title, related_contact, file_path FROM media WHERE NOT is_deleted", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!((title.as_str(), related), ("Business card of Jun", jun.id.to_string()));
    // The photo is kept sealed with the store's key, and reads back whole.
    assert!(plugs_core::vault::is_sealed(&d.path().join(&path)));
    assert_ne!(std::fs::read(d.path().join(&path)).unwrap(), picture);
    assert_eq!(store.read_blob(path.trim_start_matches("media/")).unwrap(), picture);

    let garbled = Capture {
        contact: rec(json!({ "first_name": "Kim" })),
        card: Some(plugs_core::files::Upload { file_name: "x.png".into(), data_base64: "%%%".into(), ..Default::default() }),
        ..Default::default()
    };
    assert_eq!(store.capture(&garbled).unwrap_err().to_payload().field.as_deref(), Some("card"));
}

#[test]
fn a_known_person_is_suggested_and_the_meeting_added_to_them() {
    let (_d, store) = workspace();
    let summit = event(&store, "Summit", -60, 60);
    let contacts = store.repo::<Contact>();
    let zoe = contacts.create(&json!({ "first_name": "Zoë", "last_name": "Müller", "company": "Société Générale", "email": "Zoe.Muller@SG.example" })).unwrap();
    let li = contacts.create(&json!({ "first_name": "Li", "last_name": "Wei", "phone": "+1 (212) 555-0100" })).unwrap();
    contacts.create(&json!({ "first_name": "Maria", "last_name": "García" })).unwrap();
    let typed = |v: Value| store.likely_matches(&rec(v), 5).unwrap().into_iter().map(|m| (m.contact.first_name, m.reason)).collect::<Vec<_>>();
    assert_eq!(typed(json!({ "email": "zoe.muller@sg.example" })), vec![("Zoë".to_owned(), Reason::SameEmail)]);
    assert_eq!(typed(json!({ "first_name": "zoe", "last_name": "MULLER", "company": "societe generale" })), vec![("Zoë".to_owned(), Reason::SameNameAtCompany)]);
    assert_eq!(typed(json!({ "first_name": "Someone", "phone": "212.555.0100" })), vec![("Li".to_owned(), Reason::SamePhone)]);
    // Neither has a company: the same name is the import's rule too.
    assert_eq!(typed(json!({ "first_name": "maria", "last_name": "garcia" })), vec![("Maria".to_owned(), Reason::SameNameAtCompany)]);
    assert_eq!(typed(json!({ "first_name": "maria", "last_name": "garcia", "company": "Elsewhere" })), vec![("Maria".to_owned(), Reason::SameName)]);
    assert!(typed(json!({ "first_name": "Maria" })).is_empty(), "one common name alone is not enough");
    assert!(typed(json!({ "first_name": "Nobody", "last_name": "Known" })).is_empty());
    // A nickname finds the name, and the name its nicknames.
    contacts.create(&json!({ "first_name": "Robert", "last_name": "Smith", "company": "Acme" })).unwrap();
    contacts.create(&json!({ "first_name": "Paco", "last_name": "Gómez" })).unwrap();
    assert_eq!(typed(json!({ "first_name": "Bob", "last_name": "smith", "company": "ACME" })), vec![("Robert".to_owned(), Reason::SimilarName)]);
    assert_eq!(typed(json!({ "first_name": "Francisco", "last_name": "Gomez" })), vec![("Paco".to_owned(), Reason::SimilarName)]);
    assert!(typed(json!({ "first_name": "Bob", "last_name": "Smyth", "company": "Acme" })).is_empty());

    // "Add to this contact instead": no new contact, the meeting logged, blanks filled.
    let n = count(&store, "contacts");
    let c = store
        .capture(&Capture {
            contact: rec(json!({ "first_name": "Li", "last_name": "Wei", "company": "Kestrel", "phone": "999" })),
            event_id: Some(summit),
            add_to: Some(li.id),
            ..Default::default()
        })
        .unwrap();
    assert!(!c.created);
    assert_eq!(c.contact.id, li.id);
    assert_eq!(c.filled, vec!["company".to_owned()], "only empty fields are filled");
    assert_eq!(c.contact.phone.as_deref(), Some("+1 (212) 555-0100"));
    assert_eq!(count(&store, "contacts"), n);
    assert_eq!(store.event_leads(summit).unwrap().leads[0].contact.id, li.id);
    let _ = zoe;
}

/// The import's duplicate check is the same rule: a file's "zoe muller" at "societe generale"
/// merges into "Zoë Müller" at "Société Générale".
#[test]
fn import_and_capture_match_alike() {
    let (_d, store) = workspace();
    store.repo::<Contact>().create(&json!({ "first_name": "Zoë", "last_name": "Müller", "company": "Société Générale" })).unwrap();
    let csv = "First Name,Last Name,Company,Job Title\nzoe,MULLER,societe generale,CFO\n";
    let r = store.import_contacts(csv.as_bytes(), &Default::default(), |_, _| {}).unwrap();
    assert_eq!((r.created, r.merged), (0, 1), "{r:?}");
    assert_eq!(count(&store, "contacts"), 1);
}
