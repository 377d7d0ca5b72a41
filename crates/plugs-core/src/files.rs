//! Files attached to records: a photo of a contact, event pictures, a receipt. The bytes live in
//! the `media/` folder next to the database; the `media` row describes them (title, type, size)
//! and links them to a contact, an event, or (through `metadata.expense_id`, the schema having no
//! column for it) an expense. Files stay on the device that added them; their rows sync.

use crate::error::{Error, Result};
use crate::repo::{self, Origin, Record};
use crate::store::Store;
use crate::tables::media::Media;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::path::PathBuf;
use uuid::Uuid;

/// The largest file the app attaches.
pub const MAX_FILE: usize = 50 * 1024 * 1024;

/// A file to attach, as the window sends it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ts_rs::TS)]
pub struct Upload {
    pub file_name: String,
    pub mime_type: String,
    pub data_base64: String,
    pub title: Option<String>,
    pub related_contact: Option<Uuid>,
    pub related_event: Option<Uuid>,
    pub expense_id: Option<Uuid>,
}

fn media_type(mime: &str) -> &'static str {
    match mime.split('/').next().unwrap_or_default() {
        "image" => "image",
        "video" => "video",
        "audio" => "audio",
        _ => "document",
    }
}

impl Store {
    /// Where attached files are kept.
    pub fn media_dir(&self) -> PathBuf {
        self.path().parent().map(|p| p.join("media")).unwrap_or_else(|| PathBuf::from("media"))
    }

    /// Attaches a file sent by the window (base64 bytes).
    pub fn attach_upload(&self, u: &Upload) -> Result<Media> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(u.data_base64.trim())
            .map_err(|_| Error::invalid("file", "invalid_format", "the file's bytes did not arrive intact"))?;
        self.attach_file(u, &bytes)
    }

    /// Stores the bytes and creates the `media` row (and links an expense's receipt) in one
    /// transaction; on any refusal the file is removed again.
    pub fn attach_file(&self, u: &Upload, bytes: &[u8]) -> Result<Media> {
        let (rec, path) = self.store_bytes(u, bytes)?;
        let made = self.write(|ctx| {
            let m = create_media(ctx, u, rec)?;
            serde_json::from_value::<Media>(Value::Object(m)).map_err(|e| Error::invalid("media", "corrupt_row", e.to_string()))
        });
        if made.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        made
    }

    /// Checks a file and writes its bytes to the media folder (whole or not at all): the `media`
    /// row to create for it, and where the bytes are (to remove if that row is not written).
    pub(crate) fn store_bytes(&self, u: &Upload, bytes: &[u8]) -> Result<(Record, PathBuf)> {
        if bytes.is_empty() {
            return Err(Error::invalid("file", "empty", "the file is empty"));
        }
        if bytes.len() > MAX_FILE {
            return Err(Error::invalid("file", "too_large", format!("the file is {} MB; the limit is {} MB", bytes.len() / 1_048_576, MAX_FILE / 1_048_576)));
        }
        let name = std::path::Path::new(u.file_name.trim()).file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.is_empty() {
            return Err(Error::invalid("file_name", "required", "the file has no name"));
        }
        let id = Uuid::now_v7();
        let ext = std::path::Path::new(&name).extension().and_then(|e| e.to_str()).map(|e| format!(".{}", e.to_ascii_lowercase())).unwrap_or_default();
        let rel = format!("media/{id}{ext}");
        let dir = self.media_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::invalid("file", "io", format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(format!("{id}{ext}"));
        let tmp = dir.join(format!(".{id}.part"));
        std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, &path)).map_err(|e| Error::invalid("file", "io", format!("cannot save the file: {e}")))?;
        let mime = if u.mime_type.trim().is_empty() { "application/octet-stream".to_owned() } else { u.mime_type.trim().to_ascii_lowercase() };
        let title = u.title.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| name.clone());
        let mut rec: Record = serde_json::from_value(json!({
            "title": title, "file_name": name, "file_path": rel, "media_type": media_type(&mime), "mime_type": mime,
            "file_size": bytes.len(), "status": "ready",
            "related_contact": u.related_contact, "related_event": u.related_event,
        }))
        .expect("an object");
        if let Some(x) = u.expense_id {
            rec.insert("metadata".into(), json!({ "expense_id": x }));
        }
        Ok((rec, path))
    }

    /// The bytes of an attached file and its MIME type.
    pub fn media_bytes(&self, id: Uuid) -> Result<(String, Vec<u8>)> {
        let m: Media = self.repo::<Media>().get(id)?;
        let path = self.path().parent().map(|p| p.join(&m.file_path)).unwrap_or_else(|| PathBuf::from(&m.file_path));
        let bytes =
            std::fs::read(&path).map_err(|_| Error::invalid("file", "not_on_this_device", format!("'{}' was added on another device; its file is not here", m.file_name)))?;
        Ok((m.mime_type, bytes))
    }

    /// An attached image as a `data:` URL for a preview.
    pub fn media_data_url(&self, id: Uuid) -> Result<String> {
        let (mime, bytes) = self.media_bytes(id)?;
        Ok(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
    }
}

/// Creates the `media` row of stored bytes (see [`Store::store_bytes`]) in a transaction, and
/// links an expense's receipt.
pub(crate) fn create_media(ctx: &crate::ctx::Ctx, u: &Upload, rec: Record) -> Result<Record> {
    let m = repo::create(ctx, &crate::tables::media::SPEC, rec, Origin::Client)?;
    if let Some(x) = u.expense_id {
        let spec = &crate::tables::expenses::SPEC;
        let old = repo::get(ctx.conn, ctx.actor, spec, x).map_err(|_| Error::invalid("expense_id", "not_found", "the expense does not exist"))?;
        let mut meta = old.get("metadata").cloned().filter(Value::is_object).unwrap_or_else(|| json!({}));
        meta["receipt_media_id"] = m["id"].clone();
        repo::update(ctx, spec, x, [("metadata".to_owned(), meta)].into_iter().collect(), Origin::Client)?;
    }
    Ok(m)
}
