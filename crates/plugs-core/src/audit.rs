//! The audit trail: one `audit_logs` row per write, in the write's transaction. Audit rows are the
//! store's own record and are never edited; the append-only log tables are their own record and
//! are not audited again.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::schema::TableSpec;
use crate::tables::audit_logs::AuditAction;
use plugs_domain::rules::{Op, Record};
use serde_json::Value;
use uuid::Uuid;

/// Tables whose rows are themselves a log, so auditing them would log a log.
const NOT_AUDITED: &[&str] = &["audit_logs", "integration_logs", "analytics_events"];

/// Columns whose values never enter the audit trail.
const REDACTED: &[&str] = &["password_hash"];

/// Some fields of a row (or all but its NULL ones) as a JSON object, written straight to text.
struct Values<'a> {
    row: &'a Record,
    fields: Option<&'a [&'a str]>,
}

impl serde::Serialize for Values<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        let mut entry = |k: &str, v: &Value| if REDACTED.contains(&k) { m.serialize_entry(k, "[redacted]") } else { m.serialize_entry(k, v) };
        match self.fields {
            Some(fields) => {
                for f in fields {
                    if let Some(v) = self.row.get(*f) {
                        entry(f, v)?;
                    }
                }
            }
            None => {
                for (k, v) in self.row.iter().filter(|(_, v)| !v.is_null()) {
                    entry(k, v)?;
                }
            }
        }
        m.end()
    }
}

fn text(v: Values) -> String {
    serde_json::to_string(&v).expect("JSON values serialize")
}

/// Some fields of a row.
fn pick(r: &Record, fields: &[&str]) -> Option<String> {
    Some(text(Values { row: r, fields: Some(fields) }))
}

/// A whole row, its empty (NULL) fields left out: absent means NULL.
pub(crate) fn full(r: &Record) -> String {
    text(Values { row: r, fields: None })
}

/// Writes the audit row of one write. For updates, deletes and restores it keeps the changed fields'
/// old and new values; for a create, the whole new row; for a removal, the whole old row (NULL
/// fields left out of whole rows).
pub(crate) fn record(ctx: &Ctx, spec: &TableSpec, id: Uuid, op: Op, old: Option<&Record>, new: Option<&Record>, fields: &[&str]) -> Result<()> {
    if NOT_AUDITED.contains(&spec.name) {
        return Ok(());
    }
    let (action, old_values, new_values) = match (op, old, new) {
        (Op::Create, _, Some(n)) => (AuditAction::Create, None, Some(full(n))),
        (Op::Delete, Some(o), None) => (AuditAction::Delete, Some(full(o)), None),
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
    insert(ctx, spec, id, action, old_values, new_values)
}

/// Writes the audit row of a create whose row text is made (see [`full`]).
pub(crate) fn record_create(ctx: &Ctx, spec: &TableSpec, id: Uuid, new_values: String) -> Result<()> {
    if NOT_AUDITED.contains(&spec.name) {
        return Ok(());
    }
    insert(ctx, spec, id, AuditAction::Create, None, Some(new_values))
}

fn insert(ctx: &Ctx, spec: &TableSpec, id: Uuid, action: AuditAction, old_values: Option<String>, new_values: Option<String>) -> Result<()> {
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
            old_values,
            new_values,
            ctx.now.to_string(),
        ])?;
    Ok(())
}
