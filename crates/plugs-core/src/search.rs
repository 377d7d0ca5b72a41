//! Contact search: FTS5 over names, email, company, job title, industry and notes, matching word
//! prefixes as you type, ranked by BM25 with names weighing most.

use crate::error::Result;
use crate::repo::{filter_sql, read_record, Filter};
use crate::store::Store;
use crate::tables::contacts::{Contact, SPEC};
use rusqlite::types::Value as SqlValue;
use rusqlite::params_from_iter;

/// Turns what the user typed into an FTS5 query: every word must match as a prefix. Quoting each
/// word keeps FTS5 syntax characters typed by the user from being read as operators.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    }
}

impl Store {
    /// The best `limit` matches for `query` among live contacts, optionally narrowed by filters.
    pub fn search_contacts(&self, query: &str, filters: &[Filter], limit: usize) -> Result<Vec<Contact>> {
        let limit = limit.clamp(1, crate::repo::MAX_PAGE);
        // Rank inside the index first and join only a window of the best: joining every match to
        // its row before ranking is what makes short prefixes slow. If the window loses too many
        // rows to the filters (tombstones, other organizations, the caller's filters), rank all.
        let window = if filters.is_empty() { limit * 4 } else { limit * 20 };
        let found = self.search_window(query, filters, limit, Some(window))?;
        if found.len() < limit {
            return self.search_window(query, filters, limit, None);
        }
        Ok(found)
    }

    fn search_window(&self, query: &str, filters: &[Filter], limit: usize, window: Option<usize>) -> Result<Vec<Contact>> {
        let actor = self.actor()?;
        let Some(q) = fts_query(query) else { return Ok(vec![]) };
        let mut params = vec![SqlValue::Text(q), SqlValue::Text(actor.organization_id.to_string())];
        let extra = filter_sql(&SPEC, filters, &mut params, "c.")?;
        let cols = SPEC.columns.iter().map(|c| format!("c.{}", c.name)).collect::<Vec<_>>().join(", ");
        let window = window.map(|w| format!(" LIMIT {w}")).unwrap_or_default();
        let sql = format!(
            "SELECT {cols} FROM (SELECT rowid AS rid, rank FROM contacts_fts WHERE contacts_fts MATCH ?1 ORDER BY rank{window}) f
             JOIN contacts c ON c.rowid = f.rid
             WHERE c.organization_id = ?2 AND NOT c.is_deleted{}
             ORDER BY f.rank, c.id
             LIMIT {limit}",
            extra.iter().map(|c| format!(" AND {c}")).collect::<String>(),
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(params), |r| read_record(&SPEC, r))?;
        rows.map(|r| {
            let r = r?;
            serde_json::from_value(serde_json::Value::Object(r)).map_err(|e| crate::Error::invalid("contacts", "corrupt_row", e.to_string()))
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn typed_text_becomes_prefix_terms() {
        assert_eq!(super::fts_query("ada lov").as_deref(), Some("\"ada\"* \"lov\"*"));
        assert_eq!(super::fts_query("o'brien \"AND\" NEAR(").as_deref(), Some("\"o\"* \"brien\"* \"AND\"* \"NEAR\"*"));
        assert_eq!(super::fts_query("  -- "), None);
    }
}
