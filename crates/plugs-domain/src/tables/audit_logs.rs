//! `audit_logs`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
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

/// One row of `audit_logs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct AuditLog {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Option<Uuid>,
    pub table_name: String,
    pub record_id: Uuid,
    pub action: AuditAction,
    pub old_values: Option<Value>,
    pub new_values: Option<Value>,
    pub metadata: Value,
    pub created_at: Timestamp,
}

/// Columns, rules and capabilities of `audit_logs`.
pub static SPEC: TableSpec = TableSpec {
    name: "audit_logs",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "user_id", kind: Kind::Uuid { references: Some("users") }, nullable: true, default: None, access: Access::System },
        Column { name: "table_name", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: false, default: None, access: Access::System },
        Column { name: "record_id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "action", kind: Kind::Enum(AuditAction::VALUES), nullable: false, default: None, access: Access::System },
        Column { name: "old_values", kind: Kind::Json(JsonShape::Any), nullable: true, default: None, access: Access::System },
        Column { name: "new_values", kind: Kind::Json(JsonShape::Any), nullable: true, default: None, access: Access::System },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::System },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
    ],
    soft_delete: SoftDelete::None,
    ops: Ops::ReadOnly,
    sortable: &["created_at"],
};

impl Entity for AuditLog {
    const SPEC: &'static TableSpec = &SPEC;
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
