//! `integration_logs`.

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

table! {
    /// One row of `integration_logs`.
    pub struct IntegrationLog in "integration_logs" typed NewIntegrationLog, IntegrationLogPatch, IntegrationLogId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        integration_id: Uuid = Kind::Uuid { references: Some("integrations") }, false, None, CreateOnly;
        operation: IntegrationOperation = Kind::Enum(IntegrationOperation::VALUES), false, None, CreateOnly;
        status: IntegrationLogStatus = Kind::Enum(IntegrationLogStatus::VALUES), false, None, CreateOnly;
        message: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, CreateOnly;
        request_data: Option<Value> = Kind::Json(JsonShape::Any), true, None, CreateOnly;
        response_data: Option<Value> = Kind::Json(JsonShape::Any), true, None, CreateOnly;
        started_at: Timestamp = Kind::Timestamp, false, None, CreateOnly;
        completed_at: Option<Timestamp> = Kind::Timestamp, true, None, CreateOnly;
        records_processed: i32 = Kind::Int { min: 0, max: i32::MAX as i64 }, true, Some(Default::Json("0")), CreateOnly;
        records_failed: i32 = Kind::Int { min: 0, max: i32::MAX as i64 }, true, Some(Default::Json("0")), CreateOnly;
        error_details: Option<Value> = Kind::Json(JsonShape::Any), true, None, CreateOnly;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
    }
    soft_delete: None, ops: Append, sortable: ["started_at", "created_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
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
