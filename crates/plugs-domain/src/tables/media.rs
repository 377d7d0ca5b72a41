//! `media`.

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
    /// The values the `media` CHECK allows.
    pub enum MediaType {
        Image = "image",
        Video = "video",
        Document = "document",
        Audio = "audio",
    }
}

string_enum! {
    /// The values the `media` CHECK allows.
    pub enum MediaStatus {
        Processing = "processing",
        Ready = "ready",
        Failed = "failed",
    }
}

string_enum! {
    /// The values the `media` CHECK allows.
    pub enum AccessLevel {
        Public = "public",
        Private = "private",
        Organization = "organization",
    }
}

table! {
    /// One row of `media`.
    pub struct Media in "media" {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        uploaded_by: Uuid = Kind::Uuid { references: Some("users") }, false, None, System;
        title: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Write;
        description: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        file_name: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Write;
        file_path: String = Kind::Text { max: Some(500), format: Format::Plain }, false, None, Write;
        file_url: Option<String> = Kind::Text { max: Some(500), format: Format::Url }, true, None, Write;
        media_type: MediaType = Kind::Enum(MediaType::VALUES), false, None, Write;
        mime_type: String = Kind::Text { max: Some(100), format: Format::Plain }, false, None, Write;
        file_size: i64 = Kind::Int { min: 1, max: i64::MAX }, false, None, Write;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        status: MediaStatus = Kind::Enum(MediaStatus::VALUES), true, Some(Default::Json(r#""processing""#)), Write;
        related_event: Option<Uuid> = Kind::Uuid { references: Some("events") }, true, None, Write;
        related_contact: Option<Uuid> = Kind::Uuid { references: Some("contacts") }, true, None, Write;
        access_level: AccessLevel = Kind::Enum(AccessLevel::VALUES), true, Some(Default::Json(r#""organization""#)), Write;
        tags: Value = Kind::Json(JsonShape::Array), true, Some(Default::Json(r#"[]"#)), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["title", "file_size", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![]
}

/// Whether a media row is visible to a user: private files to their uploader only.
pub fn visible_to(r: &Record, user: uuid::Uuid) -> bool {
    text(r, "access_level") != Some("private") || uuid(r, "uploaded_by") == Some(user)
}

/// A private file is its uploader's alone: nobody else reads or writes it (one answer for
/// "missing" and "not yours"); only the uploader chooses who sees a file.
fn before_write(ctx: &WriteCtx, _facts: &Facts, old: Option<&Record>, new: &mut Record) -> Result<()> {
    let uploader = old.and_then(|o| uuid(o, "uploaded_by"));
    if let Some(old) = old {
        if !visible_to(old, ctx.caller.user) {
            return Err(DomainError::NotFound { entity: "media", id: text(old, "id").unwrap_or_default().to_owned() });
        }
        if changed(Some(old), new, "access_level") && uploader != Some(ctx.caller.user) {
            return Err(DomainError::forbidden(Some("access_level"), "only the person who added a file chooses who sees it"));
        }
    }
    Ok(())
}
