//! The reminder scheduler with an injected clock: lead times, lateness, expiry, cancelled and
//! deleted items, exactly once across restarts, snooze and done.

use plugs_core::reminders::{answer, fire_due, Notifier, Reminder, ReminderAction, ReminderKind, ReminderSettings};
use plugs_core::tables::contact_interactions::{ContactInteraction, InteractionStatus};
use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::{Store, Timestamp};
use serde_json::json;
use std::cell::RefCell;
use std::sync::mpsc::{channel, Sender};

/// Records what would have popped up.
#[derive(Default)]
struct Shown(RefCell<Vec<Reminder>>);

impl Notifier for Shown {
    fn show(&self, r: &Reminder, _: Sender<(Reminder, ReminderAction)>) -> plugs_core::Result<()> {
        self.0.borrow_mut().push(r.clone());
        Ok(())
    }
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn setup() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "L".into(), email: "ada@acme.test".into() }).unwrap();
    (dir, store)
}

fn follow_up(store: &Store, at: &str) -> (Contact, ContactInteraction) {
    let c = store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper" })).unwrap();
    let i = store
        .repo::<ContactInteraction>()
        .create(&json!({ "contact_id": c.id, "interaction_type": "call", "interaction_date": at, "status": "scheduled", "subject": "Demo call" }))
        .unwrap();
    (c, i)
}

fn tick(store: &Store, shown: &Shown, now: &str) -> Vec<Reminder> {
    let (tx, _rx) = channel();
    fire_due(store, shown, t(now), &ReminderSettings::default(), &tx).unwrap()
}

#[test]
fn a_follow_up_fires_at_its_lead_time_once_even_across_restarts() {
    let (dir, store) = setup();
    follow_up(&store, "2026-12-01T10:00:00Z");
    let shown = Shown::default();
    assert!(tick(&store, &shown, "2026-12-01T09:49:59Z").is_empty(), "not before the 10-minute lead");
    let fired = tick(&store, &shown, "2026-12-01T09:50:00Z");
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].kind, ReminderKind::FollowUp);
    assert_eq!(fired[0].title, "Follow up with Grace Hopper");
    assert!(fired[0].body.contains("Demo call"));
    assert!(!fired[0].late);
    assert!(tick(&store, &shown, "2026-12-01T09:51:00Z").is_empty(), "exactly once");
    drop(store);
    let store = Store::open_dir(dir.path()).unwrap();
    assert!(tick(&store, &shown, "2026-12-01T09:55:00Z").is_empty(), "not again after a restart");
    assert_eq!(shown.0.borrow().len(), 1);
    // It left a notification of type reminder, for the centre and for the user's other devices.
    let n: (String, String) = store.connection().query_row("SELECT notification_type, title FROM notifications", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(n, ("reminder".into(), "Follow up with Grace Hopper".into()));
}

#[test]
fn missed_while_closed_fires_at_launch_marked_late() {
    let (_dir, store) = setup();
    follow_up(&store, "2026-12-01T10:00:00Z");
    let shown = Shown::default();
    let fired = tick(&store, &shown, "2026-12-01T13:00:00Z");
    assert_eq!(fired.len(), 1);
    assert!(fired[0].late);
    // Too long ago (beyond the lookback): not worth a popup.
    let (_d2, s2) = setup();
    follow_up(&s2, "2026-11-01T10:00:00Z");
    assert!(tick(&s2, &shown, "2026-12-01T13:00:00Z").is_empty());
}

#[test]
fn cancelled_deleted_and_done_items_never_fire() {
    let (_dir, store) = setup();
    let (_, cancelled) = follow_up(&store, "2026-12-01T10:00:00Z");
    store.repo::<ContactInteraction>().update(cancelled.id, &json!({ "status": "cancelled" })).unwrap();
    let (_, deleted) = follow_up(&store, "2026-12-01T10:00:00Z");
    store.repo::<ContactInteraction>().delete(deleted.id).unwrap();
    let (gone_contact, _) = follow_up(&store, "2026-12-01T10:00:00Z");
    store.repo::<Contact>().delete(gone_contact.id).unwrap();
    let shown = Shown::default();
    assert!(tick(&store, &shown, "2026-12-01T09:55:00Z").is_empty());
}

#[test]
fn notifications_with_a_delivery_time_fire_unless_expired() {
    let (_dir, store) = setup();
    let me = store.actor().unwrap().user_id;
    let n = store.table("notifications").unwrap();
    n.create(json!({ "user_id": me, "title": "Booth shift", "message": "Your shift starts", "data": { "deliver_at": "2026-12-01T08:00:00Z" } }).as_object().unwrap().clone())
        .unwrap();
    n.create(
        json!({ "user_id": me, "title": "Expired", "message": "x", "data": { "deliver_at": "2026-12-01T08:00:00Z" }, "expires_at": "2026-12-01T08:30:00Z" })
            .as_object()
            .unwrap()
            .clone(),
    )
    .unwrap();
    n.create(json!({ "user_id": me, "title": "Later", "message": "x", "data": { "deliver_at": "2026-12-01T12:00:00Z" } }).as_object().unwrap().clone()).unwrap();
    let shown = Shown::default();
    let fired = tick(&store, &shown, "2026-12-01T09:00:00Z");
    assert_eq!(fired.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Booth shift"]);
    assert!(tick(&store, &shown, "2026-12-01T09:01:00Z").is_empty());
    let count: i64 = store.connection().query_row("SELECT COUNT(*) FROM notifications", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 3, "a notification that fires is not copied");
}

#[test]
fn agenda_items_and_events_remind_speakers_and_attendees() {
    let (_dir, store) = setup();
    let me = store.actor().unwrap().user_id;
    let ev = store
        .table("events")
        .unwrap()
        .create(
            json!({ "title": "Summit", "start_date": "2026-12-01T09:00:00Z", "end_date": "2026-12-01T18:00:00Z", "status": "published", "venue": "Hall B" })
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
    let ev_id = ev["id"].clone();
    store
        .table("event_agenda_items")
        .unwrap()
        .create(
            json!({ "event_id": ev_id, "title": "Keynote", "start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T11:00:00Z", "speaker_id": me })
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
    store
        .table("event_agenda_items")
        .unwrap()
        .create(json!({ "event_id": ev_id, "title": "Not mine", "start_time": "2026-12-01T12:00:00Z", "end_time": "2026-12-01T13:00:00Z" }).as_object().unwrap().clone())
        .unwrap();
    let shown = Shown::default();
    let fired = tick(&store, &shown, "2026-12-01T08:55:00Z");
    assert_eq!(fired.iter().map(|r| r.kind).collect::<Vec<_>>(), [ReminderKind::Event], "the organizer is told the event starts");
    assert!(fired[0].body.contains("Hall B"));
    let fired = tick(&store, &shown, "2026-12-01T09:52:00Z");
    assert_eq!(fired.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Starting soon: Keynote"], "the speaker is told");
    // A registered attendee hears of every talk.
    store.table("event_attendees").unwrap().create(json!({ "event_id": ev_id, "user_id": me }).as_object().unwrap().clone()).unwrap();
    let fired = tick(&store, &shown, "2026-12-01T11:55:00Z");
    assert_eq!(fired.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Starting soon: Not mine"]);
}

#[test]
fn snooze_asks_again_and_done_completes_the_follow_up() {
    let (_dir, store) = setup();
    let (_, i) = follow_up(&store, "2026-12-01T10:00:00Z");
    let shown = Shown::default();
    let r = tick(&store, &shown, "2026-12-01T09:50:00Z").remove(0);
    answer(&store, &r, ReminderAction::Snooze, t("2026-12-01T09:51:00Z")).unwrap();
    assert!(tick(&store, &shown, "2026-12-01T09:59:00Z").is_empty());
    let again = tick(&store, &shown, "2026-12-01T10:01:30Z");
    assert_eq!(again.len(), 1, "asked again after ten minutes");
    let count: i64 = store.connection().query_row("SELECT COUNT(*) FROM notifications", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 1, "one notification, shown twice");
    answer(&store, &again[0], ReminderAction::Done, t("2026-12-01T10:02:00Z")).unwrap();
    assert_eq!(store.repo::<ContactInteraction>().get(i.id).unwrap().status, InteractionStatus::Completed);
    assert!(tick(&store, &shown, "2026-12-01T10:30:00Z").is_empty());
}

/// Keep in touch: a cadence of the contact's own or its tag's, a next touch that any completed
/// interaction moves (a scheduled one does not), a snooze, the losing-touch list most overdue
/// first, and one reminder when the next touch passes, whose "Log a touch" moves it on.
#[test]
fn keep_in_touch_moves_with_every_touch_and_reminds_once_when_it_passes() {
    use plugs_core::touch::{Cadence, CadenceUnit};
    let (_d, store) = setup();
    let day = chrono::Duration::days(1);
    let t0 = store.now();
    let at = |d: i64| Timestamp::from_datetime(t0.as_datetime() + day * d as i32);
    let ada = store.repo::<Contact>().create(&json!({ "first_name": "Ada", "last_name": "Byron" })).unwrap();
    let bob = store.repo::<Contact>().create(&json!({ "first_name": "Bob", "last_name": "Kahn", "metadata": { "tags": ["investor"] } })).unwrap();
    let cy = store.repo::<Contact>().create(&json!({ "first_name": "Cy", "last_name": "Cerf", "metadata": { "tags": ["investor"] } })).unwrap();
    store.repo::<Contact>().create(&json!({ "first_name": "Dee", "last_name": "Nobody" })).unwrap();
    store.set_keep_in_touch(ada.id, Some(Cadence { every: 1, unit: CadenceUnit::Weeks })).unwrap();
    store.set_tag_cadence("#Investor", Some(Cadence { every: 1, unit: CadenceUnit::Months })).unwrap();
    store.set_keep_in_touch(cy.id, Some(Cadence { every: 0, unit: CadenceUnit::Days })).unwrap();
    let touch = store.touch_of(ada.id).unwrap().unwrap();
    assert_eq!(touch.next_touch.to_string()[..19], at(7).to_string()[..19]);
    assert_eq!(touch.from_tag, None);
    let bob_touch = store.touch_of(bob.id).unwrap().unwrap();
    assert_eq!((bob_touch.from_tag.as_deref(), bob_touch.cadence.every), (Some("investor"), 1));
    assert!(store.touch_of(cy.id).unwrap().is_none(), "every 0: out of its tag's default");
    let names = |now: Timestamp| store.losing_touch(now, 50).unwrap().into_iter().map(|l| (l.first_name, l.days_overdue)).collect::<Vec<_>>();
    assert!(names(at(6)).is_empty());
    assert_eq!(names(at(8)), [("Ada".to_owned(), 0)], "less than a day past");
    assert_eq!(names(at(40)), [("Ada".to_owned(), 32), ("Bob".to_owned(), (at(40).as_datetime() - bob_touch.next_touch.as_datetime()).num_days())], "most overdue first");
    // A completed meeting three days in moves Ada's next touch to day 10; a scheduled one does not.
    store.repo::<ContactInteraction>().create(&json!({ "contact_id": ada.id, "interaction_type": "email", "interaction_date": at(3), "status": "completed" })).unwrap();
    store.repo::<ContactInteraction>().create(&json!({ "contact_id": ada.id, "interaction_type": "call", "interaction_date": at(5), "status": "scheduled" })).unwrap();
    assert_eq!(store.touch_of(ada.id).unwrap().unwrap().next_touch.to_string()[..19], at(10).to_string()[..19]);
    assert!(names(at(9)).is_empty());
    // A snooze puts it off; past it, Ada is back.
    store.snooze_touch(ada.id, Some(at(20))).unwrap();
    assert!(names(at(12)).is_empty());
    assert_eq!(names(at(21))[0].0, "Ada");
    store.snooze_touch(ada.id, None).unwrap();
    // The reminder fires once when the next touch passes; "Log a touch" moves it a week on.
    let s = ReminderSettings::default();
    store.shift_clock(day * 10 + chrono::Duration::minutes(5));
    let now = store.now();
    let (tx, _rx) = channel();
    let shown = Shown::default();
    let fired = fire_due(&store, &shown, now, &s, &tx).unwrap();
    let keep: Vec<&Reminder> = fired.iter().filter(|r| r.kind == ReminderKind::KeepInTouch).collect();
    assert_eq!(keep.len(), 1, "{fired:?}");
    assert_eq!(keep[0].title, "Keep in touch with Ada Byron");
    assert!(keep[0].body.contains("every week"), "{}", keep[0].body);
    assert!(fire_due(&store, &shown, now, &s, &tx).unwrap().is_empty(), "once");
    answer(&store, keep[0], ReminderAction::Done, now).unwrap();
    let after = store.touch_of(ada.id).unwrap().unwrap();
    assert!(after.next_touch.as_datetime() > now.as_datetime() + day * 6, "{after:?}");
    assert!(store.losing_touch(now, 50).unwrap().iter().all(|l| l.contact_id != ada.id));
}
