//! Contact search: FTS5 over names, email, company, job title, industry and notes, matching word
//! prefixes as you type, ranked by BM25 with names weighing most. The first keystrokes (words of
//! one or two letters) search names and company in name order.

use crate::error::Result;
use crate::repo::{filter_sql, Filter, Record};
use crate::schema::SqlColumn;
use crate::store::Store;
use crate::tables::contacts::{Contact, SPEC};
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;

/// Words shorter than this are a first keystroke or two: they search names and company only, in
/// name order, without ranking (a one-letter prefix can match most of the index, and ranking all
/// of it is what would make the first keystroke slow; what the user wants then is names).
const SHORT: usize = 3;

fn is_short(input: &str) -> bool {
    input.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).all(|w| w.chars().count() < SHORT)
}

/// Turns what the user typed into an FTS5 query: every word must match as a prefix. Quoting each
/// word keeps FTS5 syntax characters typed by the user from being read as operators.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"*")).collect();
    if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    }
}

impl Store {
    /// The best `limit` matches for `query` among live contacts, optionally narrowed by filters.
    pub fn search_contacts(&self, query: &str, filters: &[Filter], limit: usize) -> Result<Vec<Contact>> {
        self.search(query, filters, limit, SPEC.columns.iter().map(|c| c.name).collect(), |r| {
            serde_json::from_value(serde_json::Value::Object(r)).map_err(|e| crate::Error::invalid("contacts", "corrupt_row", e.to_string()))
        })
    }

    /// The same search, answering only what a result list shows (a fraction of each row).
    pub fn search_contact_rows(&self, query: &str, filters: &[Filter], limit: usize) -> Result<Vec<ContactRow>> {
        self.search(query, filters, limit, ContactRow::COLUMNS.to_vec(), |r| {
            serde_json::from_value(serde_json::Value::Object(r)).map_err(|e| crate::Error::invalid("contacts", "corrupt_row", e.to_string()))
        })
    }

    /// How many contacts a search finds in all, with the same filters (a result list shows the
    /// best [`crate::repo::MAX_PAGE`] at most; this is the total it says).
    pub fn count_contact_search(&self, query: &str, filters: &[Filter]) -> Result<i64> {
        let actor = self.actor()?;
        let (query, filters) = with_tags(query, filters);
        let (query, filters) = (query.as_str(), &filters[..]);
        let Some(q) = fts_query(query) else {
            if filters.is_empty() {
                return Ok(0);
            }
            let mut params = vec![SqlValue::Text(actor.organization_id.to_string())];
            let extra = filter_sql(&SPEC, filters, &mut params, "c.")?;
            let sql = format!("SELECT count(*) FROM contacts c WHERE c.organization_id = ?1 AND NOT c.is_deleted{}", extra.iter().map(|c| format!(" AND {c}")).collect::<String>());
            return Ok(self.conn.prepare_cached(&sql)?.query_row(params_from_iter(params), |r| r.get(0))?);
        };
        let q = if is_short(query) { format!("{{first_name last_name company}} : ({q})") } else { q };
        let mut params = vec![SqlValue::Text(q), SqlValue::Text(actor.organization_id.to_string())];
        let extra = filter_sql(&SPEC, filters, &mut params, "c.")?;
        let sql = format!(
            "SELECT count(*) FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid
             WHERE contacts_fts MATCH ?1 AND c.organization_id = ?2 AND NOT c.is_deleted{}",
            extra.iter().map(|c| format!(" AND {c}")).collect::<String>(),
        );
        Ok(self.conn.prepare_cached(&sql)?.query_row(params_from_iter(params), |r| r.get(0))?)
    }

    /// The ids of every live contact a search (or, with no words, the filters alone) finds: what a
    /// bulk action on "these contacts" acts on.
    pub fn contact_ids_matching(&self, query: &str, filters: &[Filter]) -> Result<Vec<uuid::Uuid>> {
        let actor = self.actor()?;
        let (query, filters) = with_tags(query, filters);
        let (sql, params) = match fts_query(&query) {
            Some(q) => {
                let q = if is_short(&query) { format!("{{first_name last_name company}} : ({q})") } else { q };
                let mut params = vec![SqlValue::Text(q), SqlValue::Text(actor.organization_id.to_string())];
                let extra = filter_sql(&SPEC, &filters, &mut params, "c.")?;
                let sql = format!(
                    "SELECT c.id FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid WHERE contacts_fts MATCH ?1 AND c.organization_id = ?2 AND NOT c.is_deleted{}",
                    extra.iter().map(|c| format!(" AND {c}")).collect::<String>()
                );
                (sql, params)
            }
            None => {
                let mut params = vec![SqlValue::Text(actor.organization_id.to_string())];
                let extra = filter_sql(&SPEC, &filters, &mut params, "c.")?;
                let sql = format!("SELECT c.id FROM contacts c WHERE c.organization_id = ?1 AND NOT c.is_deleted{}", extra.iter().map(|c| format!(" AND {c}")).collect::<String>());
                (sql, params)
            }
        };
        let mut st = self.conn.prepare_cached(&sql)?;
        let ids = st.query_map(params_from_iter(params), |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ids.iter().filter_map(|s| uuid::Uuid::parse_str(s).ok()).collect())
    }

    fn search<T>(&self, query: &str, filters: &[Filter], limit: usize, cols: Vec<&'static str>, each: impl Fn(Record) -> Result<T>) -> Result<Vec<T>> {
        let limit = limit.clamp(1, crate::repo::MAX_PAGE);
        let (query, filters) = with_tags(query, filters);
        let (query, filters) = (query.as_str(), &filters[..]);
        if fts_query(query).is_none() {
            // Tags alone (`#investor`): the tagged contacts in name order.
            if filters.is_empty() {
                return Ok(vec![]);
            }
            return self.tagged(filters, limit, &cols)?.into_iter().map(each).collect();
        }
        // Rank inside the index first and join only a window of the best: joining every match to
        // its row before ranking is what makes short prefixes slow. If the window loses too many
        // rows to the filters (tombstones, other organizations, the caller's filters), rank all.
        let window = if filters.is_empty() { limit * 4 } else { limit * 20 };
        let found = self.search_window(query, filters, limit, Some(window), &cols)?;
        let found = if found.len() < limit { self.search_window(query, filters, limit, None, &cols)? } else { found };
        found.into_iter().map(each).collect()
    }

    fn tagged(&self, filters: &[Filter], limit: usize, names: &[&'static str]) -> Result<Vec<Record>> {
        let actor = self.actor()?;
        let mut params = vec![SqlValue::Text(actor.organization_id.to_string())];
        let extra = filter_sql(&SPEC, filters, &mut params, "c.")?;
        let columns: Vec<&crate::schema::Column> = names.iter().filter_map(|n| SPEC.column(n)).collect();
        let cols = columns.iter().map(|c| format!("c.{}", c.name)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {cols} FROM contacts c WHERE c.organization_id = ?1 AND NOT c.is_deleted{} ORDER BY c.last_name, c.first_name, c.id LIMIT {limit}",
            extra.iter().map(|c| format!(" AND {c}")).collect::<String>(),
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(params), |r| {
            let mut m = Record::new();
            for (i, c) in columns.iter().enumerate() {
                m.insert(c.name.to_owned(), c.read_sql(r.get_ref(i)?));
            }
            Ok(m)
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn search_window(&self, query: &str, filters: &[Filter], limit: usize, window: Option<usize>, names: &[&'static str]) -> Result<Vec<Record>> {
        let actor = self.actor()?;
        let Some(q) = fts_query(query) else { return Ok(vec![]) };
        let short = is_short(query);
        let q = if short { format!("{{first_name last_name company}} : ({q})") } else { q };
        let mut params = vec![SqlValue::Text(q), SqlValue::Text(actor.organization_id.to_string())];
        let extra = filter_sql(&SPEC, filters, &mut params, "c.")?;
        let columns: Vec<&crate::schema::Column> = names.iter().filter_map(|n| SPEC.column(n)).collect();
        let cols = columns.iter().map(|c| format!("c.{}", c.name)).collect::<Vec<_>>().join(", ");
        let window = window.map(|w| format!(" LIMIT {w}")).unwrap_or_default();
        let (inner, order) = if short { ("", "c.last_name, c.first_name, c.id") } else { (" ORDER BY rank", "f.rank, c.id") };
        let sql = format!(
            "SELECT {cols} FROM (SELECT rowid AS rid, rank FROM contacts_fts WHERE contacts_fts MATCH ?1{inner}{window}) f
             JOIN contacts c ON c.rowid = f.rid
             WHERE c.organization_id = ?2 AND NOT c.is_deleted{}
             ORDER BY {order}
             LIMIT {limit}",
            extra.iter().map(|c| format!(" AND {c}")).collect::<String>(),
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(params), |r| {
            let mut m = Record::new();
            for (i, c) in columns.iter().enumerate() {
                m.insert(c.name.to_owned(), c.read_sql(r.get_ref(i)?));
            }
            Ok(m)
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The words of a search and its filters, with the `#tags` typed in it as tag filters.
fn with_tags(query: &str, filters: &[Filter]) -> (String, Vec<Filter>) {
    let (words, tags) = crate::tagging::split_query(query);
    let mut filters = filters.to_vec();
    if !tags.is_empty() {
        filters.push(Filter::Eq(crate::query::TAG.into(), serde_json::Value::Array(tags.into_iter().map(serde_json::Value::String).collect())));
    }
    (words, filters)
}

/// A contact as a result list shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ContactRow {
    pub id: uuid::Uuid,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub contact_type: crate::tables::contacts::ContactType,
    pub status: crate::tables::contacts::ContactStatus,
    pub priority: crate::tables::contacts::Priority,
    pub lead_score: i64,
}

impl ContactRow {
    pub(crate) const COLUMNS: &'static [&'static str] = &["id", "first_name", "last_name", "company", "email", "contact_type", "status", "priority", "lead_score"];
}

/// Writes the search-index entries of contacts inserted during one bulk transaction in a single
/// statement instead of one per contact. FTS5 writes its pending entries out as a new segment at
/// the end of every statement, so indexing a large import contact by contact builds (and then
/// merges) one tiny segment per contact: most of an import's time. While a batch is open, the
/// insert trigger is dropped inside the caller's transaction (a rollback brings it back) and the
/// new rows (rowids above the largest one at the start) are indexed by [`DeferredIndex::flush`]
/// and by [`DeferredIndex::finish`]. The caller names each contact it writes
/// ([`DeferredIndex::written`]) and calls [`DeferredIndex::before_change`] before it updates a
/// contact, and `flush` before it deletes any row: the update and delete triggers expect a
/// changed row to be in the index already.
pub(crate) struct DeferredIndex {
    trigger: String,
    columns: String,
    after: i64,
    /// Contacts written since the last flush.
    pending: std::collections::HashSet<uuid::Uuid>,
}

impl DeferredIndex {
    const TRIGGER: &'static str = "contacts_fts_after_insert";
    /// From how many contacts a bulk write is worth it (below, the trigger does the work and the
    /// schema is left alone).
    pub(crate) const FROM: usize = 20;

    pub(crate) fn begin(conn: &rusqlite::Connection) -> Result<DeferredIndex> {
        let trigger: String = conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1", [Self::TRIGGER], |r| r.get(0))?;
        let columns: Vec<String> = conn.prepare("SELECT name FROM pragma_table_info('contacts_fts')")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let after: i64 = conn.query_row("SELECT coalesce(max(rowid), 0) FROM contacts", [], |r| r.get(0))?;
        conn.execute_batch(&format!("DROP TRIGGER {}", Self::TRIGGER))?;
        Ok(DeferredIndex { trigger, columns: columns.join(", "), after, pending: Default::default() })
    }

    /// Notes a contact written (inserted, or perhaps updated) since the last flush.
    pub(crate) fn written(&mut self, id: uuid::Uuid) {
        self.pending.insert(id);
    }

    /// To call before updating contact `id`: indexes what is pending if `id` is among it.
    pub(crate) fn before_change(&mut self, conn: &rusqlite::Connection, id: uuid::Uuid) -> Result<()> {
        if self.pending.contains(&id) {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Indexes the contacts inserted so far.
    pub(crate) fn flush(&mut self, conn: &rusqlite::Connection) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let c = &self.columns;
        conn.execute(&format!("INSERT INTO contacts_fts (rowid, {c}) SELECT rowid, {c} FROM contacts WHERE rowid > ?1 ORDER BY rowid"), [self.after])?;
        self.after = conn.query_row("SELECT coalesce(max(rowid), 0) FROM contacts", [], |r| r.get(0))?;
        self.pending.clear();
        Ok(())
    }

    /// Indexes what is left and puts the trigger back, still inside the caller's transaction.
    pub(crate) fn finish(mut self, conn: &rusqlite::Connection) -> Result<()> {
        self.flush(conn)?;
        conn.execute_batch(&self.trigger)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn typed_text_becomes_prefix_terms() {
        assert_eq!(super::fts_query("ada lov").as_deref(), Some("\"ada\"* \"lov\"*"));
        assert_eq!(super::fts_query("o'brien \"AND\" NEAR(").as_deref(), Some("\"o\"* \"brien\"* \"AND\"* \"NEAR\"*"));
        assert_eq!(super::fts_query("  -- "), None);
        assert!(super::is_short("g") && super::is_short("ad lo") && !super::is_short("ada l"));
    }
}
