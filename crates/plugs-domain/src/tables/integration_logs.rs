//! `integration_logs`.

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
    /// The values the `integration_logs` CHECK allows.
    pub enum IntegrationOperation {
        Sync = "sync",
        Export = "export",
        Import = "import",
        Webhook = "webhook",
    }
}

string_enum! {
    /// The values the `integration_logs` CHECK allows.
    pub enum IntegrationLogStatus {
        Success = "success",
        Failed = "failed",
        Partial = "partial",
    }
}

/// One row of `integration_logs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct IntegrationLog {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub integration_id: Uuid,
    pub operation: IntegrationOperation,
    pub status: IntegrationLogStatus,
    pub message: Option<String>,
    pub request_data: Option<Value>,
    pub response_data: Option<Value>,
    pub started_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub records_processed: i32,
    pub records_failed: i32,
    pub error_details: Option<Value>,
    pub created_at: Timestamp,
}

/// Columns, rules and capabilities of `integration_logs`.
pub static SPEC: TableSpec = TableSpec {
    name: "integration_logs",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "integration_id", kind: Kind::Uuid { references: Some("integrations") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "operation", kind: Kind::Enum(IntegrationOperation::VALUES), nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "status", kind: Kind::Enum(IntegrationLogStatus::VALUES), nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "message", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::CreateOnly },
        Column { name: "request_data", kind: Kind::Json(JsonShape::Any), nullable: true, default: None, access: Access::CreateOnly },
        Column { name: "response_data", kind: Kind::Json(JsonShape::Any), nullable: true, default: None, access: Access::CreateOnly },
        Column { name: "started_at", kind: Kind::Timestamp, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "completed_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::CreateOnly },
        Column { name: "records_processed", kind: Kind::Int { min: 0, max: i32::MAX as i64 }, nullable: true, default: Some(Default::Json("0")), access: Access::CreateOnly },
        Column { name: "records_failed", kind: Kind::Int { min: 0, max: i32::MAX as i64 }, nullable: true, default: Some(Default::Json("0")), access: Access::CreateOnly },
        Column { name: "error_details", kind: Kind::Json(JsonShape::Any), nullable: true, default: None, access: Access::CreateOnly },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
    ],
    soft_delete: SoftDelete::None,
    ops: Ops::Append,
    sortable: &["started_at", "created_at"],
};

impl Entity for IntegrationLog {
    const SPEC: &'static TableSpec = &SPEC;
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![]
}

fn before_write(_ctx: &WriteCtx, _facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    if let (Some(s), Some(c)) = (time(new, "started_at"), time(new, "completed_at")) {
        if c < s {
            return Err(DomainError::invalid("completed_at", "time_range", format!("must not be before started_at ({s})")));
        }
    }
    Ok(())
}
