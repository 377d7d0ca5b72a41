//! `notifications`.

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

table! {
    /// One row of `notifications`.
    pub struct Notification in "notifications" typed NewNotification, NotificationPatch, NotificationId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        user_id: Uuid = Kind::Uuid { references: Some("users") }, false, None, CreateOnly;
        title: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Write;
        message: String = Kind::Text { max: None, format: Format::Plain }, false, None, Write;
        notification_type: NotificationType = Kind::Enum(NotificationType::VALUES), true, Some(Default::Json(r#""info""#)), Write;
        channel: Channel = Kind::Enum(Channel::VALUES), true, Some(Default::Json(r#""in_app""#)), Write;
        data: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        is_read: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        read_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
        expires_at: Option<Timestamp> = Kind::Timestamp, true, None, Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
    }
    soft_delete: Flag, ops: All, sortable: ["created_at", "expires_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
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
