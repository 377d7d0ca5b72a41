//! The device's side of the rule engine: fetches from SQLite the related rows each table's rules
//! declare they need ([`plugs_domain::rules::Need`]), runs the domain's rules (the same the server
//! runs on every push), and keeps derived values current after a write.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::query::{find, select, Record};
use crate::schema::{Aggregate, SqlColumn, TableSpec};
use plugs_domain::rules::{self as domain, Facts, Need, Op, Origin, WriteCtx};
use rusqlite::types::Value as SqlValue;
use serde_json::Value;
use uuid::Uuid;

pub(crate) use plugs_domain::rules::{deleted, text, uuid};

/// Checks (and may complete) a row before it is written: the domain's rights and the table's
/// rule, over the rows they need. An error here means nothing is written.
pub(crate) fn before_write(ctx: &Ctx, spec: &'static TableSpec, op: Op, origin: Origin, old: Option<&Record>, new: &mut Record) -> Result<()> {
    let caller = ctx.actor.caller();
    let wctx = WriteCtx { caller: &caller, op, origin, now: ctx.now, seen: None };
    let needs = domain::needs(spec, &wctx, old, new);
    let facts = if needs.is_empty() { Facts::default() } else { facts(ctx, spec, &needs, new)? };
    Ok(domain::before_write(spec, &wctx, &facts, old, new)?)
}

/// The table's rules for a write whose rules need nothing from the store: `false` (and nothing
/// done) when they do.
pub(crate) fn before_write_pure(actor: &crate::ctx::Actor, now: crate::types::Timestamp, spec: &'static TableSpec, op: Op, origin: Origin, new: &mut Record) -> Result<bool> {
    let caller = actor.caller();
    let wctx = WriteCtx { caller: &caller, op, origin, now, seen: None };
    if !domain::needs(spec, &wctx, None, new).is_empty() {
        return Ok(false);
    }
    domain::before_write(spec, &wctx, &Facts::default(), None, new)?;
    Ok(true)
}

/// Fetches what the rules need, within the signed-in organization.
fn facts(ctx: &Ctx, spec: &'static TableSpec, needs: &[Need], new: &Record) -> Result<Facts> {
    let mut f = Facts::default();
    let org = ctx.actor.organization_id.to_string();
    for need in needs {
        match *need {
            Need::Parent(col) => {
                if let (Some(target), Some(id)) = (spec.references(col).and_then(crate::tables::spec), uuid(new, col)) {
                    if let Some(row) = find(ctx.conn, ctx.actor, target, id)? {
                        f.parents.insert(col, row);
                    }
                }
            }
            Need::Children { table, fk } => {
                let Some(child) = crate::tables::spec(table) else { continue };
                let id = text(new, "id").unwrap_or_default().to_owned();
                let rows = select(ctx.conn, child, &format!("organization_id = ?1 AND {fk} = ?2 AND NOT is_deleted"), vec![SqlValue::Text(org.clone()), SqlValue::Text(id)], "")?;
                f.children.insert(table, rows);
            }
            Need::Twin { columns } => {
                let mut params = vec![SqlValue::Text(text(new, "id").unwrap_or_default().to_owned())];
                let mut conds = vec!["id <> ?1".to_owned()];
                if spec.has("organization_id") {
                    params.push(SqlValue::Text(org.clone()));
                    conds.push(format!("organization_id = ?{}", params.len()));
                }
                for c in columns {
                    let col = spec.column(c).expect("twin columns are the table's");
                    params.push(col.to_sql(new.get(*c).unwrap_or(&Value::Null))?);
                    conds.push(format!("{c} = ?{} COLLATE NOCASE", params.len()));
                }
                f.twin = select(ctx.conn, spec, &conds.join(" AND "), params, "LIMIT 1")?.into_iter().next();
            }
        }
    }
    Ok(f)
}

/// A derived value to write: the table, the row, the fields.
pub(crate) type Derived = (&'static TableSpec, Uuid, Record);

/// The derived values a written row changes (written by the write path, in the same
/// transaction): each declared in the domain (`TableSpec::derived`), recomputed here in SQLite.
pub(crate) fn derived(ctx: &Ctx, spec: &TableSpec, old: Option<&Record>, new: &Record) -> Result<Vec<Derived>> {
    let mut out = vec![];
    for (parent, d) in crate::tables::derived_from(spec.name) {
        let mut ids: Vec<Uuid> = vec![];
        for r in [old, Some(new)].into_iter().flatten() {
            if let Some(id) = uuid(r, d.fk) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        for id in ids {
            let Some(row) = find(ctx.conn, ctx.actor, parent, id)? else { continue };
            if deleted(&row) {
                continue;
            }
            let fold = match d.aggregate {
                Aggregate::Count => "COUNT(*)".to_owned(),
                Aggregate::Max(c) => format!("MAX({c})"),
            };
            let sql = format!("SELECT {fold} FROM {} WHERE {} = ?1{}{}", d.from, d.fk, d.live_sql(), d.filter_sql());
            let value = match d.aggregate {
                Aggregate::Count => Value::from(ctx.conn.prepare_cached(&sql)?.query_row([id.to_string()], |r| r.get::<_, i64>(0))?),
                Aggregate::Max(_) => ctx.conn.prepare_cached(&sql)?.query_row([id.to_string()], |r| r.get::<_, Option<String>>(0))?.map(Value::String).unwrap_or(Value::Null),
            };
            if row.get(d.column) != Some(&value) {
                out.push((parent, id, [(d.column.to_owned(), value)].into_iter().collect()));
            }
        }
    }
    Ok(out)
}
