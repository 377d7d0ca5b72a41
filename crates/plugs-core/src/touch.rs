//! Keeping in touch: a cadence per contact (every N days, weeks or months; or a default per tag),
//! a next touch that moves whenever a completed interaction is logged — of any type, from any
//! device, since it follows the contact's derived `last_interaction` — a snooze, and the
//! losing-touch list (overdue first, by how overdue).
//!
//! A contact's own cadence and snooze are kept in its metadata (`keep_in_touch`, `touch_snoozed_until`),
//! so they sync like the rest of it; the defaults per tag are this device's preference
//! (`app.keep_in_touch_by_tag`). `every: 0` on a contact opts it out of its tags' defaults.

use crate::error::{Error, Result};
use crate::repo::{self, Record};
use crate::store::Store;
use crate::types::Timestamp;
use plugs_domain::rules::Origin;
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The preference holding the default cadence per tag.
pub const BY_TAG_SETTING: &str = "app.keep_in_touch_by_tag";

/// How often to be in touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Cadence {
    /// How many units between touches; 0 means never (a contact opting out of its tags' default).
    pub every: u32,
    pub unit: CadenceUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CadenceUnit {
    Days,
    Weeks,
    Months,
}

impl Cadence {
    fn check(&self) -> Result<()> {
        let most = match self.unit {
            CadenceUnit::Days => 3660,
            CadenceUnit::Weeks => 520,
            CadenceUnit::Months => 120,
        };
        if self.every > most {
            return Err(Error::invalid("every", "out_of_range", format!("at most {most} {} (ten years)", self.unit.word())));
        }
        Ok(())
    }
}

impl CadenceUnit {
    fn word(self) -> &'static str {
        match self {
            CadenceUnit::Days => "days",
            CadenceUnit::Weeks => "weeks",
            CadenceUnit::Months => "months",
        }
    }
}

/// A tag's default cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TagCadence {
    pub tag: String,
    pub cadence: Cadence,
}

/// Where a contact's keep-in-touch stands.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Touch {
    pub cadence: Cadence,
    /// The tag whose default applies, when the contact has no cadence of its own.
    pub from_tag: Option<String>,
    /// The last completed interaction (or, never in touch yet, when the contact was added).
    #[ts(type = "string")]
    pub last_touch: Timestamp,
    #[ts(type = "string")]
    pub next_touch: Timestamp,
    #[ts(type = "string | null")]
    pub snoozed_until: Option<Timestamp>,
}

/// A contact on the losing-touch list.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct LosingTouch {
    pub contact_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub cadence: Cadence,
    pub from_tag: Option<String>,
    #[ts(type = "string")]
    pub last_touch: Timestamp,
    #[ts(type = "string")]
    pub next_touch: Timestamp,
    /// Whole days past the next touch.
    pub days_overdue: i64,
}

fn cadence_of(v: Option<&Value>) -> Option<Cadence> {
    serde_json::from_value(v?.clone()).ok()
}

/// The next touch of each contact with a cadence, as SQL over `contacts c` (`?1` is the
/// organization, `?2` the defaults per tag as JSON): its own cadence, or its tags' most frequent.
/// Columns: id, first_name, last_name, company, every, unit, from_tag, last_touch, next_touch.
const NEXT_TOUCH_SQL: &str = "
    WITH d AS (SELECT key AS tag, json_extract(value, '$.every') AS every, json_extract(value, '$.unit') AS unit FROM json_each(?2)),
    cand AS (
        SELECT c.id, json_extract(c.metadata, '$.keep_in_touch.every') AS every, json_extract(c.metadata, '$.keep_in_touch.unit') AS unit, NULL AS from_tag
        FROM contacts c
        WHERE c.organization_id = ?1 AND NOT c.is_deleted AND json_extract(c.metadata, '$.keep_in_touch.every') IS NOT NULL
        UNION ALL
        SELECT c.id, d.every, d.unit, d.tag
        FROM d JOIN contact_tags t ON t.tag = d.tag JOIN contacts c ON c.id = t.contact_id
        WHERE c.organization_id = ?1 AND NOT c.is_deleted AND json_extract(c.metadata, '$.keep_in_touch.every') IS NULL AND d.every > 0
    ),
    timed AS (
        SELECT c.id, c.first_name, c.last_name, c.company, k.every, k.unit, k.from_tag,
               COALESCE(c.last_interaction, c.created_at) AS last_touch,
               max(strftime('%Y-%m-%dT%H:%M:%S.000000Z', substr(COALESCE(c.last_interaction, c.created_at), 1, 19),
                            CASE k.unit WHEN 'weeks' THEN '+' || (k.every * 7) || ' days' WHEN 'months' THEN '+' || k.every || ' months' ELSE '+' || k.every || ' days' END),
                   COALESCE(json_extract(c.metadata, '$.touch_snoozed_until'), '')) AS next_touch
        FROM cand k JOIN contacts c ON c.id = k.id
        WHERE k.every > 0
    )
    SELECT id, first_name, last_name, company, every, unit, from_tag, last_touch, min(next_touch) AS next_touch FROM timed GROUP BY id";

impl Store {
    /// The default cadence per tag (this device's preference).
    pub fn tag_cadences(&self) -> Result<BTreeMap<String, Cadence>> {
        Ok(self.setting(BY_TAG_SETTING)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    /// Sets (or, with None, clears) the default cadence of a tag.
    pub fn set_tag_cadence(&self, tag: &str, cadence: Option<Cadence>) -> Result<()> {
        let tag = plugs_domain::tags::normalize(tag)?;
        let mut all = self.tag_cadences()?;
        match cadence {
            Some(c) => {
                c.check()?;
                all.insert(tag, c);
            }
            None => {
                all.remove(&tag);
            }
        }
        self.set_setting_value(BY_TAG_SETTING, &serde_json::to_string(&all).expect("cadences serialize"))
    }

    /// Sets a contact's own cadence (None: back to its tags' default, if any; every 0: never).
    pub fn set_keep_in_touch(&self, contact: Uuid, cadence: Option<Cadence>) -> Result<()> {
        if let Some(c) = &cadence {
            c.check()?;
        }
        self.change_metadata(contact, |m| {
            match cadence {
                Some(c) => m.insert("keep_in_touch".into(), json!(c)),
                None => m.remove("keep_in_touch"),
            };
        })
    }

    /// Puts a contact's next touch off until `until` (None: the snooze ends now).
    pub fn snooze_touch(&self, contact: Uuid, until: Option<Timestamp>) -> Result<()> {
        self.change_metadata(contact, |m| {
            match until {
                Some(t) => m.insert("touch_snoozed_until".into(), json!(t.to_string())),
                None => m.remove("touch_snoozed_until"),
            };
        })
    }

    fn change_metadata(&self, contact: Uuid, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Result<()> {
        let spec = &crate::tables::contacts::SPEC;
        self.write(|ctx| {
            let row = crate::query::get(ctx.conn, ctx.actor, spec, contact)?;
            let mut meta = row.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
            f(&mut meta);
            let mut patch = Record::new();
            patch.insert("metadata".into(), Value::Object(meta));
            repo::update(ctx, spec, contact, patch, Origin::Client).map(|_| ())
        })
    }

    /// "Log a touch": a completed interaction with the contact now (a call unless said), which
    /// moves the next touch one period on and ends a snooze.
    pub fn log_touch(&self, contact: Uuid, interaction_type: Option<&str>, subject: Option<&str>) -> Result<Uuid> {
        let spec = &crate::tables::contact_interactions::SPEC;
        let now = self.now();
        let id = self.write(|ctx| {
            let mut rec = Record::new();
            rec.insert("contact_id".into(), json!(contact));
            rec.insert("interaction_type".into(), json!(interaction_type.unwrap_or("call")));
            rec.insert("status".into(), json!("completed"));
            rec.insert("interaction_date".into(), json!(now.to_string()));
            rec.insert("subject".into(), json!(subject.unwrap_or("Kept in touch")));
            let made = repo::create(ctx, spec, rec, Origin::Client)?;
            Ok(made.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()).unwrap_or_default())
        })?;
        let snoozed = self.table("contacts")?.get(contact)?.get("metadata").and_then(|m| m.get("touch_snoozed_until")).is_some();
        if snoozed {
            self.snooze_touch(contact, None)?;
        }
        Ok(id)
    }

    /// A contact's keep-in-touch, if it has a cadence (its own or a tag's).
    pub fn touch_of(&self, contact: Uuid) -> Result<Option<Touch>> {
        let rows = self.next_touches(Some(contact), None, usize::MAX)?;
        Ok(rows.into_iter().next().map(|l| {
            let row = self.table("contacts").ok().and_then(|t| t.get(contact).ok());
            let snoozed_until =
                row.as_ref().and_then(|r| r.get("metadata")).and_then(|m| m.get("touch_snoozed_until")).and_then(Value::as_str).and_then(|s| Timestamp::parse(s).ok());
            Touch { cadence: l.cadence, from_tag: l.from_tag, last_touch: l.last_touch, next_touch: l.next_touch, snoozed_until }
        }))
    }

    /// The contacts whose next touch has passed at `now`, the most overdue first.
    pub fn losing_touch(&self, now: Timestamp, limit: usize) -> Result<Vec<LosingTouch>> {
        self.next_touches(None, Some(now), limit)
    }

    fn next_touches(&self, contact: Option<Uuid>, due_by: Option<Timestamp>, limit: usize) -> Result<Vec<LosingTouch>> {
        let actor = self.actor()?;
        let defaults = serde_json::to_string(&self.tag_cadences()?).expect("cadences serialize");
        let mut params = vec![SqlValue::Text(actor.organization_id.to_string()), SqlValue::Text(defaults)];
        let mut conds = vec![];
        if let Some(c) = contact {
            params.push(SqlValue::Text(c.to_string()));
            conds.push(format!("id = ?{}", params.len()));
        }
        if let Some(t) = due_by {
            params.push(SqlValue::Text(t.to_string()));
            conds.push(format!("next_touch <= ?{}", params.len()));
        }
        let filter = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
        let limit = if limit == usize::MAX { String::new() } else { format!(" LIMIT {limit}") };
        let sql = format!("SELECT * FROM ({NEXT_TOUCH_SQL}){filter} ORDER BY next_touch, last_name, first_name, id{limit}");
        let now = due_by.unwrap_or_else(|| self.now());
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(params), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        let mut out = vec![];
        for r in rows {
            let (id, first_name, last_name, company, every, unit, from_tag, last, next) = r?;
            let Some(cadence) = cadence_of(Some(&json!({ "every": every, "unit": unit }))) else { continue };
            let (Ok(contact_id), Ok(last_touch), Ok(next_touch)) = (Uuid::parse_str(&id), Timestamp::parse(&last), Timestamp::parse(&next)) else { continue };
            let days_overdue = (now.as_datetime() - next_touch.as_datetime()).num_days().max(0);
            out.push(LosingTouch { contact_id, first_name, last_name, company, cadence, from_tag, last_touch, next_touch, days_overdue });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadences_read_as_people_write_them_and_stay_in_range() {
        let c: Cadence = serde_json::from_value(json!({ "every": 2, "unit": "weeks" })).unwrap();
        assert_eq!(c, Cadence { every: 2, unit: CadenceUnit::Weeks });
        assert!(Cadence { every: 121, unit: CadenceUnit::Months }.check().is_err());
        assert!(serde_json::from_value::<Cadence>(json!({ "every": 2, "unit": "fortnights" })).is_err());
    }
}
