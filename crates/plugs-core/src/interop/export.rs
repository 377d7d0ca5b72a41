//! Out of the app: contacts as vCard 4.0 and CSV, events with their agenda and scheduled
//! follow-ups as iCalendar (RFC 5545), expenses as CSV with exact amounts.

use super::csvfmt::field;
use super::vcard::{escape, fold};
use crate::error::{Error, Result};
use crate::repo::{self, Record};
use crate::schema::TableSpec;
use crate::store::Store;
use crate::types::{Money, Timestamp};
use serde_json::Value;

/// The export formats.
pub const FORMATS: &[&str] = &["vcard", "csv", "ics", "expenses-csv"];

/// The CSV columns of a contact export (the import maps them back by name).
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "linkedin_url",
    "industry",
    "contact_type",
    "status",
    "priority",
    "lead_score",
    "business_type",
    "network_type",
    "bio",
    "notes",
    "last_interaction",
    "created_at",
];

const EXPENSE_COLUMNS: &[&str] = &["id", "expense_date", "title", "description", "amount", "currency", "expense_type", "category", "status", "event", "approved_at", "notes"];

fn s<'a>(r: &'a Record, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn plain(r: &Record, k: &str) -> String {
    match r.get(k) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

fn all(store: &Store, spec: &'static TableSpec, cond: &str, order: &str) -> Result<Vec<Record>> {
    let org = store.actor()?.organization_id.to_string();
    repo::select(store.connection(), spec, &format!("organization_id = ?1 AND NOT is_deleted {cond}"), vec![rusqlite::types::Value::Text(org)], &format!("ORDER BY {order}"))
}

impl Store {
    /// Exports in one of [`FORMATS`].
    pub fn export(&self, format: &str) -> Result<String> {
        match format {
            "vcard" => self.export_vcard(),
            "csv" => self.export_contacts_csv(),
            "ics" => self.export_ics(),
            "expenses-csv" => self.export_expenses_csv(),
            _ => Err(Error::invalid("format", "invalid_choice", format!("'{format}' is not one of: {}", FORMATS.join(", ")))),
        }
    }

    /// Every contact as a vCard 4.0 card (RFC 6350), UID = the contact's id.
    pub fn export_vcard(&self) -> Result<String> {
        let mut out = String::new();
        for c in all(self, &crate::tables::contacts::SPEC, "", "last_name, first_name, id")? {
            let mut lines = vec!["BEGIN:VCARD".to_owned(), "VERSION:4.0".to_owned(), "PRODID:-//The Plugs//EN".to_owned()];
            lines.push(format!("UID:urn:uuid:{}", s(&c, "id")));
            lines.push(format!("FN:{}", escape(format!("{} {}", s(&c, "first_name"), s(&c, "last_name")).trim())));
            lines.push(format!("N:{};{};;;", escape(s(&c, "last_name")), escape(s(&c, "first_name"))));
            let meta = c.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
            if !s(&c, "email").is_empty() {
                lines.push(format!("EMAIL;PREF=1:{}", escape(s(&c, "email"))));
            }
            for e in meta.get("emails").and_then(Value::as_array).into_iter().flatten() {
                if let Some(v) = e.get("value").and_then(Value::as_str) {
                    lines.push(format!("EMAIL:{}", escape(v)));
                }
            }
            if !s(&c, "phone").is_empty() {
                lines.push(format!("TEL;VALUE=text;PREF=1:{}", escape(s(&c, "phone"))));
            }
            for e in meta.get("phones").and_then(Value::as_array).into_iter().flatten() {
                if let Some(v) = e.get("value").and_then(Value::as_str) {
                    lines.push(format!("TEL;VALUE=text:{}", escape(v)));
                }
            }
            if !s(&c, "company").is_empty() {
                lines.push(format!("ORG:{}", escape(s(&c, "company"))));
            }
            if !s(&c, "job_title").is_empty() {
                lines.push(format!("TITLE:{}", escape(s(&c, "job_title"))));
            }
            if !s(&c, "linkedin_url").is_empty() {
                lines.push(format!("URL;TYPE=linkedin:{}", s(&c, "linkedin_url")));
            }
            if !s(&c, "avatar_url").is_empty() {
                lines.push(format!("PHOTO:{}", s(&c, "avatar_url")));
            }
            if !s(&c, "notes").is_empty() {
                lines.push(format!("NOTE:{}", escape(s(&c, "notes"))));
            }
            for (prop, col) in [
                ("X-PLUGS-TYPE", "contact_type"),
                ("X-PLUGS-STATUS", "status"),
                ("X-PLUGS-PRIORITY", "priority"),
                ("X-PLUGS-INDUSTRY", "industry"),
                ("X-PLUGS-BIO", "bio"),
                ("X-PLUGS-BUSINESS-TYPE", "business_type"),
                ("X-PLUGS-NETWORK-TYPE", "network_type"),
            ] {
                let v = plain(&c, col);
                if !v.is_empty() {
                    lines.push(format!("{prop}:{}", escape(&v)));
                }
            }
            lines.push(format!("X-PLUGS-LEAD-SCORE:{}", plain(&c, "lead_score")));
            let rest: serde_json::Map<String, Value> = meta.into_iter().filter(|(k, _)| k != "emails" && k != "phones").collect();
            if !rest.is_empty() {
                lines.push(format!("X-PLUGS-METADATA:{}", escape(&Value::Object(rest).to_string())));
            }
            lines.push(format!("REV:{}", ics_time(s(&c, "updated_at"))));
            lines.push("END:VCARD".to_owned());
            for l in lines {
                out.push_str(&fold(&l));
            }
        }
        Ok(out)
    }

    /// Every contact as CSV, one row each, with a header of column names.
    pub fn export_contacts_csv(&self) -> Result<String> {
        let mut out = CONTACT_COLUMNS.join(",");
        out.push_str("\r\n");
        for c in all(self, &crate::tables::contacts::SPEC, "", "last_name, first_name, id")? {
            let row: Vec<String> = CONTACT_COLUMNS.iter().map(|k| field(&plain(&c, k))).collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        Ok(out)
    }

    /// Expenses as CSV: amounts exact with two decimals, their currency beside them.
    pub fn export_expenses_csv(&self) -> Result<String> {
        let events: std::collections::HashMap<String, String> =
            all(self, &crate::tables::events::SPEC, "", "id")?.into_iter().map(|e| (s(&e, "id").to_owned(), s(&e, "title").to_owned())).collect();
        let mut out = EXPENSE_COLUMNS.join(",");
        out.push_str("\r\n");
        for x in all(self, &crate::tables::expenses::SPEC, "", "expense_date, id")? {
            let row: Vec<String> = EXPENSE_COLUMNS
                .iter()
                .map(|k| match *k {
                    "amount" => Money::parse(&plain(&x, "amount")).map(|m| m.to_string()).unwrap_or_else(|_| plain(&x, "amount")),
                    "event" => events.get(s(&x, "event_id")).cloned().unwrap_or_default(),
                    k => plain(&x, k),
                })
                .map(|v| field(&v))
                .collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        Ok(out)
    }

    /// Events, their agenda items and the user's scheduled follow-ups as one calendar. Times are
    /// written in UTC (the `Z` form), which every calendar places correctly in its own zone; each
    /// event's own zone is named in X-PLUGS-TIMEZONE.
    pub fn export_ics(&self) -> Result<String> {
        let stamp = ics_time(&self.now().to_string());
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            "PRODID:-//The Plugs//Events//EN".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            "METHOD:PUBLISH".to_owned(),
        ];
        for e in all(self, &crate::tables::events::SPEC, "", "start_date, id")? {
            lines.push("BEGIN:VEVENT".into());
            lines.push(format!("UID:{}@theplugs", s(&e, "id")));
            lines.push(format!("DTSTAMP:{stamp}"));
            lines.push(format!("DTSTART:{}", ics_time(s(&e, "start_date"))));
            lines.push(format!("DTEND:{}", ics_time(s(&e, "end_date"))));
            lines.push(format!("SUMMARY:{}", ics_escape(s(&e, "title"))));
            let loc = [s(&e, "venue"), s(&e, "location")].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(", ");
            if !loc.is_empty() {
                lines.push(format!("LOCATION:{}", ics_escape(&loc)));
            }
            if !s(&e, "description").is_empty() {
                lines.push(format!("DESCRIPTION:{}", ics_escape(s(&e, "description"))));
            }
            if !s(&e, "registration_url").is_empty() {
                lines.push(format!("URL:{}", s(&e, "registration_url")));
            }
            lines.push(format!(
                "STATUS:{}",
                match s(&e, "status") {
                    "cancelled" => "CANCELLED",
                    "draft" => "TENTATIVE",
                    _ => "CONFIRMED",
                }
            ));
            lines.push(format!("CATEGORIES:{}", ics_escape(s(&e, "event_type"))));
            lines.push(format!("X-PLUGS-TIMEZONE:{}", ics_escape(s(&e, "timezone"))));
            lines.push(format!("LAST-MODIFIED:{}", ics_time(s(&e, "updated_at"))));
            lines.push("END:VEVENT".into());
        }
        for a in all(self, &crate::tables::event_agenda_items::SPEC, "", "start_time, sort_order, id")? {
            lines.push("BEGIN:VEVENT".into());
            lines.push(format!("UID:{}@theplugs", s(&a, "id")));
            lines.push(format!("DTSTAMP:{stamp}"));
            lines.push(format!("DTSTART:{}", ics_time(s(&a, "start_time"))));
            lines.push(format!("DTEND:{}", ics_time(s(&a, "end_time"))));
            lines.push(format!("SUMMARY:{}", ics_escape(s(&a, "title"))));
            if !s(&a, "location").is_empty() {
                lines.push(format!("LOCATION:{}", ics_escape(s(&a, "location"))));
            }
            if !s(&a, "description").is_empty() {
                lines.push(format!("DESCRIPTION:{}", ics_escape(s(&a, "description"))));
            }
            lines.push(format!("RELATED-TO;RELTYPE=PARENT:{}@theplugs", s(&a, "event_id")));
            lines.push(format!("STATUS:{}", if s(&a, "status") == "cancelled" { "CANCELLED" } else { "CONFIRMED" }));
            lines.push(format!("CATEGORIES:{}", ics_escape(s(&a, "agenda_type"))));
            lines.push("END:VEVENT".into());
        }
        let names: std::collections::HashMap<String, String> =
            all(self, &crate::tables::contacts::SPEC, "AND id IN (SELECT contact_id FROM contact_interactions WHERE status = 'scheduled')", "id")?
                .into_iter()
                .map(|c| (s(&c, "id").to_owned(), format!("{} {}", s(&c, "first_name"), s(&c, "last_name")).trim().to_owned()))
                .collect();
        for i in all(self, &crate::tables::contact_interactions::SPEC, "AND status = 'scheduled'", "interaction_date, id")? {
            let who = names.get(s(&i, "contact_id")).cloned().unwrap_or_default();
            let what = if s(&i, "subject").is_empty() { s(&i, "interaction_type").replace('_', "-") } else { s(&i, "subject").to_owned() };
            lines.push("BEGIN:VEVENT".into());
            lines.push(format!("UID:{}@theplugs", s(&i, "id")));
            lines.push(format!("DTSTAMP:{stamp}"));
            lines.push(format!("DTSTART:{}", ics_time(s(&i, "interaction_date"))));
            lines.push("DURATION:PT30M".into());
            lines.push(format!("SUMMARY:{}", ics_escape(&format!("Follow-up with {who}: {what}"))));
            if !s(&i, "description").is_empty() {
                lines.push(format!("DESCRIPTION:{}", ics_escape(s(&i, "description"))));
            }
            lines.push("CATEGORIES:follow-up".into());
            lines.push("BEGIN:VALARM".into());
            lines.push("ACTION:DISPLAY".into());
            lines.push(format!("DESCRIPTION:{}", ics_escape(&format!("Follow-up with {who}"))));
            lines.push("TRIGGER:-PT10M".into());
            lines.push("END:VALARM".into());
            lines.push("END:VEVENT".into());
        }
        lines.push("END:VCALENDAR".into());
        Ok(lines.iter().map(|l| fold(l)).collect())
    }
}

/// `2026-11-24T14:03:05.123456Z` → `20261124T140305Z` (iCalendar UTC form; seconds precision).
pub fn ics_time(t: &str) -> String {
    match Timestamp::parse(t) {
        Ok(ts) => ts.as_datetime().format("%Y%m%dT%H%M%SZ").to_string(),
        Err(_) => t.to_owned(),
    }
}

/// Escapes iCalendar TEXT (RFC 5545 §3.3.11).
pub fn ics_escape(s: &str) -> String {
    escape(s)
}
