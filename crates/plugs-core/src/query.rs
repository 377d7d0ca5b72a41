//! Reading the local store: rows by id within the signed-in organization, lists with filters,
//! sort and keyset pages, and the conditions that say which rows a user may see. No writes here.

use crate::ctx::Actor;
use crate::error::{Error, Result};
use crate::schema::{Column, Kind, SoftDelete, SqlColumn, TableSpec};
use base64::Engine as _;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub use plugs_domain::rules::Record;

/// One condition of a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Column equals value (text compares without case).
    Eq(String, Value),
    /// Column is at least value.
    Gte(String, Value),
    /// Column is at most value.
    Lte(String, Value),
    /// Column is NULL (true) or not (false).
    IsNull(String, bool),
    /// Text column contains the value, without case ("acme" finds "Acme Robotics").
    Contains(String, Value),
}

/// A list request: filters, sort, page size and the cursor from the previous page.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filters: Vec<Filter>,
    pub sort: Option<String>,
    pub descending: bool,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
    pub include_deleted: bool,
}

/// The largest page a list returns.
pub const MAX_PAGE: usize = 1000;
/// The page size when none is asked for.
pub const DEFAULT_PAGE: usize = 50;

/// One page of a list, and the cursor of the next (None on the last page).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub(crate) fn typed<T: serde::de::DeserializeOwned>(r: Record) -> Result<T> {
    serde_json::from_value(Value::Object(r)).map_err(|e| Error::invalid("row", "corrupt_row", format!("a stored row does not read back: {e}")))
}

pub(crate) fn to_record(input: &impl Serialize) -> Result<Record> {
    match serde_json::to_value(input) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::invalid("input", "invalid_type", "must be an object of fields")),
    }
}

/// The WHERE clause that keeps a query inside the signed-in organization (`?1` is the org id).
pub(crate) fn scope(spec: &TableSpec) -> &'static str {
    match spec.name {
        "organizations" => "id = ?1",
        "media_collection_items" => "collection_id IN (SELECT id FROM media_collections WHERE organization_id = ?1)",
        _ => "organization_id = ?1",
    }
}

/// Reads a row selected with the spec's column list as JSON keyed by column.
pub fn read_record(spec: &TableSpec, row: &Row<'_>) -> rusqlite::Result<Record> {
    let mut m = Map::with_capacity(spec.columns.len());
    for (i, c) in spec.columns.iter().enumerate() {
        m.insert(c.name.to_owned(), c.read_sql(row.get_ref(i)?));
    }
    Ok(m)
}

pub(crate) fn get(conn: &Connection, actor: &Actor, spec: &'static TableSpec, id: Uuid) -> Result<Record> {
    find(conn, actor, spec, id)?.ok_or_else(|| Error::NotFound { entity: spec.name, id: id.to_string() })
}

pub(crate) fn find(conn: &Connection, actor: &Actor, spec: &'static TableSpec, id: Uuid) -> Result<Option<Record>> {
    let sql = format!("SELECT {} FROM {} WHERE {} AND id = ?2", spec.select_list(), spec.name, scope(spec));
    let mut st = conn.prepare_cached(&sql)?;
    Ok(st.query_row(rusqlite::params![actor.organization_id.to_string(), id.to_string()], |r| read_record(spec, r)).optional()?)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor {
    s: String,
    d: bool,
    v: Value,
    /// The tie-break column's value (see [`tie_break`]).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    t: Value,
    id: String,
}

/// The column that orders rows whose sort value is the same, before their id: people sorted by
/// surname are in first-name order within it, and by first name in surname order.
fn tie_break(spec: &TableSpec, sort: &str) -> Option<&'static str> {
    match (spec.name, sort) {
        ("contacts", "last_name") => Some("first_name"),
        ("contacts", "first_name") => Some("last_name"),
        _ => None,
    }
}

fn encode_cursor(c: &Cursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).unwrap_or_default())
}

fn decode_cursor(s: &str) -> Result<Cursor> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|_| Error::BadCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| Error::BadCursor)
}

/// Builds the WHERE conditions of a filter list; parameters are appended to `params`.
/// The contacts filter (an `equals` key) of the people met at an event: its value is the event's id.
pub const MET_AT_EVENT: &str = "met_at_event";
/// The filter keeping contacts or events with a tag (a word, or a list of words: all of them).
pub const TAG: &str = "tag";

pub(crate) fn filter_sql(spec: &TableSpec, filters: &[Filter], params: &mut Vec<SqlValue>, alias: &str) -> Result<Vec<String>> {
    let mut conds = Vec::new();
    for f in filters {
        // Contacts met at an event (by a capture there, see `capture`).
        if let (Filter::Eq(n, v), "contacts") = (f, spec.name) {
            if n == MET_AT_EVENT {
                let id = v.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()).ok_or_else(|| Error::invalid(MET_AT_EVENT, "invalid_format", "is not an event id"))?;
                params.push(SqlValue::Text(id.to_string()));
                conds.push(format!(
                    "{alias}id IN (SELECT contact_id FROM contact_interactions WHERE NOT is_deleted AND interaction_type = 'event' AND json_extract(metadata, '$.event_id') = ?{})",
                    params.len()
                ));
                continue;
            }
        }
        if let (Filter::Eq(n, v), "contacts" | "events") = (f, spec.name) {
            if n == TAG {
                let words: Vec<&str> = match v {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().map(|w| w.as_str().ok_or_else(|| Error::invalid(TAG, "invalid_type", "each tag is a word"))).collect::<Result<_>>()?,
                    _ => return Err(Error::invalid(TAG, "invalid_type", "is a tag or a list of tags")),
                };
                for w in words {
                    params.push(SqlValue::Text(plugs_domain::tags::normalize(w)?));
                    let p = params.len();
                    conds.push(if spec.name == "contacts" {
                        // A probe per row in the order being read: a page of 50 by name stops early.
                        format!("EXISTS (SELECT 1 FROM contact_tags t WHERE t.tag = ?{p} AND t.contact_id = {alias}id)")
                    } else {
                        format!("EXISTS (SELECT 1 FROM json_each({alias}metadata, '$.tags') WHERE value = ?{p})")
                    });
                }
                continue;
            }
        }
        let (name, value) = match f {
            Filter::Eq(n, v) | Filter::Gte(n, v) | Filter::Lte(n, v) | Filter::Contains(n, v) => (n, Some(v)),
            Filter::IsNull(n, _) => (n, None),
        };
        let col = spec.column(name).ok_or_else(|| Error::invalid(name.as_str(), "unknown_field", format!("{} has no field '{name}' to filter on", spec.name)))?;
        if matches!(col.kind, Kind::Json(_)) {
            return Err(Error::invalid(name.as_str(), "not_filterable", "JSON fields cannot be filtered on"));
        }
        if let Filter::Contains(_, v) = f {
            if !matches!(col.kind, Kind::Text { .. }) {
                return Err(Error::invalid(name.as_str(), "not_filterable", "only text fields can be searched for a part"));
            }
            let part = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            let escaped = part.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            params.push(SqlValue::Text(format!("%{escaped}%")));
            conds.push(format!("{alias}{name} LIKE ?{} ESCAPE '\\'", params.len()));
            continue;
        }
        if let Some(v) = value {
            let sql = Column { nullable: false, default: None, ..*col }.to_sql(v)?;
            params.push(sql);
        }
        let p = params.len();
        let nocase = if matches!(col.kind, Kind::Text { .. }) { " COLLATE NOCASE" } else { "" };
        conds.push(match f {
            Filter::Eq(..) => format!("{alias}{name} = ?{p}{nocase}"),
            Filter::Gte(..) => format!("{alias}{name} >= ?{p}"),
            Filter::Lte(..) => format!("{alias}{name} <= ?{p}"),
            Filter::IsNull(_, true) => format!("{alias}{name} IS NULL"),
            Filter::IsNull(_, false) => format!("{alias}{name} IS NOT NULL"),
            Filter::Contains(..) => unreachable!("handled above"),
        });
    }
    Ok(conds)
}

/// Rows of a table matching a SQL condition over its columns, then `tail` (ORDER BY, LIMIT).
/// For the store's own summaries and exports; the caller's condition scopes the organization.
pub(crate) fn select(conn: &Connection, spec: &TableSpec, cond: &str, params: Vec<SqlValue>, tail: &str) -> Result<Vec<Record>> {
    let sql = format!("SELECT {} FROM {} WHERE {cond} {tail}", spec.select_list(), spec.name);
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(params), |r| read_record(spec, r))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The conditions of the rows a list may show: this organization's, not deleted (unless asked),
/// notifications only to the user they are for, and the request's filters.
fn visible(actor: &Actor, spec: &'static TableSpec, q: &ListQuery, params: &mut Vec<SqlValue>) -> Result<Vec<String>> {
    params.push(SqlValue::Text(actor.organization_id.to_string()));
    let mut conds = vec![scope(spec).to_owned()];
    if spec.soft_delete != SoftDelete::None && !q.include_deleted {
        conds.push("NOT is_deleted".into());
    }
    if spec.name == "notifications" && !actor.is_admin {
        // A notification is for the user it is addressed to.
        params.push(SqlValue::Text(actor.user_id.to_string()));
        conds.push(format!("user_id = ?{}", params.len()));
    }
    conds.extend(filter_sql(spec, &q.filters, params, "")?);
    Ok(conds)
}

/// How many rows the list would show over all its pages.
pub(crate) fn count(conn: &Connection, actor: &Actor, spec: &'static TableSpec, q: &ListQuery) -> Result<i64> {
    if let (&[Filter::Eq(ref n, Value::String(ref tag))], "contacts", false) = (&q.filters[..], spec.name, q.include_deleted) {
        if n == TAG {
            // The tag index holds live contacts with their organization: counted without a row read.
            let tag = plugs_domain::tags::normalize(tag)?;
            return Ok(conn
                .prepare_cached("SELECT count(*) FROM contact_tags WHERE tag = ?1 AND organization_id = ?2")?
                .query_row(rusqlite::params![tag, actor.organization_id.to_string()], |r| r.get(0))?);
        }
    }
    let mut params = Vec::new();
    let conds = visible(actor, spec, q, &mut params)?;
    let sql = format!("SELECT count(*) FROM {} WHERE {}", spec.name, conds.join(" AND "));
    Ok(conn.prepare_cached(&sql)?.query_row(params_from_iter(params), |r| r.get(0))?)
}

pub(crate) fn list(conn: &Connection, actor: &Actor, spec: &'static TableSpec, q: &ListQuery) -> Result<Page<Record>> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(Error::invalid("limit", "out_of_range", format!("must be between 1 and {MAX_PAGE}")));
    }
    let sort = q.sort.as_deref().unwrap_or(spec.sortable[0]);
    if !spec.sortable.contains(&sort) {
        return Err(Error::invalid("sort", "invalid_choice", format!("'{sort}' is not one of: {}", spec.sortable.join(", "))));
    }
    let sort_col = spec.column(sort).expect("sortable columns exist");
    let tie = tie_break(spec, sort);
    let mut params: Vec<SqlValue> = Vec::new();
    let mut conds = visible(actor, spec, q, &mut params)?;
    let (cmp, dir) = if q.descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(c) = &q.cursor {
        let c = decode_cursor(c)?;
        if c.s != sort || c.d != q.descending {
            return Err(Error::BadCursor);
        }
        params.push(SqlValue::Text(c.id.clone()));
        let pid = params.len();
        // After the id: the rows of the same sort value (and tie-break value) that come later.
        let after = match tie {
            Some(t) => {
                let tie_col = spec.column(t).expect("tie-break columns exist");
                params.push(Column { nullable: false, default: None, ..*tie_col }.to_sql(&c.t).map_err(|_| Error::BadCursor)?);
                let pt = params.len();
                format!("({t} {cmp} ?{pt} OR ({t} = ?{pt} AND id {cmp} ?{pid}))")
            }
            None => format!("id {cmp} ?{pid}"),
        };
        if c.v.is_null() {
            conds.push(format!("({sort} IS NULL AND {after})"));
        } else {
            params.push(Column { nullable: false, default: None, ..*sort_col }.to_sql(&c.v).map_err(|_| Error::BadCursor)?);
            let pv = params.len();
            let nulls = if sort_col.nullable { format!("{sort} IS NULL OR ") } else { String::new() };
            conds.push(format!("({nulls}{sort} {cmp} ?{pv} OR ({sort} = ?{pv} AND {after}))"));
        }
    }
    let then = tie.map(|t| format!("{t} {dir}, ")).unwrap_or_default();
    // Rows without a value come last; a column that always has one needs no such term, and
    // without it an index on the column serves the order (the first page of 100k by name).
    let nulls = if sort_col.nullable { format!("({sort} IS NULL), ") } else { String::new() };
    let sql = format!("SELECT {} FROM {} WHERE {} ORDER BY {nulls}{sort} {dir}, {then}id {dir} LIMIT {}", spec.select_list(), spec.name, conds.join(" AND "), limit + 1);
    let mut st = conn.prepare_cached(&sql)?;
    let mut items = st.query_map(params_from_iter(params), |r| read_record(spec, r))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        let last = items.last().expect("limit >= 1");
        let t = tie.map(|t| last[t].clone()).unwrap_or(Value::Null);
        Some(encode_cursor(&Cursor { s: sort.to_owned(), d: q.descending, v: last[sort].clone(), t, id: last["id"].as_str().unwrap_or_default().to_owned() }))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// A list request as the window sends it: equality and range filters, sort, page size, cursor.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ts_rs::TS)]
#[serde(default)]
pub struct ListRequest {
    #[ts(type = "{ [key in string]?: JsonValue }")]
    pub equals: Record,
    #[ts(type = "{ [key in string]?: JsonValue }")]
    pub gte: Record,
    #[ts(type = "{ [key in string]?: JsonValue }")]
    pub lte: Record,
    /// Text fields that contain a part, without case.
    #[ts(type = "{ [key in string]?: JsonValue }")]
    pub contains: Record,
    pub sort: Option<String>,
    pub descending: bool,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl ListRequest {
    /// The filters of the request.
    pub fn filters(&self) -> Vec<Filter> {
        let eq = self.equals.iter().map(|(k, v)| if v.is_null() { Filter::IsNull(k.clone(), true) } else { Filter::Eq(k.clone(), v.clone()) });
        let gte = self.gte.iter().map(|(k, v)| Filter::Gte(k.clone(), v.clone()));
        let lte = self.lte.iter().map(|(k, v)| Filter::Lte(k.clone(), v.clone()));
        let contains = self.contains.iter().filter(|(_, v)| v.as_str().is_some_and(|s| !s.trim().is_empty())).map(|(k, v)| Filter::Contains(k.clone(), v.clone()));
        eq.chain(gte).chain(lte).chain(contains).collect()
    }

    /// The request as a list query (soft-deleted rows hidden).
    pub fn query(&self) -> ListQuery {
        ListQuery { filters: self.filters(), sort: self.sort.clone(), descending: self.descending, limit: self.limit, cursor: self.cursor.clone(), include_deleted: false }
    }
}
