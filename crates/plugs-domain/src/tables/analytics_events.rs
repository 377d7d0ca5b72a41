//! `analytics_events`.

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

/// One row of `analytics_events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct AnalyticsEvent {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub event_name: String,
    pub event_category: String,
    pub properties: Value,
    pub session_id: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub event_timestamp: Timestamp,
    pub created_at: Timestamp,
}

/// Columns, rules and capabilities of `analytics_events`.
pub static SPEC: TableSpec = TableSpec {
    name: "analytics_events",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: true, default: None, access: Access::System },
        Column { name: "user_id", kind: Kind::Uuid { references: Some("users") }, nullable: true, default: None, access: Access::System },
        Column { name: "event_name", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "event_category", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "properties", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::CreateOnly },
        Column { name: "session_id", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: true, default: None, access: Access::CreateOnly },
        Column { name: "ip_address", kind: Kind::Inet, nullable: true, default: None, access: Access::CreateOnly },
        Column { name: "user_agent", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::CreateOnly },
        Column { name: "event_timestamp", kind: Kind::Timestamp, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
    ],
    soft_delete: SoftDelete::None,
    ops: Ops::Append,
    sortable: &["event_timestamp", "created_at"],
};

impl Entity for AnalyticsEvent {
    const SPEC: &'static TableSpec = &SPEC;
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![]
}

/// Analytics are recorded in the signed-in user's name.
fn before_write(ctx: &WriteCtx, _facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    if ctx.op == Op::Create {
        match uuid(new, "user_id") {
            None => {
                new.insert("user_id".into(), Value::String(ctx.caller.user.to_string()));
            }
            Some(u) if u != ctx.caller.user => return Err(DomainError::forbidden(Some("user_id"), "entries are written in the signed-in user's name only")),
            Some(_) => {}
        }
    }
    Ok(())
}
