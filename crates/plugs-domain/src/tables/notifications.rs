//! `notifications`.

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
    /// The values the `notifications` CHECK allows.
    pub enum NotificationType {
        Info = "info",
        Success = "success",
        Warning = "warning",
        Error = "error",
        Reminder = "reminder",
    }
}

string_enum! {
    /// The values the `notifications` CHECK allows.
    pub enum Channel {
        InApp = "in_app",
        Email = "email",
        Sms = "sms",
        Push = "push",
    }
}

/// One row of `notifications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Notification {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub title: String,
    pub message: String,
    pub notification_type: NotificationType,
    pub channel: Channel,
    pub data: Value,
    pub is_read: bool,
    pub read_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
}

/// Columns, rules and capabilities of `notifications`.
pub static SPEC: TableSpec = TableSpec {
    name: "notifications",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "user_id", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "title", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "message", kind: Kind::Text { max: None, format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "notification_type", kind: Kind::Enum(NotificationType::VALUES), nullable: true, default: Some(Default::Json(r#""info""#)), access: Access::Write },
        Column { name: "channel", kind: Kind::Enum(Channel::VALUES), nullable: true, default: Some(Default::Json(r#""in_app""#)), access: Access::Write },
        Column { name: "data", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "is_read", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "read_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
        Column { name: "expires_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
    ],
    soft_delete: SoftDelete::Flag,
    ops: Ops::All,
    sortable: &["created_at", "expires_at", "updated_at"],
};

impl Entity for Notification {
    const SPEC: &'static TableSpec = &SPEC;
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![]
}

/// A notification is its user's: only they read, change or dismiss it (one answer for "missing"
/// and "not yours").
fn before_write(ctx: &WriteCtx, _facts: &Facts, old: Option<&Record>, new: &mut Record) -> Result<()> {
    if let Some(old) = old {
        if uuid(old, "user_id") != Some(ctx.caller.user) {
            return Err(DomainError::NotFound { entity: "notifications", id: text(old, "id").unwrap_or_default().to_owned() });
        }
        if changed(Some(old), new, "is_read") && new.get("is_read") == Some(&Value::Bool(true)) && new.get("read_at").is_none_or(Value::is_null) {
            new.insert("read_at".into(), Value::String(ctx.now.to_string()));
        }
    }
    Ok(())
}
