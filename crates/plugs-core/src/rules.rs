//! The device's side of the rule engine: fetches from SQLite the related rows each table's rules
//! declare they need ([`plugs_domain::rules::Need`]), runs the domain's rules (the same the server
//! runs on every push), and keeps derived values current after a write.

use crate::error::Result;
use crate::repo::{self, Ctx, Record};
use crate::schema::{Kind, SqlColumn, TableSpec};
use crate::store::Actor;
use plugs_domain::rules::{self as domain, Caller, Facts, Need, Op, Origin, WriteCtx};
use rusqlite::types::Value as SqlValue;
use serde_json::Value;
use uuid::Uuid;

pub(crate) use plugs_domain::rules::{deleted, text, uuid};

impl Actor {
    /// The actor as the domain's rules know a caller.
    pub fn caller(&self) -> Caller {
        Caller { org: self.organization_id, user: self.user_id, is_admin: self.is_admin }
    }
}

/// Checks (and may complete) a row before it is written: the domain's rights and the table's
/// rule, over the rows they need. An error here means nothing is written.
pub(crate) fn before_write(ctx: &Ctx, spec: &'static TableSpec, op: Op, origin: Origin, old: Option<&Record>, new: &mut Record) -> Result<()> {
    let caller = ctx.actor.caller();
    let wctx = WriteCtx { caller: &caller, op, origin, now: ctx.now, seen: None };
    let needs = domain::needs(spec, &wctx, old, new);
    let facts = if needs.is_empty() { Facts::default() } else { facts(ctx, spec, &needs, new)? };
    Ok(domain::before_write(spec, &wctx, &facts, old, new)?)
}

/// Fetches what the rules need, within the signed-in organization.
fn facts(ctx: &Ctx, spec: &'static TableSpec, needs: &[Need], new: &Record) -> Result<Facts> {
    let mut f = Facts::default();
    let org = ctx.actor.organization_id.to_string();
    for need in needs {
        match *need {
            Need::Parent(col) => {
                let target = spec.column(col).and_then(|c| match c.kind {
                    Kind::Uuid { references } => references,
                    _ => None,
                });
                if let (Some(target), Some(id)) = (target.and_then(crate::tables::spec), uuid(new, col)) {
                    if let Some(row) = repo::find(ctx.conn, ctx.actor, target, id)? {
                        f.parents.insert(col, row);
                    }
                }
            }
            Need::Children { table, fk } => {
                let Some(child) = crate::tables::spec(table) else { continue };
                let id = text(new, "id").unwrap_or_default().to_owned();
                let rows = repo::select(ctx.conn, child, &format!("organization_id = ?1 AND {fk} = ?2 AND NOT is_deleted"), vec![SqlValue::Text(org.clone()), SqlValue::Text(id)], "")?;
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
                f.twin = repo::select(ctx.conn, spec, &conds.join(" AND "), params, "LIMIT 1")?.into_iter().next();
            }
        }
    }
    Ok(f)
}

/// Keeps derived values current after a row is written (in the same transaction).
pub(crate) fn after_write(ctx: &Ctx, spec: &TableSpec, old: Option<&Record>, new: &Record) -> Result<()> {
    match spec.name {
        "contact_interactions" => {
            let mut contacts: Vec<Uuid> = vec![];
            for r in [old, Some(new)].into_iter().flatten() {
                if let Some(c) = uuid(r, "contact_id") {
                    if !contacts.contains(&c) {
                        contacts.push(c);
                    }
                }
            }
            for contact_id in contacts {
                refresh_last_interaction(ctx, contact_id)?;
            }
            Ok(())
        }
        "event_attendees" => refresh_attendance(ctx, new),
        _ => Ok(()),
    }
}

/// `contacts.last_interaction` follows the latest completed, non-deleted interaction (a scheduled
/// follow-up has not happened yet, a cancelled one never will).
pub(crate) fn refresh_last_interaction(ctx: &Ctx, contact_id: Uuid) -> Result<()> {
    let spec = &crate::tables::contacts::SPEC;
    let Some(contact) = repo::find(ctx.conn, ctx.actor, spec, contact_id)? else { return Ok(()) };
    if deleted(&contact) {
        return Ok(());
    }
    let latest: Option<String> = ctx
        .conn
        .prepare_cached("SELECT MAX(interaction_date) FROM contact_interactions WHERE contact_id = ?1 AND NOT is_deleted AND status = 'completed'")?
        .query_row([contact_id.to_string()], |r| r.get(0))?;
    let latest = latest.map(Value::String).unwrap_or(Value::Null);
    if contact.get("last_interaction") != Some(&latest) {
        let mut patch = Record::new();
        patch.insert("last_interaction".into(), latest);
        repo::system_update(ctx, spec, contact_id, patch)?;
    }
    Ok(())
}

/// `events.current_attendees` follows the attendances that take a place.
fn refresh_attendance(ctx: &Ctx, new: &Record) -> Result<()> {
    let Some(event_id) = uuid(new, "event_id") else { return Ok(()) };
    let spec = &crate::tables::events::SPEC;
    let Some(event) = repo::find(ctx.conn, ctx.actor, spec, event_id)? else { return Ok(()) };
    if deleted(&event) {
        return Ok(());
    }
    let n: i64 = ctx
        .conn
        .prepare_cached("SELECT COUNT(*) FROM event_attendees WHERE event_id = ?1 AND NOT is_deleted AND status <> 'cancelled'")?
        .query_row([event_id.to_string()], |r| r.get(0))?;
    if event.get("current_attendees").and_then(Value::as_i64) != Some(n) {
        let mut patch = Record::new();
        patch.insert("current_attendees".into(), Value::from(n));
        repo::system_update(ctx, spec, event_id, patch)?;
    }
    Ok(())
}
