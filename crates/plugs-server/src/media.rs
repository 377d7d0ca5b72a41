//! Files' bytes and their `media` rows: who may send or read them, the quota, and the row's
//! `status` going `processing` → `ready` (or `failed`, with the reason in `metadata.failure`)
//! when the bytes are complete and checked. See [`crate::blobs`] for how the bytes are kept.

use crate::blobs::{BlobError, Blobs, Received};
use crate::error::StoreError;
use crate::sync::{self, Caller, Watchers};
use deadpool_postgres::GenericClient;
use deadpool_postgres::Pool;
use plugs_domain::files::{self, MAX_FILE};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::Sha256;
use uuid::Uuid;

/// Why a file's bytes are refused.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    /// The organization's files would take more than its quota.
    #[error("the organization's files would take {needed} MB of its {quota} MB")]
    Quota { needed: u64, quota: u64 },
    /// A refusal in words, for a field.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, code: &'static str, message: String },
}

impl From<tokio_postgres::Error> for MediaError {
    fn from(e: tokio_postgres::Error) -> Self {
        MediaError::Store(e.into())
    }
}

/// A `media` row as the file endpoints need it.
#[derive(Debug, Clone)]
pub struct MediaRow {
    pub id: Uuid,
    pub status: String,
    pub file_size: i64,
    pub file_name: String,
    pub mime_type: String,
    pub media_type: String,
    pub metadata: Value,
}

impl MediaRow {
    pub fn sha256(&self) -> Option<&str> {
        self.metadata.get("sha256").and_then(Value::as_str).filter(|s| files::is_sha256_hex(s))
    }

    pub fn thumbnail_sha256(&self) -> Option<&str> {
        self.metadata.get("thumbnail").and_then(|t| t.get("sha256")).and_then(Value::as_str).filter(|s| files::is_sha256_hex(s))
    }

    /// Whether a preview may show the bytes (an image the server read as one).
    pub fn previewable(&self) -> bool {
        self.media_type == "image" && self.mime_type.starts_with("image/") && self.mime_type != "image/svg+xml"
    }
}

/// Where an upload stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UploadState {
    /// Bytes received so far (the offset to send from).
    pub received: u64,
    /// The file's size.
    pub size: u64,
    /// `processing`, `ready` or `failed`.
    pub status: String,
    /// Why the file was refused (`failed`), or why it waits (`processing`: the quota is full).
    pub failure: Option<String>,
}

/// The caller's media row `id`: missing, deleted, and someone else's private file all answer
/// the same "not found".
pub async fn load(pool: &Pool, caller: Caller, id: Uuid) -> Result<MediaRow, StoreError> {
    let mut client = pool.get().await?;
    let tx = crate::db::begin_org(&mut client, caller.org).await?;
    let row = tx
        .query_opt(
            "SELECT status, file_size, file_name, mime_type, media_type, COALESCE(metadata, '{}'::jsonb) FROM media
             WHERE id = $1 AND organization_id = $2 AND NOT COALESCE(is_deleted, false)
               AND (COALESCE(access_level, 'organization') <> 'private' OR uploaded_by = $3)",
            &[&id, &caller.org, &caller.user],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(MediaRow {
        id,
        status: row.get::<_, Option<String>>(0).unwrap_or_else(|| "processing".into()),
        file_size: row.get(1),
        file_name: row.get(2),
        mime_type: row.get(3),
        media_type: row.get(4),
        metadata: row.get(5),
    })
}

fn state(m: &MediaRow, received: u64) -> UploadState {
    let failure = (m.status == "failed").then(|| m.metadata.get("failure").and_then(Value::as_str).unwrap_or("refused").to_owned());
    UploadState { received, size: m.file_size as u64, status: m.status.clone(), failure }
}

fn need_sha(m: &MediaRow) -> Result<&str, MediaError> {
    m.sha256().ok_or(MediaError::Invalid { field: "metadata", code: "no_checksum", message: "the file's row has no metadata.sha256; its bytes cannot be checked".into() })
}

/// Serializes the steps of one content in one organization across server instances.
async fn lock_content(tx: &impl GenericClient, org: Uuid, sha: &str) -> Result<(), tokio_postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", &[&format!("{org}:{sha}")]).await.map(|_| ())
}

/// Where an upload stands. When the organization already holds the same bytes under a file the
/// caller can see, nothing needs sending: the row is ready at once.
pub async fn upload_state(pool: &Pool, blobs: &Blobs, watchers: &Watchers, base: &str, caller: Caller, id: Uuid, quota: u64) -> Result<UploadState, MediaError> {
    let m = load(pool, caller, id).await?;
    if m.status != "processing" {
        return Ok(state(&m, if m.status == "ready" { m.file_size as u64 } else { 0 }));
    }
    let sha = need_sha(&m)?.to_owned();
    let mut client = pool.get().await.map_err(StoreError::from)?;
    let tx = crate::db::begin_org(&mut client, caller.org).await?;
    lock_content(&tx, caller.org, &sha).await?;
    let known = tx
        .query_opt(
            "SELECT b.size FROM media_blobs b WHERE b.organization_id = $1 AND b.sha256 = $2 AND EXISTS (
                 SELECT 1 FROM media m WHERE m.organization_id = $1 AND m.metadata->>'sha256' = $2 AND m.id <> $3 AND m.status = 'ready'
                   AND NOT COALESCE(m.is_deleted, false) AND (COALESCE(m.access_level, 'organization') <> 'private' OR m.uploaded_by = $4))",
            &[&caller.org, &sha, &id, &caller.user],
        )
        .await?;
    if let Some(row) = known {
        let size: i64 = row.get(0);
        if size == m.file_size && blobs.size(caller.org, &sha).await?.is_some() {
            let seq = mark_ready(&tx, base, caller.org, &m, None).await?;
            tx.commit().await?;
            watchers.notify(caller.org, seq);
            blobs.discard(caller.org, id).await.ok();
            return Ok(UploadState { received: size as u64, size: size as u64, status: "ready".into(), failure: None });
        }
    }
    tx.commit().await?;
    let r: Received = blobs.received(caller.org, id).await?;
    let mut st = state(&m, r.bytes);
    // A file that would not fit waits (the device asks again later) rather than failing.
    if r.bytes == 0 {
        if let Err(MediaError::Quota { needed, quota: q }) = check_quota(pool, caller.org, &sha, m.file_size as u64, quota).await {
            st.failure = Some(format!("waiting for room: the organization's files would take {needed} MB of its {q} MB"));
        }
    }
    Ok(st)
}

/// Takes the bytes of a request from `offset` (which must be what was received so far), and,
/// when the file is complete, checks and keeps it. A cut body keeps what arrived.
#[allow(clippy::too_many_arguments)]
pub async fn upload<S, E>(
    pool: &Pool,
    blobs: &Blobs,
    watchers: &Watchers,
    base: &str,
    caller: Caller,
    id: Uuid,
    offset: u64,
    quota: u64,
    body: S,
) -> Result<UploadState, MediaError>
where
    S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let m = load(pool, caller, id).await?;
    if m.status != "processing" {
        return Ok(state(&m, if m.status == "ready" { m.file_size as u64 } else { 0 }));
    }
    let sha = need_sha(&m)?.to_owned();
    let size = m.file_size as u64;
    if m.file_size > MAX_FILE {
        let why = format!("the file is {} MB; the limit is {} MB", size / 1_048_576, MAX_FILE / 1_048_576);
        fail(pool, watchers, caller.org, &m, &why).await?;
        return Err(MediaError::Invalid { field: "file_size", code: "too_large", message: why });
    }
    let got = blobs.received(caller.org, id).await?;
    if offset != got.bytes {
        return Err(MediaError::Invalid { field: "Upload-Offset", code: "offset_mismatch", message: format!("{} bytes were received so far; send from there", got.bytes) });
    }
    if offset == 0 {
        check_quota(pool, caller.org, &sha, size, quota).await?;
    }
    let (written, hash): (u64, Option<Sha256>) = blobs.write_part(caller.org, id, offset, size - offset, body).await?;
    if offset + written < size {
        return Ok(state(&m, offset + written));
    }
    finish(pool, blobs, watchers, base, caller.org, &m, &sha, if got.parts == 0 { hash } else { None }).await
}

async fn check_quota(pool: &Pool, org: Uuid, sha: &str, size: u64, quota: u64) -> Result<(), MediaError> {
    let mut client = pool.get().await.map_err(StoreError::from)?;
    let tx = crate::db::begin_org(&mut client, org).await?;
    let row = tx.query_one("SELECT COALESCE(SUM(size), 0)::BIGINT, bool_or(sha256 = $2) FROM media_blobs WHERE organization_id = $1", &[&org, &sha]).await?;
    let (used, have): (i64, Option<bool>) = (row.get(0), row.get(1));
    tx.commit().await?;
    if have != Some(true) && used as u64 + size > quota {
        return Err(MediaError::Quota { needed: (used as u64 + size).div_ceil(1_048_576), quota: quota / 1_048_576 });
    }
    Ok(())
}

/// The bytes are all there: check them, keep them, and mark the row ready (with the type its
/// bytes show, which wins over what the device said).
#[allow(clippy::too_many_arguments)]
async fn finish(pool: &Pool, blobs: &Blobs, watchers: &Watchers, base: &str, org: Uuid, m: &MediaRow, sha: &str, first: Option<Sha256>) -> Result<UploadState, MediaError> {
    let mut client = pool.get().await.map_err(StoreError::from)?;
    let tx = crate::db::begin_org(&mut client, org).await?;
    lock_content(&tx, org, sha).await?;
    let size = match blobs.complete(org, m.id, sha, first).await {
        Ok(n) => n,
        Err(BlobError::Mismatch) => {
            drop(tx);
            return Err(MediaError::Invalid {
                field: "file",
                code: "checksum_mismatch",
                message: "the bytes received do not match the file's SHA-256; send the file again from the start".into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    tx.execute("INSERT INTO media_blobs (organization_id, sha256, size) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", &[&org, &sha, &(size as i64)]).await?;
    let head = blobs.head_bytes(org, sha, 8192).await?;
    let seq = mark_ready(&tx, base, org, m, Some(files::file_type(&head, &m.mime_type))).await?;
    tx.commit().await?;
    watchers.notify(org, seq);
    Ok(UploadState { received: size, size, status: "ready".into(), failure: None })
}

/// The download address of a file's bytes on the server at `base` (`https://host`).
pub fn content_url(base: &str, id: Uuid) -> String {
    format!("{}/v1/media/{id}/content", base.trim_end_matches('/'))
}

async fn mark_ready(tx: &impl GenericClient, base: &str, org: Uuid, m: &MediaRow, kind: Option<files::FileType>) -> Result<i64, StoreError> {
    let (mime, media_type, warning) = match kind {
        Some(k) => (k.mime, k.media_type.to_owned(), k.warning),
        None => (m.mime_type.clone(), m.media_type.clone(), None),
    };
    let extra = match &warning {
        Some(w) => json!({ "type_warning": w }),
        None => json!({}),
    };
    tx.execute(
        "UPDATE media SET status = 'ready', file_url = $3, mime_type = $4, media_type = $5, metadata = (COALESCE(metadata, '{}'::jsonb) - 'failure') || $6::jsonb, updated_at = NOW()
         WHERE id = $1 AND organization_id = $2",
        &[&m.id, &org, &content_url(base, m.id), &mime, &media_type, &extra],
    )
    .await?;
    sync::ensure_org_state(tx, org).await?;
    let seq = sync::touch(tx, org, "media", m.id, &sync::server_versions(["status", "file_url", "mime_type", "media_type", "metadata", "updated_at"]), false).await?;
    tx.execute("SELECT pg_notify($1, $2)", &[&crate::live::CHANNEL, &format!("{org}:{seq}")]).await?;
    Ok(seq)
}

/// Marks a row `failed`, with the reason.
pub async fn fail(pool: &Pool, watchers: &Watchers, org: Uuid, m: &MediaRow, why: &str) -> Result<(), StoreError> {
    let mut client = pool.get().await?;
    let tx = crate::db::begin_org(&mut client, org).await?;
    tx.execute(
        "UPDATE media SET status = 'failed', metadata = COALESCE(metadata, '{}'::jsonb) || jsonb_build_object('failure', $3::text), updated_at = NOW() WHERE id = $1 AND organization_id = $2",
        &[&m.id, &org, &why],
    )
    .await?;
    sync::ensure_org_state(&tx, org).await?;
    let seq = sync::touch(&tx, org, "media", m.id, &sync::server_versions(["status", "metadata", "updated_at"]), false).await?;
    tx.execute("SELECT pg_notify($1, $2)", &[&crate::live::CHANNEL, &format!("{org}:{seq}")]).await?;
    tx.commit().await?;
    watchers.notify(org, seq);
    Ok(())
}

/// Keeps a file's thumbnail (small, whole in one request), once it is an image whose SHA-256 is
/// the one the row declares.
pub async fn put_thumbnail(pool: &Pool, blobs: &Blobs, caller: Caller, id: Uuid, bytes: bytes::Bytes, quota: u64) -> Result<(), MediaError> {
    let m = load(pool, caller, id).await?;
    let sha = m
        .thumbnail_sha256()
        .ok_or(MediaError::Invalid { field: "metadata", code: "no_thumbnail", message: "the file's row declares no thumbnail (metadata.thumbnail.sha256)".into() })?
        .to_owned();
    if bytes.len() > files::MAX_THUMBNAIL {
        return Err(MediaError::Invalid { field: "thumbnail", code: "too_large", message: format!("a thumbnail is at most {} KB", files::MAX_THUMBNAIL / 1024) });
    }
    if !files::file_type(&bytes, "image/jpeg").previewable {
        return Err(MediaError::Invalid { field: "thumbnail", code: "not_an_image", message: "a thumbnail must be a JPEG, PNG or WebP image".into() });
    }
    check_quota(pool, caller.org, &sha, bytes.len() as u64, quota).await?;
    let mut client = pool.get().await.map_err(StoreError::from)?;
    let tx = crate::db::begin_org(&mut client, caller.org).await?;
    lock_content(&tx, caller.org, &sha).await?;
    let size = bytes.len() as i64;
    blobs.put_small(caller.org, &sha, bytes).await.map_err(|e| match e {
        BlobError::Mismatch => {
            MediaError::Invalid { field: "thumbnail", code: "checksum_mismatch", message: "the thumbnail's bytes do not match metadata.thumbnail.sha256".into() }
        }
        e => e.into(),
    })?;
    tx.execute("INSERT INTO media_blobs (organization_id, sha256, size) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", &[&caller.org, &sha, &size]).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes blobs no media row names any more (a tombstone keeps its bytes until the purge
/// removes it) and uploads abandoned for longer than `stale`. Returns (blobs, uploads) removed.
pub async fn collect_garbage(pool: &Pool, blobs: &Blobs, grace: std::time::Duration, stale: std::time::Duration) -> Result<(usize, usize), MediaError> {
    let client = pool.get().await.map_err(StoreError::from)?;
    let rows = client.query("SELECT organization_id, sha256 FROM plugs_unreferenced_blobs(make_interval(secs => $1))", &[&grace.as_secs_f64()]).await?;
    drop(client);
    let mut removed = 0;
    for r in rows {
        let (org, sha): (Uuid, String) = (r.get(0), r.get(1));
        let mut client = pool.get().await.map_err(StoreError::from)?;
        let tx = crate::db::begin_org(&mut client, org).await?;
        lock_content(&tx, org, &sha).await?;
        // Checked again under the lock: an upload of the same bytes may have just named them.
        let gone = tx
            .execute(
                "DELETE FROM media_blobs b WHERE b.organization_id = $1 AND b.sha256 = $2 AND NOT EXISTS (SELECT 1 FROM media m WHERE m.organization_id = $1
                   AND (m.metadata->>'sha256' = $2 OR m.metadata->'thumbnail'->>'sha256' = $2))",
                &[&org, &sha],
            )
            .await?;
        if gone == 1 {
            blobs.delete(org, &sha).await?;
            removed += 1;
        }
        tx.commit().await?;
    }
    // Uploads nobody finished: their rows gone, or untouched for `stale`.
    let mut abandoned = 0;
    for org in blobs.organizations().await? {
        for (media, last) in blobs.uploads(org).await? {
            let old = chrono::Utc::now().signed_duration_since(last).to_std().unwrap_or_default() > stale;
            let mut client = pool.get().await.map_err(StoreError::from)?;
            let tx = crate::db::begin_org(&mut client, org).await?;
            let live = tx.query_opt("SELECT 1 FROM media WHERE id = $1 AND status = 'processing' AND NOT COALESCE(is_deleted, false)", &[&media]).await?.is_some();
            tx.commit().await?;
            if old || !live {
                blobs.discard(org, media).await?;
                abandoned += 1;
            }
        }
    }
    Ok((removed, abandoned))
}
