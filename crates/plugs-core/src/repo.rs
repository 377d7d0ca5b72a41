//! The one write path. Every create, update, delete and restore of every table goes through here:
//! validate against the table's spec, apply the table's rules, write the row, write the audit row,
//! record the change for sync — in one transaction, so a failure leaves nothing behind.

use crate::error::{Error, Result};
use crate::query::scope;
use crate::rules;
use crate::schema::{Access, Column, Default, Kind, Ops, SoftDelete, SqlColumn, TableSpec};
use crate::types::Timestamp;
use crate::{audit, changes};
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde_json::Value;
use uuid::Uuid;

pub(crate) use crate::ctx::Ctx;
pub(crate) use crate::query::{filter_sql, find, get, select};
pub use crate::query::{read_record, Filter, ListQuery, ListRequest, Page, DEFAULT_PAGE, MAX_PAGE};
pub use plugs_domain::rules::{Op, Origin, Record};

pub(crate) fn is_deleted(r: &Record) -> bool {
    r.get("is_deleted").and_then(Value::as_bool).unwrap_or(false)
}

pub(crate) fn id_of(r: &Record) -> Result<Uuid> {
    r.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(|| Error::invalid("id", "corrupt_row", "row has no id"))
}

// ---- validation ----------------------------------------------------------------------------------

/// Normalizes one value through its column (validating it) and back to JSON.
fn normalize(col: &Column, v: &Value) -> Result<Value> {
    let sql = col.to_sql(v)?;
    Ok(col.read_sql(sql_ref(&sql)))
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

/// How a row of that table is named in a message ("contact", "media item").
pub(crate) fn singular(table: &str) -> &str {
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
    let mut rec = fill(ctx.actor, ctx.now, spec, input, origin)?;
    rules::before_write(ctx, spec, Op::Create, origin, None, &mut rec)?;
    write_prepared(ctx, finish(spec, rec)?)
}

/// A new row made ready away from the database: validated, completed, the table's rules applied,
/// as it will be stored, with its audit text. [`write_prepared`] writes it.
pub(crate) struct Prepared {
    spec: &'static TableSpec,
    id: Uuid,
    params: Vec<SqlValue>,
    row: Record,
    audit: String,
    fields: String,
}

/// Everything of a create that needs no database, for a bulk writer to do beside the writing:
/// `None` when the table's rules need rows from the store (then [`create`] does it all).
pub(crate) fn prepare_create(actor: &crate::ctx::Actor, now: Timestamp, spec: &'static TableSpec, input: Record, origin: Origin) -> Result<Option<Prepared>> {
    let mut rec = fill(actor, now, spec, input, origin)?;
    if !rules::before_write_pure(actor, now, spec, Op::Create, origin, &mut rec)? {
        return Ok(None);
    }
    finish(spec, rec).map(Some)
}

/// The row of a create: the input validated and normalized through its columns, and what the
/// store fills (identity, tenancy, authorship, time, defaults).
fn fill(actor: &crate::ctx::Actor, now: Timestamp, spec: &'static TableSpec, input: Record, origin: Origin) -> Result<Record> {
    if origin == Origin::Client && !matches!(spec.ops, Ops::All | Ops::Append) {
        return Err(Error::forbidden(format!("{} rows cannot be created directly", spec.name)));
    }
    let mut rec = Record::with_capacity(spec.columns.len());
    for (k, v) in input {
        let col = match origin {
            Origin::Client => check_access(spec, &k, Op::Create)?,
            Origin::System => spec.column(&k).ok_or_else(|| Error::invalid(k.as_str(), "unknown_field", format!("{} has no field '{k}'", spec.name)))?,
        };
        let v = normalize(col, &v)?;
        rec.insert(k, v);
    }
    let now = Value::String(now.to_string());
    let user = Value::String(actor.user_id.to_string());
    for col in spec.columns {
        if rec.contains_key(col.name) {
            continue;
        }
        let v = match col.name {
            "id" => Value::String(Uuid::now_v7().to_string()),
            "organization_id" => Value::String(actor.organization_id.to_string()),
            "created_by" | "uploaded_by" | "updated_by" => user.clone(),
            _ => match col.default {
                Some(Default::Now) => now.clone(),
                Some(Default::Json(lit)) => serde_json::from_str(lit).expect("spec defaults are valid JSON"),
                None => Value::Null,
            },
        };
        rec.insert(col.name.to_owned(), v);
    }
    Ok(rec)
}

/// The row after its rules: required values checked, the values to bind, the row as stored.
fn finish(spec: &'static TableSpec, rec: Record) -> Result<Prepared> {
    for col in spec.columns {
        if rec[col.name].is_null() && !col.nullable {
            return Err(Error::invalid(col.name, "required", "is required"));
        }
    }
    let params: Vec<SqlValue> = spec.columns.iter().map(|c| c.to_sql(&rec[c.name])).collect::<Result<_>>()?;
    // The row as stored: no trigger changes a row as it is inserted, so it is what is bound, read
    // back the way a SELECT reads it.
    let row: Record = spec.columns.iter().zip(&params).map(|(c, p)| (c.name.to_owned(), c.read_sql(sql_ref(p)))).collect();
    let id = id_of(&row)?;
    let audit = audit::full(&row);
    let fields = changes::listed(spec, &plugs_domain::tags::sync_fields(spec, None, &row, &all_fields(spec)));
    Ok(Prepared { spec, id, params, row, audit, fields })
}

/// Writes a prepared row: its references checked in the store, the row, its audit row, its change
/// record, the derived values it changes.
pub(crate) fn write_prepared(ctx: &Ctx, p: Prepared) -> Result<Record> {
    let spec = p.spec;
    for col in spec.columns {
        if client_column(col) {
            check_reference(ctx, col, &p.row[col.name])?;
        }
    }
    let mut st = ctx.conn.prepare_cached(insert_sql(spec))?;
    st.execute(params_from_iter(p.params.iter())).map_err(|e| Error::from_sqlite(spec.name, e))?;
    audit::record_create(ctx, spec, p.id, p.audit)?;
    changes::record_listed(ctx, spec, p.id, changes::ChangeOp::Upsert, &p.fields)?;
    apply_derived(ctx, rules::derived(ctx, spec, None, &p.row)?)?;
    Ok(p.row)
}

/// Every column name of a table.
fn all_fields(spec: &'static TableSpec) -> Vec<&'static str> {
    spec.columns.iter().map(|c| c.name).collect()
}

/// The INSERT of every column of a table, made once per table.
fn insert_sql(spec: &'static TableSpec) -> &'static str {
    static MADE: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<&'static str, &'static str>>> = std::sync::OnceLock::new();
    let mut made = MADE.get_or_init(std::default::Default::default).lock().unwrap_or_else(|p| p.into_inner());
    made.entry(spec.name).or_insert_with(|| {
        let placeholders = (1..=spec.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        Box::leak(format!("INSERT INTO {} ({}) VALUES ({})", spec.name, spec.select_list(), placeholders).into_boxed_str())
    })
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
        changes::record::<&str>(ctx, spec, id, changes::ChangeOp::Delete, &[])?;
        apply_derived(ctx, rules::derived(ctx, spec, Some(&old), &old)?)?;
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
    changes::record(ctx, spec, id, changes::ChangeOp::Upsert, &plugs_domain::tags::sync_fields(spec, old, new, fields))?;
    if DEFER_DERIVED.get() {
        return Ok(());
    }
    apply_derived(ctx, rules::derived(ctx, spec, old, new)?)
}

thread_local! {
    static DEFER_DERIVED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs many writes of one kind without working out derived values after each (moving a thousand
/// interactions would recount their contacts a thousand times); the caller works them out once
/// after, with [`recompute_derived`].
pub(crate) fn deferring_derived<R>(f: impl FnOnce() -> Result<R>) -> Result<R> {
    DEFER_DERIVED.set(true);
    let r = f();
    DEFER_DERIVED.set(false);
    r
}

/// Works out the derived values a write from `old` to `new` of a `spec` row touches.
pub(crate) fn recompute_derived(ctx: &Ctx, spec: &'static TableSpec, old: &Record, new: &Record) -> Result<()> {
    apply_derived(ctx, rules::derived(ctx, spec, Some(old), new)?)
}

/// Writes derived values through the same path as any write (audited, recorded for sync).
fn apply_derived(ctx: &Ctx, derived: Vec<rules::Derived>) -> Result<()> {
    for (spec, id, patch) in derived {
        system_update(ctx, spec, id, patch)?;
    }
    Ok(())
}
