//! `audit_logs`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use chrono::NaiveDate;
#[allow(unused_imports)]
use serde_json::Value;
use uuid::Uuid;

#[allow(unused_imports)]
use crate::error::{DomainError, Result};
#[allow(unused_imports)]
use crate::rules::{changed, deleted, require_admin, text, time, uuid, Facts, Need, Op, Record, WriteCtx};

string_enum! {
    /// The values the `audit_logs` CHECK allows.
    pub enum AuditAction {
        Create = "create",
        Update = "update",
        Delete = "delete",
        Restore = "restore",
    }
}

table! {
    /// One row of `audit_logs`.
    pub struct AuditLog in "audit_logs" typed NewAuditLog, AuditLogPatch, AuditLogId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        user_id: Option<Uuid> = Kind::Uuid { references: Some("users") }, true, None, System;
        table_name: String = Kind::Text { max: Some(100), format: Format::Plain }, false, None, System;
        record_id: Uuid = Kind::Uuid { references: None }, false, None, System;
        action: AuditAction = Kind::Enum(AuditAction::VALUES), false, None, System;
        old_values: Option<Value> = Kind::Json(JsonShape::Any), true, None, System;
        new_values: Option<Value> = Kind::Json(JsonShape::Any), true, None, System;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), System;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
    }
    soft_delete: None, ops: ReadOnly, sortable: ["created_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![]
}

/// An audit row speaks for the user who made the change: never in someone else's name, never in nobody's.
fn before_write(ctx: &WriteCtx, _facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    if ctx.op == Op::Create && uuid(new, "user_id") != Some(ctx.caller.user) {
        return Err(DomainError::forbidden(Some("user_id"), "audit entries are written in the signed-in user's name only"));
    }
    Ok(())
}
