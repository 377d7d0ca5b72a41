//! Tagging contacts and events: bulk tag and untag in one transaction, the tags in use with their
//! counts, and what a search's `#words` ask for. The tags themselves live in `metadata.tags` and
//! sync tag by tag (see `plugs_domain::tags`).

use crate::error::{Error, Result};
use crate::repo::{self, Record};
use crate::store::Store;
use plugs_domain::rules::Origin;
use plugs_domain::tags;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use uuid::Uuid;

/// A tag in use and how many live rows carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TagCount {
    pub tag: String,
    pub count: i64,
}

/// What a bulk tag change did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TagReport {
    /// Rows whose tags changed.
    pub changed: usize,
    /// Rows that already were as asked.
    pub unchanged: usize,
}

/// A tag in the form it is kept ("#Angel Investor" → "angel-investor"), or why it cannot be one.
pub fn normalize_tag(raw: &str) -> Result<String> {
    Ok(tags::normalize(raw)?)
}

/// Splits what was typed in a search box into its words and its `#tags` ("#investor berlin" →
/// "berlin" and ["investor"]). A `#` alone is a word like any other character.
pub fn split_query(input: &str) -> (String, Vec<String>) {
    let mut words = vec![];
    let mut found = vec![];
    for w in input.split_whitespace() {
        match w.strip_prefix('#').filter(|t| !t.is_empty()).map(tags::normalize) {
            Some(Ok(t)) => found.push(t),
            _ => words.push(w),
        }
    }
    (words.join(" "), found)
}

/// The preference holding the saved lists.
pub const LISTS_SETTING: &str = "app.saved_lists";

/// A saved list: a name for a search and the contacts list's filters ("Investors in Berlin").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SavedList {
    pub id: Uuid,
    pub name: String,
    /// What was typed in the search box (words and `#tags`), "" for none.
    pub query: String,
    pub request: crate::query::ListRequest,
}

impl Store {
    /// The saved lists, by name (this device's).
    pub fn saved_lists(&self) -> Result<Vec<SavedList>> {
        let mut lists: Vec<SavedList> = self.setting(LISTS_SETTING)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        lists.sort_by_key(|l| l.name.to_lowercase());
        Ok(lists)
    }

    /// Saves a search and filters under a name; a list of the same name (whatever its case) is
    /// replaced. The filters are checked as a list would use them.
    pub fn save_list(&self, name: &str, query: &str, request: &crate::query::ListRequest) -> Result<SavedList> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", "required", "a list needs a name"));
        }
        if name.chars().count() > 60 {
            return Err(Error::invalid("name", "too_long", "at most 60 characters"));
        }
        // The filters must be ones a list can run.
        self.count_rows("contacts", &request.query())?;
        let mut request = request.clone();
        request.cursor = None;
        let mut lists = self.saved_lists()?;
        let id = lists.iter().find(|l| l.name.to_lowercase() == name.to_lowercase()).map(|l| l.id).unwrap_or_else(Uuid::now_v7);
        lists.retain(|l| l.id != id);
        let list = SavedList { id, name: name.to_owned(), query: query.trim().to_owned(), request };
        lists.push(list.clone());
        self.set_setting_value(LISTS_SETTING, &serde_json::to_string(&lists).expect("lists serialize"))?;
        Ok(list)
    }

    /// Forgets a saved list (its contacts stay as they are).
    pub fn delete_saved_list(&self, id: Uuid) -> Result<()> {
        let mut lists = self.saved_lists()?;
        let before = lists.len();
        lists.retain(|l| l.id != id);
        if lists.len() == before {
            return Err(Error::NotFound { entity: "saved list", id: id.to_string() });
        }
        self.set_setting_value(LISTS_SETTING, &serde_json::to_string(&lists).expect("lists serialize"))
    }

    /// Adds and removes tags on rows of `table` (contacts or events), all in one transaction: one
    /// bad tag or id and nothing changes. Each row changed is audited and syncs tag by tag.
    pub fn tag_rows(&self, table: &str, ids: &[Uuid], add: &[String], remove: &[String]) -> Result<TagReport> {
        let spec = Store::spec(table).ok_or_else(|| Error::invalid("table", "unknown_table", format!("there is no table '{table}'")))?;
        if !tags::supports(spec) {
            return Err(Error::invalid("table", "not_taggable", format!("{table} rows have no tags")));
        }
        let add: BTreeSet<String> = add.iter().map(|t| tags::normalize(t)).collect::<std::result::Result<_, _>>()?;
        let remove: BTreeSet<String> = remove.iter().map(|t| tags::normalize(t)).collect::<std::result::Result<_, _>>()?;
        if let Some(both) = add.intersection(&remove).next() {
            return Err(Error::invalid("tags", "added_and_removed", format!("'{both}' is both added and removed")));
        }
        self.write(|ctx| {
            let mut report = TagReport::default();
            for id in ids {
                let row = crate::query::get(ctx.conn, ctx.actor, spec, *id)?;
                let before = tags::of(&row);
                let mut after = before.clone();
                after.extend(add.iter().cloned());
                after.retain(|t| !remove.contains(t));
                if after == before {
                    report.unchanged += 1;
                    continue;
                }
                let mut next = Record::new();
                next.insert("metadata".into(), row.get("metadata").cloned().unwrap_or(Value::Object(Default::default())));
                tags::set(&mut next, &after);
                let mut patch = Record::new();
                patch.insert("metadata".into(), next.remove("metadata").expect("set puts it"));
                repo::update(ctx, spec, *id, patch, Origin::Client)?;
                report.changed += 1;
            }
            Ok(report)
        })
    }

    /// The tags on live contacts of this organization, with how many carry each, by name.
    pub fn contact_tags(&self) -> Result<Vec<TagCount>> {
        let actor = self.actor()?;
        let mut st = self.conn.prepare_cached("SELECT tag, count(*) FROM contact_tags WHERE organization_id = ?1 GROUP BY tag ORDER BY tag")?;
        let rows = st.query_map([actor.organization_id.to_string()], |r| Ok(TagCount { tag: r.get(0)?, count: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_box_gives_its_words_and_its_tags() {
        assert_eq!(split_query("#Investor berlin #vc"), ("berlin".to_owned(), vec!["investor".to_owned(), "vc".to_owned()]));
        assert_eq!(split_query("# c#"), ("# c#".to_owned(), vec![]));
        assert_eq!(split_query("#a,b x"), ("#a,b x".to_owned(), vec![]));
    }
}
