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

/// A contact's effective cadence and where it comes from: its own (`every: 0` opts out), else the
/// most frequent default among its tags.
fn effective(meta: &Value, defaults: &BTreeMap<String, Cadence>) -> Option<(Cadence, Option<String>)> {
    if let Some(own) = meta.get("keep_in_touch") {
        return serde_json::from_value::<Cadence>(own.clone()).ok().filter(|c| c.every > 0).map(|c| (c, None));
    }
    let days = |c: &Cadence| match c.unit {
        CadenceUnit::Days => c.every as i64,
        CadenceUnit::Weeks => c.every as i64 * 7,
        CadenceUnit::Months => c.every as i64 * 30,
    };
    plugs_domain::tags::of_metadata(Some(meta)).into_iter().filter_map(|t| defaults.get(&t).filter(|c| c.every > 0).map(|c| (*c, Some(t)))).min_by_key(|(c, _)| days(c))
}

/// One period after `from`.
fn after(from: Timestamp, c: Cadence) -> Timestamp {
    let d = from.as_datetime();
    let next = match c.unit {
        CadenceUnit::Days => d.checked_add_signed(chrono::Duration::days(c.every as i64)),
        CadenceUnit::Weeks => d.checked_add_signed(chrono::Duration::weeks(c.every as i64)),
        CadenceUnit::Months => d.checked_add_months(chrono::Months::new(c.every)),
    };
    Timestamp::from_datetime(next.unwrap_or(d))
}

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
                all.insert(tag.clone(), c);
            }
            None => {
                all.remove(&tag);
            }
        }
        self.set_setting_value(BY_TAG_SETTING, &serde_json::to_string(&all).expect("cadences serialize"))?;
        // The contacts with that tag are worked out again at the next read.
        self.conn.prepare_cached("INSERT OR IGNORE INTO contact_touch_dirty (contact_id) SELECT contact_id FROM contact_tags WHERE tag = ?1")?.execute([&tag])?;
        Ok(())
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

    /// Works out the next touch of the contacts marked by the triggers since the last read (see
    /// migration V10), in one write.
    fn refresh_touches(&self) -> Result<()> {
        let any: bool = self.conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM contact_touch_dirty)")?.query_row([], |r| r.get(0))?;
        if !any {
            return Ok(());
        }
        let defaults = self.tag_cadences()?;
        self.write(|ctx| {
            let conn = ctx.conn;
            conn.execute("DELETE FROM contact_touch WHERE contact_id IN (SELECT contact_id FROM contact_touch_dirty)", [])?;
            let mut read = conn.prepare_cached(
                "SELECT c.id, c.metadata, COALESCE(c.last_interaction, c.created_at) FROM contact_touch_dirty d JOIN contacts c ON c.id = d.contact_id WHERE NOT c.is_deleted",
            )?;
            let mut write = conn.prepare_cached("INSERT INTO contact_touch (contact_id, every, unit, from_tag, last_touch, next_touch) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
            let rows = read.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?)))?;
            for row in rows {
                let (id, meta, last) = row?;
                let meta: Value = meta.and_then(|m| serde_json::from_str(&m).ok()).unwrap_or(Value::Null);
                let (Some((cadence, from_tag)), Some(last)) = (effective(&meta, &defaults), last.and_then(|l| Timestamp::parse(&l).ok())) else { continue };
                let mut next = after(last, cadence);
                if let Some(s) = meta.get("touch_snoozed_until").and_then(Value::as_str).and_then(|s| Timestamp::parse(s).ok()) {
                    next = next.max(s);
                }
                let unit = serde_json::to_value(cadence.unit).ok().and_then(|u| u.as_str().map(str::to_owned)).unwrap_or_default();
                write.execute(rusqlite::params![id, cadence.every, unit, from_tag, last.to_string(), next.to_string()])?;
            }
            conn.execute("DELETE FROM contact_touch_dirty", [])?;
            Ok(())
        })
    }

    fn next_touches(&self, contact: Option<Uuid>, due_by: Option<Timestamp>, limit: usize) -> Result<Vec<LosingTouch>> {
        self.refresh_touches()?;
        let actor = self.actor()?;
        let mut params = vec![SqlValue::Text(actor.organization_id.to_string())];
        let mut conds = vec![];
        if let Some(c) = contact {
            params.push(SqlValue::Text(c.to_string()));
            conds.push(format!(" AND t.contact_id = ?{}", params.len()));
        }
        if let Some(t) = due_by {
            params.push(SqlValue::Text(t.to_string()));
            conds.push(format!(" AND t.next_touch <= ?{}", params.len()));
        }
        let limit = if limit == usize::MAX { String::new() } else { format!(" LIMIT {limit}") };
        let sql = format!(
            "SELECT t.contact_id, c.first_name, c.last_name, c.company, t.every, t.unit, t.from_tag, t.last_touch, t.next_touch
             FROM contact_touch t CROSS JOIN contacts c ON c.id = t.contact_id
             WHERE c.organization_id = ?1 AND NOT c.is_deleted{}
             ORDER BY t.next_touch, t.contact_id{limit}",
            conds.concat()
        );
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
            let Ok(cadence) = serde_json::from_value::<Cadence>(json!({ "every": every, "unit": unit })) else { continue };
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
