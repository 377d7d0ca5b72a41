//! One table of rule cases, run against the device's store and against the server's push: the
//! same row before, the same change by the same person, the same answer. Then the rules that span
//! rows, when two offline devices each make a change that is valid alone.

mod common;

use common::{add_member, first_device, second_device, Cloud, Device};
use plugs_core::sync::wire::{ChangeKind, Outcome, PushChange, PushRequest};
use plugs_core::sync::Credentials;
use plugs_core::{Error, Store, Timestamp};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What a case does to its row.
enum Change {
    /// A client's partial update of these fields.
    Patch(Value),
    /// A new row of the case's table with these fields.
    Create(Value),
    Approve,
    Pay,
    CheckOut,
    MarkRead,
}

#[derive(Clone, Copy)]
enum Who {
    Admin,
    Member,
}

/// `Ok` or `(code, field)`.
type Answer = Result<(), (String, Option<String>)>;

fn err(code: &str, field: Option<&str>) -> Answer {
    Err((code.to_owned(), field.map(str::to_owned)))
}

struct World {
    cloud: Cloud,
    admin: Device,
    member: Device,
    member_id: Uuid,
}

async fn world() -> World {
    let cloud = Cloud::start().await;
    let admin = first_device(&cloud, "Acme", "ada@acme.test").await;
    let member_id = add_member(&cloud, &admin, "mo@acme.test", "Mo").await;
    admin.sync().await;
    let member = second_device(&cloud, "mo@acme.test").await;
    World { cloud, admin, member, member_id }
}

fn create(store: &Store, table: &str, v: Value) -> Uuid {
    let row = store.table(table).unwrap().create(v.as_object().unwrap().clone()).unwrap_or_else(|e| panic!("{table}: {e}"));
    Uuid::parse_str(row["id"].as_str().unwrap()).unwrap()
}

fn answer_of(r: Result<(), Error>) -> Answer {
    r.map_err(|e| {
        let p = e.to_payload();
        (p.code, p.field)
    })
}

/// The fields a change writes, as the device would push them.
fn written(change: &Change, before: &Map<String, Value>) -> Map<String, Value> {
    let now = Value::String(Timestamp::now().to_string());
    let v = match change {
        Change::Patch(p) | Change::Create(p) => p.clone(),
        Change::Approve => json!({ "status": "approved" }),
        Change::Pay => json!({ "status": "paid" }),
        Change::CheckOut => json!({ "check_out_time": now }),
        Change::MarkRead => json!({ "is_read": true, "read_at": now }),
    };
    let mut m = v.as_object().unwrap().clone();
    if matches!(change, Change::Create(_)) {
        m.insert("id".into(), json!(Uuid::now_v7()));
        m.insert("organization_id".into(), before["organization_id"].clone());
    }
    m
}

/// The device's answer: the change through the device's own API.
fn on_device(store: &Store, table: &str, id: Uuid, change: &Change) -> Answer {
    answer_of(match change {
        Change::Patch(p) => store.table(table).unwrap().update(id, p.as_object().unwrap().clone()).map(drop),
        Change::Create(v) => store.table(table).unwrap().create(v.as_object().unwrap().clone()).map(drop),
        Change::Approve => store.approve_expense(id).map(drop),
        Change::Pay => store.mark_expense_paid(id).map(drop),
        Change::CheckOut => store.check_out(id).map(drop),
        Change::MarkRead => store.mark_notification_read(id).map(drop),
    })
}

/// The server's answer: the same change pushed as a device sends it, whatever the device thinks.
async fn on_server(d: &Device, table: &str, id: Uuid, before: &Map<String, Value>, change: &Change) -> Answer {
    let fields = written(change, before);
    let (record, mut row) = match change {
        Change::Create(_) => (Uuid::parse_str(fields["id"].as_str().unwrap()).unwrap(), Map::new()),
        _ => (id, before.clone()),
    };
    row.extend(fields.clone());
    let t = Timestamp::now();
    // As the device lists them: tags by their own fields (plugs_domain::tags).
    let keys: Vec<&str> = fields.keys().map(String::as_str).filter(|k| *k != "id" && *k != "organization_id").collect();
    let spec = plugs_core::tables::spec(table).unwrap();
    let old = match change {
        Change::Create(_) => None,
        _ => Some(before),
    };
    let changed: BTreeMap<String, Timestamp> = plugs_domain::tags::sync_fields(spec, old, &row, &keys).into_iter().map(|k| (k, t)).collect();
    let req = PushRequest {
        device_id: d.store.device_id(),
        client_time: t,
        changes: vec![PushChange { mutation_id: Uuid::now_v7(), table: table.into(), record_id: record, kind: ChangeKind::Upsert, fields: changed, row: Some(row) }],
    };
    let token = d.credentials.load().unwrap().unwrap().access_token;
    let res = d.syncer.remote().push(&token, &req).await.unwrap();
    let r = &res.results[0];
    match (&r.outcome, &r.reason) {
        (Outcome::Applied, None) => Ok(()),
        (_, Some(p)) => Err((p.code.clone(), p.field.clone())),
        (o, None) => panic!("{table}: unexpected outcome {o:?}"),
    }
}

#[tokio::test]
async fn the_device_and_the_server_give_the_same_answer_to_every_rule_case() {
    let w = world().await;
    let a = &w.admin.store;
    let me = a.actor().unwrap().user_id;
    let mid = w.member_id;
    let expense = |amount: &str| create(a, "expenses", json!({ "title": "Taxi", "amount": amount, "currency": "EUR", "expense_date": "2026-12-01" }));
    let event =
        |max: Option<i64>| create(a, "events", json!({ "title": "Summit", "start_date": "2027-03-10T09:00:00Z", "end_date": "2027-03-12T18:00:00Z", "max_attendees": max }));
    let grace = || create(a, "contacts", json!({ "first_name": "Grace", "last_name": "Hopper" }));
    let other = grace();
    type Setup<'a> = Box<dyn Fn() -> Uuid + 'a>;
    let cases: Vec<(&str, &str, Setup, Who, Change, Answer)> = vec![
        (
            "a member raises an approved expense",
            "expenses",
            Box::new(|| {
                let e = expense("10.00");
                a.approve_expense(e).unwrap();
                e
            }),
            Who::Member,
            Change::Patch(json!({ "amount": "999.00" })),
            err("settled", Some("amount")),
        ),
        ("a member approves", "expenses", Box::new(|| expense("10.00")), Who::Member, Change::Approve, err("forbidden", Some("status"))),
        ("an admin approves", "expenses", Box::new(|| expense("10.00")), Who::Admin, Change::Approve, Ok(())),
        ("an admin pays a pending expense", "expenses", Box::new(|| expense("10.00")), Who::Admin, Change::Pay, err("invalid_transition", Some("status"))),
        ("a member edits a pending amount", "expenses", Box::new(|| expense("10.00")), Who::Member, Change::Patch(json!({ "amount": "12.50" })), Ok(())),
        ("a negative amount", "expenses", Box::new(|| expense("10.00")), Who::Member, Change::Patch(json!({ "amount": "-1.00" })), err("out_of_range", Some("amount"))),
        (
            "a plaintext credential",
            "integrations",
            Box::new(|| create(a, "integrations", json!({ "provider": "hubspot", "integration_type": "crm", "credentials": { "keychain_ref": "hubspot" } }))),
            Who::Admin,
            Change::Patch(json!({ "credentials": { "api_key": "pat-secret" } })),
            err("secret_in_row", Some("credentials")),
        ),
        (
            "a limit below the registrations",
            "events",
            Box::new(|| {
                let e = event(Some(5));
                create(a, "event_attendees", json!({ "event_id": e, "user_id": me }));
                create(a, "event_attendees", json!({ "event_id": e, "user_id": mid }));
                e
            }),
            Who::Admin,
            Change::Patch(json!({ "max_attendees": 1 })),
            err("capacity_below_registrations", Some("max_attendees")),
        ),
        (
            "a registration for a full event",
            "event_attendees",
            Box::new(|| {
                let e = event(Some(1));
                create(a, "event_attendees", json!({ "event_id": e, "user_id": me }));
                e
            }),
            Who::Member,
            Change::Create(json!({ "user_id": mid })),
            err("event_full", Some("event_id")),
        ),
        (
            "an event moved away from its agenda",
            "events",
            Box::new(|| {
                let e = event(None);
                create(a, "event_agenda_items", json!({ "event_id": e, "title": "Keynote", "start_time": "2027-03-10T10:00:00Z", "end_time": "2027-03-10T11:00:00Z" }));
                e
            }),
            Who::Admin,
            Change::Patch(json!({ "start_date": "2027-05-10T09:00:00Z", "end_date": "2027-05-12T18:00:00Z" })),
            err("agenda_outside", Some("start_date")),
        ),
        (
            "an agenda item outside its event",
            "event_agenda_items",
            Box::new(|| event(None)),
            Who::Member,
            Change::Create(json!({ "title": "Late", "start_time": "2027-03-13T10:00:00Z", "end_time": "2027-03-13T11:00:00Z" })),
            err("outside_event", Some("end_time")),
        ),
        (
            "an event ending before it starts",
            "events",
            Box::new(|| event(None)),
            Who::Admin,
            Change::Patch(json!({ "end_date": "2027-03-01T09:00:00Z" })),
            err("date_range", Some("end_date")),
        ),
        (
            "a check-out before a check-in",
            "event_attendees",
            Box::new(|| {
                let e = event(None);
                create(a, "event_attendees", json!({ "event_id": e, "user_id": mid }))
            }),
            Who::Member,
            Change::CheckOut,
            err("check_in_required", Some("check_out_time")),
        ),
        ("a member edits another user", "users", Box::new(move || me), Who::Member, Change::Patch(json!({ "first_name": "Pwned" })), err("forbidden", None)),
        ("a member makes themself an admin", "users", Box::new(move || mid), Who::Member, Change::Patch(json!({ "is_admin": true })), err("forbidden", Some("is_admin"))),
        ("a member edits their own name", "users", Box::new(move || mid), Who::Member, Change::Patch(json!({ "first_name": "Maurice" })), Ok(())),
        (
            "a member edits a contact",
            "contacts",
            Box::new(|| create(a, "contacts", json!({ "first_name": "Grace", "last_name": "Hopper" }))),
            Who::Member,
            Change::Patch(json!({ "job_title": "Admiral" })),
            Ok(()),
        ),
        (
            "a NUL in a name",
            "contacts",
            Box::new(|| create(a, "contacts", json!({ "first_name": "Grace", "last_name": "Hopper" }))),
            Who::Member,
            Change::Patch(json!({ "first_name": "Gr\u{0}ace" })),
            err("unstorable_text", Some("first_name")),
        ),
        (
            "an author rewritten",
            "contacts",
            Box::new(|| create(a, "contacts", json!({ "first_name": "Grace", "last_name": "Hopper" }))),
            Who::Admin,
            Change::Patch(json!({ "created_by": mid })),
            err("read_only", Some("created_by")),
        ),
        (
            "an admin changes the plan",
            "organizations",
            Box::new(|| a.actor().unwrap().organization_id),
            Who::Admin,
            Change::Patch(json!({ "subscription_plan": "enterprise" })),
            err("read_only", Some("subscription_plan")),
        ),
        ("a member tags a contact", "contacts", Box::new(grace), Who::Member, Change::Patch(json!({ "metadata": { "tags": ["Investor", "#berlin"] } })), Ok(())),
        ("a tag with a comma", "contacts", Box::new(grace), Who::Member, Change::Patch(json!({ "metadata": { "tags": ["investor,berlin"] } })), err("invalid_tag", Some("tags"))),
        (
            "an interaction moved to another contact",
            "contact_interactions",
            Box::new(|| create(a, "contact_interactions", json!({ "contact_id": grace(), "interaction_type": "call", "interaction_date": "2026-11-30T20:00:00Z" }))),
            Who::Admin,
            Change::Patch(json!({ "contact_id": other })),
            err("read_only", Some("contact_id")),
        ),
        (
            "someone else's notification read",
            "notifications",
            Box::new(|| create(a, "notifications", json!({ "user_id": me, "title": "Call Grace", "message": "today" }))),
            Who::Member,
            Change::MarkRead,
            err("not_found", None),
        ),
        (
            "one's own notification read",
            "notifications",
            Box::new(move || create(a, "notifications", json!({ "user_id": mid, "title": "Call Grace", "message": "today" }))),
            Who::Member,
            Change::MarkRead,
            Ok(()),
        ),
    ];
    let n = cases.len();
    for (name, table, setup, who, change, expected) in cases {
        let id = setup();
        w.admin.sync().await;
        w.member.sync().await;
        let d = match who {
            Who::Admin => &w.admin,
            Who::Member => &w.member,
        };
        // A created row's parent comes from the setup.
        let change = match change {
            Change::Create(mut v) => {
                v["event_id"] = json!(id);
                Change::Create(v)
            }
            c => c,
        };
        let before = match (&change, d.store.table(table).unwrap().get(id)) {
            (Change::Create(_), _) => d.store.table("events").unwrap().get(id).unwrap(),
            (_, Ok(row)) => row,
            // Rows the device is not shown (someone else's notification): the server's copy.
            (_, Err(_)) => w.admin.store.table(table).unwrap().get(id).unwrap(),
        };
        let device = on_device(&d.store, table, id, &change);
        let server = on_server(d, table, id, &before, &change).await;
        assert_eq!(device, expected, "{name}: the device's answer");
        assert_eq!(server, expected, "{name}: the server's answer");
    }
    assert!(n >= 20);
    drop(w.cloud);
}

/// An event both devices have, then each goes offline.
async fn two_devices_and_an_event(max: Option<i64>) -> (World, Uuid) {
    let w = world().await;
    let e = create(&w.admin.store, "events", json!({ "title": "Summit", "start_date": "2027-03-10T09:00:00Z", "end_date": "2027-03-12T18:00:00Z", "max_attendees": max }));
    w.admin.sync().await;
    w.member.sync().await;
    (w, e)
}

fn rejections(d: &Device) -> Vec<(String, Option<String>)> {
    d.store.sync_rejections().unwrap().into_iter().map(|(_, _, p, _)| (p.code, p.field)).collect()
}

fn event_field(d: &Device, e: Uuid, f: &str) -> Value {
    d.store.table("events").unwrap().get(e).unwrap()[f].clone()
}

#[tokio::test]
async fn an_event_moved_while_an_agenda_item_was_added_keeps_every_item_inside_and_stays_editable() {
    // The agenda item reaches the server first: the move is refused by its dates only.
    let (w, e) = two_devices_and_an_event(None).await;
    let item =
        create(&w.member.store, "event_agenda_items", json!({ "event_id": e, "title": "Keynote", "start_time": "2027-03-10T10:00:00Z", "end_time": "2027-03-10T11:00:00Z" }));
    w.admin
        .store
        .table("events")
        .unwrap()
        .update(e, json!({ "start_date": "2027-05-10T09:00:00Z", "end_date": "2027-05-12T18:00:00Z", "location": "Lisbon" }).as_object().unwrap().clone())
        .unwrap();
    w.member.sync().await;
    w.admin.sync().await;
    w.member.sync().await;
    assert_eq!(rejections(&w.admin), [("agenda_outside".into(), Some("start_date".into()))], "the admin's device shows why, and nothing else");
    for d in [&w.admin, &w.member] {
        assert_eq!(event_field(d, e, "start_date"), json!("2027-03-10T09:00:00.000000Z"), "the event keeps its dates everywhere");
        assert_eq!(event_field(d, e, "location"), json!("Lisbon"), "the change's other field applied");
        assert!(d.store.table("event_agenda_items").unwrap().get(item).is_ok());
    }
    // No state where the event cannot be written again: it is edited, and attendees register.
    w.admin.store.table("events").unwrap().update(e, json!({ "title": "Summit 2027" }).as_object().unwrap().clone()).unwrap();
    create(&w.admin.store, "event_attendees", json!({ "event_id": e, "user_id": w.member_id }));
    let r = w.admin.sync().await;
    assert_eq!(r.rejected, 0, "{r:?}");

    // The move reaches the server first: the item is refused and leaves the device that added it,
    // kept with its reason.
    let (w, e) = two_devices_and_an_event(None).await;
    w.admin.store.table("events").unwrap().update(e, json!({ "start_date": "2027-05-10T09:00:00Z", "end_date": "2027-05-12T18:00:00Z" }).as_object().unwrap().clone()).unwrap();
    let item =
        create(&w.member.store, "event_agenda_items", json!({ "event_id": e, "title": "Keynote", "start_time": "2027-03-10T10:00:00Z", "end_time": "2027-03-10T11:00:00Z" }));
    w.admin.sync().await;
    w.member.sync().await;
    assert_eq!(rejections(&w.member), [("outside_event".into(), Some("start_time".into()))]);
    assert!(w.member.store.table("event_agenda_items").unwrap().get(item).is_err());
    let kept = w.member.store.sync_rejections().unwrap();
    assert_eq!(kept[0].3.as_ref().unwrap()["title"], json!("Keynote"), "what was typed is kept");
    assert_eq!(w.cloud.sql_count("SELECT COUNT(*) FROM event_agenda_items").await, 0);
}

#[tokio::test]
async fn capacity_holds_when_two_devices_fill_the_last_place_or_lower_the_limit_offline() {
    // Two registrations for the last place: the second to arrive is refused.
    let (w, e) = two_devices_and_an_event(Some(1)).await;
    let me = w.admin.store.actor().unwrap().user_id;
    create(&w.admin.store, "event_attendees", json!({ "event_id": e, "user_id": me }));
    create(&w.member.store, "event_attendees", json!({ "event_id": e, "user_id": w.member_id }));
    w.admin.sync().await;
    w.member.sync().await;
    assert_eq!(rejections(&w.member), [("event_full".into(), Some("event_id".into()))]);
    assert_eq!(w.cloud.sql_count("SELECT COUNT(*) FROM event_attendees WHERE NOT is_deleted").await, 1);
    assert_eq!(event_field(&w.member, e, "current_attendees"), json!(1));

    // A registration arrives first, then a lower limit: the limit alone is refused.
    let (w, e) = two_devices_and_an_event(Some(3)).await;
    create(&w.admin.store, "event_attendees", json!({ "event_id": e, "user_id": w.admin.store.actor().unwrap().user_id }));
    w.admin.sync().await;
    w.member.sync().await;
    create(&w.member.store, "event_attendees", json!({ "event_id": e, "user_id": w.member_id }));
    w.admin.store.table("events").unwrap().update(e, json!({ "max_attendees": 1, "title": "Summit (small room)" }).as_object().unwrap().clone()).unwrap();
    w.member.sync().await;
    w.admin.sync().await;
    assert_eq!(rejections(&w.admin), [("capacity_below_registrations".into(), Some("max_attendees".into()))]);
    assert_eq!(event_field(&w.admin, e, "max_attendees"), json!(3));
    assert_eq!(event_field(&w.admin, e, "title"), json!("Summit (small room)"));
    assert_eq!(event_field(&w.admin, e, "current_attendees"), json!(2));
}

#[tokio::test]
async fn a_check_in_after_a_check_out_elsewhere_is_refused_and_the_order_holds() {
    let (w, e) = two_devices_and_an_event(None).await;
    let att = create(&w.admin.store, "event_attendees", json!({ "event_id": e, "user_id": w.member_id }));
    w.admin.sync().await;
    w.member.sync().await;
    w.admin.store.check_in(att).unwrap();
    w.admin.store.check_out(att).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    w.member.store.check_in(att).unwrap();
    w.admin.sync().await;
    w.member.sync().await;
    assert_eq!(rejections(&w.member), [("already_checked_in".into(), Some("check_in_time".into()))]);
    let row = w.member.store.table("event_attendees").unwrap().get(att).unwrap();
    assert!(row["check_in_time"].as_str().unwrap() <= row["check_out_time"].as_str().unwrap(), "check-out after check-in everywhere: {row:?}");
}

#[tokio::test]
async fn an_amount_edited_offline_while_the_admin_approved_is_never_paid_unseen() {
    let w = world().await;
    let e = create(&w.member.store, "expenses", json!({ "title": "Hotel", "amount": "200.00", "currency": "EUR", "expense_date": "2026-12-01" }));
    w.member.sync().await;
    w.admin.sync().await;
    // The member raises it offline; the admin approves what they saw; the edit arrives first.
    w.member.store.table("expenses").unwrap().update(e, json!({ "amount": "260.00" }).as_object().unwrap().clone()).unwrap();
    w.admin.store.approve_expense(e).unwrap();
    w.member.sync().await;
    w.admin.sync().await;
    assert_eq!(rejections(&w.admin), [("amount_changed".into(), Some("amount".into()))]);
    let row = w.admin.store.table("expenses").unwrap().get(e).unwrap();
    assert_eq!((row["status"].clone(), row["amount"].clone()), (json!("pending"), json!("260.00")), "the admin's device shows the new amount, still to approve");
    w.admin.store.approve_expense(e).unwrap();
    assert_eq!(w.admin.sync().await.rejected, 0);
    w.member.sync().await;
    assert_eq!(w.member.store.table("expenses").unwrap().get(e).unwrap()["status"], json!("approved"));
}
