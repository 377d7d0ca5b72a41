//! Rights: who may set which column of which row. The column part ([`may_give`], [`from_device`])
//! follows each column's [`Access`]; the row part ([`check`]) holds for every table (identity,
//! tenancy and authorship never change hands); each table's own rule adds what is particular to
//! it (admins for users and approvals, uploaders for private files, a notification's user).

use crate::error::{DomainError, Result};
use crate::rules::{changed, uuid, Op, Origin, Record, WriteCtx};
use crate::schema::{Access, Column, TableSpec};
use serde_json::Value;

/// Whether a client (a person, through the app or the CLI) may give this field in this write.
pub fn may_give(spec: &TableSpec, key: &str, op: Op) -> Result<&'static Column> {
    let col = spec.column(key).ok_or_else(|| DomainError::invalid(key, "unknown_field", format!("{} has no field '{key}'", spec.name)))?;
    match (col.access, op) {
        (Access::Write, _) | (Access::CreateOnly, Op::Create) => Ok(col),
        (Access::CreateOnly, _) => Err(read_only_after_create(key)),
        (Access::System | Access::Derived | Access::Server, _) => Err(DomainError::invalid(key, "read_only", "is set by The Plugs and cannot be given")),
    }
}

fn read_only_after_create(key: &str) -> DomainError {
    DomainError::invalid(key, "read_only", "cannot be changed once the record exists")
}

/// What the server does with a field a device pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FromDevice {
    /// Taken, by the field-level last-writer-wins rule, then checked by the rules.
    Take,
    /// Not taken: the server sets it (derived values, stamps, account bookkeeping on create).
    Ignore,
    /// Refused: the field cannot change (identity, authorship, server-owned values).
    Refuse,
}

/// How the server treats a pushed field of a table, for a create or a change of an existing row.
/// Tombstones and the state changed by dedicated actions (check-in, approval, reading) travel as
/// field changes; the table's rule decides whether the change is allowed.
pub fn from_device(col: &Column, creating: bool) -> FromDevice {
    match (col.access, col.name) {
        (Access::Derived, _) => FromDevice::Ignore,
        (_, "created_at" | "updated_at") if !creating => FromDevice::Ignore,
        (_, "updated_at" | "updated_by") => FromDevice::Ignore,
        (Access::Server, _) if creating => FromDevice::Ignore,
        (Access::Server, _) => FromDevice::Refuse,
        (_, "id" | "organization_id" | "created_by" | "uploaded_by") if !creating => FromDevice::Refuse,
        (Access::CreateOnly, _) if !creating => FromDevice::Refuse,
        _ => FromDevice::Take,
    }
}

/// The error for a pushed field the server refuses.
pub fn refused(col: &Column) -> DomainError {
    match col.access {
        Access::Server => DomainError::invalid(col.name, "read_only", "is kept by the server and cannot be changed by a device"),
        _ => read_only_after_create(col.name),
    }
}

/// Rights every table shares: a row stays in its organization with its id and its author; rows
/// are created in the caller's organization and name.
pub fn check(spec: &TableSpec, ctx: &WriteCtx, old: Option<&Record>, new: &Record) -> Result<()> {
    if spec.has("organization_id") && uuid(new, "organization_id") != Some(ctx.caller.org) {
        return Err(DomainError::NotFound { entity: spec.name, id: new.get("id").and_then(Value::as_str).unwrap_or_default().to_owned() });
    }
    match old {
        Some(old) => {
            for f in ["id", "organization_id", "created_by", "uploaded_by"] {
                if spec.has(f) && changed(Some(old), new, f) {
                    return Err(read_only_after_create(f));
                }
            }
        }
        None if ctx.origin == Origin::Client || ctx.op == Op::Create => {
            if let Some(c) = spec.creator_column() {
                if uuid(new, c) != Some(ctx.caller.user) {
                    return Err(DomainError::forbidden(Some(c), "rows are created in the signed-in user's name only"));
                }
            }
        }
        None => {}
    }
    Ok(())
}
