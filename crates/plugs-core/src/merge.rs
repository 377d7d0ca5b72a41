//! Merging contacts, with undo. One contact is kept: it takes the chosen value of each field (its
//! own by default), every tag, the metadata keys it lacks, and the others' interactions (the events
//! they were met at come with them) and files. The others become tombstones pointing at it
//! (`metadata.merged_into`). Every write goes through the store's write path, so it is audited and
//! syncs like any edit; the journal that undo reads stays on this device.
//!
//! On the server the same rules hold (see `plugs_domain::merge`): an interaction or file moves only
//! towards the contact its old one was merged into, and a row written later against a merged-away
//! contact (by a device that did not know yet) is moved to the contact it was merged into.

use crate::error::{Error, Result};
use crate::matching::{same_person, Keys, Reason};
use crate::repo::{self, Record};
use crate::search::ContactRow;
use crate::store::Store;
use plugs_domain::rules::Origin;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// The fields a merge lets the user choose, one contact's value each.
pub const CHOOSABLE: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "linkedin_url",
    "bio",
    "avatar_url",
    "contact_type",
    "status",
    "priority",
    "business_type",
    "network_type",
    "industry",
    "notes",
    "lead_score",
];

/// What to merge: the contact kept, the others, and for each field the contact whose value the
/// kept one takes (its own when not named).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MergeRequest {
    pub keep: Uuid,
    pub others: Vec<Uuid>,
    #[ts(type = "{ [key in string]?: string }")]
    #[serde(default)]
    pub fields: BTreeMap<String, Uuid>,
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MergeReport {
    /// Undoes it (`undo_merge`).
    pub merge_id: Uuid,
    pub keep: Uuid,
    pub merged: Vec<Uuid>,
    pub interactions_moved: usize,
    pub files_moved: usize,
}

/// Two contacts that look like one person, and why.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DuplicatePair {
    pub a: ContactRow,
    pub b: ContactRow,
    pub reason: Reason,
    /// The reason in words ("same email").
    pub why: String,
}

/// What undo needs, kept on this device.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    keep: Uuid,
    /// The kept contact's values the merge changed, as they were.
    keeper_before: Record,
    /// The merged contacts' metadata as it was.
    others_metadata: Vec<(Uuid, Value)>,
    /// (interaction, the contact it was with).
    interactions: Vec<(Uuid, Uuid)>,
    /// (file, the contact it was attached to).
    files: Vec<(Uuid, Uuid)>,
}

fn ids_of(conn: &rusqlite::Connection, sql: &str, id: Uuid) -> Result<Vec<Uuid>> {
    let mut st = conn.prepare_cached(sql)?;
    let ids = st.query_map([id.to_string()], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids.iter().filter_map(|s| Uuid::parse_str(s).ok()).collect())
}

impl Store {
    /// Merges `others` into `keep` (see the module), in one transaction.
    pub fn merge_contacts(&self, req: &MergeRequest) -> Result<MergeReport> {
        let mut others: Vec<Uuid> = vec![];
        for o in &req.others {
            if *o == req.keep {
                return Err(Error::invalid("others", "same_contact", "the contact kept cannot also be merged into itself"));
            }
            if !others.contains(o) {
                others.push(*o);
            }
        }
        if others.is_empty() {
            return Err(Error::invalid("others", "required", "pick at least one other contact to merge"));
        }
        for (f, from) in &req.fields {
            if !CHOOSABLE.contains(&f.as_str()) {
                return Err(Error::invalid(f.as_str(), "not_choosable", format!("'{f}' is not a field a merge chooses")));
            }
            if *from != req.keep && !others.contains(from) {
                return Err(Error::invalid(f.as_str(), "not_in_merge", "takes its value from a contact that is not in this merge"));
            }
        }
        let spec = &crate::tables::contacts::SPEC;
        let merge_id = Uuid::now_v7();
        self.write(|ctx| {
            let keeper = crate::query::get(ctx.conn, ctx.actor, spec, req.keep)?;
            if repo::is_deleted(&keeper) {
                return Err(Error::conflict(Some("keep"), "deleted", "the contact to keep is deleted"));
            }
            let mut rows: HashMap<Uuid, Record> = HashMap::new();
            for o in &others {
                let row = crate::query::get(ctx.conn, ctx.actor, spec, *o)?;
                if repo::is_deleted(&row) {
                    return Err(Error::conflict(Some("others"), "deleted", format!("{} {} is deleted", text(&row, "first_name"), text(&row, "last_name"))));
                }
                rows.insert(*o, row);
            }
            // The kept contact's new values: the chosen fields, every tag, the metadata it lacks.
            let mut patch = Record::new();
            for (f, from) in &req.fields {
                if *from == req.keep {
                    continue;
                }
                let v = rows[from].get(f).cloned().unwrap_or(Value::Null);
                if keeper.get(f) != Some(&v) {
                    patch.insert(f.clone(), v);
                }
            }
            let mut meta = keeper.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
            let mut tags: BTreeSet<String> = plugs_domain::tags::of(&keeper);
            for o in &others {
                let row = &rows[o];
                tags.extend(plugs_domain::tags::of(row));
                for (k, v) in row.get("metadata").and_then(Value::as_object).into_iter().flatten() {
                    if k != "tags" && k != "merged_into" && k != "unmerged_from" {
                        meta.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            let mut with_meta = Record::new();
            with_meta.insert("metadata".into(), Value::Object(meta));
            plugs_domain::tags::set(&mut with_meta, &tags);
            let meta = with_meta.remove("metadata").expect("set puts it");
            if keeper.get("metadata") != Some(&meta) {
                patch.insert("metadata".into(), meta);
            }
            let keeper_before: Record = patch.keys().map(|k| (k.clone(), keeper.get(k).cloned().unwrap_or(Value::Null))).collect();
            // The others' interactions and files move to the kept contact.
            let interactions_spec = &crate::tables::contact_interactions::SPEC;
            let media_spec = &crate::tables::media::SPEC;
            let (mut moved_i, mut moved_f) = (vec![], vec![]);
            repo::deferring_derived(|| {
                for o in &others {
                    for i in ids_of(ctx.conn, "SELECT id FROM contact_interactions WHERE contact_id = ?1 AND NOT is_deleted", *o)? {
                        let mut p = Record::new();
                        p.insert("contact_id".into(), json!(req.keep));
                        repo::system_update(ctx, interactions_spec, i, p)?;
                        moved_i.push((i, *o));
                    }
                    for m in ids_of(ctx.conn, "SELECT id FROM media WHERE related_contact = ?1 AND NOT is_deleted", *o)? {
                        let mut p = Record::new();
                        p.insert("related_contact".into(), json!(req.keep));
                        repo::system_update(ctx, media_spec, m, p)?;
                        moved_f.push((m, *o));
                    }
                }
                Ok(())
            })?;
            // The contacts' derived values (last interaction), once for each contact touched.
            for o in &others {
                let mut was = Record::new();
                was.insert("contact_id".into(), json!(o));
                let mut now = Record::new();
                now.insert("contact_id".into(), json!(req.keep));
                repo::recompute_derived(ctx, interactions_spec, &was, &now)?;
            }
            if !patch.is_empty() {
                repo::update(ctx, spec, req.keep, patch, Origin::Client)?;
            }
            // The others: tombstones pointing at the kept contact.
            let mut others_metadata = vec![];
            for o in &others {
                let before = rows[o].get("metadata").cloned().unwrap_or(json!({}));
                let mut m = before.as_object().cloned().unwrap_or_default();
                m.insert("merged_into".into(), json!(req.keep));
                let mut p = Record::new();
                p.insert("metadata".into(), Value::Object(m));
                repo::update(ctx, spec, *o, p, Origin::Client)?;
                repo::delete(ctx, spec, *o, Origin::Client)?;
                others_metadata.push((*o, before));
            }
            let journal = Journal { keep: req.keep, keeper_before, others_metadata, interactions: moved_i.clone(), files: moved_f.clone() };
            ctx.conn.execute(
                "INSERT INTO contact_merges (id, keep, journal, merged_at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![merge_id.to_string(), req.keep.to_string(), serde_json::to_string(&journal).expect("journal serializes"), ctx.now.to_string()],
            )?;
            Ok(MergeReport { merge_id, keep: req.keep, merged: others.clone(), interactions_moved: moved_i.len(), files_moved: moved_f.len() })
        })
    }

    /// Undoes a merge: the merged contacts come back as they were, with their interactions and
    /// files; the kept contact's values the merge changed go back (edits made since to other
    /// fields stay). Audited and synced like any edit.
    pub fn undo_merge(&self, merge_id: Uuid) -> Result<()> {
        let spec = &crate::tables::contacts::SPEC;
        self.write(|ctx| {
            let row: Option<(String, Option<String>)> = ctx
                .conn
                .query_row("SELECT journal, undone_at FROM contact_merges WHERE id = ?1", [merge_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                .map(Some)
                .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?;
            let Some((journal, undone)) = row else { return Err(Error::NotFound { entity: "merge", id: merge_id.to_string() }) };
            if undone.is_some() {
                return Err(Error::conflict(Some("merge"), "already_undone", "this merge was already undone"));
            }
            let j: Journal = serde_json::from_str(&journal).map_err(|e| Error::invalid("merge", "corrupt_journal", e.to_string()))?;
            for (o, meta) in &j.others_metadata {
                let now = crate::query::get(ctx.conn, ctx.actor, spec, *o)?;
                if repo::is_deleted(&now) {
                    repo::restore(ctx, spec, *o, Origin::Client)?;
                }
                // As it was, with where it came back from: the server lets its interactions and
                // files move back from that contact (plugs_domain::merge).
                let mut m = meta.as_object().cloned().unwrap_or_default();
                m.insert("unmerged_from".into(), json!(j.keep));
                let mut p = Record::new();
                p.insert("metadata".into(), Value::Object(m));
                repo::update(ctx, spec, *o, p, Origin::Client)?;
            }
            repo::deferring_derived(|| {
                for (i, from) in &j.interactions {
                    if let Some(r) = crate::query::find(ctx.conn, ctx.actor, &crate::tables::contact_interactions::SPEC, *i)? {
                        if r.get("contact_id") == Some(&json!(j.keep)) && !repo::is_deleted(&r) {
                            let mut p = Record::new();
                            p.insert("contact_id".into(), json!(from));
                            repo::system_update(ctx, &crate::tables::contact_interactions::SPEC, *i, p)?;
                        }
                    }
                }
                Ok(())
            })?;
            for (o, _) in &j.others_metadata {
                let mut was = Record::new();
                was.insert("contact_id".into(), json!(j.keep));
                let mut now = Record::new();
                now.insert("contact_id".into(), json!(o));
                repo::recompute_derived(ctx, &crate::tables::contact_interactions::SPEC, &was, &now)?;
            }
            for (m, from) in &j.files {
                if let Some(r) = crate::query::find(ctx.conn, ctx.actor, &crate::tables::media::SPEC, *m)? {
                    if r.get("related_contact") == Some(&json!(j.keep)) && !repo::is_deleted(&r) {
                        let mut p = Record::new();
                        p.insert("related_contact".into(), json!(from));
                        repo::system_update(ctx, &crate::tables::media::SPEC, *m, p)?;
                    }
                }
            }
            if !j.keeper_before.is_empty() {
                let keeper = crate::query::get(ctx.conn, ctx.actor, spec, j.keep)?;
                if !repo::is_deleted(&keeper) {
                    repo::update(ctx, spec, j.keep, j.keeper_before.clone(), Origin::Client)?;
                }
            }
            ctx.conn.execute("UPDATE contact_merges SET undone_at = ?2 WHERE id = ?1", rusqlite::params![merge_id.to_string(), ctx.now.to_string()])?;
            Ok(())
        })
    }

    /// Contacts that look like one person across the whole base (the same matching as capture's:
    /// same email, name and company, phone, or full name), strongest reasons first, each pair once.
    pub fn duplicate_suggestions(&self, limit: usize) -> Result<Vec<DuplicatePair>> {
        let actor = self.actor()?;
        let cols = ContactRow::COLUMNS.join(", ");
        let mut st = self.conn.prepare_cached(&format!("SELECT {cols}, phone FROM contacts WHERE organization_id = ?1 AND NOT is_deleted ORDER BY id"))?;
        let names: Vec<&str> = ContactRow::COLUMNS.to_vec();
        let rows = st.query_map([actor.organization_id.to_string()], |r| {
            let mut m = serde_json::Map::new();
            for (i, n) in names.iter().enumerate() {
                let v: rusqlite::types::Value = r.get(i)?;
                m.insert((*n).to_owned(), sql_json(v));
            }
            let phone: Option<String> = r.get(names.len())?;
            m.insert("phone".into(), phone.map(Value::String).unwrap_or(Value::Null));
            Ok(m)
        })?;
        let rows: Vec<Record> = rows.collect::<rusqlite::Result<_>>()?;
        let keys: Vec<Keys> = rows.iter().map(Keys::of).collect();
        // Candidates share a key; each pair is then judged by the same rule as capture's.
        let mut buckets: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            for key in [k.email.as_ref().map(|e| format!("e:{e}")), k.phone.as_ref().map(|p| format!("p:{p}")), k.name.as_ref().filter(|_| k.full_name).map(|n| format!("n:{n}"))]
                .into_iter()
                .flatten()
            {
                buckets.entry(key).or_default().push(i);
            }
        }
        let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut pairs: Vec<(Reason, usize, usize)> = vec![];
        for members in buckets.values() {
            if members.len() < 2 || members.len() > 50 {
                continue;
            }
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    let key = (a.min(b), a.max(b));
                    if !seen.insert(key) {
                        continue;
                    }
                    if let Some(r) = same_person(&keys[a], &keys[b]) {
                        pairs.push((r, key.0, key.1));
                    }
                }
            }
        }
        pairs.sort();
        pairs.truncate(limit);
        let row = |i: usize| -> Result<ContactRow> { serde_json::from_value(Value::Object(rows[i].clone())).map_err(|e| Error::invalid("contacts", "corrupt_row", e.to_string())) };
        pairs.into_iter().map(|(reason, a, b)| Ok(DuplicatePair { a: row(a)?, b: row(b)?, reason, why: reason.words().to_owned() })).collect()
    }
}

fn text<'a>(r: &'a Record, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn sql_json(v: rusqlite::types::Value) -> Value {
    match v {
        rusqlite::types::Value::Null => Value::Null,
        rusqlite::types::Value::Integer(i) => json!(i),
        rusqlite::types::Value::Real(f) => json!(f),
        rusqlite::types::Value::Text(s) => Value::String(s),
        rusqlite::types::Value::Blob(_) => Value::Null,
    }
}
