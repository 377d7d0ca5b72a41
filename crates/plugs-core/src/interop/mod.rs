//! Import and export in the formats networkers already have: vCard 2.1/3.0/4.0, LinkedIn and
//! Google CSV, any CSV with a column mapping; out to vCard 4.0, CSV, iCalendar and expenses CSV.
//!
//! An import reads every entry of the file into a draft, then writes each draft on its own
//! savepoint (a contact is written whole or not at all), merging it into an existing contact when
//! one matches by id, by email (any case) or by name + company. Entries that cannot be read or
//! are refused by the store are reported with their card/row and line, and the rest import. A dry
//! run does all of it in a transaction that is rolled back, so what it reports is exactly what an
//! import would do. Photos linked by address are downloaded first (see [`photos`]).

pub mod csvfmt;
pub mod export;
pub mod model;
pub mod photos;
pub mod text;
pub mod vcard;

use crate::error::{Error, Result};
use crate::matching::{self, Keys};
use crate::repo::{self, Ctx, Origin, Record};
use crate::search::DeferredIndex;
use crate::store::Store;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// The formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Auto,
    VCard,
    LinkedIn,
    Google,
    Csv,
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        Ok(match s {
            "auto" => Format::Auto,
            "vcard" | "vcf" => Format::VCard,
            "linkedin" => Format::LinkedIn,
            "google" => Format::Google,
            "csv" => Format::Csv,
            _ => return Err(Error::invalid("format", "invalid_choice", format!("'{s}' is not one of: auto, vcard, linkedin, google, csv"))),
        })
    }
}

/// A contact's photo as a file brings it.
#[derive(Debug, Clone, PartialEq)]
pub enum Photo {
    Data(Vec<u8>, String),
    Link(String),
    /// A linked photo, downloaded: its bytes, content type and address.
    Fetched {
        bytes: Vec<u8>,
        mime: String,
        url: String,
    },
}

/// One entry of a file, read but not yet written.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// "card 3 (line 20)" or "row 7 (line 9)".
    pub location: String,
    pub id: Option<Uuid>,
    pub fields: Record,
    pub metadata: Map<String, Value>,
    pub photo: Option<Photo>,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub format: Format,
    pub dry_run: bool,
    /// Whether a merge replaces non-empty fields too (by default it only fills empty ones).
    pub overwrite: bool,
    /// Header → target overrides for CSV.
    pub mapping: Vec<(String, csvfmt::Target)>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { format: Format::Auto, dry_run: false, overwrite: false, mapping: Vec::new() }
    }
}

/// An entry not imported, or imported with a caveat.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ImportNote {
    pub location: String,
    pub reason: String,
}

/// An entry merged into an existing contact.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ImportMerge {
    pub location: String,
    pub contact_id: Uuid,
    pub name: String,
    /// The fields the entry filled (or replaced); empty when it added nothing new.
    pub fields: Vec<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
pub struct ImportReport {
    pub format: String,
    pub encoding: String,
    pub dry_run: bool,
    /// Entries read from the file (cards or rows), readable or not.
    pub entries: usize,
    pub created: usize,
    pub merged: usize,
    pub media: usize,
    pub refused: Vec<ImportNote>,
    pub merges: Vec<ImportMerge>,
    pub warnings: Vec<ImportNote>,
}

/// Splits "Ada King Lovelace" into ("Ada King", "Lovelace"); "Lovelace, Ada" into ("Ada", "Lovelace").
pub fn split_name(full: &str) -> (String, String) {
    let full = full.trim();
    if let Some((last, first)) = full.split_once(',') {
        return (first.trim().to_owned(), last.trim().to_owned());
    }
    match full.rsplit_once(char::is_whitespace) {
        Some((f, l)) => (f.trim().to_owned(), l.trim().to_owned()),
        None => (full.to_owned(), String::new()),
    }
}

const KNOWN_VCARD: &[&str] =
    &["BEGIN", "END", "VERSION", "N", "FN", "EMAIL", "TEL", "ORG", "TITLE", "NOTE", "URL", "PHOTO", "UID", "PRODID", "REV", "ADR", "CATEGORIES", "BDAY", "ANNIVERSARY", "NICKNAME"];

fn text_field(fields: &mut Record, k: &str, v: String) {
    let v = v.trim().to_owned();
    if !v.is_empty() {
        fields.entry(k.to_owned()).or_insert(Value::String(v));
    }
}

/// Whether a web address is a LinkedIn profile's.
pub(crate) fn is_linkedin(url: &str) -> bool {
    url.to_ascii_lowercase().contains("linkedin.com")
}

fn is_web(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// A card as a draft. Its parts beyond the contact's columns go to `metadata` in the shape
/// [`model`] describes.
pub fn draft_from_card(c: &vcard::Card) -> Draft {
    let mut fields = Map::new();
    let mut meta = Map::new();
    if let Some(n) = c.first("N") {
        let p = n.parts();
        text_field(&mut fields, "first_name", p.get(1).cloned().unwrap_or_default());
        text_field(&mut fields, "last_name", p.first().cloned().unwrap_or_default());
        for (i, k) in [(2, "middle_name"), (3, "name_prefix"), (4, "name_suffix")] {
            if let Some(v) = p.get(i).filter(|v| !v.trim().is_empty()) {
                meta.insert(k.into(), Value::String(v.trim().to_owned()));
            }
        }
    }
    if !fields.contains_key("first_name") && !fields.contains_key("last_name") {
        if let Some(f) = c.first("FN") {
            let (first, last) = split_name(&f.text());
            text_field(&mut fields, "first_name", first);
            text_field(&mut fields, "last_name", last);
        }
    }
    // Emails and phones: the most preferred fills the column (its types kept beside it), the
    // others are listed in order with their types and preference.
    for (prop, key) in [("EMAIL", "email"), ("TEL", "phone")] {
        let mut list: Vec<Value> = Vec::new();
        let mut primary: Option<String> = None;
        for p in c.all(prop) {
            let text = p.text();
            let value = if key == "phone" { model::phone_form(&text) } else { text.trim().to_owned() };
            if value.is_empty() || primary.as_deref() == Some(value.as_str()) {
                continue;
            }
            let types = model::clean_types(p.param("TYPE").iter().map(String::as_str));
            if primary.is_none() {
                if !types.is_empty() {
                    meta.insert(format!("{key}_types"), json!(types));
                }
                fields.insert(key.into(), Value::String(value.clone()));
                primary = Some(value);
            } else {
                list.push(model::Item { value, types, pref: p.pref() }.to_json());
            }
        }
        if !list.is_empty() {
            meta.insert(format!("{key}s"), Value::Array(list));
        }
    }
    if let Some(o) = c.first("ORG") {
        let p = o.parts();
        text_field(&mut fields, "company", p.first().cloned().unwrap_or_default());
        let units: Vec<&String> = p.iter().skip(1).filter(|u| !u.is_empty()).collect();
        if !units.is_empty() {
            meta.insert("org_units".into(), json!(units));
        }
    }
    if let Some(t) = c.first("TITLE") {
        text_field(&mut fields, "job_title", t.text());
    }
    if let Some(n) = c.first("NOTE") {
        text_field(&mut fields, "notes", n.text());
    }
    let mut urls = Vec::new();
    for u in c.each("URL") {
        let v = u.text().trim().to_owned();
        if v.is_empty() {
            continue;
        }
        let linkedin = is_linkedin(&v) || u.param("TYPE").iter().any(|t| t == "linkedin");
        match fields.get("linkedin_url").and_then(Value::as_str) {
            None if linkedin => {
                fields.insert("linkedin_url".into(), Value::String(v));
            }
            Some(l) if linkedin && l == v => {}
            _ => urls.push(v),
        }
    }
    if !urls.is_empty() {
        meta.insert("urls".into(), json!(urls));
    }
    let addresses: Vec<Value> = c
        .all("ADR")
        .iter()
        .filter_map(|p| {
            let mut a = model::Address { types: model::clean_types(p.param("TYPE").iter().map(String::as_str)), pref: p.pref(), ..Default::default() };
            for (slot, v) in a.parts.iter_mut().zip(p.parts()) {
                *slot = v.trim().to_owned();
            }
            (!a.is_empty()).then(|| a.to_json())
        })
        .collect();
    if !addresses.is_empty() {
        meta.insert("addresses".into(), Value::Array(addresses));
    }
    let labels: Vec<String> = c.each("CATEGORIES").flat_map(|p| p.list()).map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
    if !labels.is_empty() {
        meta.insert("labels".into(), json!(labels));
    }
    for (prop, key) in [("BDAY", "birthday"), ("ANNIVERSARY", "anniversary"), ("NICKNAME", "nickname")] {
        if let Some(p) = c.first(prop) {
            let v = p.text();
            if !v.trim().is_empty() {
                meta.insert(key.into(), Value::String(v.trim().to_owned()));
            }
        }
    }
    // The first embedded photo is saved; a linked one is downloaded, or, beside an embedded one,
    // is the contact's avatar link.
    let mut photo = None;
    let mut link = None;
    let mut warnings = Vec::new();
    for p in c.all("PHOTO") {
        let data = p.value.trim_start().starts_with("data:") || p.param("ENCODING").iter().any(|e| e == "b" || e == "base64");
        if data && photo.is_none() {
            match p.binary() {
                Some(Ok((bytes, mime))) if !bytes.is_empty() => photo = Some(Photo::Data(bytes, mime)),
                Some(Err(e)) => warnings.push(format!("PHOTO: {e}")),
                _ => {}
            }
        } else if !data && link.is_none() {
            let v = p.text().trim().to_owned();
            if is_web(&v) {
                link = Some(v);
            }
        }
    }
    match link {
        Some(l) if photo.is_some() => text_field(&mut fields, "avatar_url", l),
        Some(l) => photo = Some(Photo::Link(l)),
        None => {}
    }
    // Our own export's fields.
    for (prop, col) in [
        ("X-PLUGS-TYPE", "contact_type"),
        ("X-PLUGS-STATUS", "status"),
        ("X-PLUGS-PRIORITY", "priority"),
        ("X-PLUGS-INDUSTRY", "industry"),
        ("X-PLUGS-BIO", "bio"),
        ("X-PLUGS-BUSINESS-TYPE", "business_type"),
        ("X-PLUGS-NETWORK-TYPE", "network_type"),
    ] {
        if let Some(p) = c.first(prop) {
            text_field(&mut fields, col, p.text());
        }
    }
    if let Some(p) = c.first("X-PLUGS-LEAD-SCORE") {
        let t = p.text();
        fields.insert("lead_score".into(), t.trim().parse::<i64>().map(Value::from).unwrap_or(Value::String(t)));
    }
    if let Some(p) = c.first("X-PLUGS-METADATA") {
        if let Ok(Value::Object(m)) = serde_json::from_str(&p.text()) {
            for (k, v) in m {
                meta.entry(k).or_insert(v);
            }
        }
    }
    // Everything else is kept as written, with its parameters. Apple's LinkedIn profile
    // (X-SOCIALPROFILE;type=linkedin) is the contact's LinkedIn address.
    let mut other: Map<String, Value> = Map::new();
    for p in &c.props {
        if KNOWN_VCARD.contains(&p.name.as_str()) || p.name.starts_with("X-PLUGS-") {
            continue;
        }
        let text = p.text();
        if p.name == "X-SOCIALPROFILE" && (p.param("TYPE").iter().any(|t| t == "linkedin") || is_linkedin(&text)) && is_web(text.trim()) {
            match fields.get("linkedin_url").and_then(Value::as_str) {
                None => {
                    fields.insert("linkedin_url".into(), Value::String(text.trim().to_owned()));
                    continue;
                }
                Some(l) if l == text.trim() => continue,
                Some(_) => {}
            }
        }
        let kept = match p.params_text() {
            None => Value::String(text),
            Some(params) => json!({ "value": text, "params": params }),
        };
        if let Value::Array(a) = other.entry(p.name.clone()).or_insert_with(|| json!([])) {
            a.push(kept);
        }
    }
    if !other.is_empty() {
        meta.insert("vcard".into(), Value::Object(other));
    }
    if !warnings.is_empty() {
        meta.insert("import_warnings".into(), json!(warnings));
    }
    let id = c.first("UID").and_then(|u| {
        let t = u.text();
        Uuid::parse_str(t.trim().trim_start_matches("urn:uuid:")).ok()
    });
    Draft { location: format!("card {} (line {})", c.number, c.line), id, fields, metadata: meta, photo }
}

/// Reads a file's entries.
/// The drafts of read cards, in their order; a large file's on two threads.
fn drafts_of(cards: &[vcard::Card]) -> Vec<Draft> {
    if cards.len() < 2000 {
        return cards.iter().map(draft_from_card).collect();
    }
    let (first, second) = cards.split_at(cards.len() / 2);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| second.iter().map(draft_from_card).collect::<Vec<_>>());
        let mut drafts: Vec<Draft> = first.iter().map(draft_from_card).collect();
        drafts.extend(later.join().expect("reading cards does not panic"));
        drafts
    })
}

pub fn read(bytes: &[u8], options: &ImportOptions) -> Result<(Vec<Draft>, Vec<ImportNote>, ImportReport)> {
    let (text, encoding) = text::decode(bytes);
    if text.trim().is_empty() {
        return Err(Error::invalid("file", "empty", "the file is empty"));
    }
    if text::looks_binary(&text) {
        return Err(Error::invalid("file", "not_contacts", "this is not a text file (vCard or CSV); it looks like binary data"));
    }
    let is_vcard = text.lines().take(20).any(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCARD"));
    let format = match options.format {
        Format::Auto if is_vcard => Format::VCard,
        Format::Auto => match csvfmt::detect(&text) {
            csvfmt::Dialect::LinkedIn => Format::LinkedIn,
            csvfmt::Dialect::Google => Format::Google,
            csvfmt::Dialect::Generic => Format::Csv,
        },
        f => f,
    };
    let mut report = ImportReport { encoding: encoding.to_owned(), dry_run: options.dry_run, ..Default::default() };
    let (drafts, notes) = match format {
        Format::VCard => {
            if !is_vcard {
                return Err(Error::invalid("file", "not_vcard", "no BEGIN:VCARD in this file; is it a CSV?"));
            }
            report.format = "vcard".into();
            let (cards, errors) = vcard::parse(&text);
            report.entries = cards.len() + errors.iter().filter(|e| e.number > 0).count();
            let notes = errors
                .into_iter()
                .map(|e| ImportNote { location: if e.number == 0 { format!("line {}", e.line) } else { format!("card {} (line {})", e.number, e.line) }, reason: e.reason })
                .collect();
            (drafts_of(&cards), notes)
        }
        f => {
            let dialect = match f {
                Format::LinkedIn => csvfmt::Dialect::LinkedIn,
                Format::Google => csvfmt::Dialect::Google,
                _ => csvfmt::Dialect::Generic,
            };
            report.format = match dialect {
                csvfmt::Dialect::LinkedIn => "linkedin",
                csvfmt::Dialect::Google => "google",
                csvfmt::Dialect::Generic => "csv",
            }
            .into();
            let (drafts, errors) = csvfmt::parse(&text, dialect, &options.mapping)?;
            report.entries = drafts.len() + errors.len();
            (drafts, errors.into_iter().map(|e| ImportNote { location: e.location, reason: e.reason }).collect())
        }
    };
    Ok((drafts, notes, report))
}

/// The existing contacts an entry may match.
#[derive(Default)]
struct Index {
    ids: HashMap<Uuid, Uuid>,
    emails: HashMap<String, Uuid>,
    /// Folded name + company → the contact and its email (if any).
    names: HashMap<(String, String), (Uuid, Option<String>)>,
}

/// The duplicate check of the import: [`matching::same_person`] over the contacts of the store
/// and those the import wrote, keeping the reasons it merges on.
impl Index {
    fn load(ctx: &Ctx) -> Result<Index> {
        let mut ix = Index::default();
        let mut st = ctx.conn.prepare("SELECT id, email, first_name, last_name, company FROM contacts WHERE organization_id = ?1 AND NOT is_deleted")?;
        let mut rows = st.query([ctx.actor.organization_id.to_string()])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let Ok(id) = Uuid::parse_str(&id) else { continue };
            let mut f = Map::new();
            for (i, k) in [(1, "email"), (2, "first_name"), (3, "last_name"), (4, "company")] {
                if let Some(v) = r.get::<_, Option<String>>(i)? {
                    f.insert(k.into(), Value::String(v));
                }
            }
            ix.add(id, &Keys::of(&f));
        }
        Ok(ix)
    }

    fn add(&mut self, id: Uuid, k: &Keys) {
        self.ids.insert(id, id);
        if let Some(e) = &k.email {
            self.emails.entry(e.clone()).or_insert(id);
        }
        if let Some(nc) = k.name_at_company() {
            self.names.entry(nc).or_insert((id, k.email.clone()));
        }
    }

    fn remove(&mut self, id: Uuid, k: &Keys) {
        self.ids.remove(&id);
        if let Some(e) = &k.email {
            if self.emails.get(e) == Some(&id) {
                self.emails.remove(e);
            }
        }
        if let Some(nc) = k.name_at_company() {
            if self.names.get(&nc).map(|(i, _)| *i) == Some(id) {
                self.names.remove(&nc);
            }
        }
    }

    fn find(&self, d: &Draft, k: &Keys) -> Option<Uuid> {
        if let Some(id) = d.id.and_then(|i| self.ids.get(&i)) {
            return Some(*id);
        }
        if let Some(id) = k.email.as_ref().and_then(|e| self.emails.get(e)) {
            return Some(*id);
        }
        let (id, email) = k.name_at_company().and_then(|nc| self.names.get(&nc))?;
        let known = Keys { email: email.clone(), ..k.clone() };
        matching::same_person(k, &known).filter(|r| r.merges_on_import()).map(|_| *id)
    }
}

fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// What one entry did, applied to the report once its savepoint is released.
#[derive(Default)]
struct Outcome {
    created: Option<(Uuid, Keys)>,
    merge: Option<ImportMerge>,
    media: usize,
    warnings: Vec<ImportNote>,
}

/// What one chunk of entries did.
#[derive(Default)]
struct ChunkResult {
    /// An entry failed after writing part of itself (the chunk was rolled back).
    partial: bool,
    /// How many entries the chunk took (its time may end it before its last entry).
    taken: usize,
    created: usize,
    merges: Vec<ImportMerge>,
    media: usize,
    refused: Vec<ImportNote>,
    warnings: Vec<ImportNote>,
}

/// How long one transaction of a real import writes before it commits and lets a waiting writer
/// (a capture) in; a transaction also ends after [`CHUNK`] entries. Larger transactions write each
/// touched index page to the log fewer times; this bound keeps a capture's wait short.
const CHUNK_TIME: std::time::Duration = std::time::Duration::from_millis(100);
/// The most entries one transaction of a real import writes.
const CHUNK: usize = 5000;

/// The entries made ready by the preparing thread, received as the writes reach them.
struct Readies {
    receive: std::sync::mpsc::Receiver<Ready>,
    /// From the first entry not yet written; `None` once taken.
    got: std::collections::VecDeque<Option<Ready>>,
}

impl Readies {
    /// Entry `i` (from the first not yet written), if it was not taken already.
    fn take(&mut self, i: usize) -> Option<Ready> {
        while self.got.len() <= i {
            self.got.push_back(Some(self.receive.recv().ok()?));
        }
        self.got[i].take()
    }

    /// The first `n` entries are written.
    fn done(&mut self, n: usize) {
        for _ in 0..n {
            if self.got.pop_front().is_none() {
                let _ = self.receive.recv();
            }
        }
    }
}

impl Store {
    /// Imports contacts from a file's bytes; `progress(done, total)` is called as entries are written.
    pub fn import_contacts(&self, bytes: &[u8], options: &ImportOptions, mut progress: impl FnMut(usize, usize)) -> Result<ImportReport> {
        let (mut drafts, notes, mut report) = read(bytes, options)?;
        report.refused = notes;
        if options.dry_run {
            for d in &drafts {
                if let Some(Photo::Link(url)) = &d.photo {
                    report.warnings.push(ImportNote { location: d.location.clone(), reason: format!("PHOTO {url}: downloaded when the import runs for real, not in a dry run") });
                }
            }
        } else {
            photos::fetch_linked(&mut drafts, &mut report.warnings);
        }
        let actor = self.actor()?;
        // A large import touches many index pages: a bigger page cache while it runs.
        let cache = self.bulk_cache()?;
        // The search index: no incremental merging while a large import writes, one merge after.
        // The setting is changed and put back inside each chunk's transaction, so an import that
        // is killed leaves it as it was.
        let bulk = drafts.len() >= 5000 && !options.dry_run;
        let result = self.import_drafts(&drafts, options, &actor, &mut report, &mut progress, bulk);
        if bulk && result.is_ok() {
            self.yield_turn();
            let (tx, _turn) = self.begin_write()?;
            tx.execute_batch("INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize');")?;
            tx.commit()?;
        }
        drop(cache);
        result?;
        report.refused.sort_by_key(|n| location_order(&n.location));
        Ok(report)
    }

    fn import_drafts(
        &self,
        drafts: &[Draft],
        options: &ImportOptions,
        actor: &crate::store::Actor,
        report: &mut ImportReport,
        progress: &mut impl FnMut(usize, usize),
        bulk: bool,
    ) -> Result<()> {
        let total = drafts.len();
        let mut index: Option<Index> = None;
        // One time for the whole import: every row it writes is stamped with it.
        let now = self.now();
        let mut done = 0;
        progress(0, total);
        // The work of an entry that needs no database (the import rule, validating and completing
        // its new row, its audit text) is done by a second thread, a little ahead of the writes.
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<Ready>(2 * CHUNK);
            scope.spawn(move || {
                for d in drafts {
                    if send.send(ready(d, actor, now)).is_err() {
                        break;
                    }
                }
            });
            let mut readies = Readies { receive, got: Default::default() };
            while done < total {
                let rest = &drafts[done..];
                // A dry run is one transaction, rolled back; a real import commits every
                // CHUNK_TIME (or CHUNK entries).
                let (most, time) = if options.dry_run { (rest.len(), None) } else { (rest.len().min(CHUNK), Some(CHUNK_TIME)) };
                // Fast path: the entries one after another. An entry refused before it wrote
                // anything is simply reported. If one fails after writing part of itself, the
                // transaction is rolled back and its entries written again with a savepoint around
                // each, so that every contact is written whole or not at all.
                let mut fast = self.import_chunk(&rest[..most], &mut readies, options, actor, now, &mut index, false, bulk, time)?;
                if fast.partial {
                    fast = self.import_chunk(&rest[..most], &mut readies, options, actor, now, &mut index, true, bulk, time)?;
                }
                readies.done(fast.taken);
                // A capture waiting for the store gets in before the next transaction.
                self.yield_turn();
                report.created += fast.created;
                report.merged += fast.merges.len();
                report.merges.extend(fast.merges);
                report.media += fast.media;
                report.refused.extend(fast.refused);
                report.warnings.extend(fast.warnings);
                done += fast.taken;
                progress(done, total);
            }
            Ok(())
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn import_chunk(
        &self,
        chunk: &[Draft],
        readies: &mut Readies,
        options: &ImportOptions,
        actor: &crate::store::Actor,
        now: crate::types::Timestamp,
        index: &mut Option<Index>,
        savepoints: bool,
        bulk: bool,
        time: Option<std::time::Duration>,
    ) -> Result<ChunkResult> {
        let started = std::time::Instant::now();
        let tx = rusqlite::Transaction::new_unchecked(self.connection(), rusqlite::TransactionBehavior::Immediate)?;
        if bulk {
            tx.execute_batch("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('automerge', 0)")?;
        }
        let ctx = Ctx { conn: &tx, actor, now };
        let ix = match index.as_mut() {
            Some(ix) => ix,
            None => index.insert(Index::load(&ctx)?),
        };
        // Contacts are indexed for search once per chunk rather than one by one.
        let mut deferred = if chunk.len() >= DeferredIndex::FROM { Some(DeferredIndex::begin(&tx)?) } else { None };
        let mut res = ChunkResult::default();
        let mut added: Vec<(Uuid, Keys)> = Vec::new();
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        let undo = |ix: &mut Index, added: &[(Uuid, Keys)], files: &[std::path::PathBuf]| {
            for (id, k) in added {
                ix.remove(*id, k);
            }
            for f in files {
                let _ = std::fs::remove_file(f);
            }
        };
        for (i, d) in chunk.iter().enumerate() {
            if time.is_some_and(|t| i > 0 && started.elapsed() >= t) {
                break;
            }
            res.taken = i + 1;
            if savepoints {
                tx.execute_batch("SAVEPOINT entry")?;
            }
            let before = tx.total_changes();
            let mut written = Vec::new();
            let mut out = Outcome::default();
            let ready = readies.take(i).unwrap_or_else(|| ready(d, actor, ctx.now));
            match self.import_one(&ctx, ix, ready, options, &mut out, &mut written, &mut deferred) {
                Ok(()) => {
                    if savepoints {
                        tx.execute_batch("RELEASE entry")?;
                    }
                    files.extend(written);
                    if let Some((id, keys)) = out.created {
                        if let Some(d) = deferred.as_mut() {
                            d.written(id);
                        }
                        ix.add(id, &keys);
                        added.push((id, keys));
                        res.created += 1;
                    }
                    res.merges.extend(out.merge);
                    res.media += out.media;
                    res.warnings.extend(out.warnings);
                }
                Err(e) => {
                    for f in &written {
                        let _ = std::fs::remove_file(f);
                    }
                    if savepoints {
                        tx.execute_batch("ROLLBACK TO entry; RELEASE entry")?;
                    } else if tx.total_changes() != before {
                        drop(tx);
                        undo(ix, &added, &files);
                        return Ok(ChunkResult { partial: true, ..Default::default() });
                    }
                    let p = e.to_payload();
                    let reason = match p.field {
                        Some(f) => format!("{f}: {}", p.message),
                        None => p.message,
                    };
                    res.refused.push(ImportNote { location: d.location.clone(), reason });
                }
            }
        }
        if let Some(d) = deferred {
            d.finish(&tx)?;
        }
        if bulk {
            tx.execute_batch("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('automerge', 4)")?;
        }
        if options.dry_run {
            tx.rollback()?;
        } else if let Err(e) = tx.commit() {
            undo(ix, &added, &files);
            return Err(e.into());
        }
        Ok(res)
    }

    fn import_one(
        &self,
        ctx: &Ctx,
        ix: &mut Index,
        ready: Ready,
        o: &ImportOptions,
        out: &mut Outcome,
        written: &mut Vec<std::path::PathBuf>,
        deferred: &mut Option<DeferredIndex>,
    ) -> Result<()> {
        let spec = &crate::tables::contacts::SPEC;
        out.warnings = ready.warnings;
        let forgiven = ready.draft?;
        let d = &forgiven;
        let keys = ready.keys.unwrap_or_else(|| Keys::of(&d.fields));
        let contact_id = match ix.find(d, &keys) {
            Some(id) => {
                // The contact may be one this chunk created: its index entry must exist before
                // the update trigger replaces it.
                if let Some(di) = deferred.as_mut() {
                    di.before_change(ctx.conn, id)?;
                }
                let old = repo::get(ctx.conn, ctx.actor, spec, id)?;
                let mut patch = Map::new();
                let mut names = Vec::new();
                for (k, v) in &d.fields {
                    if is_empty(Some(v)) {
                        continue;
                    }
                    if is_empty(old.get(k)) || (o.overwrite && old.get(k) != Some(v)) {
                        patch.insert(k.clone(), v.clone());
                        names.push(k.clone());
                    }
                }
                if !d.metadata.is_empty() {
                    let mut meta = old.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
                    let before = meta.clone();
                    for (k, v) in &d.metadata {
                        if k == "tags" {
                            // Tags add up: the file's join those already here.
                            let mut tags = plugs_domain::tags::of_metadata(Some(&Value::Object(meta.clone())));
                            tags.extend(v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
                            meta.insert(k.clone(), json!(tags.into_iter().collect::<Vec<_>>()));
                        } else if o.overwrite {
                            meta.insert(k.clone(), v.clone());
                        } else {
                            meta.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    if meta != before {
                        patch.insert("metadata".into(), Value::Object(meta));
                        names.push("metadata".into());
                    }
                }
                if !patch.is_empty() {
                    repo::update(ctx, spec, id, patch, Origin::Client)?;
                }
                let name = format!("{} {}", old.get("first_name").and_then(Value::as_str).unwrap_or_default(), old.get("last_name").and_then(Value::as_str).unwrap_or_default());
                out.merge = Some(ImportMerge { location: d.location.clone(), contact_id: id, name: name.trim().to_owned(), fields: names });
                id
            }
            None => {
                let made = match ready.create {
                    Some(prepared) => repo::write_prepared(ctx, prepared?)?,
                    None => repo::create(ctx, spec, new_record(d), Origin::Client)?,
                };
                let id = made.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(|| Error::invalid("id", "corrupt_row", "no id"))?;
                out.created = Some((id, keys));
                id
            }
        };
        match &d.photo {
            Some(Photo::Data(bytes, mime)) => {
                let name = format!("photo{}", ext(mime));
                if !o.dry_run {
                    written.extend(self.store_file(ctx, bytes, &name, mime, contact_id, None)?);
                }
                out.media += 1;
            }
            Some(Photo::Fetched { bytes, mime, url }) => {
                let name = format!("photo{}", ext(mime));
                written.extend(self.store_file(ctx, bytes, &name, mime, contact_id, Some(url))?);
                out.media += 1;
            }
            Some(Photo::Link(url)) => {
                // A linked photo that could not be downloaded: the contact's avatar points there.
                let spec_c = &crate::tables::contacts::SPEC;
                let cur = repo::get(ctx.conn, ctx.actor, spec_c, contact_id)?;
                if is_empty(cur.get("avatar_url")) {
                    if let Err(e) = repo::update(ctx, spec_c, contact_id, [("avatar_url".to_owned(), Value::String(url.clone()))].into_iter().collect(), Origin::Client) {
                        out.warnings.push(ImportNote { location: d.location.clone(), reason: format!("photo link not kept: {e}") });
                    }
                }
            }
            None => {}
        }
        Ok(())
    }

    /// Saves a photo as a media item of the contact, inside the caller's transaction, kept like any
    /// attached file (under its SHA-256, with a thumbnail; uploaded at the next sync); `source` is
    /// the address a linked photo was downloaded from (kept in `metadata.source_url`).
    fn store_file(&self, ctx: &Ctx, bytes: &[u8], name: &str, mime: &str, contact: Uuid, source: Option<&str>) -> Result<Vec<std::path::PathBuf>> {
        let u = crate::files::Upload { file_name: name.to_owned(), mime_type: mime.to_owned(), title: Some(name.to_owned()), related_contact: Some(contact), ..Default::default() };
        let (mut rec, written) = self.store_bytes(&u, bytes).map_err(|e| match e {
            Error::Invalid { code, message, .. } => Error::Invalid { field: "photo".into(), code, message },
            other => other,
        })?;
        rec.insert("tags".into(), json!(["photo"]));
        if let Some(url) = source {
            if let Some(meta) = rec.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("source_url".into(), json!(url));
            }
        }
        if let Err(err) = crate::files::create_media(ctx, &u, rec) {
            for p in &written {
                let _ = std::fs::remove_file(p);
            }
            return Err(err);
        }
        Ok(written)
    }
}

/// An entry made ready by the preparing thread: the entry after the import rule (or why it is
/// refused), the rule's warnings, and its new row made ready (if the row needs nothing from the
/// store; `None` otherwise), used unless the entry turns out to be someone already known.
struct Ready {
    draft: Result<Draft>,
    /// The duplicate check's keys of the entry.
    keys: Option<Keys>,
    warnings: Vec<ImportNote>,
    create: Option<Result<repo::Prepared>>,
}

fn ready(d: &Draft, actor: &crate::store::Actor, now: crate::types::Timestamp) -> Ready {
    let mut warnings = Vec::new();
    let draft = forgive(d, &mut warnings);
    let create = draft.as_ref().ok().and_then(|f| repo::prepare_create(actor, now, &crate::tables::contacts::SPEC, new_record(f), Origin::Client).transpose());
    let keys = draft.as_ref().ok().map(|f| Keys::of(&f.fields));
    Ready { draft, keys, warnings, create }
}

/// The new contact an entry makes.
fn new_record(d: &Draft) -> Record {
    let mut rec = d.fields.clone();
    if !d.metadata.is_empty() {
        rec.insert("metadata".into(), Value::Object(d.metadata.clone()));
    }
    rec
}

/// The import rule: a person is never refused for a secondary field. Text the stores cannot keep
/// (NUL) is removed; known words are mapped (Outlook's priority "Normal" is `medium`); a value that
/// does not fit its column (an Exchange X.500 address, a title too long, a phone even in its stored form)
/// is kept as it was in `metadata.import_kept` under its field, with a warning on the entry's line; a
/// name too long is cut to fit and kept whole there too. Only an entry with no name at all — no first
/// or last name, and no email or company to call it by — is refused.
fn forgive(d: &Draft, warnings: &mut Vec<ImportNote>) -> Result<Draft> {
    let spec = &crate::tables::contacts::SPEC;
    let mut warn = |m: String| warnings.push(ImportNote { location: d.location.clone(), reason: m });
    let mut fields = Record::new();
    let mut kept = Map::new();
    for (k, v) in &d.fields {
        let mut v = v.clone();
        if let Value::String(s) = &v {
            if s.contains('\0') {
                v = Value::String(s.replace('\0', ""));
                warn(format!("{k}: a NUL character was removed"));
            }
        }
        if k == "priority" {
            if let Some(p) = v.as_str().and_then(priority_word) {
                v = Value::String(p.into());
            }
        }
        let Some(col) = spec.column(k) else {
            fields.insert(k.clone(), v);
            continue;
        };
        match col.normalize(&v) {
            // As the store will keep it (a phone's extension in its one form), so that a merge
            // compares like with like.
            Ok(n) => {
                fields.insert(k.clone(), n);
            }
            Err(e) if matches!(k.as_str(), "first_name" | "last_name") && e.code() == "max_length" => {
                let cut: String = v.as_str().unwrap_or_default().chars().take(50).collect();
                warn(format!("{k}: longer than 50 characters; cut to fit, kept whole in metadata"));
                kept.insert(k.clone(), v);
                fields.insert(k.clone(), Value::String(cut));
            }
            Err(e) => {
                warn(format!("{k}: '{}' kept in metadata ({})", v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()), e.to_payload().message));
                kept.insert(k.clone(), v);
            }
        }
    }
    let has = |f: &Record, k: &str| f.get(k).and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty());
    if !has(&fields, "first_name") && !has(&fields, "last_name") {
        let called = fields
            .get("email")
            .and_then(Value::as_str)
            .and_then(|e| e.split('@').next())
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .or_else(|| fields.get("company").and_then(Value::as_str).map(str::to_owned));
        match called {
            Some(name) => {
                warn(format!("no name: called '{name}' after the entry's email or company"));
                fields.insert("first_name".into(), Value::String(name.chars().take(50).collect()));
            }
            None => return Err(Error::invalid("first_name", "required", "no name in this entry (no first or last name, email or company)")),
        }
    }
    for k in ["first_name", "last_name"] {
        if !has(&fields, k) {
            fields.insert(k.into(), Value::String(String::new()));
        }
    }
    let mut metadata = d.metadata.clone();
    if !kept.is_empty() {
        metadata.insert("import_kept".into(), Value::Object(kept));
    }
    let mut metadata = metadata;
    label_tags(&mut metadata);
    Ok(Draft { location: d.location.clone(), id: d.id, fields, metadata, photo: d.photo.clone() })
}

/// An imported person's labels (vCard `CATEGORIES`, a CSV's labels or categories column) are also
/// their tags, each in a tag's form; a label that cannot be a tag (too long, odd characters) stays a
/// label only. The labels themselves are kept as they came, for the next export.
fn label_tags(metadata: &mut Map<String, Value>) {
    let Some(labels) = metadata.get("labels").and_then(Value::as_array) else { return };
    let mut tags = plugs_domain::tags::of_metadata(Some(&Value::Object(metadata.clone())));
    tags.extend(labels.iter().filter_map(Value::as_str).filter_map(|l| plugs_domain::tags::normalize(l).ok()));
    if !tags.is_empty() {
        metadata.insert("tags".into(), json!(tags.into_iter().collect::<Vec<_>>()));
    }
}

/// The contact priority a word of another tool means (Outlook's Low/Normal/High, in the languages
/// it writes them).
fn priority_word(w: &str) -> Option<&'static str> {
    match w.trim().to_lowercase().as_str() {
        "low" | "basse" | "faible" | "niedrig" | "baja" | "bassa" | "baixa" | "laag" => Some("low"),
        "normal" | "normale" | "medium" | "mittel" | "media" | "média" | "normaal" => Some("medium"),
        "high" | "haute" | "élevée" | "elevee" | "hoch" | "alta" | "hoog" => Some("high"),
        _ => None,
    }
}

fn ext(mime: &str) -> &'static str {
    match mime {
        "image/png" => ".png",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        _ => ".jpg",
    }
}

fn location_order(l: &str) -> (usize, String) {
    let n = l.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
    (n, l.to_owned())
}
