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
    pub struct Media in "media" typed NewMedia, MediaPatch, MediaId {
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

/// The SHA-256 of a media row's bytes (`metadata.sha256`), which names them in storage.
pub fn content_sha256(r: &Record) -> Option<&str> {
    r.get("metadata").and_then(|m| m.get("sha256")).and_then(Value::as_str).filter(|s| crate::files::is_sha256_hex(s))
}

/// The SHA-256 of a media row's thumbnail (`metadata.thumbnail.sha256`).
pub fn thumbnail_sha256(r: &Record) -> Option<&str> {
    r.get("metadata").and_then(|m| m.get("thumbnail")).and_then(|t| t.get("sha256")).and_then(Value::as_str).filter(|s| crate::files::is_sha256_hex(s))
}

/// A private file is its uploader's alone: nobody else reads or writes it (one answer for
/// "missing" and "not yours"); only the uploader chooses who sees a file.
///
/// A file's content is fixed when it is added: its size and its SHA-256 (and its thumbnail's)
/// never change, and whether its bytes are stored (`status`, `file_url`) is for the server to
/// say when they arrive: a device's row says `processing` until then, whatever it sent. A
/// file's name is made safe ([`crate::files::safe_file_name`]); over 50 MB is refused.
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
    if let Some(name) = text(new, "file_name") {
        let safe = crate::files::safe_file_name(name).ok_or_else(|| DomainError::invalid("file_name", "invalid_format", "the file's name has no letters or digits"))?;
        if safe != name {
            new.insert("file_name".into(), Value::String(safe));
        }
    }
    if let Some(size) = new.get("file_size").and_then(Value::as_i64) {
        if size > crate::files::MAX_FILE && old.is_none_or(|o| o.get("file_size") != new.get("file_size")) {
            return Err(DomainError::invalid("file_size", "too_large", format!("the file is {} MB; the limit is {} MB", size / 1_048_576, crate::files::MAX_FILE / 1_048_576)));
        }
    }
    if let Some(sha) = new.get("metadata").and_then(|m| m.get("sha256")) {
        if !sha.is_null() && !sha.as_str().is_some_and(crate::files::is_sha256_hex) {
            return Err(DomainError::invalid("metadata", "invalid_format", "metadata.sha256 must be a SHA-256 in lower-case hex"));
        }
    }
    if ctx.origin == crate::rules::Origin::Client {
        match old {
            None => {
                new.insert("status".into(), Value::String("processing".into()));
                new.insert("file_url".into(), Value::Null);
            }
            Some(old) => {
                for k in ["status", "file_url", "file_size"] {
                    new.insert(k.into(), old.get(k).cloned().unwrap_or(Value::Null));
                }
                // The content's checksums stay; one is only given where a row had none (a file
                // added before checksums were kept).
                let mut meta = new.get("metadata").cloned().filter(Value::is_object).unwrap_or_else(|| serde_json::json!({}));
                for k in ["sha256", "thumbnail"] {
                    match old.get("metadata").and_then(|m| m.get(k)) {
                        Some(v) if !v.is_null() => meta[k] = v.clone(),
                        _ => {}
                    }
                }
                new.insert("metadata".into(), meta);
            }
        }
    }
    Ok(())
}
