//! Reminders: scheduled follow-ups, agenda items and events about to start for the signed-in user,
//! and notifications with a future delivery time (`data.deliver_at`). Each fires exactly once per
//! device (`reminder_log`), never for deleted or cancelled items nor after a notification expires;
//! one missed while the app was closed fires at the next launch, marked late. Firing writes a
//! `notifications` row (through the write path, so it syncs) with an id derived from what it is
//! about, so the same reminder fired on two devices is one row.

use crate::error::Result;
use crate::repo::{self, Origin, Record};
use crate::store::Store;
use crate::types::Timestamp;
use chrono::Duration;
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// When reminders fire.
#[derive(Debug, Clone, Copy)]
pub struct ReminderSettings {
    /// How long before the item's time the reminder fires.
    pub lead: Duration,
    /// A reminder delivered this much after its time is marked late.
    pub late_after: Duration,
    /// Items whose time passed longer ago than this are not reminded of at all.
    pub lookback: Duration,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings { lead: Duration::minutes(10), late_after: Duration::minutes(2), lookback: Duration::days(2) }
    }
}

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    FollowUp,
    Agenda,
    Event,
    Notification,
    /// A contact's next touch passed (see `touch`).
    KeepInTouch,
}

impl ReminderKind {
    fn as_str(self) -> &'static str {
        match self {
            ReminderKind::FollowUp => "follow_up",
            ReminderKind::Agenda => "agenda",
            ReminderKind::Event => "event",
            ReminderKind::Notification => "notification",
            ReminderKind::KeepInTouch => "keep_in_touch",
        }
    }
}

/// A reminder that is due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// The row it is about (for "open" and "done").
    pub table: &'static str,
    pub id: Uuid,
    pub due_at: Timestamp,
    /// The item's own time (the follow-up, the talk, the event start).
    pub at: Timestamp,
    pub title: String,
    pub body: String,
    /// Delivered well after it was due (the app was closed).
    pub late: bool,
}

/// The id of the notification row of a reminder: the same on every device.
pub fn notification_id(r: &Reminder) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("plugs-reminder:{}:{}:{}:{}", r.table, r.id, r.kind.as_str(), r.due_at).as_bytes())
}

fn ts(s: String) -> Option<Timestamp> {
    Timestamp::parse(&s).ok()
}

impl Store {
    /// The reminders due at `now` that have not fired on this device yet (or whose snooze ended).
    pub fn due_reminders(&self, now: Timestamp, s: &ReminderSettings) -> Result<Vec<Reminder>> {
        let actor = self.actor()?;
        let (me, org) = (actor.user_id.to_string(), actor.organization_id.to_string());
        let horizon = Timestamp::from_datetime(now.as_datetime() + s.lead).to_string();
        let oldest = Timestamp::from_datetime(now.as_datetime() - s.lookback).to_string();
        let mut out = vec![];
        let mut push = |kind, table, id: String, at: Timestamp, title: String, body: String| {
            let due_at = Timestamp::from_datetime(at.as_datetime() - s.lead);
            let late = now.as_datetime() - due_at.as_datetime() > s.late_after;
            if let Ok(id) = Uuid::parse_str(&id) {
                out.push(Reminder { kind, table, id, due_at, at, title, body, late });
            }
        };
        // Follow-ups: the user's scheduled interactions with live contacts.
        let mut st = self.conn.prepare_cached(
            "SELECT i.id, i.interaction_date, c.first_name || ' ' || c.last_name, COALESCE(i.subject, i.interaction_type)
             FROM contact_interactions i JOIN contacts c ON c.id = i.contact_id
             WHERE i.organization_id = ?1 AND i.user_id = ?2 AND i.status = 'scheduled' AND NOT i.is_deleted AND NOT c.is_deleted
               AND i.interaction_date <= ?3 AND i.interaction_date >= ?4",
        )?;
        for r in
            st.query_map(rusqlite::params![org, me, horizon, oldest], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))?
        {
            let (id, at, who, what) = r?;
            if let Some(at) = ts(at) {
                push(
                    ReminderKind::FollowUp,
                    "contact_interactions",
                    id,
                    at,
                    format!("Follow up with {who}"),
                    format!("{what} at {}", at.as_datetime().format("%H:%M UTC, %b %-d")),
                );
            }
        }
        // Agenda items of events the user speaks at or is registered for.
        let mut st = self.conn.prepare_cached(
            "SELECT a.id, a.start_time, a.title, e.title, COALESCE(a.location, e.location, e.venue, '')
             FROM event_agenda_items a JOIN events e ON e.id = a.event_id
             WHERE a.organization_id = ?1 AND a.status = 'scheduled' AND NOT a.is_deleted AND NOT e.is_deleted AND e.status <> 'cancelled'
               AND a.start_time <= ?3 AND a.start_time >= ?4
               AND (a.speaker_id = ?2 OR EXISTS (SELECT 1 FROM event_attendees x WHERE x.event_id = e.id AND x.user_id = ?2 AND NOT x.is_deleted AND x.status IN ('registered', 'confirmed', 'attended')))",
        )?;
        for r in st.query_map(rusqlite::params![org, me, horizon, oldest], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))
        })? {
            let (id, at, title, event, place) = r?;
            if let Some(at) = ts(at) {
                let place = if place.is_empty() { String::new() } else { format!(", {place}") };
                push(ReminderKind::Agenda, "event_agenda_items", id, at, format!("Starting soon: {title}"), format!("{event}, {}{place}", at.as_datetime().format("%H:%M UTC")));
            }
        }
        // Events the user is registered for or organizes.
        let mut st = self.conn.prepare_cached(
            "SELECT e.id, e.start_date, e.title, COALESCE(e.venue, e.location, '')
             FROM events e
             WHERE e.organization_id = ?1 AND NOT e.is_deleted AND e.status NOT IN ('cancelled', 'draft') AND e.start_date <= ?3 AND e.start_date >= ?4
               AND (e.created_by = ?2 OR EXISTS (SELECT 1 FROM event_attendees x WHERE x.event_id = e.id AND x.user_id = ?2 AND NOT x.is_deleted AND x.status IN ('registered', 'confirmed')))",
        )?;
        for r in
            st.query_map(rusqlite::params![org, me, horizon, oldest], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))?
        {
            let (id, at, title, place) = r?;
            if let Some(at) = ts(at) {
                push(
                    ReminderKind::Event,
                    "events",
                    id,
                    at,
                    format!("{title} starts soon"),
                    format!("{}{}", at.as_datetime().format("%H:%M UTC, %b %-d"), if place.is_empty() { String::new() } else { format!(" at {place}") }),
                );
            }
        }
        // Notifications with a delivery time, for this user, unread, not expired.
        let mut st = self.conn.prepare_cached(
            "SELECT id, json_extract(data, '$.deliver_at'), title, message FROM notifications
             WHERE organization_id = ?1 AND user_id = ?2 AND NOT is_deleted AND NOT is_read
               AND json_extract(data, '$.deliver_at') IS NOT NULL AND json_extract(data, '$.deliver_at') <= ?3
               AND (expires_at IS NULL OR expires_at > ?4)",
        )?;
        let now_s = now.to_string();
        for r in st.query_map(rusqlite::params![org, me, now_s, now_s], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))? {
            let (id, at, title, body) = r?;
            if let Some(at) = ts(at) {
                let due_at = at;
                let late = now.as_datetime() - due_at.as_datetime() > s.late_after;
                if let Ok(id) = Uuid::parse_str(&id) {
                    out.push(Reminder { kind: ReminderKind::Notification, table: "notifications", id, due_at, at, title, body, late });
                }
            }
        }
        // Contacts the user added whose next touch passed (within the lookback: older ones wait on
        // the losing-touch list rather than pop up all at once).
        let mine: std::collections::HashSet<String> = {
            let mut st = self.conn.prepare_cached("SELECT id FROM contacts WHERE organization_id = ?1 AND created_by = ?2 AND NOT is_deleted")?;
            let ids = st.query_map(rusqlite::params![org, me], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
            ids
        };
        for l in self.losing_touch(now, 500)? {
            if l.next_touch.as_datetime() < now.as_datetime() - s.lookback || !mine.contains(&l.contact_id.to_string()) {
                continue;
            }
            let late = now.as_datetime() - l.next_touch.as_datetime() > s.late_after;
            let unit = match (l.cadence.unit, l.cadence.every) {
                (crate::touch::CadenceUnit::Days, 1) => "day",
                (crate::touch::CadenceUnit::Weeks, 1) => "week",
                (crate::touch::CadenceUnit::Months, 1) => "month",
                (crate::touch::CadenceUnit::Days, _) => "days",
                (crate::touch::CadenceUnit::Weeks, _) => "weeks",
                (crate::touch::CadenceUnit::Months, _) => "months",
            };
            let every = if l.cadence.every == 1 { format!("every {unit}") } else { format!("every {} {unit}", l.cadence.every) };
            out.push(Reminder {
                kind: ReminderKind::KeepInTouch,
                table: "contacts",
                id: l.contact_id,
                due_at: l.next_touch,
                at: l.next_touch,
                title: format!("Keep in touch with {} {}", l.first_name, l.last_name),
                body: format!("Last in touch {}; {every}", l.last_touch.as_datetime().format("%b %-d, %Y")),
                late,
            });
        }
        // Drop what already fired here (and is not snoozed past its end).
        let mut fired = self.conn.prepare_cached("SELECT snoozed_until FROM reminder_log WHERE source_table = ?1 AND source_id = ?2 AND kind = ?3 AND due_at = ?4")?;
        let mut due = vec![];
        for r in out {
            let log: Option<Option<String>> = fired
                .query_row(rusqlite::params![r.table, r.id.to_string(), r.kind.as_str(), r.due_at.to_string()], |x| x.get(0))
                .map(Some)
                .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?;
            match log {
                None => due.push(r),
                Some(Some(until)) if until <= now_s => due.push(Reminder { late: false, ..r }),
                Some(_) => {}
            }
        }
        due.sort_by_key(|r| r.due_at);
        Ok(due)
    }

    /// Records that a reminder fired here and writes its notification row (once, whichever device
    /// fires first). Returns false if it had already fired (another scheduler got there first).
    pub fn record_reminder(&self, r: &Reminder, now: Timestamp) -> Result<bool> {
        self.write(|ctx| {
            let n = ctx.conn.execute(
                "INSERT INTO reminder_log (source_table, source_id, kind, due_at, fired_at, late) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (source_table, source_id, kind, due_at) DO UPDATE SET fired_at = excluded.fired_at, snoozed_until = NULL
                 WHERE reminder_log.snoozed_until IS NOT NULL AND reminder_log.snoozed_until <= ?5",
                rusqlite::params![r.table, r.id.to_string(), r.kind.as_str(), r.due_at.to_string(), now.to_string(), r.late],
            )?;
            if n == 0 {
                return Ok(false);
            }
            if r.kind != ReminderKind::Notification {
                let nid = notification_id(r);
                let spec = &crate::tables::notifications::SPEC;
                if repo::find(ctx.conn, ctx.actor, spec, nid)?.is_none() {
                    let mut rec = Record::new();
                    rec.insert("id".into(), Value::String(nid.to_string()));
                    rec.insert("user_id".into(), Value::String(ctx.actor.user_id.to_string()));
                    rec.insert("title".into(), Value::String(r.title.clone()));
                    rec.insert("message".into(), Value::String(r.body.clone()));
                    rec.insert("notification_type".into(), Value::String("reminder".into()));
                    rec.insert("data".into(), json!({ "table": r.table, "id": r.id, "kind": r.kind, "at": r.at, "late": r.late }));
                    rec.insert("expires_at".into(), Value::String(Timestamp::from_datetime(r.at.as_datetime() + Duration::days(1)).to_string()));
                    repo::create(ctx, spec, rec, Origin::System)?;
                }
            }
            Ok(true)
        })
    }

    /// Asks for a fired reminder again after `for_how_long`.
    pub fn snooze_reminder(&self, r: &Reminder, until: Timestamp) -> Result<()> {
        self.conn.execute(
            "UPDATE reminder_log SET snoozed_until = ?5 WHERE source_table = ?1 AND source_id = ?2 AND kind = ?3 AND due_at = ?4",
            rusqlite::params![r.table, r.id.to_string(), r.kind.as_str(), r.due_at.to_string(), until.to_string()],
        )?;
        Ok(())
    }

    /// "Done" on a follow-up reminder: the interaction is completed now.
    pub fn complete_follow_up(&self, interaction: Uuid) -> Result<()> {
        let spec = &crate::tables::contact_interactions::SPEC;
        self.write(|ctx| {
            let mut p = Record::new();
            p.insert("status".into(), Value::String("completed".into()));
            repo::system_update(ctx, spec, interaction, p).map(|_| ())
        })
    }
}

/// What a notifier does with a shown reminder when the user answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderAction {
    Open,
    Done,
    Snooze,
}

/// The screen a reminder opens when clicked: a contact, an event, or the notifications centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenTarget {
    pub screen: &'static str,
    pub id: Option<Uuid>,
}

impl Store {
    /// Where clicking a reminder takes the user: a follow-up opens its contact, an agenda item or
    /// an event opens the event, a notification opens the notifications centre.
    pub fn reminder_target(&self, r: &Reminder) -> Result<OpenTarget> {
        let one = |sql: &str| -> Result<Option<Uuid>> {
            let v: Option<String> = self.connection().query_row(sql, [r.id.to_string()], |row| row.get(0)).optional()?;
            Ok(v.and_then(|s| Uuid::parse_str(&s).ok()))
        };
        Ok(match r.kind {
            ReminderKind::FollowUp => OpenTarget { screen: "contact", id: one("SELECT contact_id FROM contact_interactions WHERE id = ?1")? },
            ReminderKind::Agenda => OpenTarget { screen: "event", id: one("SELECT event_id FROM event_agenda_items WHERE id = ?1")? },
            ReminderKind::Event => OpenTarget { screen: "event", id: Some(r.id) },
            ReminderKind::Notification => OpenTarget { screen: "notifications", id: None },
            ReminderKind::KeepInTouch => OpenTarget { screen: "contact", id: Some(r.id) },
        })
    }
}

/// Shows reminders to the user.
pub trait Notifier {
    /// Shows one reminder; answers come back through `answers` if the platform supports actions.
    fn show(&self, r: &Reminder, answers: std::sync::mpsc::Sender<(Reminder, ReminderAction)>) -> Result<()>;
}

/// Desktop notifications through the freedesktop notification service (D-Bus).
pub struct DesktopNotifier {
    pub app_name: String,
}

impl Default for DesktopNotifier {
    fn default() -> Self {
        DesktopNotifier { app_name: "The Plugs".into() }
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, r: &Reminder, answers: std::sync::mpsc::Sender<(Reminder, ReminderAction)>) -> Result<()> {
        let mut n = notify_rust::Notification::new();
        let title = if r.late { format!("{} (late)", r.title) } else { r.title.clone() };
        let open = match r.kind {
            ReminderKind::FollowUp | ReminderKind::KeepInTouch => "Open contact",
            ReminderKind::Agenda | ReminderKind::Event => "Open event",
            ReminderKind::Notification => "Open",
        };
        n.appname(&self.app_name).summary(&title).body(&r.body).icon("appointment-soon").action("default", open).action("open", open).action("snooze", "Snooze 10 min");
        if r.kind == ReminderKind::FollowUp {
            n.action("done", "Mark done");
        }
        if r.kind == ReminderKind::KeepInTouch {
            n.action("done", "Log a touch");
        }
        let handle = n.show().map_err(|e| crate::Error::Offline(format!("the desktop notification service is unavailable: {e}")))?;
        let r = r.clone();
        std::thread::spawn(move || {
            handle.wait_for_action(|action| {
                let a = match action {
                    "done" => Some(ReminderAction::Done),
                    "snooze" => Some(ReminderAction::Snooze),
                    "default" | "open" => Some(ReminderAction::Open),
                    _ => None,
                };
                if let Some(a) = a {
                    let _ = answers.send((r.clone(), a));
                }
            });
        });
        Ok(())
    }
}

/// Fires due reminders: one pass at the given time (the clock is the caller's, for tests).
pub fn fire_due(
    store: &Store,
    notifier: &dyn Notifier,
    now: Timestamp,
    s: &ReminderSettings,
    answers: &std::sync::mpsc::Sender<(Reminder, ReminderAction)>,
) -> Result<Vec<Reminder>> {
    let mut fired = vec![];
    for r in store.due_reminders(now, s)? {
        if store.record_reminder(&r, now)? {
            // Shown after it is recorded: a crash between the two loses a popup, never repeats one.
            if let Err(e) = notifier.show(&r, answers.clone()) {
                tracing::warn!(error = %e, "reminder not shown on the desktop");
            }
            fired.push(r);
        }
    }
    Ok(fired)
}

/// Applies a user's answer to a reminder.
pub fn answer(store: &Store, r: &Reminder, a: ReminderAction, now: Timestamp) -> Result<()> {
    match a {
        ReminderAction::Done if r.kind == ReminderKind::FollowUp => store.complete_follow_up(r.id),
        ReminderAction::Done if r.kind == ReminderKind::KeepInTouch => store.log_touch(r.id, None, None).map(|_| ()),
        ReminderAction::Snooze => store.snooze_reminder(r, Timestamp::from_datetime(now.as_datetime() + Duration::minutes(10))),
        _ => Ok(()),
    }
}
