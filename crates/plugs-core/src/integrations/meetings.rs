//! Meetings from a video or calendar provider (Zoom, Microsoft Teams) into this store: a meeting is
//! an event (`event_type = meeting`, times in UTC, the meeting's own time zone kept); the people in
//! it are attendees where they are users of the organization, and contacts with a `meeting`
//! interaction where they are not. Each meeting and each person in it is linked to its provider
//! record in `integration_links`, in the same transaction as the rows it made, so a run killed at
//! any point and run again makes nothing twice.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::query;
use crate::repo::{self, Filter, ListQuery, Origin};
use crate::store::Store;
use crate::types::Timestamp;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// A meeting as a provider has it.
#[derive(Debug, Clone)]
pub(crate) struct Meeting {
    /// The provider's id for this meeting (an occurrence's, where the provider tells them apart).
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The meeting's own time zone (IANA where the provider gives one).
    pub timezone: String,
    pub join_url: Option<String>,
    pub cancelled: bool,
    /// The provider's ids, kept in the event's metadata (`zoom_meeting_id`, `teams_event_id`, …).
    pub ids: Map<String, Value>,
}

/// Someone in a meeting: registered or invited, or there.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub name: String,
    pub email: String,
    pub attended: bool,
}

/// What taking a page of people did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Taken {
    /// Rows made here (attendees, contacts, interactions).
    pub made: u64,
    /// People without an email (a guest who joined by name only): nobody to link them to.
    pub skipped: u64,
}

fn cut(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

fn ts(t: DateTime<Utc>) -> String {
    Timestamp::from_datetime(t).to_string()
}

fn link(ctx: &Ctx, integration: Uuid, table: &str, remote: &str) -> Result<Option<Uuid>> {
    let id: Option<String> = ctx
        .conn
        .prepare_cached("SELECT record_id FROM integration_links WHERE integration_id = ?1 AND table_name = ?2 AND remote_id = ?3")?
        .query_row(rusqlite::params![integration.to_string(), table, remote], |r| r.get(0))
        .optional()?;
    Ok(id.and_then(|s| Uuid::parse_str(&s).ok()))
}

fn set_link(ctx: &Ctx, integration: Uuid, table: &str, record: Uuid, remote: &str) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "INSERT INTO integration_links (integration_id, table_name, record_id, remote_id, synced) VALUES (?1, ?2, ?3, ?4, '{}')
             ON CONFLICT (integration_id, table_name, record_id) DO UPDATE SET remote_id = excluded.remote_id",
        )?
        .execute(rusqlite::params![integration.to_string(), table, record.to_string(), remote])?;
    Ok(())
}

fn spec(table: &str) -> &'static crate::schema::TableSpec {
    Store::spec(table).expect("a table of the schema")
}

/// A contact's first and last name from what a provider shows ("Grace Hopper", "hopper, grace",
/// or only the email's name).
pub(crate) fn names(name: &str, email: &str) -> (String, String) {
    let name = name.trim();
    if let Some((last, first)) = name.split_once(',') {
        if !first.trim().is_empty() && !last.trim().is_empty() {
            return (cut(first, 100), cut(last, 100));
        }
    }
    match name.rsplit_once(' ') {
        Some((first, last)) if !first.trim().is_empty() => (cut(first, 100), cut(last, 100)),
        _ if !name.is_empty() && !name.contains('@') => (cut(name, 100), String::new()),
        _ => (cut(email.split('@').next().unwrap_or(email), 100), String::new()),
    }
}

impl Store {
    /// A meeting into an event (made, or brought up to date); `None` when the event was deleted
    /// here (the delete stands) — and whether anything changed.
    pub(crate) fn take_meeting(&self, integration: Uuid, m: &Meeting, source: &str) -> Result<(Option<Uuid>, bool)> {
        let events = spec("events");
        let end = if m.end > m.start { m.end } else { m.start + chrono::Duration::minutes(1) };
        let status = if m.cancelled {
            "cancelled"
        } else if end < self.now().as_datetime() {
            "completed"
        } else {
            "published"
        };
        let mut fields = Map::new();
        fields.insert("title".into(), json!(cut(if m.title.trim().is_empty() { "Meeting" } else { &m.title }, 255)));
        fields.insert("description".into(), m.description.as_deref().map(str::trim).filter(|d| !d.is_empty()).map_or(Value::Null, |d| json!(d)));
        fields.insert("start_date".into(), json!(ts(m.start)));
        fields.insert("end_date".into(), json!(ts(end)));
        let known = m.timezone.parse::<chrono_tz::Tz>().is_ok();
        fields.insert("timezone".into(), json!(if known { cut(&m.timezone, 50) } else { "UTC".to_owned() }));
        fields.insert("status".into(), json!(status));
        fields.insert("registration_url".into(), m.join_url.as_deref().filter(|u| u.len() <= 500).map_or(Value::Null, |u| json!(u)));
        self.write(|ctx| {
            if let Some(id) = link(ctx, integration, "events", &m.key)? {
                let Ok(row) = query::get(ctx.conn, ctx.actor, events, id) else { return Ok((None, false)) };
                if repo::is_deleted(&row) {
                    return Ok((None, false));
                }
                let mut patch: Map<String, Value> = fields.into_iter().filter(|(k, v)| !same(row.get(k), v)).collect();
                if patch.is_empty() {
                    return Ok((Some(id), false));
                }
                let mut meta = row.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
                meta.extend(m.ids.clone());
                patch.insert("metadata".into(), Value::Object(meta));
                repo::update(ctx, events, id, patch, Origin::Client)?;
                return Ok((Some(id), true));
            }
            let mut meta = m.ids.clone();
            meta.insert("source".into(), json!(source));
            if !known {
                // A zone this app has no name for: the event in UTC, the provider's name kept.
                meta.insert("provider_time_zone".into(), json!(m.timezone));
            }
            fields.insert("event_type".into(), json!("meeting"));
            fields.insert("metadata".into(), Value::Object(meta));
            let made = repo::create(ctx, events, fields, Origin::Client)?;
            let id = repo::id_of(&made)?;
            set_link(ctx, integration, "events", id, &m.key)?;
            Ok((Some(id), true))
        })
    }

    /// People of a meeting (a page of them), in one transaction: users of the organization as the
    /// event's attendees, others as contacts (found by email, or made) with a `meeting`
    /// interaction. Someone already taken from this meeting is not taken again; someone who
    /// registered and then came is marked attended.
    pub(crate) fn take_people(&self, integration: Uuid, event: Uuid, m: &Meeting, people: &[Person], source: &str) -> Result<Taken> {
        let users: HashMap<String, Uuid> = {
            let actor = self.actor()?;
            let mut st = self.connection().prepare_cached("SELECT id, lower(email) FROM users WHERE organization_id = ?1 AND NOT is_deleted")?;
            let rows = st.query_map([actor.organization_id.to_string()], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(0)?)))?;
            rows.filter_map(|r| r.ok()).filter_map(|(e, id)| Some((e, Uuid::parse_str(&id).ok()?))).collect()
        };
        let future = m.start > self.now().as_datetime();
        self.write(|ctx| {
            let mut taken = Taken::default();
            // One entry per person: the same email twice in a page (left and joined again) is one.
            let mut by_email: BTreeMap<String, &Person> = BTreeMap::new();
            for p in people {
                let e = p.email.trim().to_lowercase();
                if e.is_empty() || !e.contains('@') {
                    taken.skipped += 1;
                    continue;
                }
                let entry = by_email.entry(e).or_insert(p);
                if p.attended && !entry.attended {
                    *entry = p;
                }
            }
            for (email, p) in by_email {
                match users.get(&email) {
                    Some(user) => taken.made += self.take_attendee(ctx, integration, event, m, *user, p.attended && !future)?,
                    None => taken.made += self.take_guest(ctx, integration, event, m, &email, p, future, source)?,
                }
            }
            Ok(taken)
        })
    }

    fn take_attendee(&self, ctx: &Ctx, integration: Uuid, event: Uuid, m: &Meeting, user: Uuid, attended: bool) -> Result<u64> {
        let attendees = spec("event_attendees");
        let key = format!("{}|user:{user}", m.key);
        let status = if attended { "attended" } else { "registered" };
        let existing = match link(ctx, integration, "event_attendees", &key)? {
            Some(id) => query::get(ctx.conn, ctx.actor, attendees, id).ok(),
            None => query::list(
                ctx.conn,
                ctx.actor,
                attendees,
                &ListQuery {
                    filters: vec![Filter::Eq("event_id".into(), json!(event)), Filter::Eq("user_id".into(), json!(user))],
                    limit: Some(1),
                    include_deleted: true,
                    ..Default::default()
                },
            )?
            .items
            .into_iter()
            .next(),
        };
        match existing {
            Some(row) => {
                let id = repo::id_of(&row)?;
                set_link(ctx, integration, "event_attendees", id, &key)?;
                // Registered, then there: attended. A removed registration stays removed.
                if attended && !repo::is_deleted(&row) && row.get("status").and_then(Value::as_str) == Some("registered") {
                    repo::update(ctx, attendees, id, [("status".to_owned(), json!("attended"))].into_iter().collect(), Origin::Client)?;
                }
                Ok(0)
            }
            None => {
                let made = repo::create(
                    ctx,
                    attendees,
                    json!({ "event_id": event, "user_id": user, "status": status, "metadata": { "source": m.ids.get("source").cloned().unwrap_or(Value::Null) } })
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    Origin::Client,
                )?;
                set_link(ctx, integration, "event_attendees", repo::id_of(&made)?, &key)?;
                Ok(1)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn take_guest(&self, ctx: &Ctx, integration: Uuid, event: Uuid, m: &Meeting, email: &str, p: &Person, future: bool, source: &str) -> Result<u64> {
        let contacts = spec("contacts");
        let interactions = spec("contact_interactions");
        let key = format!("{}|{email}", m.key);
        let status = if m.cancelled {
            "cancelled"
        } else if future && !p.attended {
            "scheduled"
        } else {
            "completed"
        };
        if let Some(id) = link(ctx, integration, "contact_interactions", &key)? {
            // Invited, then there (or the meeting moved): the interaction follows.
            if let Ok(row) = query::get(ctx.conn, ctx.actor, interactions, id) {
                let mut patch = Map::new();
                if row.get("status").and_then(Value::as_str) != Some(status) && !repo::is_deleted(&row) {
                    patch.insert("status".into(), json!(status));
                }
                if !same(row.get("interaction_date"), &json!(ts(m.start))) && !repo::is_deleted(&row) {
                    patch.insert("interaction_date".into(), json!(ts(m.start)));
                }
                if !patch.is_empty() {
                    repo::update(ctx, interactions, id, patch, Origin::Client)?;
                }
            }
            return Ok(0);
        }
        let mut made = 0;
        let found = query::list(ctx.conn, ctx.actor, contacts, &ListQuery { filters: vec![Filter::Eq("email".into(), json!(email))], limit: Some(1), ..Default::default() })?
            .items
            .into_iter()
            .next();
        let contact = match found {
            Some(c) => repo::id_of(&c)?,
            None => {
                let (first, last) = names(&p.name, email);
                let mut fields = Map::new();
                fields.insert("first_name".into(), json!(first));
                if !last.is_empty() {
                    fields.insert("last_name".into(), json!(last));
                }
                fields.insert("email".into(), json!(email));
                fields.insert("metadata".into(), json!({ "source": source }));
                // An address the contact rules refuse is kept in metadata, the person still taken.
                let c = match repo::create(ctx, contacts, fields.clone(), Origin::Client) {
                    Ok(c) => c,
                    Err(crate::Error::Invalid { field, .. }) if field == "email" => {
                        fields.remove("email");
                        fields.insert("metadata".into(), json!({ "source": source, "email": email }));
                        repo::create(ctx, contacts, fields, Origin::Client)?
                    }
                    Err(e) => return Err(e),
                };
                made += 1;
                repo::id_of(&c)?
            }
        };
        let mut meta = Map::new();
        meta.insert("event_id".into(), json!(event));
        meta.insert("source".into(), json!(source));
        let interaction = repo::create(
            ctx,
            interactions,
            json!({
                "contact_id": contact,
                "interaction_type": "meeting",
                "subject": cut(if m.title.trim().is_empty() { "Meeting" } else { &m.title }, 255),
                "interaction_date": ts(m.start),
                "status": status,
                "metadata": meta,
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
            Origin::Client,
        )?;
        set_link(ctx, integration, "contact_interactions", repo::id_of(&interaction)?, &key)?;
        Ok(made + 1)
    }

    /// Whether a meeting's people were all taken (its participants do not change once it ended).
    pub(crate) fn meeting_done(&self, integration: Uuid, key: &str) -> Result<bool> {
        Ok(self.link_by_remote(integration, "meetings_done", key)?.is_some())
    }

    pub(crate) fn set_meeting_done(&self, integration: Uuid, event: Uuid, key: &str) -> Result<()> {
        self.set_link(integration, "meetings_done", event, key, &BTreeMap::new())
    }
}

/// Whether a stored value is the one given (times compared as instants).
fn same(stored: Option<&Value>, v: &Value) -> bool {
    match (stored, v) {
        (Some(Value::String(a)), Value::String(b)) => a == b || matches!((Timestamp::parse(a), Timestamp::parse(b)), (Ok(x), Ok(y)) if x == y),
        (None, Value::Null) => true,
        (Some(a), b) => a == b,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_read_as_people_write_them() {
        assert_eq!(super::names("Grace Hopper", "g@x.test"), ("Grace".into(), "Hopper".into()));
        assert_eq!(super::names("Hopper, Grace", "g@x.test"), ("Grace".into(), "Hopper".into()));
        assert_eq!(super::names("Grace Brewster Hopper", "g@x.test"), ("Grace Brewster".into(), "Hopper".into()));
        assert_eq!(super::names("", "grace@x.test"), ("grace".into(), String::new()));
        assert_eq!(super::names("Cher", "c@x.test"), ("Cher".into(), String::new()));
    }
}
