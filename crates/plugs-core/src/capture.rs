//! Meeting someone: quick capture that knows the event going on, links the person to it ("Met at
//! …"), schedules a follow-up, and warns of a person already known.
//!
//! - **The event of the moment** ([`Store::capture_event`]): the one chosen for today on this
//!   device ([`Store::choose_capture_event`], remembered until midnight, local time), else the
//!   event going on now (started, not ended, not cancelled; the latest started if several).
//! - **Met at**: a capture at an event writes a `contact_interactions` row of type `event`, status
//!   `completed`, at the time of capture, by the user who captured, with the event's id in its
//!   metadata (`{"event_id": …, "source": "capture"}`). It syncs like any row; an event's leads
//!   ([`Store::event_leads`]) and the contacts filter `met_at_event` read it.
//! - **Follow-up**: "follow up in N days" writes a `follow_up` interaction, `scheduled` N days
//!   from now, which the reminders scheduler already notifies.
//! - **Already known** ([`Store::likely_matches`]): the same rules as the import's duplicate check
//!   ([`crate::matching`]); "add to this contact instead" ([`Capture::add_to`]) logs the meeting on
//!   the existing contact and fills its empty fields from what was typed.
//!
//! All of one capture is one transaction: the contact, its meeting and its follow-up are written
//! together or not at all.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::matching::{self, Keys, Reason};
use crate::query::Record;
use crate::repo::{self, Origin};
use crate::search::ContactRow;
use crate::store::Store;
use crate::tables::{contact_interactions, contacts, events};
use crate::types::Timestamp;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

/// What quick capture sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct Capture {
    /// The person as typed: `first_name`, `last_name`, `company`, `job_title`, `email`, `phone`,
    /// `notes`, `contact_type`, `status`, `priority`… (a single name is enough).
    #[ts(type = "{ [key in string]?: JsonValue }")]
    pub contact: Record,
    /// The event where we met; none when not at an event.
    pub event_id: Option<Uuid>,
    /// A follow-up this many days from now (1 to 365).
    pub follow_up_days: Option<u32>,
    /// Log the meeting on this existing contact instead of creating one (a person already
    /// known); its empty fields are filled from what was typed.
    pub add_to: Option<Uuid>,
    /// The scanned card's picture, kept as the contact's media in the same transaction.
    #[ts(optional)]
    pub card: Option<crate::files::Upload>,
}

/// What a capture wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Captured {
    pub contact: contacts::Contact,
    /// A new contact (false: the meeting was added to a known one).
    pub created: bool,
    /// The fields of the known contact filled from the capture.
    pub filled: Vec<String>,
    pub met_at: Option<contact_interactions::ContactInteraction>,
    pub follow_up: Option<contact_interactions::ContactInteraction>,
}

/// The event captures are linked to now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CaptureEvent {
    pub event: events::Event,
    /// Chosen for today (false: going on now).
    pub chosen: bool,
}

/// A known contact who looks like the person being captured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct LikelyMatch {
    pub contact: ContactRow,
    pub phone: Option<String>,
    pub reason: Reason,
    /// The reason in words ("same email").
    pub why: String,
}

/// One person met at an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Lead {
    pub contact: ContactRow,
    pub met_at: Timestamp,
    pub captured_by: Uuid,
    pub captured_by_name: String,
}

/// How many people one team member met at an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MemberLeads {
    pub user_id: Uuid,
    pub name: String,
    pub leads: usize,
}

/// The people met at an event, newest first, and the count per team member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct EventLeads {
    pub leads: Vec<Lead>,
    pub per_member: Vec<MemberLeads>,
}

const CHOSEN: &str = "capture_event";
/// The fields of a contact a capture may fill on a known contact.
const FILLABLE: &[&str] = &["first_name", "last_name", "company", "job_title", "email", "phone", "linkedin_url", "notes"];

fn blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

fn text<'a>(r: &'a Record, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// A contact's name as people read it: "Jun" for a one-name person, "Ada Lovelace" otherwise.
pub fn display_name(r: &Record) -> String {
    format!("{} {}", text(r, "first_name").trim(), text(r, "last_name").trim()).trim().to_owned()
}

impl Store {
    /// Captures a person (see the module's text): one transaction.
    pub fn capture(&self, c: &Capture) -> Result<Captured> {
        self.actor()?;
        if let Some(d) = c.follow_up_days {
            if !(1..=365).contains(&d) {
                return Err(Error::invalid("follow_up_days", "out_of_range", format!("a follow-up is 1 to 365 days away (got {d})")));
            }
        }
        // The card's picture is written to the media folder first (whole or not at all); its row
        // joins the capture's transaction, and the file goes again if that fails.
        let card = match &c.card {
            Some(u) => {
                let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, u.data_base64.trim())
                    .map_err(|_| Error::invalid("card", "invalid_format", "the card's picture did not arrive intact"))?;
                Some(self.store_bytes(u, &bytes)?)
            }
            None => None,
        };
        let made = self.capture_in(c, card.as_ref().map(|(r, _)| r.clone()));
        if made.is_err() {
            for path in card.map(|(_, written)| written).unwrap_or_default() {
                let _ = std::fs::remove_file(path);
            }
        }
        made
    }

    fn capture_in(&self, c: &Capture, card: Option<Record>) -> Result<Captured> {
        let actor = self.actor()?;
        let (tx, _turn) = self.begin_write()?;
        let ctx = Ctx { conn: &tx, actor: &actor, now: self.now() };
        let event = match c.event_id {
            Some(id) => match repo::find(&tx, &actor, &events::SPEC, id)? {
                Some(e) if e.get("is_deleted") != Some(&Value::Bool(true)) => Some(e),
                _ => return Err(Error::invalid("event_id", "not_found", "this event is not in this workspace (deleted, or never synced here)")),
            },
            None => None,
        };
        let spec = &contacts::SPEC;
        let (contact, created, filled) = match c.add_to {
            Some(id) => {
                let old = repo::find(&tx, &actor, spec, id)?.filter(|r| r.get("is_deleted") != Some(&Value::Bool(true)));
                let old = old.ok_or_else(|| Error::invalid("add_to", "not_found", "the contact to add this meeting to is gone (deleted or merged)"))?;
                let mut patch = Record::new();
                for k in FILLABLE {
                    if let Some(v) = c.contact.get(*k).filter(|v| !blank(Some(v))) {
                        if blank(old.get(*k)) {
                            patch.insert((*k).to_owned(), v.clone());
                        }
                    }
                }
                let filled: Vec<String> = patch.keys().cloned().collect();
                let row = if patch.is_empty() { old } else { repo::update(&ctx, spec, id, patch, Origin::Client)? };
                (row, false, filled)
            }
            None => {
                let mut rec = c.contact.clone();
                // A one-name person is a person: the last name may stay empty.
                if blank(rec.get("last_name")) {
                    rec.insert("last_name".into(), Value::String(String::new()));
                }
                (repo::create(&ctx, spec, rec, Origin::Client)?, true, vec![])
            }
        };
        let contact_id = text(&contact, "id").to_owned();
        let name = display_name(&contact);
        let met_at = match &event {
            Some(e) => {
                let title = text(e, "title");
                let rec = json!({
                    "contact_id": contact_id, "interaction_type": "event", "status": "completed",
                    "subject": format!("Met at {title}"), "interaction_date": ctx.now.to_string(),
                    "metadata": {"event_id": text(e, "id"), "source": "capture"},
                });
                Some(repo::create(&ctx, &contact_interactions::SPEC, object(rec), Origin::Client)?)
            }
            None => None,
        };
        let follow_up = match c.follow_up_days {
            Some(days) => {
                let when = Timestamp::from_datetime(ctx.now.as_datetime() + chrono::Duration::days(i64::from(days)));
                let mut meta = json!({"source": "capture"});
                if let Some(e) = &event {
                    meta["event_id"] = json!(text(e, "id"));
                }
                let subject = match &event {
                    Some(e) => format!("Follow up with {name} (met at {})", text(e, "title")),
                    None => format!("Follow up with {name}"),
                };
                let rec = json!({
                    "contact_id": contact_id, "interaction_type": "follow_up", "status": "scheduled",
                    "subject": subject, "interaction_date": when.to_string(), "metadata": meta,
                });
                Some(repo::create(&ctx, &contact_interactions::SPEC, object(rec), Origin::Client)?)
            }
            None => None,
        };
        if let (Some(mut rec), Some(u)) = (card, &c.card) {
            rec.insert("related_contact".into(), Value::String(contact_id.clone()));
            if rec.get("title").and_then(Value::as_str) == Some(u.file_name.as_str()) {
                rec.insert("title".into(), Value::String(format!("Business card of {name}")));
            }
            crate::files::create_media(&ctx, u, rec)?;
        }
        tx.commit()?;
        // The contact as it is now (a meeting changes its last interaction).
        let contact = repo::get(self.connection(), &actor, spec, Uuid::parse_str(&contact_id).map_err(|_| Error::invalid("id", "corrupt_row", "no id"))?)?;
        Ok(Captured { contact: typed(contact)?, created, filled, met_at: met_at.map(typed).transpose()?, follow_up: follow_up.map(typed).transpose()? })
    }

    /// The event captures are linked to now, if any (see the module's text).
    pub fn capture_event(&self) -> Result<Option<CaptureEvent>> {
        let actor = self.actor()?;
        let today = self.today();
        if let Some(v) = self.setting(CHOSEN)? {
            let v: Value = serde_json::from_str(&v).unwrap_or_default();
            if v.get("day").and_then(Value::as_str) == Some(today.as_str()) {
                let Some(id) = v.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()) else { return Ok(None) };
                if let Some(e) = repo::find(self.connection(), &actor, &events::SPEC, id)? {
                    if e.get("is_deleted") != Some(&Value::Bool(true)) {
                        return Ok(Some(CaptureEvent { event: typed(e)?, chosen: true }));
                    }
                }
            }
        }
        let now = self.now().to_string();
        let on = repo::select(
            self.connection(),
            &events::SPEC,
            "organization_id = ?1 AND NOT is_deleted AND status <> 'cancelled' AND start_date <= ?2 AND end_date >= ?2",
            vec![SqlValue::Text(actor.organization_id.to_string()), SqlValue::Text(now)],
            "ORDER BY start_date DESC, id LIMIT 1",
        )?;
        on.into_iter().next().map(|e| Ok(CaptureEvent { event: typed(e)?, chosen: false })).transpose()
    }

    /// Chooses the event captures are linked to for the rest of today on this device (`None`:
    /// no event today, even if one is going on).
    pub fn choose_capture_event(&self, event: Option<Uuid>) -> Result<()> {
        if let Some(id) = event {
            let actor = self.actor()?;
            if repo::find(self.connection(), &actor, &events::SPEC, id)?.is_none_or(|e| e.get("is_deleted") == Some(&Value::Bool(true))) {
                return Err(Error::invalid("event_id", "not_found", "this event is not in this workspace"));
            }
        }
        let v = json!({"id": event, "day": self.today()});
        crate::store::set_setting(self.connection(), CHOSEN, &v.to_string())
    }

    /// Today's date on this device (local time), as `YYYY-MM-DD`.
    fn today(&self) -> String {
        self.now().as_datetime().with_timezone(&chrono::Local).date_naive().to_string()
    }

    /// Known contacts who look like the person typed (email, phone, name and company as far as
    /// typed), strongest reason first; at most `limit`.
    pub fn likely_matches(&self, fields: &Record, limit: usize) -> Result<Vec<LikelyMatch>> {
        let actor = self.actor()?;
        let typed_keys = Keys::of(fields);
        let org = actor.organization_id.to_string();
        let cols = "id, first_name, last_name, company, email, contact_type, status, priority, lead_score, phone";
        let mut found: Vec<Record> = Vec::new();
        let conn = self.connection();
        let fetch = |cond: &str, param: String, found: &mut Vec<Record>| -> Result<()> {
            let sql = format!("SELECT {cols} FROM contacts WHERE organization_id = ?1 AND NOT is_deleted AND {cond} LIMIT 50");
            let mut st = conn.prepare_cached(&sql)?;
            let names: Vec<&str> = cols.split(", ").collect();
            let rows = st.query_map(rusqlite::params![org, param], |r| contact_fields(r, &names))?;
            for r in rows {
                found.push(r?);
            }
            Ok(())
        };
        if let Some(e) = &typed_keys.email {
            fetch("email IS NOT NULL AND email = ?2 COLLATE NOCASE", e.clone(), &mut found)?;
        }
        if let Some(p) = &typed_keys.phone {
            fetch(&format!("phone IS NOT NULL AND {} = ?2", matching::PHONE_TAIL_SQL), p.clone(), &mut found)?;
        }
        if let Some(name) = &typed_keys.name {
            // Each typed word, the first name's first word in any of its forms ("bob" finds Robert).
            let given = typed_keys.given.as_ref().map(|(g, _)| g.as_str());
            let quote = |w: &str| format!("\"{}\"", w.replace('"', ""));
            let mut words: Vec<String> = Vec::new();
            for w in name.split(' ').filter(|w| !w.is_empty()) {
                if words.is_empty() && Some(w) == given {
                    let forms: Vec<String> = matching::given_name_forms(w).into_iter().map(quote).collect();
                    words.push(format!("({})", forms.join(" OR ")));
                } else {
                    words.push(quote(w));
                }
            }
            if !words.is_empty() {
                let q = format!("{{first_name last_name}} : ({})", words.join(" AND "));
                fetch("rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?2 LIMIT 200)", q, &mut found)?;
            }
        }
        let mut out: Vec<LikelyMatch> = Vec::new();
        for r in found {
            let Some(reason) = matching::same_person(&typed_keys, &Keys::of(&r)) else { continue };
            let id = text(&r, "id").to_owned();
            if out.iter().any(|m| m.contact.id.to_string() == id) {
                continue;
            }
            let phone = r.get("phone").and_then(Value::as_str).map(str::to_owned);
            let mut row = r;
            row.remove("phone");
            out.push(LikelyMatch { contact: typed(row)?, phone, reason, why: reason.words().to_owned() });
        }
        out.sort_by(|a, b| a.reason.cmp(&b.reason).then_with(|| a.contact.last_name.cmp(&b.contact.last_name)).then_with(|| a.contact.id.cmp(&b.contact.id)));
        out.truncate(limit.clamp(1, 50));
        Ok(out)
    }

    /// The people met at an event (by a capture there), newest first, with the count per team
    /// member; a person met twice counts once.
    pub fn event_leads(&self, event: Uuid) -> Result<EventLeads> {
        let actor = self.actor()?;
        let names = ContactRow::COLUMNS;
        let cols = names.iter().map(|c| format!("c.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {cols}, i.interaction_date, i.user_id, coalesce(trim(u.first_name || ' ' || u.last_name), '')
                   FROM contact_interactions i
                   JOIN contacts c ON c.id = i.contact_id AND NOT c.is_deleted
                   LEFT JOIN users u ON u.id = i.user_id
                   WHERE i.organization_id = ?1 AND NOT i.is_deleted AND i.interaction_type = 'event'
                     AND json_extract(i.metadata, '$.event_id') = ?2
                   ORDER BY i.interaction_date DESC, c.id"
        );
        let mut st = self.connection().prepare_cached(&sql)?;
        let rows = st.query_map(rusqlite::params![actor.organization_id.to_string(), event.to_string()], |r| {
            let n = names.len();
            Ok((contact_fields(r, names)?, r.get::<_, String>(n)?, r.get::<_, String>(n + 1)?, r.get::<_, String>(n + 2)?))
        })?;
        let mut leads: Vec<Lead> = Vec::new();
        for row in rows {
            let (m, at, user, user_name) = row?;
            let contact: ContactRow = typed(m)?;
            if leads.iter().any(|l| l.contact.id == contact.id) {
                continue;
            }
            let met_at = Timestamp::parse(&at).map_err(|_| Error::invalid("interaction_date", "corrupt_row", at.clone()))?;
            let captured_by = Uuid::parse_str(&user).map_err(|_| Error::invalid("user_id", "corrupt_row", user.clone()))?;
            leads.push(Lead { contact, met_at, captured_by, captured_by_name: user_name });
        }
        let mut per_member: Vec<MemberLeads> = Vec::new();
        for l in &leads {
            match per_member.iter_mut().find(|m| m.user_id == l.captured_by) {
                Some(m) => m.leads += 1,
                None => per_member.push(MemberLeads { user_id: l.captured_by, name: l.captured_by_name.clone(), leads: 1 }),
            }
        }
        per_member.sort_by(|a, b| b.leads.cmp(&a.leads).then_with(|| a.name.cmp(&b.name)));
        Ok(EventLeads { leads, per_member })
    }

    /// The companies of the workspace's contacts, most used first (for autocomplete).
    pub fn companies(&self, limit: usize) -> Result<Vec<String>> {
        let actor = self.actor()?;
        let mut st = self.connection().prepare_cached(
            "SELECT company FROM contacts WHERE organization_id = ?1 AND NOT is_deleted AND company IS NOT NULL AND company <> ''
             GROUP BY company ORDER BY count(*) DESC, company LIMIT ?2",
        )?;
        let rows = st.query_map(rusqlite::params![actor.organization_id.to_string(), limit.clamp(1, 5000) as i64], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The first columns of a result row, named `names` (contacts columns), read as a SELECT of
/// contacts reads them.
fn contact_fields(r: &rusqlite::Row<'_>, names: &[&str]) -> rusqlite::Result<Record> {
    let mut m = Record::new();
    for (i, n) in names.iter().enumerate() {
        let col = contacts::SPEC.column(n).expect("a contacts column");
        m.insert((*n).to_owned(), crate::schema::SqlColumn::read_sql(col, r.get_ref(i)?));
    }
    Ok(m)
}

fn object(v: Value) -> Record {
    match v {
        Value::Object(m) => m,
        _ => Record::new(),
    }
}

fn typed<T: serde::de::DeserializeOwned>(r: Record) -> Result<T> {
    serde_json::from_value(Value::Object(r)).map_err(|e| Error::invalid("row", "corrupt_row", e.to_string()))
}
