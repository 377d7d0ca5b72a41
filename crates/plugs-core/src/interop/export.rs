//! Out of the app: contacts as vCard 4.0 and CSV, events with their agenda and scheduled
//! follow-ups as iCalendar (RFC 5545), expenses as CSV with exact amounts.

use super::csvfmt::field;
use super::model::{Parts, ADDRESS_PARTS};
use super::vcard::{escape, escape_kept, fold};
use crate::error::{Error, Result};
use crate::repo::{self, Record};
use crate::schema::TableSpec;
use crate::store::Store;
use crate::types::{Money, Timestamp};
use base64::Engine;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// The export formats.
pub const FORMATS: &[&str] = &["vcard", "csv", "ics", "expenses-csv"];

/// The CSV columns every contact export has (the import maps them back by name). The numbered
/// emails, phones and addresses follow, as many as the contacts need (`email_2`, `email_2_types`,
/// `phone_2`…, `address_1_types`, `address_1_street`…, with `…_pref` columns when a file gave
/// preferences), then [`CONTACT_TAIL`]. Several values in one cell (labels, web sites,
/// departments) are separated by ` ::: ` as in Google's CSV; types by commas.
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "first_name",
    "middle_name",
    "last_name",
    "name_prefix",
    "name_suffix",
    "nickname",
    "email",
    "email_types",
    "phone",
    "phone_types",
    "company",
    "department",
    "job_title",
    "linkedin_url",
    "websites",
    "avatar_url",
    "industry",
    "contact_type",
    "status",
    "priority",
    "lead_score",
    "business_type",
    "network_type",
    "bio",
    "notes",
    "labels",
    "birthday",
    "anniversary",
];

/// The last columns of a contact export: `metadata` holds, as JSON, the rest of the contact's
/// metadata (what no column carries, see [`super::model`]).
pub const CONTACT_TAIL: &[&str] = &["metadata", "last_interaction", "created_at"];

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

    /// Every contact as a vCard 4.0 card (RFC 6350), UID = the contact's id: every email and
    /// phone with its types and preference (a phone with an extension as a `tel:` URI with
    /// `;ext=`), addresses, categories, web sites, LinkedIn (as `URL` and Apple's
    /// `X-SOCIALPROFILE`), birthday and anniversary, the photo (embedded when it is a file of the
    /// contact, linked when it is an address), the other properties the contact came with, and in
    /// `X-PLUGS-…` what only this app knows.
    pub fn export_vcard(&self) -> Result<String> {
        let photos = self.contact_photos()?;
        let mut out = String::new();
        for c in all(self, &crate::tables::contacts::SPEC, "", "last_name, first_name, id")? {
            let p = Parts::split(c.get("metadata"), !s(&c, "email").is_empty(), !s(&c, "phone").is_empty(), true);
            let mut lines = vec!["BEGIN:VCARD".to_owned(), "VERSION:4.0".to_owned(), "PRODID:-//The Plugs//EN".to_owned()];
            lines.push(format!("UID:urn:uuid:{}", s(&c, "id")));
            let name = [s(&c, "last_name"), s(&c, "first_name"), &p.middle_name, &p.name_prefix, &p.name_suffix];
            let full: Vec<&str> = [name[3], name[1], name[2], name[0], name[4]].into_iter().filter(|n| !n.trim().is_empty()).collect();
            lines.push(format!("FN:{}", escape(&full.join(" "))));
            lines.push(format!("N:{}", name.map(escape).join(";")));
            if !p.nickname.is_empty() {
                // A list, as it came: its commas separate nicknames.
                lines.push(format!("NICKNAME:{}", escape_kept(&p.nickname)));
            }
            if !s(&c, "email").is_empty() {
                lines.push(format!("EMAIL{}:{}", params(&p.email_types, Some(1)), escape(s(&c, "email"))));
            }
            for e in &p.emails {
                lines.push(format!("EMAIL{}:{}", params(&e.types, e.pref), escape(&e.value)));
            }
            if !s(&c, "phone").is_empty() {
                lines.push(tel(s(&c, "phone"), &p.phone_types, Some(1)));
            }
            for t in &p.phones {
                lines.push(tel(&t.value, &t.types, t.pref));
            }
            for a in &p.addresses {
                lines.push(format!("ADR{}:{}", params(&a.types, a.pref), a.parts.iter().map(|x| escape(x)).collect::<Vec<_>>().join(";")));
            }
            if !s(&c, "company").is_empty() || !p.org_units.is_empty() {
                let org: Vec<String> = std::iter::once(s(&c, "company")).chain(p.org_units.iter().map(String::as_str)).map(escape).collect();
                lines.push(format!("ORG:{}", org.join(";")));
            }
            if !s(&c, "job_title").is_empty() {
                lines.push(format!("TITLE:{}", escape(s(&c, "job_title"))));
            }
            if !s(&c, "linkedin_url").is_empty() {
                lines.push(format!("URL;TYPE=linkedin:{}", s(&c, "linkedin_url")));
                lines.push(format!("X-SOCIALPROFILE;TYPE=linkedin:{}", s(&c, "linkedin_url")));
            }
            for u in &p.urls {
                lines.push(format!("URL:{u}"));
            }
            if !p.labels.is_empty() {
                lines.push(format!("CATEGORIES:{}", p.labels.iter().map(|l| escape(l)).collect::<Vec<_>>().join(",")));
            }
            for (prop, v) in [("BDAY", &p.birthday), ("ANNIVERSARY", &p.anniversary)] {
                if !v.is_empty() {
                    lines.push(date(prop, v));
                }
            }
            if let Some((id, url)) = photos.get(s(&c, "id")) {
                match self.media_bytes(*id) {
                    Ok((mime, bytes)) => lines.push(format!("PHOTO:data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))),
                    // A photo added on another device, not here: its address if it has one.
                    Err(_) => lines.extend(url.iter().map(|u| format!("PHOTO;VALUE=uri:{u}"))),
                }
            }
            if !s(&c, "avatar_url").is_empty() {
                lines.push(format!("PHOTO;VALUE=uri:{}", s(&c, "avatar_url")));
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
            for k in &p.vcard {
                let params = k.params.as_deref().map(|p| format!(";{p}")).unwrap_or_default();
                lines.push(format!("{}{params}:{}", k.name, escape_kept(&k.value)));
            }
            if !p.rest.is_empty() {
                lines.push(format!("X-PLUGS-METADATA:{}", escape(&Value::Object(p.rest).to_string())));
            }
            lines.push(format!("REV:{}", ics_time(s(&c, "updated_at"))));
            lines.push("END:VCARD".to_owned());
            for l in lines {
                out.push_str(&fold(&l));
            }
        }
        Ok(out)
    }

    /// Each contact's photo (the latest image tagged `photo` it has, that this user may see): the
    /// media item and its address.
    fn contact_photos(&self) -> Result<HashMap<String, (Uuid, Option<String>)>> {
        let actor = self.actor()?;
        let mut st = self.connection().prepare(
            "SELECT related_contact, id, json_extract(metadata, '$.source_url') FROM media
             WHERE organization_id = ?1 AND NOT is_deleted AND media_type = 'image' AND related_contact IS NOT NULL
               AND (access_level IS NOT 'private' OR uploaded_by = ?2)
               AND EXISTS (SELECT 1 FROM json_each(media.tags) WHERE value = 'photo')
             ORDER BY created_at DESC, id DESC",
        )?;
        let mut rows = st.query([actor.organization_id.to_string(), actor.user_id.to_string()])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let (contact, id, url): (String, String, Option<String>) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if let Ok(id) = Uuid::parse_str(&id) {
                out.entry(contact).or_insert((id, url));
            }
        }
        Ok(out)
    }

    /// Every contact as CSV, one row each, with a header of column names: [`CONTACT_COLUMNS`],
    /// the numbered emails, phones and addresses, [`CONTACT_TAIL`]. The import reads it back
    /// whole.
    pub fn export_contacts_csv(&self) -> Result<String> {
        let contacts = all(self, &crate::tables::contacts::SPEC, "", "last_name, first_name, id")?;
        let parts: Vec<Parts> = contacts.iter().map(|c| Parts::split(c.get("metadata"), !s(c, "email").is_empty(), !s(c, "phone").is_empty(), false)).collect();
        let most = |f: fn(&Parts) -> usize| parts.iter().map(f).max().unwrap_or(0);
        let (emails, phones, addresses) = (most(|p| p.emails.len()), most(|p| p.phones.len()), most(|p| p.addresses.len()));
        let email_pref = parts.iter().any(|p| p.emails.iter().any(|e| e.pref.is_some()));
        let phone_pref = parts.iter().any(|p| p.phones.iter().any(|e| e.pref.is_some()));
        let address_pref = parts.iter().any(|p| p.addresses.iter().any(|a| a.pref.is_some()));
        let mut header: Vec<String> = CONTACT_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
        for (kind, n, pref) in [("email", emails, email_pref), ("phone", phones, phone_pref)] {
            for i in 2..n + 2 {
                header.push(format!("{kind}_{i}"));
                header.push(format!("{kind}_{i}_types"));
                if pref {
                    header.push(format!("{kind}_{i}_pref"));
                }
            }
        }
        for i in 1..=addresses {
            header.push(format!("address_{i}_types"));
            if address_pref {
                header.push(format!("address_{i}_pref"));
            }
            header.extend(ADDRESS_PARTS.iter().map(|p| format!("address_{i}_{p}")));
        }
        header.extend(CONTACT_TAIL.iter().map(|c| (*c).to_owned()));
        let mut out = header.join(",");
        out.push_str("\r\n");
        let pref = |p: Option<u64>| p.map(|p| p.to_string()).unwrap_or_default();
        for (c, p) in contacts.iter().zip(parts) {
            let mut row: Vec<String> = CONTACT_COLUMNS
                .iter()
                .map(|k| match *k {
                    "middle_name" => p.middle_name.clone(),
                    "name_prefix" => p.name_prefix.clone(),
                    "name_suffix" => p.name_suffix.clone(),
                    "nickname" => p.nickname.clone(),
                    "email_types" => p.email_types.join(","),
                    "phone_types" => p.phone_types.join(","),
                    "department" => p.org_units.join(" ::: "),
                    "websites" => p.urls.join(" ::: "),
                    "labels" => p.labels.join(" ::: "),
                    "birthday" => p.birthday.clone(),
                    "anniversary" => p.anniversary.clone(),
                    k => plain(c, k),
                })
                .collect();
            for (list, n, with_pref) in [(&p.emails, emails, email_pref), (&p.phones, phones, phone_pref)] {
                for i in 0..n {
                    let e = list.get(i);
                    row.push(e.map(|e| e.value.clone()).unwrap_or_default());
                    row.push(e.map(|e| e.types.join(",")).unwrap_or_default());
                    if with_pref {
                        row.push(pref(e.and_then(|e| e.pref)));
                    }
                }
            }
            for i in 0..addresses {
                let a = p.addresses.get(i);
                row.push(a.map(|a| a.types.join(",")).unwrap_or_default());
                if address_pref {
                    row.push(pref(a.and_then(|a| a.pref)));
                }
                row.extend((0..ADDRESS_PARTS.len()).map(|k| a.map(|a| a.parts[k].clone()).unwrap_or_default()));
            }
            row.push(if p.rest.is_empty() { String::new() } else { Value::Object(p.rest).to_string() });
            row.extend(CONTACT_TAIL[1..].iter().map(|k| plain(c, k)));
            let row: Vec<String> = row.iter().map(|v| field(v)).collect();
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

/// `;TYPE=…;PREF=…` of a vCard property (a type that is not a plain word is quoted).
fn params(types: &[String], pref: Option<u64>) -> String {
    let mut out = String::new();
    let types: Vec<String> = types.iter().map(|t| t.replace(['"', ','], "")).filter(|t| !t.is_empty()).collect();
    if !types.is_empty() {
        let v = types.join(",");
        if types.iter().all(|t| t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
            out.push_str(&format!(";TYPE={v}"));
        } else {
            out.push_str(&format!(";TYPE=\"{v}\""));
        }
    }
    if let Some(p) = pref {
        out.push_str(&format!(";PREF={p}"));
    }
    out
}

/// A TEL line: a phone with an extension and an international number as an RFC 3966 URI
/// (`tel:+1-212-555-0100;ext=204`), any other as the text it is.
fn tel(phone: &str, types: &[String], pref: Option<u64>) -> String {
    match plugs_domain::phone::tel_uri(phone) {
        Some(uri) => format!("TEL;VALUE=uri{}:{uri}", params(types, pref)),
        None => format!("TEL;VALUE=text{}:{}", params(types, pref), escape(phone)),
    }
}

/// BDAY / ANNIVERSARY: a date as it is (`1985-04-12`, `--04-12`), anything else as text.
fn date(prop: &str, v: &str) -> String {
    let iso = (v.starts_with(|c: char| c.is_ascii_digit()) || v.starts_with("--")) && v.chars().all(|c| c.is_ascii_digit() || "-:TZ+".contains(c));
    if iso {
        format!("{prop}:{v}")
    } else {
        format!("{prop};VALUE=text:{}", escape(v))
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
