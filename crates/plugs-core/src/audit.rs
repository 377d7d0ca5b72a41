//! The audit trail: one `audit_logs` row per write, in the write's transaction. Audit rows are the
//! store's own record and are never edited; the append-only log tables are their own record and
//! are not audited again.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::schema::TableSpec;
use crate::tables::audit_logs::AuditAction;
use plugs_domain::rules::{Op, Record};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Tables whose rows are themselves a log, so auditing them would log a log.
const NOT_AUDITED: &[&str] = &["audit_logs", "integration_logs", "analytics_events"];

/// Columns whose values never enter the audit trail.
const REDACTED: &[&str] = &["password_hash"];

fn pick(r: &Record, fields: &[&str]) -> Value {
    let mut m = Map::new();
    for f in fields {
        if let Some(v) = r.get(*f) {
            m.insert((*f).to_owned(), if REDACTED.contains(f) { Value::String("[redacted]".into()) } else { v.clone() });
        }
    }
    Value::Object(m)
}

/// A whole row, its empty (NULL) fields left out: absent means NULL.
fn full(r: &Record) -> Value {
    let keys: Vec<&str> = r.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k.as_str()).collect();
    pick(r, &keys)
}

/// Writes the audit row of one write. For updates, deletes and restores it keeps the changed fields'
/// old and new values; for a create, the whole new row; for a removal, the whole old row (NULL
/// fields left out of whole rows).
pub(crate) fn record(ctx: &Ctx, spec: &TableSpec, id: Uuid, op: Op, old: Option<&Record>, new: Option<&Record>, fields: &[&str]) -> Result<()> {
    if NOT_AUDITED.contains(&spec.name) {
        return Ok(());
    }
    let (action, old_values, new_values) = match (op, old, new) {
        (Op::Create, _, Some(n)) => (AuditAction::Create, Value::Null, full(n)),
        (Op::Delete, Some(o), None) => (AuditAction::Delete, full(o), Value::Null),
        (op, Some(o), Some(n)) => (
            match op {
                Op::Delete => AuditAction::Delete,
                Op::Restore => AuditAction::Restore,
                _ => AuditAction::Update,
            },
            pick(o, fields),
            pick(n, fields),
        ),
        _ => return Ok(()),
    };
    let json = |v: Value| if v.is_null() { None } else { Some(v.to_string()) };
    ctx.conn
        .prepare_cached(
            "INSERT INTO audit_logs (id, organization_id, user_id, table_name, record_id, action, old_values, new_values, metadata, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '{}', ?9)",
        )?
        .execute(rusqlite::params![
            Uuid::now_v7().to_string(),
            ctx.actor.organization_id.to_string(),
            ctx.actor.user_id.to_string(),
            spec.name,
            id.to_string(),
            action.as_str(),
            json(old_values),
            json(new_values),
            ctx.now.to_string(),
        ])?;
    Ok(())
}
