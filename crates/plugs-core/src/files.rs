//! Files attached to records: a photo of a contact, event pictures, a receipt. The bytes live in
//! the `media/` folder next to the database, named by their SHA-256 (`media/{sha256}`), so the same
//! bytes are kept once; the `media` row describes them (title, type read from the bytes, size,
//! `metadata.sha256`) and links them to a contact, an event, or (through `metadata.expense_id`,
//! the schema having no column for it) an expense. Images get a JPEG thumbnail when they are
//! added (`metadata.thumbnail`). The sync engine uploads the bytes to the server and downloads
//! other devices' files (small ones at once, large ones when opened); `media_files` remembers which
//! are here, for the cache's size limit.

use crate::error::{Error, Result};
use crate::repo::{self, Origin, Record};
use crate::store::Store;
use crate::tables::media::Media;
use base64::Engine;
use plugs_domain::files::{file_type, safe_file_name, THUMBNAIL_SIDE};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use uuid::Uuid;

/// The largest file the app attaches.
pub const MAX_FILE: usize = plugs_domain::files::MAX_FILE as usize;

/// Files up to this size are downloaded as soon as their rows arrive; larger ones when opened.
pub const EAGER_DOWNLOAD: i64 = 5 * 1024 * 1024;

/// The setting that bounds the downloaded files kept on this device, in MB.
pub const CACHE_SETTING: &str = "app.media_cache_mb";

/// The cache's default bound, in MB.
pub const CACHE_DEFAULT_MB: i64 = 1024;

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

/// A JPEG thumbnail of an image (at most [`THUMBNAIL_SIDE`] px on its long side) with its size,
/// or `None` when the bytes do not decode as an image.
pub fn thumbnail(bytes: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().ok()?;
    // Scaled down only: a small image stays its size.
    let small = if img.width() <= THUMBNAIL_SIDE && img.height() <= THUMBNAIL_SIDE { img.to_rgb8() } else { img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgb8() };
    let (w, h) = small.dimensions();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&small).ok()?;
    Some((out, w, h))
}

/// The SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Where a file's bytes would be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FileHere {
    /// On this device.
    Here,
    /// On the server; downloaded when opened (or soon, when small).
    OnServer,
    /// Added on another device that has not uploaded it yet.
    NotYetUploaded,
    /// Refused by the server (the reason is in `metadata.failure`).
    Failed,
}

impl Store {
    /// Where attached files are kept.
    pub fn media_dir(&self) -> PathBuf {
        self.path().parent().map(|p| p.join("media")).unwrap_or_else(|| PathBuf::from("media"))
    }

    /// Where the bytes with this SHA-256 are kept on this device.
    pub fn blob_path(&self, sha: &str) -> PathBuf {
        self.media_dir().join(sha)
    }

    /// The clear bytes kept here under this SHA-256 (sealed files are opened with the store's key).
    pub fn read_blob(&self, sha: &str) -> Result<Vec<u8>> {
        crate::vault::read_sealed(&self.blob_path(sha), self.media_key()).map_err(|e| Error::invalid("file", "io", format!("cannot read the file {sha}: {e}")))
    }

    /// Leaves the first bytes of a file as a download cut short leaves them (its `.download` part,
    /// sealed chunk by chunk): to reproduce an interrupted download.
    #[doc(hidden)]
    pub fn leave_cut_download(&self, sha: &str, bytes: &[u8]) -> Result<PathBuf> {
        let dir = self.media_dir();
        std::fs::create_dir_all(&dir)?;
        let part = dir.join(format!(".{sha}.download"));
        match self.media_key() {
            Some(k) => {
                let mut w = crate::vault::SealedWriter::create(&part, k.clone())?;
                std::io::Write::write_all(&mut w, bytes)?;
                w.flush_whole()?;
            }
            None => std::fs::write(&part, bytes)?,
        }
        Ok(part)
    }

    /// Attaches a file sent by the window (base64 bytes).
    pub fn attach_upload(&self, u: &Upload) -> Result<Media> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(u.data_base64.trim())
            .map_err(|_| Error::invalid("file", "invalid_format", "the file's bytes did not arrive intact"))?;
        self.attach_file(u, &bytes)
    }

    /// Stores the bytes and creates the `media` row (and links an expense's receipt) in one
    /// transaction; on any refusal the files written for it are removed again.
    pub fn attach_file(&self, u: &Upload, bytes: &[u8]) -> Result<Media> {
        let (rec, written) = self.store_bytes(u, bytes)?;
        let made = self.write(|ctx| {
            let m = create_media(ctx, u, rec)?;
            serde_json::from_value::<Media>(Value::Object(m)).map_err(|e| Error::invalid("media", "corrupt_row", e.to_string()))
        });
        if made.is_err() {
            for p in written {
                let _ = std::fs::remove_file(&p);
            }
        }
        made
    }

    /// Writes bytes under their SHA-256 (whole or not at all; kept as they are when already
    /// here). Returns whether this call wrote them.
    fn keep_bytes(&self, sha: &str, bytes: &[u8]) -> Result<bool> {
        let path = self.blob_path(sha);
        if path.exists() {
            return Ok(false);
        }
        let dir = self.media_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::invalid("file", "io", format!("cannot create {}: {e}", dir.display())))?;
        crate::store::private_path(&dir);
        let tmp = dir.join(format!(".{sha}.{}.part", Uuid::now_v7()));
        let written = match self.media_key() {
            Some(k) => crate::vault::write_sealed(&tmp, k, bytes).map_err(|e| std::io::Error::other(e.to_string())),
            None => std::fs::write(&tmp, bytes),
        };
        written
            .and_then(|_| {
                crate::store::private_path(&tmp);
                std::fs::rename(&tmp, &path)
            })
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::invalid("file", "io", format!("cannot save the file: {e}"))
            })?;
        Ok(true)
    }

    /// Checks a file and writes its bytes (and an image's thumbnail) to the media folder: the
    /// `media` row to create for it, and the files this call wrote (to remove if that row is not
    /// written).
    pub(crate) fn store_bytes(&self, u: &Upload, bytes: &[u8]) -> Result<(Record, Vec<PathBuf>)> {
        if bytes.is_empty() {
            return Err(Error::invalid("file", "empty", "the file is empty"));
        }
        if bytes.len() > MAX_FILE {
            return Err(Error::invalid("file", "too_large", format!("the file is {} MB; the limit is {} MB", bytes.len() / 1_048_576, MAX_FILE / 1_048_576)));
        }
        let name = safe_file_name(u.file_name.trim()).ok_or_else(|| Error::invalid("file_name", "required", "the file has no name"))?;
        let kind = file_type(&bytes[..bytes.len().min(8192)], &u.mime_type);
        let sha = sha256_hex(bytes);
        let mut written = vec![];
        if self.keep_bytes(&sha, bytes)? {
            written.push(self.blob_path(&sha));
        }
        let mut meta = json!({ "sha256": sha });
        if kind.previewable {
            if let Some((thumb, w, h)) = thumbnail(bytes) {
                let tsha = sha256_hex(&thumb);
                if self.keep_bytes(&tsha, &thumb)? {
                    written.push(self.blob_path(&tsha));
                }
                meta["thumbnail"] = json!({ "sha256": tsha, "size": thumb.len(), "width": w, "height": h, "mime": "image/jpeg" });
            }
        }
        if let Some(w) = &kind.warning {
            meta["type_warning"] = json!(w);
        }
        if let Some(x) = u.expense_id {
            meta["expense_id"] = json!(x);
        }
        let title = u.title.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| name.clone());
        let rec: Record = serde_json::from_value(json!({
            "title": title, "file_name": name, "file_path": format!("media/{sha}"), "media_type": kind.media_type, "mime_type": kind.mime,
            "file_size": bytes.len(), "status": "processing", "metadata": meta,
            "related_contact": u.related_contact, "related_event": u.related_event,
        }))
        .expect("an object");
        Ok((rec, written))
    }

    /// Where a media row's bytes are: this device, the server, or not yet anywhere reachable.
    pub fn file_here(&self, m: &Media) -> FileHere {
        if self.local_file(m).is_some() {
            FileHere::Here
        } else if m.status == plugs_domain::tables::media::MediaStatus::Failed {
            FileHere::Failed
        } else if m.status == plugs_domain::tables::media::MediaStatus::Ready {
            FileHere::OnServer
        } else {
            FileHere::NotYetUploaded
        }
    }

    /// The path of a media row's bytes on this device, if they are here.
    pub fn local_file(&self, m: &Media) -> Option<PathBuf> {
        let by_content = m.metadata.get("sha256").and_then(Value::as_str).map(|s| self.blob_path(s));
        let legacy = self.path().parent().map(|p| p.join(&m.file_path));
        by_content.into_iter().chain(legacy).find(|p| p.is_file())
    }

    /// Notes that a file here was used now (the cache keeps the most recently used).
    pub(crate) fn touch_file(&self, sha: &str, size: i64, added_here: bool) {
        let _ = self.connection().execute(
            "INSERT INTO media_files (sha256, size, last_used, added_here) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sha256) DO UPDATE SET last_used = excluded.last_used, added_here = max(added_here, excluded.added_here)",
            rusqlite::params![sha, size, self.now().to_string(), added_here as i64],
        );
    }

    /// The bytes of an attached file and its MIME type, when they are on this device.
    pub fn media_bytes(&self, id: Uuid) -> Result<(String, Vec<u8>)> {
        let m: Media = self.repo::<Media>().get(id)?;
        let Some(path) = self.local_file(&m) else {
            let why = match self.file_here(&m) {
                FileHere::OnServer => format!("'{}' is on the server; it downloads when this device is online and signed in", m.file_name),
                FileHere::Failed => format!("'{}' was refused by the server: {}", m.file_name, failure(&m)),
                _ => format!("'{}' was added on another device and has not been uploaded from it yet", m.file_name),
            };
            return Err(Error::invalid("file", "not_on_this_device", why));
        };
        let bytes = crate::vault::read_sealed(&path, self.media_key()).map_err(|e| Error::invalid("file", "io", format!("cannot read '{}': {e}", m.file_name)))?;
        if let Some(sha) = m.metadata.get("sha256").and_then(Value::as_str) {
            self.touch_file(sha, bytes.len() as i64, false);
        }
        Ok((m.mime_type, bytes))
    }

    /// An attached image as a `data:` URL for a preview: its thumbnail when there is one here,
    /// else the image itself. Only images whose bytes were read as images are previewed.
    pub fn media_data_url(&self, id: Uuid) -> Result<String> {
        let m: Media = self.repo::<Media>().get(id)?;
        let thumb = m.metadata.get("thumbnail").and_then(|t| t.get("sha256")).and_then(Value::as_str).map(|s| self.blob_path(s));
        if let Some(t) = thumb.filter(|p| p.is_file()) {
            let bytes = crate::vault::read_sealed(&t, self.media_key()).map_err(|e| Error::invalid("file", "io", e.to_string()))?;
            return Ok(format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)));
        }
        let (mime, bytes) = self.media_bytes(id)?;
        if !file_type(&bytes[..bytes.len().min(8192)], &mime).previewable {
            return Err(Error::invalid("file", "not_an_image", format!("'{}' is not an image; it opens in its own application", m.file_name)));
        }
        Ok(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
    }

    /// Keeps the downloaded files within the cache's bound (the setting [`CACHE_SETTING`], in
    /// MB), the least recently used first. Thumbnails and files added here that the server does
    /// not have yet are never removed. Returns the bytes freed.
    pub fn trim_file_cache(&self) -> Result<u64> {
        let limit_mb: i64 = crate::store::get_setting(self.connection(), CACHE_SETTING)?.and_then(|v| v.parse().ok()).unwrap_or(CACHE_DEFAULT_MB);
        let limit = limit_mb.max(0) * 1024 * 1024;
        let conn = self.connection();
        let mut st = conn.prepare(
            "SELECT f.sha256, f.size FROM media_files f
             WHERE NOT EXISTS (SELECT 1 FROM media m WHERE json_extract(m.metadata, '$.thumbnail.sha256') = f.sha256)
               AND NOT EXISTS (SELECT 1 FROM media m WHERE json_extract(m.metadata, '$.sha256') = f.sha256 AND m.status <> 'ready' AND NOT m.is_deleted)
             ORDER BY f.last_used",
        )?;
        let candidates: Vec<(String, i64)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut total: i64 = conn.query_row("SELECT COALESCE(SUM(size), 0) FROM media_files", [], |r| r.get(0))?;
        let mut freed = 0u64;
        for (sha, size) in candidates {
            if total <= limit {
                break;
            }
            let _ = std::fs::remove_file(self.blob_path(&sha));
            conn.execute("DELETE FROM media_files WHERE sha256 = ?1", [&sha])?;
            total -= size;
            freed += size as u64;
        }
        Ok(freed)
    }

    /// Removes the bytes here that no media row (live or tombstone) names any more.
    pub fn forget_unreferenced_files(&self) -> Result<usize> {
        let conn = self.connection();
        let gone: Vec<String> = conn
            .prepare(
                "SELECT sha256 FROM media_files f WHERE NOT EXISTS (SELECT 1 FROM media m WHERE json_extract(m.metadata, '$.sha256') = f.sha256
                   OR json_extract(m.metadata, '$.thumbnail.sha256') = f.sha256)",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for sha in &gone {
            let _ = std::fs::remove_file(self.blob_path(sha));
            conn.execute("DELETE FROM media_files WHERE sha256 = ?1", [sha])?;
        }
        Ok(gone.len())
    }
}

/// Why the server refused a file, in words.
pub fn failure(m: &Media) -> String {
    m.metadata.get("failure").and_then(Value::as_str).unwrap_or("no reason given").to_owned()
}

/// Creates the `media` row of stored bytes (see [`Store::store_bytes`]) in a transaction, and
/// links an expense's receipt.
pub(crate) fn create_media(ctx: &crate::ctx::Ctx, u: &Upload, rec: Record) -> Result<Record> {
    let m = repo::create(ctx, &crate::tables::media::SPEC, rec, Origin::Client)?;
    let meta = m.get("metadata").cloned().unwrap_or(Value::Null);
    let now = ctx.now.to_string();
    for (sha, size) in [
        (meta.get("sha256").and_then(Value::as_str), m.get("file_size").and_then(Value::as_i64)),
        (meta.get("thumbnail").and_then(|t| t.get("sha256")).and_then(Value::as_str), meta.get("thumbnail").and_then(|t| t.get("size")).and_then(Value::as_i64)),
    ] {
        if let (Some(sha), Some(size)) = (sha, size) {
            ctx.conn.execute(
                "INSERT INTO media_files (sha256, size, last_used, added_here) VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (sha256) DO UPDATE SET last_used = excluded.last_used, added_here = 1",
                rusqlite::params![sha, size, now],
            )?;
        }
    }
    if let Some(x) = u.expense_id {
        let spec = &crate::tables::expenses::SPEC;
        let old = repo::get(ctx.conn, ctx.actor, spec, x).map_err(|_| Error::invalid("expense_id", "not_found", "the expense does not exist"))?;
        let mut meta = old.get("metadata").cloned().filter(Value::is_object).unwrap_or_else(|| json!({}));
        meta["receipt_media_id"] = m["id"].clone();
        repo::update(ctx, spec, x, [("metadata".to_owned(), meta)].into_iter().collect(), Origin::Client)?;
    }
    Ok(m)
}
