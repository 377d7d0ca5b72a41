//! `contact_interactions`.

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
    /// The values the `contact_interactions` CHECK allows.
    pub enum InteractionType {
        Meeting = "meeting",
        Call = "call",
        Email = "email",
        Linkedin = "linkedin",
        Event = "event",
        FollowUp = "follow_up",
    }
}

string_enum! {
    /// The values the `contact_interactions` CHECK allows.
    pub enum InteractionStatus {
        Completed = "completed",
        Scheduled = "scheduled",
        Cancelled = "cancelled",
    }
}

/// One row of `contact_interactions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ContactInteraction {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub contact_id: Uuid,
    pub user_id: Uuid,
    pub interaction_type: InteractionType,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub outcome: Option<String>,
    pub interaction_date: Timestamp,
    pub status: InteractionStatus,
    pub metadata: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `contact_interactions`.
pub static SPEC: TableSpec = TableSpec {
    name: "contact_interactions",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "contact_id", kind: Kind::Uuid { references: Some("contacts") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "user_id", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "interaction_type", kind: Kind::Enum(InteractionType::VALUES), nullable: false, default: None, access: Access::Write },
        Column { name: "subject", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "description", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "outcome", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "interaction_date", kind: Kind::Timestamp, nullable: false, default: None, access: Access::Write },
        Column { name: "status", kind: Kind::Enum(InteractionStatus::VALUES), nullable: true, default: Some(Default::Json(r#""completed""#)), access: Access::Write },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["interaction_date", "created_at", "updated_at"],
};

impl Entity for ContactInteraction {
    const SPEC: &'static TableSpec = &SPEC;
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![]
}

/// An interaction is logged by the signed-in user unless it names another.
fn before_write(ctx: &WriteCtx, _facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    if ctx.op == Op::Create && new.get("user_id").is_none_or(Value::is_null) {
        new.insert("user_id".into(), Value::String(ctx.caller.user.to_string()));
    }
    Ok(())
}
