//! The one write path. Every create, update, delete and restore of every table goes through here:
//! validate against the table's spec, apply the table's rules, write the row, write the audit row,
//! record the change for sync — in one transaction, so a failure leaves nothing behind.

use crate::error::{Error, Result};
use crate::rules;
use crate::schema::{Access, Column, Default, Entity, Kind, Ops, SoftDelete, SqlColumn, TableSpec};
use crate::store::{Actor, Store};
use crate::types::Timestamp;
use crate::{audit, changes};
use base64::Engine as _;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::marker::PhantomData;
use uuid::Uuid;

pub use plugs_domain::rules::{Op, Origin, Record};

/// Everything a write needs: the connection (inside the open transaction), who acts, and when.
pub(crate) struct Ctx<'a> {
    pub conn: &'a Connection,
    pub actor: &'a Actor,
    pub now: Timestamp,
}

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

/// The untyped repository of one table, in JSON records.
pub struct Table<'s> {
    store: &'s Store,
    spec: &'static TableSpec,
}

impl<'s> Table<'s> {
    pub(crate) fn new(store: &'s Store, spec: &'static TableSpec) -> Self {
        Self { store, spec }
    }

    /// The table's spec.
    pub fn spec(&self) -> &'static TableSpec {
        self.spec
    }

    /// Creates a row from the given fields; the seed's defaults fill the rest.
    pub fn create(&self, input: Record) -> Result<Record> {
        self.store.write(|ctx| create(ctx, self.spec, input, Origin::Client))
    }

    /// The row with this id (soft-deleted rows too), in the signed-in organization.
    pub fn get(&self, id: Uuid) -> Result<Record> {
        let actor = self.store.actor()?;
        get(&self.store.conn, &actor, self.spec, id)
    }

    /// Changes the given fields only.
    pub fn update(&self, id: Uuid, patch: Record) -> Result<Record> {
        self.store.write(|ctx| update(ctx, self.spec, id, patch, Origin::Client))
    }

    /// Soft-deletes (tombstone) or, for tables without tombstones, removes the row.
    pub fn delete(&self, id: Uuid) -> Result<Record> {
        self.store.write(|ctx| delete(ctx, self.spec, id, Origin::Client))
    }

    /// Brings a soft-deleted row back.
    pub fn restore(&self, id: Uuid) -> Result<Record> {
        self.store.write(|ctx| restore(ctx, self.spec, id, Origin::Client))
    }

    /// One page of rows, soft-deleted ones hidden unless asked for.
    pub fn list(&self, q: &ListQuery) -> Result<Page<Record>> {
        let actor = self.store.actor()?;
        list(&self.store.conn, &actor, self.spec, q)
    }

    /// How many rows the list shows over all its pages (sort, limit and cursor are ignored).
    pub fn count(&self, q: &ListQuery) -> Result<i64> {
        let actor = self.store.actor()?;
        count(&self.store.conn, &actor, self.spec, q)
    }
}

/// The typed repository of one table.
pub struct Repo<'s, T: Entity> {
    table: Table<'s>,
    _t: PhantomData<T>,
}

fn typed<T: Entity>(r: Record) -> Result<T> {
    serde_json::from_value(Value::Object(r)).map_err(|e| {
        Error::invalid(T::SPEC.name, "corrupt_row", format!("a stored row does not read back: {e}"))
    })
}

fn to_record(input: &impl Serialize) -> Result<Record> {
    match serde_json::to_value(input) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::invalid("input", "invalid_type", "must be an object of fields")),
    }
}

impl<'s, T: Entity> Repo<'s, T> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Self { table: Table::new(store, T::SPEC), _t: PhantomData }
    }
    /// Creates a row from any serializable set of fields (a struct or a JSON object).
    pub fn create(&self, input: &impl Serialize) -> Result<T> {
        typed(self.table.create(to_record(input)?)?)
    }
    /// The row with this id.
    pub fn get(&self, id: Uuid) -> Result<T> {
        typed(self.table.get(id)?)
    }
    /// Changes only the given fields (`null` clears a nullable field).
    pub fn update(&self, id: Uuid, patch: &impl Serialize) -> Result<T> {
        typed(self.table.update(id, to_record(patch)?)?)
    }
    /// Soft-deletes the row.
    pub fn delete(&self, id: Uuid) -> Result<T> {
        typed(self.table.delete(id)?)
    }
    /// Restores a soft-deleted row.
    pub fn restore(&self, id: Uuid) -> Result<T> {
        typed(self.table.restore(id)?)
    }
    /// One page of rows.
    pub fn list(&self, q: &ListQuery) -> Result<Page<T>> {
        let p = self.table.list(q)?;
        Ok(Page { items: p.items.into_iter().map(typed).collect::<Result<_>>()?, next_cursor: p.next_cursor })
    }
}

impl Store {
    /// Runs `f` in one immediate transaction with the signed-in user; commits only if it succeeds.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&Ctx) -> Result<R>) -> Result<R> {
        let actor = self.actor()?;
        self.write_as(&actor, f)
    }

    /// Same, acting as the given user (used while the workspace is being created).
    pub(crate) fn write_as<R>(&self, actor: &Actor, f: impl FnOnce(&Ctx) -> Result<R>) -> Result<R> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        let ctx = Ctx { conn: &tx, actor, now: self.now() };
        let out = f(&ctx)?;
        tx.commit()?;
        Ok(out)
    }
}

// ---- scoping -------------------------------------------------------------------------------------

/// The WHERE clause that keeps a query inside the signed-in organization (`?1` is the org id).
fn scope(spec: &TableSpec) -> &'static str {
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
        m.insert(c.name.to_owned(), c.from_sql(row.get_ref(i)?));
    }
    Ok(m)
}

pub(crate) fn get(conn: &Connection, actor: &Actor, spec: &'static TableSpec, id: Uuid) -> Result<Record> {
    find(conn, actor, spec, id)?.ok_or_else(|| Error::NotFound { entity: spec.name, id: id.to_string() })
}

pub(crate) fn find(conn: &Connection, actor: &Actor, spec: &'static TableSpec, id: Uuid) -> Result<Option<Record>> {
    let sql = format!("SELECT {} FROM {} WHERE {} AND id = ?2", spec.select_list(), spec.name, scope(spec));
    let mut st = conn.prepare_cached(&sql)?;
    Ok(st
        .query_row(rusqlite::params![actor.organization_id.to_string(), id.to_string()], |r| read_record(spec, r))
        .optional()?)
}

fn is_deleted(r: &Record) -> bool {
    r.get("is_deleted").and_then(Value::as_bool).unwrap_or(false)
}

fn id_of(r: &Record) -> Result<Uuid> {
    r.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(|| Error::invalid("id", "corrupt_row", "row has no id"))
}

// ---- validation ----------------------------------------------------------------------------------

/// Normalizes one value through its column (validating it) and back to JSON.
fn normalize(col: &Column, v: &Value) -> Result<Value> {
    let sql = col.to_sql(v)?;
    Ok(col.from_sql(sql_ref(&sql)))
}

fn sql_ref(v: &SqlValue) -> rusqlite::types::ValueRef<'_> {
    rusqlite::types::ValueRef::from(v)
}

fn check_access(spec: &TableSpec, key: &str, op: Op) -> Result<&'static Column> {
    Ok(plugs_domain::rights::may_give(spec, key, op)?)
}

/// Whether a client gives this column's values (identity, stamps and derived values are the store's).
fn client_column(col: &Column) -> bool {
    matches!(col.access, Access::Write | Access::CreateOnly)
}

/// Referenced rows must exist in the same organization and not be deleted.
pub(crate) fn check_reference(ctx: &Ctx, col: &Column, v: &Value) -> Result<()> {
    let Kind::Uuid { references: Some(target) } = col.kind else { return Ok(()) };
    let Some(id) = v.as_str() else { return Ok(()) };
    let spec = crate::tables::spec(target).expect("references name a known table");
    let ok = match find(ctx.conn, ctx.actor, spec, Uuid::parse_str(id).map_err(|_| Error::invalid(col.name, "invalid_format", "is not a UUID"))?)? {
        Some(r) => !is_deleted(&r),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(col.name, "not_found", format!("no {} with id {id} in this workspace", singular(target))))
    }
}

fn singular(table: &str) -> &str {
    match table {
        "media" => "media item",
        "organizations" => "organization",
        "users" => "user",
        "contacts" => "contact",
        "events" => "event",
        "integrations" => "integration",
        "media_collections" => "collection",
        t => t,
    }
}

// ---- writes --------------------------------------------------------------------------------------

pub(crate) fn create(ctx: &Ctx, spec: &'static TableSpec, input: Record, origin: Origin) -> Result<Record> {
    if origin == Origin::Client && !matches!(spec.ops, Ops::All | Ops::Append) {
        return Err(Error::forbidden(format!("{} rows cannot be created directly", spec.name)));
    }
    let mut rec = Record::with_capacity(spec.columns.len());
    for (k, v) in &input {
        let col = match origin {
            Origin::Client => check_access(spec, k, Op::Create)?,
            Origin::System => spec.column(k).ok_or_else(|| Error::invalid(k.as_str(), "unknown_field", format!("{} has no field '{k}'", spec.name)))?,
        };
        rec.insert(k.clone(), normalize(col, v)?);
    }
    // What the store fills: identity, tenancy, authorship, time.
    let now = Value::String(ctx.now.to_string());
    let user = Value::String(ctx.actor.user_id.to_string());
    for col in spec.columns {
        if rec.contains_key(col.name) {
            continue;
        }
        let v = match col.name {
            "id" => Value::String(Uuid::now_v7().to_string()),
            "organization_id" => Value::String(ctx.actor.organization_id.to_string()),
            "created_by" | "uploaded_by" | "updated_by" => user.clone(),
            _ => match col.default {
                Some(Default::Now) => now.clone(),
                Some(Default::Json(lit)) => serde_json::from_str(lit).expect("spec defaults are valid JSON"),
                None => Value::Null,
            },
        };
        rec.insert(col.name.to_owned(), v);
    }
    rules::before_write(ctx, spec, Op::Create, origin, None, &mut rec)?;
    for col in spec.columns {
        let v = &rec[col.name];
        if v.is_null() && !col.nullable {
            return Err(Error::invalid(col.name, "required", "is required"));
        }
        if client_column(col) {
            check_reference(ctx, col, v)?;
        }
    }
    let params: Vec<SqlValue> = spec.columns.iter().map(|c| c.to_sql(&rec[c.name])).collect::<Result<_>>()?;
    let placeholders = (1..=spec.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let sql = format!("INSERT INTO {} ({}) VALUES ({}) RETURNING {}", spec.name, spec.select_list(), placeholders, spec.select_list());
    let mut st = ctx.conn.prepare_cached(&sql)?;
    let row = st.query_row(params_from_iter(params), |r| read_record(spec, r)).map_err(|e| Error::from_sqlite(spec.name, e))?;
    let id = id_of(&row)?;
    let fields: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    after(ctx, spec, Op::Create, None, &row, id, &fields)?;
    Ok(row)
}

pub(crate) fn update(ctx: &Ctx, spec: &'static TableSpec, id: Uuid, patch: Record, origin: Origin) -> Result<Record> {
    if origin == Origin::Client && !matches!(spec.ops, Ops::All | Ops::Update) {
        return Err(Error::forbidden(format!("{} rows cannot be changed", spec.name)));
    }
    let old = get(ctx.conn, ctx.actor, spec, id)?;
    if is_deleted(&old) {
        return Err(Error::conflict(None, "deleted", format!("this {} is deleted; restore it before editing", singular(spec.name))));
    }
    let mut new = old.clone();
    for (k, v) in &patch {
        let col = match origin {
            Origin::Client => check_access(spec, k, Op::Update)?,
            Origin::System => spec.column(k).ok_or_else(|| Error::invalid(k.as_str(), "unknown_field", format!("{} has no field '{k}'", spec.name)))?,
        };
        new.insert(k.clone(), normalize(col, v)?);
    }
    rules::before_write(ctx, spec, Op::Update, origin, Some(&old), &mut new)?;
    write_changes(ctx, spec, Op::Update, id, &old, new)
}

/// Writes the columns where `new` differs from `old`, stamping updated_at/updated_by.
fn write_changes(ctx: &Ctx, spec: &'static TableSpec, op: Op, id: Uuid, old: &Record, mut new: Record) -> Result<Record> {
    let mut changed: Vec<&'static str> = spec.columns.iter().filter(|c| old.get(c.name) != new.get(c.name)).map(|c| c.name).collect();
    if changed.is_empty() {
        return Ok(old.clone());
    }
    for col in &changed {
        let c = spec.column(col).expect("changed columns come from the spec");
        if client_column(c) {
            check_reference(ctx, c, &new[*col])?;
        }
    }
    if spec.has("updated_at") {
        // Never step back in time, even if the clock did: sync orders writes by updated_at.
        let prev = old.get("updated_at").and_then(Value::as_str).and_then(|s| Timestamp::parse(s).ok());
        let stamp = match prev {
            Some(p) if p >= ctx.now => Timestamp::from_datetime(p.as_datetime() + chrono::Duration::microseconds(1)),
            _ => ctx.now,
        };
        new.insert("updated_at".into(), Value::String(stamp.to_string()));
        changed.push("updated_at");
    }
    if spec.has("updated_by") {
        new.insert("updated_by".into(), Value::String(ctx.actor.user_id.to_string()));
        if old.get("updated_by") != new.get("updated_by") {
            changed.push("updated_by");
        }
    }
    let sets = changed.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 3)).collect::<Vec<_>>().join(", ");
    let sql = format!("UPDATE {} SET {} WHERE {} AND id = ?2 RETURNING {}", spec.name, sets, scope(spec), spec.select_list());
    let mut params: Vec<SqlValue> = vec![SqlValue::Text(ctx.actor.organization_id.to_string()), SqlValue::Text(id.to_string())];
    for c in &changed {
        params.push(spec.column(c).expect("known").to_sql(&new[*c])?);
    }
    let mut st = ctx.conn.prepare_cached(&sql)?;
    let row = st.query_row(params_from_iter(params), |r| read_record(spec, r)).map_err(|e| Error::from_sqlite(spec.name, e))?;
    after(ctx, spec, op, Some(old), &row, id, &changed)?;
    Ok(row)
}

/// Applies a change the store itself decided (derived values, dedicated actions), through the same
/// path as any write: rules, audit, change record.
pub(crate) fn system_update(ctx: &Ctx, spec: &'static TableSpec, id: Uuid, patch: Record) -> Result<Record> {
    update(ctx, spec, id, patch, Origin::System)
}

pub(crate) fn delete(ctx: &Ctx, spec: &'static TableSpec, id: Uuid, origin: Origin) -> Result<Record> {
    if origin == Origin::Client && spec.ops != Ops::All {
        return Err(Error::forbidden(format!("{} rows cannot be deleted", spec.name)));
    }
    let old = get(ctx.conn, ctx.actor, spec, id)?;
    if spec.soft_delete == SoftDelete::None {
        rules::before_write(ctx, spec, Op::Delete, origin, Some(&old), &mut old.clone())?;
        let sql = format!("DELETE FROM {} WHERE {} AND id = ?2", spec.name, scope(spec));
        ctx.conn.prepare_cached(&sql)?.execute(rusqlite::params![ctx.actor.organization_id.to_string(), id.to_string()])?;
        audit::record(ctx, spec, id, Op::Delete, Some(&old), None, &[])?;
        changes::record(ctx, spec, id, changes::ChangeOp::Delete, &[])?;
        rules::after_write(ctx, spec, Some(&old), &old)?;
        return Ok(old);
    }
    if is_deleted(&old) {
        return Err(Error::conflict(None, "already_deleted", format!("this {} is already deleted", singular(spec.name))));
    }
    let mut new = old.clone();
    new.insert("is_deleted".into(), Value::Bool(true));
    if spec.has("deleted_at") {
        new.insert("deleted_at".into(), Value::String(ctx.now.to_string()));
    }
    rules::before_write(ctx, spec, Op::Delete, origin, Some(&old), &mut new)?;
    write_changes(ctx, spec, Op::Delete, id, &old, new)
}

pub(crate) fn restore(ctx: &Ctx, spec: &'static TableSpec, id: Uuid, origin: Origin) -> Result<Record> {
    if (origin == Origin::Client && spec.ops != Ops::All) || spec.soft_delete == SoftDelete::None {
        return Err(Error::forbidden(format!("{} rows cannot be restored", spec.name)));
    }
    let old = get(ctx.conn, ctx.actor, spec, id)?;
    if !is_deleted(&old) {
        return Err(Error::conflict(None, "not_deleted", format!("this {} is not deleted", singular(spec.name))));
    }
    let mut new = old.clone();
    new.insert("is_deleted".into(), Value::Bool(false));
    if spec.has("deleted_at") {
        new.insert("deleted_at".into(), Value::Null);
    }
    rules::before_write(ctx, spec, Op::Restore, origin, Some(&old), &mut new)?;
    write_changes(ctx, spec, Op::Restore, id, &old, new)
}

/// After a row is written: the table's follow-on rules, the audit row, the change record.
fn after(ctx: &Ctx, spec: &'static TableSpec, op: Op, old: Option<&Record>, new: &Record, id: Uuid, fields: &[&str]) -> Result<()> {
    audit::record(ctx, spec, id, op, old, Some(new), fields)?;
    changes::record(ctx, spec, id, changes::ChangeOp::Upsert, fields)?;
    rules::after_write(ctx, spec, old, new)
}

// ---- lists ---------------------------------------------------------------------------------------

#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor {
    s: String,
    d: bool,
    v: Value,
    id: String,
}

fn encode_cursor(c: &Cursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).unwrap_or_default())
}

fn decode_cursor(s: &str) -> Result<Cursor> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|_| Error::BadCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| Error::BadCursor)
}

/// Builds the WHERE conditions of a filter list; parameters are appended to `params`.
pub(crate) fn filter_sql(spec: &TableSpec, filters: &[Filter], params: &mut Vec<SqlValue>, alias: &str) -> Result<Vec<String>> {
    let mut conds = Vec::new();
    for f in filters {
        let (name, value) = match f {
            Filter::Eq(n, v) | Filter::Gte(n, v) | Filter::Lte(n, v) => (n, Some(v)),
            Filter::IsNull(n, _) => (n, None),
        };
        let col = spec.column(name).ok_or_else(|| Error::invalid(name.as_str(), "unknown_field", format!("{} has no field '{name}' to filter on", spec.name)))?;
        if matches!(col.kind, Kind::Json(_)) {
            return Err(Error::invalid(name.as_str(), "not_filterable", "JSON fields cannot be filtered on"));
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
        if c.v.is_null() {
            conds.push(format!("({sort} IS NULL AND id {cmp} ?{pid})"));
        } else {
            params.push(Column { nullable: false, default: None, ..*sort_col }.to_sql(&c.v).map_err(|_| Error::BadCursor)?);
            let pv = params.len();
            conds.push(format!("({sort} IS NULL OR {sort} {cmp} ?{pv} OR ({sort} = ?{pv} AND id {cmp} ?{pid}))"));
        }
    }
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY ({sort} IS NULL), {sort} {dir}, id {dir} LIMIT {}",
        spec.select_list(),
        spec.name,
        conds.join(" AND "),
        limit + 1
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut items = st.query_map(params_from_iter(params), |r| read_record(spec, r))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        let last = items.last().expect("limit >= 1");
        Some(encode_cursor(&Cursor { s: sort.to_owned(), d: q.descending, v: last[sort].clone(), id: last["id"].as_str().unwrap_or_default().to_owned() }))
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
        eq.chain(gte).chain(lte).collect()
    }

    /// The request as a list query (soft-deleted rows hidden).
    pub fn query(&self) -> ListQuery {
        ListQuery { filters: self.filters(), sort: self.sort.clone(), descending: self.descending, limit: self.limit, cursor: self.cursor.clone(), include_deleted: false }
    }
}
