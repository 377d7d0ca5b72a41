//! The core as a user meets it: writes that audit and record changes atomically, validation that
//! names the field, soft deletes, lists, search, and the rules beyond the columns.

use plugs_core::tables::contacts::{Contact, ContactStatus, ContactType, Priority};
use plugs_core::tables::event_attendees::{AttendeeStatus, EventAttendee};
use plugs_core::tables::events::Event;
use plugs_core::tables::expenses::{Expense, ExpenseStatus};
use plugs_core::tables::users::User;
use plugs_core::workspace::NewWorkspace;
use plugs_core::{Error, Filter, ListQuery, Money, Store};
use serde_json::{json, Value};
use uuid::Uuid;

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    admin: User,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let (_, admin) =
        store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@acme.test".into() }).unwrap();
    World { _dir: dir, store, admin }
}

fn count(store: &Store, sql: &str) -> i64 {
    store.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Row counts of the tables a write touches, to prove a failed write left nothing behind.
fn footprint(store: &Store) -> (i64, i64, i64, i64, i64) {
    (
        count(store, "SELECT COUNT(*) FROM contacts"),
        count(store, "SELECT COUNT(*) FROM event_attendees"),
        count(store, "SELECT COUNT(*) FROM audit_logs"),
        count(store, "SELECT COUNT(*) FROM sync_outbox"),
        count(store, "SELECT COUNT(*) FROM events WHERE current_attendees > 0"),
    )
}

fn contact(store: &Store, first: &str, last: &str, extra: Value) -> Contact {
    let mut v = json!({ "first_name": first, "last_name": last });
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    store.repo::<Contact>().create(&v).unwrap()
}

fn field_error(e: Error) -> (String, String) {
    let p = e.to_payload();
    (p.field.unwrap_or_default(), p.code)
}

#[test]
fn first_launch_creates_an_admin_workspace_offline() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    assert!(matches!(store.repo::<Contact>().list(&ListQuery::default()), Err(Error::NotInitialized)));
    let (org, user) =
        store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@acme.test".into() }).unwrap();
    assert!(user.is_admin && user.is_active);
    assert_eq!(user.organization_id, org.id);
    assert_eq!(user.id.get_version_num(), 7, "ids are UUID v7");
    assert_eq!(org.subscription_plan, "free", "the seed's default");
    // Reopening keeps the workspace and the signed-in user.
    drop(store);
    let store = Store::open_dir(dir.path()).unwrap();
    assert_eq!(store.actor().unwrap().user_id, user.id);
    let again = store.init_workspace(&NewWorkspace { organization_name: "X".into(), first_name: "A".into(), last_name: "B".into(), email: "a@b.io".into() });
    assert_eq!(again.unwrap_err().code(), "already_initialized");
    // Both rows are audited and queued for sync.
    assert_eq!(count(&store, "SELECT COUNT(*) FROM audit_logs WHERE action = 'create'"), 2);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM sync_outbox"), 2);
}

#[test]
fn create_fills_defaults_stamps_author_and_audits_in_one_go() {
    let w = world();
    let c = contact(&w.store, "Grace", "Hopper", json!({ "company": "Navy" }));
    assert_eq!((c.contact_type, c.status, c.priority, c.lead_score), (ContactType::Target, ContactStatus::ColdLead, Priority::Medium, 0));
    assert_eq!(c.metadata, json!({}));
    assert_eq!(c.created_by, w.admin.id);
    assert_eq!(c.updated_by, Some(w.admin.id));
    assert!(!c.is_deleted && c.deleted_at.is_none());
    let stored: String = w.store.connection().query_row("SELECT created_at FROM contacts WHERE id = ?1", [c.id.to_string()], |r| r.get(0)).unwrap();
    assert_eq!(stored.len(), 27, "fixed precision: {stored}");
    assert_eq!(stored, c.created_at.to_string());
    let (action, new_values): (String, String) =
        w.store.connection().query_row("SELECT action, new_values FROM audit_logs WHERE record_id = ?1", [c.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(action, "create");
    assert_eq!(serde_json::from_str::<Value>(&new_values).unwrap()["company"], "Navy");
    let changes = plugs_core::changes::pending(w.store.connection(), 100).unwrap();
    let last = changes.last().unwrap();
    assert_eq!((last.table_name.as_str(), last.record_id, last.op.as_str()), ("contacts", c.id, "upsert"));
    assert!(last.fields.contains(&"first_name".to_string()));
}

#[test]
fn partial_update_changes_only_what_was_given_and_audits_the_difference() {
    let w = world();
    let c = contact(&w.store, "Grace", "Hopper", json!({ "company": "Navy", "email": "grace@navy.mil" }));
    std::thread::sleep(std::time::Duration::from_millis(2));
    let u = w.store.repo::<Contact>().update(c.id, &json!({ "status": "hot_lead", "lead_score": 70 })).unwrap();
    assert_eq!((u.status, u.lead_score), (ContactStatus::HotLead, 70));
    assert_eq!((u.company.as_deref(), u.email.as_deref()), (Some("Navy"), Some("grace@navy.mil")));
    assert!(u.updated_at > c.updated_at);
    assert_eq!(u.created_at, c.created_at);
    let (old, new): (String, String) = w
        .store
        .connection()
        .query_row("SELECT old_values, new_values FROM audit_logs WHERE record_id = ?1 AND action = 'update'", [c.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let (old, new): (Value, Value) = (serde_json::from_str(&old).unwrap(), serde_json::from_str(&new).unwrap());
    assert_eq!(old["status"], "cold_lead");
    assert_eq!(new["status"], "hot_lead");
    assert_eq!(new["lead_score"], 70);
    assert!(new.get("company").is_none(), "unchanged fields are not in the audit diff");
    let fields = plugs_core::changes::pending(w.store.connection(), 100).unwrap().last().unwrap().fields.clone();
    assert_eq!(fields, ["status", "lead_score", "updated_at"]);
    // null clears a nullable field; an update that changes nothing writes nothing.
    let cleared = w.store.repo::<Contact>().update(c.id, &json!({ "company": null })).unwrap();
    assert_eq!(cleared.company, None);
    let before = footprint(&w.store);
    let same = w.store.repo::<Contact>().update(c.id, &json!({ "status": "hot_lead" })).unwrap();
    assert_eq!(same.updated_at, cleared.updated_at);
    assert_eq!(footprint(&w.store), before);
}

#[test]
fn bad_input_names_the_field_and_the_rule_and_writes_nothing() {
    let w = world();
    let c = contact(&w.store, "Grace", "Hopper", json!({}));
    let before = footprint(&w.store);
    let repo = w.store.repo::<Contact>();
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({ "last_name": "X" }), "first_name", "required"),
        (json!({ "first_name": "  ", "last_name": "X" }), "first_name", "required"),
        (json!({ "first_name": "A".repeat(51), "last_name": "X" }), "first_name", "max_length"),
        (json!({ "first_name": "A", "last_name": "X", "lead_score": 101 }), "lead_score", "out_of_range"),
        (json!({ "first_name": "A", "last_name": "X", "lead_score": -1 }), "lead_score", "out_of_range"),
        (json!({ "first_name": "A", "last_name": "X", "lead_score": "high" }), "lead_score", "invalid_type"),
        (json!({ "first_name": "A", "last_name": "X", "status": "warm" }), "status", "invalid_choice"),
        (json!({ "first_name": "A", "last_name": "X", "email": "not-an-email" }), "email", "invalid_format"),
        (json!({ "first_name": "A", "last_name": "X", "linkedin_url": "linkedin" }), "linkedin_url", "invalid_format"),
        (json!({ "first_name": "A", "last_name": "X", "phone": "call me" }), "phone", "invalid_format"),
        (json!({ "first_name": "A", "last_name": "X", "metadata": [1] }), "metadata", "invalid_type"),
        (json!({ "first_name": "A", "last_name": "X", "contact_type": null }), "contact_type", "required"),
        (json!({ "first_name": "A", "last_name": "X", "shoe_size": 44 }), "shoe_size", "unknown_field"),
        (json!({ "first_name": "A", "last_name": "X", "created_by": Uuid::now_v7() }), "created_by", "read_only"),
        (json!({ "first_name": "A", "last_name": "X", "last_interaction": "2026-01-01T00:00:00Z" }), "last_interaction", "read_only"),
    ];
    for (input, field, code) in cases {
        let e = repo.create(&input).unwrap_err();
        assert_eq!(field_error(e), (field.to_owned(), code.to_owned()), "{input}");
    }
    let e = repo.update(c.id, &json!({ "lead_score": 500 })).unwrap_err();
    assert_eq!(field_error(e), ("lead_score".into(), "out_of_range".into()));
    assert_eq!(repo.update(Uuid::now_v7(), &json!({ "lead_score": 5 })).unwrap_err().code(), "not_found");
    assert_eq!(footprint(&w.store), before, "nothing was written by any refused input");
}

#[test]
fn soft_delete_hides_restore_brings_back_and_both_are_audited() {
    let w = world();
    let repo = w.store.repo::<Contact>();
    let c = contact(&w.store, "Grace", "Hopper", json!({}));
    let d = repo.delete(c.id).unwrap();
    assert!(d.is_deleted && d.deleted_at.is_some());
    assert!(repo.list(&ListQuery::default()).unwrap().items.is_empty());
    assert_eq!(repo.list(&ListQuery { include_deleted: true, ..Default::default() }).unwrap().items.len(), 1);
    assert!(repo.get(c.id).unwrap().is_deleted, "a tombstone can still be looked at");
    assert_eq!(repo.update(c.id, &json!({ "notes": "x" })).unwrap_err().code(), "deleted");
    assert_eq!(repo.delete(c.id).unwrap_err().code(), "already_deleted");
    let r = repo.restore(c.id).unwrap();
    assert!(!r.is_deleted && r.deleted_at.is_none());
    assert_eq!(repo.restore(c.id).unwrap_err().code(), "not_deleted");
    let actions: Vec<String> = w
        .store
        .connection()
        .prepare("SELECT action FROM audit_logs WHERE record_id = ?1 ORDER BY created_at, rowid")
        .unwrap()
        .query_map([c.id.to_string()], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(actions, ["create", "delete", "restore"]);
}

#[test]
fn lists_filter_sort_and_page_through_every_row_exactly_once() {
    let w = world();
    for i in 0..57 {
        let company = if i % 3 == 0 { "Acme" } else { "Globex" };
        contact(&w.store, &format!("P{i:02}"), "Person", json!({ "company": company, "lead_score": i % 10, "status": if i % 2 == 0 { "hot_lead" } else { "cold_lead" } }));
    }
    let repo = w.store.repo::<Contact>();
    let mut q = ListQuery { sort: Some("lead_score".into()), descending: true, limit: Some(10), ..Default::default() };
    let mut seen = vec![];
    let mut last_score = i32::MAX;
    loop {
        let page = repo.list(&q).unwrap();
        for c in &page.items {
            assert!(c.lead_score <= last_score, "sorted descending");
            last_score = c.lead_score;
            seen.push(c.id);
        }
        match page.next_cursor {
            Some(cur) => q.cursor = Some(cur),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (57, 57));
    // Filters: exact enum, case-insensitive text, ranges.
    let hot_acme = repo
        .list(&ListQuery { filters: vec![Filter::Eq("status".into(), json!("hot_lead")), Filter::Eq("company".into(), json!("acme"))], limit: Some(100), ..Default::default() })
        .unwrap();
    assert_eq!(hot_acme.items.len(), (0..57).filter(|i| i % 3 == 0 && i % 2 == 0).count());
    let high = repo.list(&ListQuery { filters: vec![Filter::Gte("lead_score".into(), json!(8))], limit: Some(100), ..Default::default() }).unwrap();
    assert!(high.items.iter().all(|c| c.lead_score >= 8) && !high.items.is_empty());
    // Sorting on a column with NULLs (never-contacted people last) still pages completely.
    let mut q = ListQuery { sort: Some("last_interaction".into()), limit: Some(7), ..Default::default() };
    let mut n = 0;
    loop {
        let p = repo.list(&q).unwrap();
        n += p.items.len();
        match p.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(n, 57);
    let e = repo.list(&ListQuery { sort: Some("bio".into()), ..Default::default() }).unwrap_err();
    assert_eq!(field_error(e), ("sort".into(), "invalid_choice".into()));
    assert_eq!(repo.list(&ListQuery { cursor: Some("garbage".into()), ..Default::default() }).unwrap_err().code(), "bad_cursor");
    let e = repo.list(&ListQuery { filters: vec![Filter::Eq("status".into(), json!("warm"))], ..Default::default() }).unwrap_err();
    assert_eq!(field_error(e), ("status".into(), "invalid_choice".into()));
}

#[test]
fn search_matches_prefixes_ranks_names_first_and_follows_edits() {
    let w = world();
    let grace = contact(&w.store, "Grace", "Hopper", json!({ "company": "Navy", "job_title": "Rear Admiral" }));
    let noted = contact(&w.store, "Alan", "Turing", json!({ "notes": "met Grace's team at the booth" }));
    let _other = contact(&w.store, "Zoë", "Müller", json!({ "industry": "Biotech" }));
    let found = w.store.search_contacts("gra", &[], 10).unwrap();
    assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), vec![grace.id, noted.id], "name match ranks above a note mention");
    assert_eq!(w.store.search_contacts("navy adm", &[], 10).unwrap().len(), 1, "every word must match");
    assert_eq!(w.store.search_contacts("zoe mull", &[], 10).unwrap().len(), 1, "diacritics are folded");
    assert_eq!(w.store.search_contacts("biot", &[], 10).unwrap().len(), 1, "industry is searched");
    assert!(w.store.search_contacts("\" OR * NEAR(", &[], 10).is_ok(), "FTS syntax typed by a user is not an error");
    w.store.repo::<Contact>().update(grace.id, &json!({ "company": "Univac" })).unwrap();
    assert!(w.store.search_contacts("navy", &[], 10).unwrap().is_empty(), "the index follows edits");
    assert_eq!(w.store.search_contacts("univ", &[], 10).unwrap().len(), 1);
    w.store.repo::<Contact>().delete(grace.id).unwrap();
    assert!(w.store.search_contacts("univ", &[], 10).unwrap().is_empty(), "deleted contacts are not found");
    let filtered = w.store.search_contacts("gra", &[Filter::Eq("status".into(), json!("hot_lead"))], 10).unwrap();
    assert!(filtered.is_empty());
}

fn event(store: &Store, max: Option<i64>) -> Event {
    store.repo::<Event>().create(&json!({ "title": "Summit", "start_date": "2026-12-01T09:00:00Z", "end_date": "2026-12-01T18:00:00Z", "max_attendees": max })).unwrap()
}

fn add_user(store: &Store, email: &str, admin: bool) -> User {
    store.repo::<User>().create(&json!({ "email": email, "first_name": "U", "last_name": email, "is_admin": admin })).unwrap()
}

#[test]
fn attendance_follows_registrations_and_never_exceeds_capacity() {
    let w = world();
    let ev = event(&w.store, Some(2));
    let (u1, u2, u3) = (add_user(&w.store, "b@acme.test", false), add_user(&w.store, "c@acme.test", false), add_user(&w.store, "d@acme.test", false));
    let att = w.store.repo::<EventAttendee>();
    let a1 = att.create(&json!({ "event_id": ev.id, "user_id": u1.id })).unwrap();
    let a2 = att.create(&json!({ "event_id": ev.id, "user_id": u2.id })).unwrap();
    assert_eq!(w.store.repo::<Event>().get(ev.id).unwrap().current_attendees, 2);
    let before = footprint(&w.store);
    let e = att.create(&json!({ "event_id": ev.id, "user_id": u3.id })).unwrap_err();
    assert_eq!(field_error(e), ("event_id".into(), "event_full".into()));
    assert_eq!(footprint(&w.store), before, "a refused registration leaves no row, audit or change");
    let dup = att.create(&json!({ "event_id": ev.id, "user_id": u1.id })).unwrap_err();
    assert_eq!(field_error(dup), ("user_id".into(), "duplicate".into()));
    // Cancelling frees a place; un-cancelling when full is refused.
    att.update(a2.id, &json!({ "status": "cancelled" })).unwrap();
    assert_eq!(w.store.repo::<Event>().get(ev.id).unwrap().current_attendees, 1);
    let a3 = att.create(&json!({ "event_id": ev.id, "user_id": u3.id })).unwrap();
    assert_eq!(att.update(a2.id, &json!({ "status": "confirmed" })).unwrap_err().code(), "event_full");
    // Deleting frees a place; restoring needs one.
    att.delete(a3.id).unwrap();
    assert_eq!(w.store.repo::<Event>().get(ev.id).unwrap().current_attendees, 1);
    att.update(a2.id, &json!({ "status": "confirmed" })).unwrap();
    assert_eq!(att.restore(a3.id).unwrap_err().code(), "event_full");
    // The limit cannot drop below who is registered.
    let e = w.store.repo::<Event>().update(ev.id, &json!({ "max_attendees": 1 })).unwrap_err();
    assert_eq!(field_error(e), ("max_attendees".into(), "capacity_below_registrations".into()));
    // Check-out needs check-in; check-in marks attendance.
    let e = w.store.check_out(a1.id).unwrap_err();
    assert_eq!(field_error(e), ("check_out_time".into(), "check_in_required".into()));
    let inn = w.store.check_in(a1.id).unwrap();
    assert_eq!(inn.status, AttendeeStatus::Attended);
    assert!(inn.check_in_time.is_some());
    assert_eq!(w.store.check_in(a1.id).unwrap_err().code(), "already_checked_in");
    let out = w.store.check_out(a1.id).unwrap();
    assert!(out.check_out_time.unwrap() >= out.check_in_time.unwrap());
    assert_eq!(field_error(att.update(a1.id, &json!({ "check_in_time": null })).unwrap_err()).1, "read_only");
}

#[test]
fn events_and_agenda_keep_their_times_in_order() {
    let w = world();
    let e = w.store.repo::<Event>().create(&json!({ "title": "Bad", "start_date": "2026-12-01T18:00:00Z", "end_date": "2026-12-01T09:00:00Z" })).unwrap_err();
    assert_eq!(field_error(e), ("end_date".into(), "date_range".into()));
    let ev = event(&w.store, None);
    let agenda = w.store.table("event_agenda_items").unwrap();
    let item = |s: &str, e: &str| {
        let mut r = plugs_core::Record::new();
        r.insert("event_id".into(), json!(ev.id));
        r.insert("title".into(), json!("Talk"));
        r.insert("start_time".into(), json!(s));
        r.insert("end_time".into(), json!(e));
        r
    };
    assert_eq!(field_error(agenda.create(item("2026-12-01T10:00:00Z", "2026-12-01T09:00:00Z")).unwrap_err()), ("end_time".into(), "time_range".into()));
    assert_eq!(field_error(agenda.create(item("2026-12-01T08:00:00Z", "2026-12-01T09:00:00Z")).unwrap_err()), ("start_time".into(), "outside_event".into()));
    assert_eq!(field_error(agenda.create(item("2026-12-01T17:00:00Z", "2026-12-01T19:00:00Z")).unwrap_err()), ("end_time".into(), "outside_event".into()));
    agenda.create(item("2026-12-01T10:00:00+01:00", "2026-12-01T11:00:00Z")).unwrap();
    let e = w.store.repo::<Event>().update(ev.id, &json!({ "start_date": "2026-12-01T10:30:00Z" })).unwrap_err();
    assert_eq!(e.code(), "agenda_outside");
}

#[test]
fn expenses_are_exact_and_only_admins_settle_them() {
    let w = world();
    let ev = event(&w.store, None);
    let repo = w.store.repo::<Expense>();
    let a = repo.create(&json!({ "title": "Taxi", "amount": "0.10", "expense_date": "2026-12-01", "event_id": ev.id })).unwrap();
    let b = repo.create(&json!({ "title": "Coffee", "amount": 0.2, "expense_date": "2026-12-01", "event_id": ev.id, "currency": "eur" })).unwrap();
    assert_eq!(b.currency, "EUR");
    assert_eq!(a.amount, Money::parse("0.10").unwrap());
    assert_eq!(field_error(repo.create(&json!({ "title": "X", "amount": "-1", "expense_date": "2026-12-01" })).unwrap_err()), ("amount".into(), "out_of_range".into()));
    assert_eq!(field_error(repo.create(&json!({ "title": "X", "amount": "1.005", "expense_date": "2026-12-01" })).unwrap_err()), ("amount".into(), "invalid_amount".into()));
    assert_eq!(field_error(repo.create(&json!({ "title": "X", "amount": "1", "expense_date": "2026-02-30" })).unwrap_err()), ("expense_date".into(), "invalid_format".into()));
    assert_eq!(field_error(repo.create(&json!({ "title": "X", "amount": "1", "expense_date": "2026-12-01", "status": "approved" })).unwrap_err()).1, "read_only");
    let report = w.store.event_analytics().unwrap();
    assert_eq!(report[0].total_expenses, Some(Money::parse("0.30").unwrap()), "0.10 + 0.20 is exactly 0.30");
    assert_eq!(report[0].avg_expense_per_event.unwrap().to_string(), "0.15");
    // A non-admin may not approve.
    let clerk = add_user(&w.store, "clerk@acme.test", false);
    w.store.switch_user(clerk.id).unwrap();
    assert_eq!(w.store.approve_expense(a.id).unwrap_err().code(), "forbidden");
    assert_eq!(repo.get(a.id).unwrap().status, ExpenseStatus::Pending);
    w.store.switch_user(w.admin.id).unwrap();
    let ok = w.store.approve_expense(a.id).unwrap();
    assert_eq!((ok.status, ok.approved_by), (ExpenseStatus::Approved, Some(w.admin.id)));
    assert!(ok.approved_at.is_some());
    assert_eq!(repo.update(a.id, &json!({ "amount": "99" })).unwrap_err().code(), "settled");
    let rej = w.store.reject_expense(b.id).unwrap();
    assert_eq!(rej.status, ExpenseStatus::Rejected);
    assert_eq!(w.store.mark_expense_paid(b.id).unwrap_err().code(), "invalid_transition");
    assert_eq!(w.store.mark_expense_paid(a.id).unwrap().status, ExpenseStatus::Paid);
}

#[test]
fn last_interaction_follows_the_latest_completed_interaction() {
    let w = world();
    let c = contact(&w.store, "Grace", "Hopper", json!({}));
    let ints = w.store.table("contact_interactions").unwrap();
    let mk = |date: &str, status: &str| {
        let v = json!({ "contact_id": c.id, "interaction_type": "call", "interaction_date": date, "status": status });
        ints.create(v.as_object().unwrap().clone()).unwrap()
    };
    let first = mk("2026-11-01T10:00:00Z", "completed");
    let latest = mk("2026-11-20T10:00:00Z", "completed");
    mk("2026-12-24T10:00:00Z", "scheduled");
    let get = || w.store.repo::<Contact>().get(c.id).unwrap().last_interaction.map(|t| t.to_string());
    assert_eq!(get().as_deref(), Some("2026-11-20T10:00:00.000000Z"));
    ints.delete(Uuid::parse_str(latest["id"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(get().as_deref(), Some("2026-11-01T10:00:00.000000Z"));
    ints.delete(Uuid::parse_str(first["id"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(get(), None);
    assert_eq!(first["user_id"], json!(w.admin.id), "the interaction is the signed-in user's by default");
    let perf = w.store.contact_performance().unwrap();
    assert_eq!((perf[0].total_contacts, perf[0].total_interactions), (1, 1), "the scheduled one remains");
}

#[test]
fn notifications_are_read_by_their_user() {
    let w = world();
    let n = w.store.table("notifications").unwrap();
    let mk = |title: &str| n.create(json!({ "user_id": w.admin.id, "title": title, "message": "m" }).as_object().unwrap().clone()).unwrap();
    let a = mk("one");
    mk("two");
    let id = Uuid::parse_str(a["id"].as_str().unwrap()).unwrap();
    let read = w.store.mark_notification_read(id).unwrap();
    assert!(read.is_read && read.read_at.is_some());
    assert_eq!(w.store.mark_all_notifications_read().unwrap(), 1);
    let clerk = add_user(&w.store, "clerk@acme.test", false);
    w.store.switch_user(clerk.id).unwrap();
    assert!(n.list(&ListQuery::default()).unwrap().items.is_empty(), "another user's notifications are not listed");
    assert_eq!(w.store.mark_notification_read(id).unwrap_err().code(), "not_found");
}

#[test]
fn users_admin_rules_and_integration_secrets() {
    let w = world();
    let clerk = add_user(&w.store, "clerk@acme.test", false);
    assert_eq!(
        field_error(w.store.repo::<User>().create(&json!({ "email": "CLERK@acme.test", "first_name": "A", "last_name": "B" })).unwrap_err()),
        ("email".into(), "duplicate".into())
    );
    assert_eq!(w.store.repo::<User>().delete(w.admin.id).unwrap_err().code(), "self");
    w.store.switch_user(clerk.id).unwrap();
    assert_eq!(w.store.repo::<User>().update(clerk.id, &json!({ "is_admin": true })).unwrap_err().code(), "forbidden");
    assert_eq!(w.store.repo::<User>().update(clerk.id, &json!({ "job_title": "Clerk" })).unwrap().job_title.as_deref(), Some("Clerk"));
    assert_eq!(w.store.repo::<User>().update(w.admin.id, &json!({ "job_title": "Boss" })).unwrap_err().code(), "forbidden");
    let integ = w.store.table("integrations").unwrap();
    let secret = json!({ "provider": "hubspot", "integration_type": "crm", "credentials": { "api_key": "sk-live-123" } });
    assert_eq!(field_error(integ.create(secret.as_object().unwrap().clone()).unwrap_err()), ("credentials".into(), "secret_in_row".into()));
    let ok = json!({ "provider": "hubspot", "integration_type": "crm", "credentials": { "keychain_ref": "plugs/hubspot" } });
    integ.create(ok.as_object().unwrap().clone()).unwrap();
    assert_eq!(field_error(integ.create(ok.as_object().unwrap().clone()).unwrap_err()), ("provider".into(), "duplicate".into()));
    let stored: i64 = count(&w.store, "SELECT COUNT(*) FROM audit_logs WHERE new_values LIKE '%password_hash%' AND new_values NOT LIKE '%[redacted]%'");
    assert_eq!(stored, 0, "password hashes never enter the audit trail");
}

/// A minimal valid input for each table the repository creates rows in.
fn minimal(store: &Store, table: &str, parents: &serde_json::Map<String, Value>) -> Value {
    let p = |k: &str| parents[k].clone();
    let _ = store;
    match table {
        "users" => json!({ "email": format!("{}@acme.test", Uuid::now_v7()), "first_name": "N", "last_name": "U" }),
        "contacts" => json!({ "first_name": "N", "last_name": "C" }),
        "contact_interactions" => json!({ "contact_id": p("contact"), "interaction_type": "meeting", "interaction_date": "2026-11-24T10:00:00Z" }),
        "events" => json!({ "title": "E", "start_date": "2026-12-01T09:00:00Z", "end_date": "2026-12-02T09:00:00Z" }),
        "event_attendees" => json!({ "event_id": p("event"), "user_id": p("user") }),
        "event_agenda_items" => json!({ "event_id": p("event"), "title": "A", "start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T11:00:00Z" }),
        "expenses" => json!({ "title": "X", "amount": "1.00", "expense_date": "2026-12-01" }),
        "media" => json!({ "title": "M", "file_name": "m.png", "file_path": "/m.png", "media_type": "image", "mime_type": "image/png", "file_size": 3 }),
        "media_collections" => json!({ "name": "C" }),
        "media_collection_items" => json!({ "collection_id": p("collection"), "media_id": p("media") }),
        // A notification is its user's to change: the signed-in user's own.
        "notifications" => json!({ "user_id": store.actor().unwrap().user_id, "title": "T", "message": "M" }),
        "integrations" => json!({ "provider": "zoom", "integration_type": "video", "credentials": { "keychain_ref": "z" } }),
        "integration_logs" => json!({ "integration_id": p("integration"), "operation": "sync", "status": "success", "started_at": "2026-11-24T10:00:00Z" }),
        "analytics_events" => json!({ "event_name": "opened", "event_category": "app", "event_timestamp": "2026-11-24T10:00:00Z", "ip_address": "192.0.2.1" }),
        t => panic!("{t}"),
    }
}

#[test]
fn every_table_has_a_working_repository() {
    let w = world();
    let mut parents = serde_json::Map::new();
    let mk = |t: &str, v: Value| -> Value { Value::String(w.store.table(t).unwrap().create(v.as_object().unwrap().clone()).unwrap()["id"].as_str().unwrap().to_owned()) };
    parents.insert("user".into(), mk("users", json!({ "email": "p@acme.test", "first_name": "P", "last_name": "P" })));
    parents.insert("contact".into(), mk("contacts", json!({ "first_name": "P", "last_name": "P" })));
    parents.insert("event".into(), mk("events", json!({ "title": "P", "start_date": "2026-12-01T09:00:00Z", "end_date": "2026-12-02T09:00:00Z" })));
    parents.insert("media".into(), mk("media", json!({ "title": "P", "file_name": "p", "file_path": "/p", "media_type": "image", "mime_type": "image/png", "file_size": 1 })));
    parents.insert("collection".into(), mk("media_collections", json!({ "name": "P" })));
    parents.insert("integration".into(), mk("integrations", json!({ "provider": "teams", "integration_type": "video", "credentials": { "keychain_ref": "t" } })));
    for spec in plugs_core::tables::ALL {
        let t = w.store.table(spec.name).unwrap();
        use plugs_core::schema::{Ops, SoftDelete};
        match spec.ops {
            Ops::All | Ops::Append => {
                let row = t.create(minimal(&w.store, spec.name, &parents).as_object().unwrap().clone()).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
                let id = Uuid::parse_str(row["id"].as_str().unwrap()).unwrap();
                assert_eq!(t.get(id).unwrap(), row, "{}", spec.name);
                let listed = t.list(&ListQuery { limit: Some(1000), ..Default::default() }).unwrap();
                assert!(listed.items.iter().any(|r| r["id"] == row["id"]), "{} lists its new row", spec.name);
                if spec.ops == Ops::All {
                    let col = spec.updatable().find(|c| {
                        matches!(c.kind, plugs_core::schema::Kind::Text { format: plugs_core::schema::Format::Plain, .. }) || matches!(c.kind, plugs_core::schema::Kind::Int { .. })
                    });
                    if let Some(col) = col {
                        let v = if matches!(col.kind, plugs_core::schema::Kind::Int { .. }) { json!(1) } else { json!("changed") };
                        let u = t.update(id, [(col.name.to_owned(), v.clone())].into_iter().collect()).unwrap_or_else(|e| panic!("{}.{}: {e}", spec.name, col.name));
                        assert_eq!(u[col.name], v, "{}.{}", spec.name, col.name);
                    }
                    t.delete(id).unwrap();
                    if spec.soft_delete != SoftDelete::None {
                        assert!(!t.list(&ListQuery { limit: Some(1000), ..Default::default() }).unwrap().items.iter().any(|r| r["id"] == row["id"]));
                        t.restore(id).unwrap();
                    } else {
                        assert_eq!(t.get(id).unwrap_err().code(), "not_found");
                    }
                } else {
                    assert_eq!(t.update(id, Default::default()).unwrap_err().code(), "forbidden", "{} is append-only", spec.name);
                    assert_eq!(t.delete(id).unwrap_err().code(), "forbidden");
                }
            }
            Ops::Update | Ops::ReadOnly => {
                assert_eq!(t.create(Default::default()).unwrap_err().code(), "forbidden", "{}", spec.name);
                assert!(!t.list(&ListQuery::default()).unwrap().items.is_empty(), "{} lists", spec.name);
            }
        }
    }
    assert_eq!(
        count(&w.store, "SELECT COUNT(*) FROM audit_logs a LEFT JOIN sync_outbox o ON o.record_id = a.record_id WHERE o.seq IS NULL"),
        0,
        "every audited write has a change record"
    );
}

#[test]
fn the_first_keystrokes_search_names_and_company_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = plugs_core::Store::open_dir(dir.path()).unwrap();
    store
        .init_workspace(&plugs_core::workspace::NewWorkspace { organization_name: "Acme".into(), first_name: "A".into(), last_name: "B".into(), email: "a@acme.test".into() })
        .unwrap();
    let repo = store.repo::<plugs_core::tables::contacts::Contact>();
    repo.create(&json!({ "first_name": "Zed", "last_name": "Hopper", "job_title": "Head of Sales" })).unwrap();
    repo.create(&json!({ "first_name": "Ann", "last_name": "Smith", "job_title": "Head of Sales" })).unwrap();
    repo.create(&json!({ "first_name": "Bo", "last_name": "Hall" })).unwrap();
    repo.create(&json!({ "first_name": "Cy", "last_name": "Lee", "company": "Health Co" })).unwrap();
    let names = |q: &str| store.search_contacts(q, &[], 10).unwrap().into_iter().map(|c| c.last_name).collect::<Vec<_>>();
    assert_eq!(names("h"), vec!["Hall", "Hopper", "Lee"], "names and company, in name order; not every 'Head of Sales'");
    assert_eq!(names("he"), vec!["Lee"]);
    assert_eq!(names("head"), vec!["Hopper", "Smith"], "from three letters on, every field, ranked");
}

fn refused(path: &std::path::Path) -> Error {
    match Store::open(path) {
        Ok(_) => panic!("{} was opened", path.display()),
        Err(e) => e,
    }
}

#[test]
fn a_store_that_cannot_be_used_says_which_file_and_what_to_do_and_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    // A zero-byte file is not silently replaced by a new, empty store.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let e = refused(&empty);
    assert_eq!(e.code(), "store_unusable");
    assert!(e.to_string().contains("empty.db") && e.to_string().contains("backup"), "{e}");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "nothing was written");
    // Nor is a file that is not a database.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "x".repeat(4096)).unwrap();
    let e = refused(&text);
    assert_eq!(e.code(), "store_unusable");
    assert!(e.to_string().contains("notes.db") && e.to_string().contains("not a database"), "{e}");
    assert_eq!(std::fs::read(&text).unwrap(), "x".repeat(4096).into_bytes());
    // A store written by a newer version of the app: update the app, nothing migrated.
    let newer = dir.path().join("newer.db");
    drop(Store::open(&newer).unwrap());
    let c = plugs_core::vault::open_connection(&newer).unwrap();
    c.execute("INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'from_the_future', '2027-01-01', '0')", []).unwrap();
    drop(c);
    let e = refused(&newer);
    assert_eq!(e.code(), "store_unusable");
    assert!(e.to_string().contains("newer version of The Plugs") && e.to_string().contains("update the app"), "{e}");
}

/// The data dir holds other people's personal data: its owner alone reads it, whatever the umask
/// (folder 0700; database, WAL, shared memory and kept files 0600), files kept by an earlier
/// version included.
#[cfg(unix)]
#[test]
fn the_data_dir_is_its_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    std::fs::create_dir_all(dir.join("media")).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("media"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let old = dir.join("media").join("kept-by-an-earlier-version");
    std::fs::write(&old, b"x").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    {
        let store = plugs_core::Store::open_dir(&dir).unwrap();
        store
            .init_workspace(&plugs_core::workspace::NewWorkspace {
                organization_name: "Acme".into(),
                first_name: "Ada".into(),
                last_name: "L".into(),
                email: "ada@acme.test".into(),
            })
            .unwrap();
        let m = store
            .attach_file(&plugs_core::files::Upload { file_name: "notes.txt".into(), mime_type: "text/plain".into(), ..Default::default() }, b"Grace's phone: 555 0100")
            .unwrap();
        assert_eq!(mode(&store.blob_path(m.metadata["sha256"].as_str().unwrap())), 0o600);
        for f in ["plugs.db", "plugs.db-wal", "plugs.db-shm"] {
            assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
        }
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("media")), 0o700);
        assert_eq!(mode(&old), 0o600, "files kept before are made private too");
    }
}

/// Sorted by surname, people of the same surname are in first-name order (and by first name, in
/// surname order), on every page: the tie-break travels in the cursor.
#[test]
fn a_sort_by_name_breaks_ties_on_the_other_name_across_pages() {
    let w = world();
    let store = &w.store;
    for (f, l) in [("Zoe", "Hopper"), ("Ann", "Hopper"), ("Max", "Hopper"), ("Bea", "Adams"), ("Cal", "Hopper"), ("Ann", "Young"), ("Eve", "Hopper"), ("Dan", "Adams")] {
        contact(store, f, l, json!({}));
    }
    let pages = |sort: &str, descending: bool| {
        let mut names = vec![];
        let mut cursor = None;
        loop {
            let q = ListQuery { sort: Some(sort.into()), descending, limit: Some(2), cursor: cursor.clone(), ..Default::default() };
            let page = store.repo::<Contact>().list(&q).unwrap();
            names.extend(page.items.into_iter().filter(|c| c.last_name != "Lovelace").map(|c| format!("{} {}", c.first_name, c.last_name)));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break names,
            }
        }
    };
    assert_eq!(pages("last_name", false), ["Bea Adams", "Dan Adams", "Ann Hopper", "Cal Hopper", "Eve Hopper", "Max Hopper", "Zoe Hopper", "Ann Young"]);
    assert_eq!(pages("last_name", true), ["Ann Young", "Zoe Hopper", "Max Hopper", "Eve Hopper", "Cal Hopper", "Ann Hopper", "Dan Adams", "Bea Adams"]);
    assert_eq!(pages("first_name", false)[..3], ["Ann Hopper", "Ann Young", "Bea Adams"]);
}

/// A search says how many it finds in all, beyond the best it shows, with the same filters.
#[test]
fn a_search_counts_everything_it_finds() {
    let w = world();
    let store = &w.store;
    for i in 0..230 {
        contact(store, &format!("Hal{i}"), "Hopper", json!({ "company": if i % 2 == 0 { "Acme" } else { "Nimbus" } }));
    }
    contact(store, "Bo", "Hall", json!({}));
    let shown = store.search_contact_rows("hopper", &[], 200).unwrap();
    assert_eq!(shown.len(), 200);
    assert_eq!(store.count_contact_search("hopper", &[]).unwrap(), 230);
    assert_eq!(store.count_contact_search("ha", &[]).unwrap(), 231, "a short prefix: names and company");
    let acme = [Filter::Eq("company".into(), json!("Acme"))];
    assert_eq!(store.count_contact_search("hopper", &acme).unwrap(), 115);
    assert_eq!(store.count_contact_search("", &[]).unwrap(), 0);
}

/// Tags: added and removed in bulk (one transaction, audited), normalized, indexed for the tag
/// filter, found by `#tag` in a search (alone or with words), counted, and recorded for sync one
/// tag at a time (never as the whole metadata).
#[test]
fn contacts_are_tagged_in_bulk_filtered_and_searched_by_tag() {
    let w = world();
    let store = &w.store;
    let ada = contact(store, "Ada", "Lovelace", json!({ "metadata": { "source": "card" } }));
    let bob = contact(store, "Bob", "Hopper", json!({}));
    let cy = contact(store, "Cy", "Hopper", json!({ "metadata": { "tags": ["VC"] } }));
    assert_eq!(store.repo::<Contact>().get(cy.id).unwrap().metadata["tags"], json!(["vc"]), "normalized as it is written");
    let report = store.tag_rows("contacts", &[ada.id, bob.id, cy.id], &["#Investor".into(), "Berlin 2026".into()], &[]).unwrap();
    assert_eq!((report.changed, report.unchanged), (3, 0));
    let meta = store.repo::<Contact>().get(ada.id).unwrap().metadata;
    assert_eq!(meta, json!({ "source": "card", "tags": ["berlin-2026", "investor"] }), "the rest of metadata stays");
    let fields: String = store.connection().query_row("SELECT fields FROM sync_outbox WHERE record_id = ?1 ORDER BY seq DESC LIMIT 1", [ada.id.to_string()], |r| r.get(0)).unwrap();
    let fields: Vec<String> = serde_json::from_str(&fields).unwrap();
    assert!(fields.contains(&"tag:investor".to_owned()) && fields.contains(&"tag:berlin-2026".to_owned()), "{fields:?}");
    assert!(!fields.contains(&"metadata".to_owned()), "the tags travel alone: {fields:?}");
    // Again: nothing changes; a remove takes one tag off.
    assert_eq!(store.tag_rows("contacts", &[ada.id], &["investor".into()], &[]).unwrap().unchanged, 1);
    store.tag_rows("contacts", &[cy.id], &[], &["vc".into()]).unwrap();
    let tagged = |t: &str| {
        let q = ListQuery { filters: vec![Filter::Eq("tag".into(), json!(t))], ..Default::default() };
        let mut names: Vec<String> = store.table("contacts").unwrap().list(&q).unwrap().items.iter().map(|r| r["first_name"].as_str().unwrap().to_owned()).collect();
        names.sort();
        names
    };
    assert_eq!(tagged("Investor"), ["Ada", "Bob", "Cy"]);
    assert!(tagged("vc").is_empty(), "the index follows a removal");
    store.repo::<Contact>().delete(bob.id).unwrap();
    assert_eq!(tagged("investor"), ["Ada", "Cy"]);
    // In a search: tags alone, or with words; counted the same way.
    let names = |q: &str| store.search_contact_rows(q, &[], 50).unwrap().into_iter().map(|c| c.first_name).collect::<Vec<_>>();
    assert_eq!(names("#investor"), ["Cy", "Ada"], "tags alone: in name order");
    assert_eq!(names("#investor hopper"), ["Cy"]);
    assert_eq!(names("#investor #nobody"), Vec::<String>::new());
    assert_eq!(store.count_contact_search("#investor", &[]).unwrap(), 2);
    assert_eq!(store.count_contact_search("#investor lovelace", &[]).unwrap(), 1);
    let counts: Vec<(String, i64)> = store.contact_tags().unwrap().into_iter().map(|t| (t.tag, t.count)).collect();
    assert_eq!(counts, [("berlin-2026".to_owned(), 2), ("investor".to_owned(), 2)]);
    // Bulk on what a search or a filter finds (all of it, not a page).
    let found = store.contact_ids_matching("hopper", &[]).unwrap();
    assert_eq!(found.len(), 1, "Bob is deleted; Cy is the live Hopper");
    assert_eq!(store.contact_ids_matching("", &[Filter::Eq("tag".into(), json!("investor"))]).unwrap().len(), 2);
    assert_eq!(store.contact_ids_matching("#berlin-2026 lovelace", &[]).unwrap(), vec![ada.id]);
    // Saved lists: a name for a search and filters; the same name replaces; bad filters refused.
    let mut req = plugs_core::query::ListRequest::default();
    req.equals.insert("tag".into(), json!("investor"));
    let saved = store.save_list("Investors", "#berlin-2026", &req).unwrap();
    store.save_list("Hoppers", "hopper", &Default::default()).unwrap();
    let again = store.save_list("investors", "", &req).unwrap();
    assert_eq!(again.id, saved.id, "the same name, whatever its case, is the same list");
    let names: Vec<String> = store.saved_lists().unwrap().into_iter().map(|l| format!("{}:{}", l.name, l.query)).collect();
    assert_eq!(names, ["Hoppers:hopper", "investors:"]);
    let mut bad = plugs_core::query::ListRequest::default();
    bad.equals.insert("shoe_size".into(), json!(42));
    assert!(matches!(store.save_list("Odd", "", &bad).unwrap_err(), Error::Invalid { field, .. } if field == "shoe_size"));
    assert!(matches!(store.save_list(" ", "", &req).unwrap_err(), Error::Invalid { field, .. } if field == "name"));
    store.delete_saved_list(saved.id).unwrap();
    assert_eq!(store.saved_lists().unwrap().len(), 1);
    // A bad tag changes nothing, and says which field and why.
    let e = store.tag_rows("contacts", &[ada.id, cy.id], &["ok".into(), "a,b".into()], &[]).unwrap_err();
    assert!(matches!(&e, Error::Invalid { field, code, .. } if field == "tags" && *code == "invalid_tag"), "{e:?}");
    assert!(!store.repo::<Contact>().get(cy.id).unwrap().metadata["tags"].as_array().unwrap().contains(&json!("ok")));
    let e = store.table("contacts").unwrap().update(cy.id, json!({ "metadata": { "tags": "vc" } }).as_object().unwrap().clone()).unwrap_err();
    assert!(matches!(&e, Error::Invalid { field, .. } if field == "tags"), "{e:?}");
}

/// Merge with undo: the kept contact takes the chosen values, every tag and the metadata it lacks,
/// and the others' interactions and files; the others become tombstones pointing at it; undo puts
/// everything back as it was (edits made since to other fields stay). Duplicates are suggested
/// across the whole base.
#[test]
fn contacts_merge_with_their_history_and_the_merge_undoes() {
    use plugs_core::merge::MergeRequest;
    use plugs_core::tables::contact_interactions::ContactInteraction;
    let w = world();
    let store = &w.store;
    let keep = contact(store, "Grace", "Hopper", json!({ "company": "Navy", "metadata": { "tags": ["navy"], "source": "card" } }));
    let dup = contact(
        store,
        "Grace",
        "Hopper",
        json!({ "email": "grace@navy.test", "phone": "+1 202 555 0100", "notes": "met twice", "metadata": { "tags": ["speaker"], "twitter": "@grace" } }),
    );
    let other = contact(store, "Alan", "Turing", json!({ "email": "alan@bletchley.test" }));
    contact(store, "Alan", "Turing", json!({ "email": "ALAN@bletchley.test" }));
    let met = |c: Uuid, d: &str| {
        store.repo::<ContactInteraction>().create(&json!({ "contact_id": c, "interaction_type": "meeting", "interaction_date": d, "status": "completed" })).unwrap()
    };
    met(keep.id, "2026-10-01T10:00:00Z");
    let moved = met(dup.id, "2026-11-01T10:00:00Z");
    // Suggestions: both pairs, the same email first.
    let pairs = store.duplicate_suggestions(10).unwrap();
    let reasons: Vec<String> = pairs.iter().map(|p| format!("{} {}: {}", p.a.first_name, p.b.first_name, p.why)).collect();
    assert_eq!(reasons, ["Alan Alan: same email", "Grace Grace: same name"], "{reasons:?}");
    // Refused: nothing to merge, a field that is not chosen, a contact outside the merge.
    assert!(store.merge_contacts(&MergeRequest { keep: keep.id, others: vec![], ..Default::default() }).is_err());
    let bad = MergeRequest { keep: keep.id, others: vec![dup.id], fields: [("email".to_owned(), other.id)].into() };
    assert!(matches!(store.merge_contacts(&bad).unwrap_err(), Error::Invalid { field, code, .. } if field == "email" && code == "not_in_merge"));
    let req = MergeRequest { keep: keep.id, others: vec![dup.id], fields: [("email".to_owned(), dup.id), ("phone".to_owned(), dup.id)].into() };
    let report = store.merge_contacts(&req).unwrap();
    assert_eq!((report.interactions_moved, report.merged.clone()), (1, vec![dup.id]));
    let kept = store.repo::<Contact>().get(keep.id).unwrap();
    assert_eq!((kept.email.as_deref(), kept.company.as_deref(), kept.notes.as_deref()), (Some("grace@navy.test"), Some("Navy"), None), "chosen fields only");
    assert_eq!(kept.metadata, json!({ "source": "card", "twitter": "@grace", "tags": ["navy", "speaker"] }));
    assert_eq!(kept.last_interaction.map(|t| t.to_string()[..10].to_owned()).as_deref(), Some("2026-11-01"), "the moved meeting counts");
    assert_eq!(store.repo::<ContactInteraction>().get(moved.id).unwrap().contact_id, keep.id);
    let gone = store.repo::<Contact>().get(dup.id).unwrap();
    assert!(gone.is_deleted);
    assert_eq!(gone.metadata["merged_into"], json!(keep.id.to_string()));
    // An interaction logged later against the merged-away contact goes to the one it became.
    let late = met(dup.id, "2026-11-20T10:00:00Z");
    assert_eq!(late.contact_id, keep.id);
    // Edited since on a field the merge did not touch: undo keeps it.
    store.repo::<Contact>().update(keep.id, &json!({ "job_title": "Rear Admiral" })).unwrap();
    store.undo_merge(report.merge_id).unwrap();
    let back = store.repo::<Contact>().get(dup.id).unwrap();
    assert!(!back.is_deleted);
    assert_eq!(back.metadata, json!({ "tags": ["speaker"], "twitter": "@grace", "unmerged_from": keep.id.to_string() }), "as it was, and where it came back from");
    assert_eq!(store.repo::<ContactInteraction>().get(moved.id).unwrap().contact_id, dup.id, "its meeting goes back");
    let kept = store.repo::<Contact>().get(keep.id).unwrap();
    assert_eq!((kept.email, kept.phone, kept.job_title.as_deref()), (None, None, Some("Rear Admiral")));
    assert_eq!(kept.metadata, json!({ "source": "card", "tags": ["navy"] }));
    assert!(matches!(store.undo_merge(report.merge_id).unwrap_err(), Error::Conflict { code, .. } if code == "already_undone"));
}

/// The typed inputs the window sends: a new row takes the columns a client may set, a patch
/// changes only what it gives, and a given `null` clears a field where a missing one leaves it.
#[test]
fn typed_new_rows_and_patches_write_only_what_they_give() {
    use plugs_core::tables::contacts::{ContactPatch, NewContact};
    let w = world();
    let new = NewContact { first_name: Some("Grace".into()), last_name: Some("Hopper".into()), email: Some(Some("grace@navy.test".into())), ..Default::default() };
    let c = w.store.repo::<Contact>().create(&new).unwrap();
    assert_eq!((c.first_name.as_str(), c.email.as_deref(), c.status), ("Grace", Some("grace@navy.test"), ContactStatus::ColdLead), "the seed's defaults fill the rest");

    // What the window sends, read as the patch type: a null clears, a missing field stays.
    let patch: ContactPatch = serde_json::from_value(json!({ "email": null, "company": "Navy" })).unwrap();
    assert_eq!((patch.email.clone(), patch.company.clone(), patch.last_name.clone()), (Some(None), Some(Some("Navy".into())), None));
    assert_eq!(serde_json::to_value(&patch).unwrap(), json!({ "email": null, "company": "Navy" }), "left-out fields are not sent");
    let c = w.store.repo::<Contact>().update(c.id, &patch).unwrap();
    assert_eq!((c.email, c.company.as_deref(), c.last_name.as_str()), (None, Some("Navy"), "Hopper"));

    // Only the columns a client may set: no id, no authorship, no derived value.
    for bad in [json!({ "id": Uuid::now_v7() }), json!({ "last_interaction": "2026-01-01T00:00:00.000000Z" }), json!({ "nickname": "Amazing Grace" })] {
        assert!(serde_json::from_value::<NewContact>(bad.clone()).is_err(), "{bad} is not a field of a new contact");
        assert!(serde_json::from_value::<ContactPatch>(bad.clone()).is_err(), "{bad} is not a field of a patch");
    }
    // An interaction's contact is set when it is born and fixed after.
    let ok: plugs_core::tables::contact_interactions::NewContactInteraction = serde_json::from_value(json!({ "contact_id": c.id })).unwrap();
    assert_eq!(ok.contact_id, Some(c.id));
    assert!(serde_json::from_value::<plugs_core::tables::contact_interactions::ContactInteractionPatch>(json!({ "contact_id": c.id })).is_err());
}

/// Under writes that never pause, the WAL still starts over: its checkpoints run beside the
/// writes, and without a restart now and then it would grow by every frame ever written (and each
/// frame would extend the file). And a large transaction's WAL is cut back when it starts over.
#[test]
fn the_wal_stays_bounded_under_writes_that_never_pause() {
    let w = world();
    let c = w.store.connection();
    c.execute_batch("CREATE TABLE wal_probe(id INTEGER PRIMARY KEY, body BLOB)").unwrap();
    let wal = w.store.path().with_extension("db-wal");
    let (started, mut written, mut largest) = (std::time::Instant::now(), 0u64, 0u64);
    while written < 100 << 20 {
        // 256 KiB a transaction: 64 pages.
        c.execute("INSERT INTO wal_probe(body) VALUES (randomblob(262144))", []).unwrap();
        c.execute("DELETE FROM wal_probe WHERE id < (SELECT max(id) - 16 FROM wal_probe)", []).unwrap();
        written += 262144;
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "{written} bytes written in a minute");
    }
    println!("the WAL at most {largest} bytes while {written} were written");
    // At most the ceiling (10,000 frames, 41 MB) and what came while the writer checkpointed.
    assert!(largest < 48 << 20, "the WAL grew to {largest} bytes while {written} were written");

    // One transaction of 96 MB leaves a WAL as large; it is cut back to 64 MiB when it starts over.
    c.execute_batch("BEGIN; WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 96) INSERT INTO wal_probe(body) SELECT randomblob(1048576) FROM g; COMMIT;")
        .unwrap();
    let after_import = std::fs::metadata(&wal).unwrap().len();
    assert!(after_import > 96 << 20, "{after_import}");
    for _ in 0..3 {
        c.execute("DELETE FROM wal_probe WHERE id = (SELECT min(id) FROM wal_probe)", []).unwrap();
    }
    let later = std::fs::metadata(&wal).unwrap().len();
    println!("the WAL {after_import} bytes after one large transaction, {later} bytes after the next writes");
    assert!(later <= 64 << 20, "the WAL kept {later} bytes");
}
