//! `notifications`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
