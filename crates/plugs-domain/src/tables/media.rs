//! `media`.

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

/// One row of `media`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Media {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub uploaded_by: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub file_name: String,
    pub file_path: String,
    pub file_url: Option<String>,
    pub media_type: MediaType,
    pub mime_type: String,
    pub file_size: i64,
    pub metadata: Value,
    pub status: MediaStatus,
    pub related_event: Option<Uuid>,
    pub related_contact: Option<Uuid>,
    pub access_level: AccessLevel,
    pub tags: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `media`.
pub static SPEC: TableSpec = TableSpec {
    name: "media",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "uploaded_by", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::System },
        Column { name: "title", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "description", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "file_name", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "file_path", kind: Kind::Text { max: Some(500), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "file_url", kind: Kind::Text { max: Some(500), format: Format::Url }, nullable: true, default: None, access: Access::Write },
        Column { name: "media_type", kind: Kind::Enum(MediaType::VALUES), nullable: false, default: None, access: Access::Write },
        Column { name: "mime_type", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "file_size", kind: Kind::Int { min: 1, max: i64::MAX }, nullable: false, default: None, access: Access::Write },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "status", kind: Kind::Enum(MediaStatus::VALUES), nullable: true, default: Some(Default::Json(r#""processing""#)), access: Access::Write },
        Column { name: "related_event", kind: Kind::Uuid { references: Some("events") }, nullable: true, default: None, access: Access::Write },
        Column { name: "related_contact", kind: Kind::Uuid { references: Some("contacts") }, nullable: true, default: None, access: Access::Write },
        Column { name: "access_level", kind: Kind::Enum(AccessLevel::VALUES), nullable: true, default: Some(Default::Json(r#""organization""#)), access: Access::Write },
        Column { name: "tags", kind: Kind::Json(JsonShape::Array), nullable: true, default: Some(Default::Json(r#"[]"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["title", "file_size", "created_at", "updated_at"],
};

impl Entity for Media {
    const SPEC: &'static TableSpec = &SPEC;
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
