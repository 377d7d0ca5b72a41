//! Files' bytes between this device and the server, after the rows: uploads of the files added
//! here (resumed from what the server already has, streamed from disk), thumbnails, and downloads
//! of other devices' files — thumbnails and files up to [`EAGER_DOWNLOAD`] at once, larger ones
//! when opened ([`Syncer::fetch_file`]). A download lands in a `.part` file, resumes from its
//! length, and becomes the file only once its SHA-256 is the row's.

use crate::error::{Error, Result};
use crate::files::EAGER_DOWNLOAD;
use crate::store::Store;
use crate::sync::client::Syncer;
use crate::tables::media::Media;
use futures::StreamExt;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

/// A file being sent or fetched: which, how far, and how many wait after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FileProgress {
    /// `upload` or `download`.
    pub direction: String,
    pub file_name: String,
    pub done: i64,
    pub total: i64,
    /// Files still waiting after this one.
    pub queued: i64,
}

/// What a round of file transfers did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FilesReport {
    pub uploaded: usize,
    pub downloaded: usize,
    /// Files the server refused (with the reason on their rows) or that arrived damaged.
    pub failed: usize,
    pub bytes: u64,
}

/// A file waiting to go up or come down.
#[derive(Debug, Clone)]
struct Pending {
    id: Uuid,
    file_name: String,
    size: i64,
    sha: String,
    thumb: Option<String>,
}

fn pending(store: &Store, status: &str) -> Result<Vec<Pending>> {
    let mut st = store.connection().prepare(
        "SELECT id, file_name, file_size, json_extract(metadata, '$.sha256'), json_extract(metadata, '$.thumbnail.sha256') FROM media
         WHERE NOT is_deleted AND status = ?1 AND json_extract(metadata, '$.sha256') IS NOT NULL ORDER BY file_size, id",
    )?;
    let rows = st
        .query_map([status], |r| Ok(Pending { id: r.get::<_, String>(0)?.parse().unwrap_or_default(), file_name: r.get(1)?, size: r.get(2)?, sha: r.get(3)?, thumb: r.get(4)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The files added on this device that the server does not have yet: (count, bytes).
pub fn upload_queue(store: &Store) -> Result<(i64, i64)> {
    let up: Vec<Pending> = pending(store, "processing")?.into_iter().filter(|p| store.blob_path(&p.sha).is_file()).collect();
    Ok((up.len() as i64, up.iter().map(|p| p.size).sum()))
}

/// Reads a file from `offset` as a stream of chunks, counting what was read.
fn file_body(file: impl tokio::io::AsyncRead + Send + 'static, sent: Arc<AtomicU64>) -> reqwest::Body {
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).inspect(move |c| {
        if let Ok(c) = c {
            sent.fetch_add(c.len() as u64, Ordering::Relaxed);
        }
    });
    reqwest::Body::wrap_stream(stream)
}

impl Syncer {
    /// Sends the files added here and fetches the small files (and thumbnails) of others; then
    /// trims the cache. Progress goes to `on`.
    pub async fn transfer_files(&self, store: &Store, mut on: impl FnMut(FileProgress)) -> Result<FilesReport> {
        let mut report = FilesReport::default();
        let ups: Vec<Pending> = pending(store, "processing")?.into_iter().filter(|p| store.blob_path(&p.sha).is_file()).collect();
        let n = ups.len() as i64;
        for (i, p) in ups.into_iter().enumerate() {
            match self.upload_one(store, &p, n - i as i64 - 1, &mut on).await {
                Ok(true) => {
                    report.uploaded += 1;
                    report.bytes += p.size as u64;
                }
                Ok(false) => {}
                Err(e @ (Error::Offline(_) | Error::SignedOut(_))) => return Err(e),
                Err(e) => {
                    tracing::warn!(file = %p.file_name, error = %e, "a file could not be uploaded");
                    report.failed += 1;
                }
            }
        }
        if report.uploaded > 0 {
            // The server has marked them ready: this device learns it now, not at the next round.
            self.pull_all(store, |_| {}).await?;
        }
        let mut downs: Vec<(Pending, bool)> = vec![];
        for p in pending(store, "ready")? {
            if let Some(t) = &p.thumb {
                if !store.blob_path(t).is_file() {
                    downs.push((p.clone(), true));
                }
            }
            if p.size <= EAGER_DOWNLOAD && !store.blob_path(&p.sha).is_file() {
                downs.push((p, false));
            }
        }
        let n = downs.len() as i64;
        for (i, (p, thumb)) in downs.into_iter().enumerate() {
            match self.download_one(store, &p, thumb, n - i as i64 - 1, &mut on).await {
                Ok(size) => {
                    report.downloaded += 1;
                    report.bytes += size;
                }
                Err(e @ (Error::Offline(_) | Error::SignedOut(_))) => return Err(e),
                Err(e) => {
                    tracing::warn!(file = %p.file_name, error = %e, "a file could not be downloaded");
                    report.failed += 1;
                }
            }
        }
        store.forget_unreferenced_files()?;
        store.trim_file_cache()?;
        Ok(report)
    }

    /// Uploads one file from where the server's copy stops; then its thumbnail. Whether bytes
    /// went up (`false`: the server had them, or the row is not there yet).
    async fn upload_one(&self, store: &Store, p: &Pending, queued: i64, on: &mut impl FnMut(FileProgress)) -> Result<bool> {
        let remote = self.remote();
        let state = match self.authed(|tok| async move { remote.upload_state(&tok, p.id).await }).await {
            Err(Error::Remote { status: 404, .. }) => return Ok(false),
            other => other?,
        };
        let mut sent_any = false;
        if state.status == "processing" && state.received == 0 && state.failure.is_some() {
            // The organization's storage is full: the file waits for the next round.
            return Err(Error::invalid("file", "waiting", format!("'{}' waits: {}", p.file_name, state.failure.unwrap_or_default())));
        }
        if state.status == "processing" {
            // The clear bytes, opened from the sealed file (at most the largest file allowed).
            let bytes = bytes::Bytes::from(store.read_blob(&p.sha)?);
            let sent = Arc::new(AtomicU64::new(0));
            let offset = state.received;
            let upload = self.authed(|tok| {
                let (bytes, sent) = (bytes.clone(), sent.clone());
                async move {
                    let from = bytes.slice((offset as usize).min(bytes.len())..);
                    remote.upload(&tok, p.id, offset, (p.size as u64).saturating_sub(offset), file_body(std::io::Cursor::new(from), sent)).await
                }
            });
            tokio::pin!(upload);
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
            let done = loop {
                tokio::select! {
                    r = &mut upload => break r,
                    _ = tick.tick() => on(FileProgress { direction: "upload".into(), file_name: p.file_name.clone(), done: (offset + sent.load(Ordering::Relaxed)) as i64, total: p.size, queued }),
                }
            };
            match done {
                Ok(s) if s.status == "ready" => sent_any = true,
                Ok(s) => return Err(Error::Offline(format!("'{}' stopped at {} of {} bytes; it goes on at the next sync", p.file_name, s.received, s.size))),
                // The server checked the whole and it did not match: a damaged copy here.
                Err(Error::Remote { code, message, .. }) if code == "checksum_mismatch" => {
                    return Err(Error::invalid("file", "damaged", format!("'{}' is damaged on this device: {message}", p.file_name)))
                }
                Err(e) => return Err(e),
            }
            on(FileProgress { direction: "upload".into(), file_name: p.file_name.clone(), done: p.size, total: p.size, queued });
        } else if state.status == "failed" {
            return Err(Error::invalid("file", "refused", format!("'{}' was refused: {}", p.file_name, state.failure.unwrap_or_default())));
        }
        if let Some(t) = &p.thumb {
            if let Ok(bytes) = store.read_blob(t) {
                match self
                    .authed(|tok| {
                        let bytes = bytes.clone();
                        async move { remote.put_thumbnail(&tok, p.id, bytes).await }
                    })
                    .await
                {
                    Ok(()) => {}
                    Err(e @ (Error::Offline(_) | Error::SignedOut(_))) => return Err(e),
                    Err(e) => tracing::warn!(file = %p.file_name, error = %e, "a thumbnail was refused"),
                }
            }
        }
        Ok(sent_any)
    }

    /// Downloads a file's bytes (or its thumbnail) into the cache; the bytes written.
    async fn download_one(&self, store: &Store, p: &Pending, thumbnail: bool, queued: i64, on: &mut impl FnMut(FileProgress)) -> Result<u64> {
        let sha = if thumbnail { p.thumb.clone().unwrap_or_default() } else { p.sha.clone() };
        let target = store.blob_path(&sha);
        if target.is_file() {
            return Ok(0);
        }
        let dir = store.media_dir();
        tokio::fs::create_dir_all(&dir).await.map_err(|e| Error::invalid("file", "io", e.to_string()))?;
        let part: PathBuf = dir.join(format!(".{sha}.download"));
        let io = |e: std::io::Error| Error::invalid("file", "io", e.to_string());
        // The hash runs as the bytes arrive (over the kept part first, when resuming).
        let mut h = Sha256::new();
        let mut kept = Sha256::new();
        // What of an earlier download is kept: whole sealed chunks (a part in clear, from an
        // earlier version, is fetched again).
        let kept_part = match store.media_key() {
            Some(k) if crate::vault::is_sealed(&part) => crate::vault::SealedWriter::resume(&part, k.clone(), |b| kept.update(b)).ok(),
            _ => None,
        };
        let have = kept_part.as_ref().map(|(_, n)| *n).or(if store.media_key().is_none() { tokio::fs::metadata(&part).await.ok().map(|m| m.len()) } else { None }).unwrap_or(0);
        let remote = self.remote();
        let res = self.authed(|tok| async move { remote.download(&tok, p.id, have, thumbnail).await }).await?;
        let resumed = res.status().as_u16() == 206 && have > 0;
        let mut file = match (store.media_key(), kept_part) {
            (Some(_), Some((w, _))) if resumed => {
                h = kept;
                Sink::Sealed(w)
            }
            (Some(k), _) => Sink::Sealed(crate::vault::SealedWriter::create(&part, k.clone()).map_err(io)?),
            (None, _) => {
                if resumed {
                    let mut f = tokio::fs::File::open(&part).await.map_err(io)?;
                    let mut buf = vec![0u8; 1024 * 1024];
                    loop {
                        let n = f.read(&mut buf).await.map_err(io)?;
                        if n == 0 {
                            break;
                        }
                        h.update(&buf[..n]);
                    }
                }
                let f = tokio::fs::OpenOptions::new().create(true).append(resumed).write(true).truncate(!resumed).open(&part).await.map_err(io)?;
                Sink::Clear(tokio::io::BufWriter::with_capacity(1024 * 1024, f))
            }
        };
        crate::store::private_path(&part);
        crate::store::private_path(&dir);
        let total = if thumbnail { res.content_length().unwrap_or(0) as i64 } else { p.size };
        let mut done = if resumed { have } else { 0 };
        let mut body = res.bytes_stream();
        let mut last = std::time::Instant::now();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| Error::Offline(format!("the download of '{}' was cut: {e}", p.file_name)))?;
            h.update(&chunk);
            match &mut file {
                Sink::Sealed(w) => {
                    std::io::Write::write_all(w, &chunk).map_err(io)?;
                    w.flush_whole().map_err(io)?;
                }
                Sink::Clear(w) => w.write_all(&chunk).await.map_err(io)?,
            }
            done += chunk.len() as u64;
            if last.elapsed().as_millis() >= 250 {
                last = std::time::Instant::now();
                on(FileProgress { direction: "download".into(), file_name: p.file_name.clone(), done: done as i64, total, queued });
            }
        }
        match file {
            Sink::Sealed(w) => w.finish().map_err(io)?,
            Sink::Clear(mut w) => w.flush().await.map_err(io)?,
        }
        // Only bytes whose SHA-256 is the row's become the file.
        if format!("{:x}", h.finalize()) != sha {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(Error::invalid("file", "damaged", format!("'{}' arrived damaged; it is fetched again at the next sync", p.file_name)));
        }
        tokio::fs::rename(&part, &target).await.map_err(|e| Error::invalid("file", "io", e.to_string()))?;
        store.touch_file(&sha, done as i64, false);
        on(FileProgress { direction: "download".into(), file_name: p.file_name.clone(), done: done as i64, total: done as i64, queued });
        Ok(done)
    }

    /// Makes sure a media row's bytes are on this device (downloading them if need be); their path.
    pub async fn fetch_file(&self, store: &Store, id: Uuid, mut on: impl FnMut(FileProgress)) -> Result<PathBuf> {
        let m: Media = store.repo::<Media>().get(id)?;
        if let Some(p) = store.local_file(&m) {
            return Ok(p);
        }
        let sha = m.metadata.get("sha256").and_then(Value::as_str).map(str::to_owned);
        let Some(sha) = sha.filter(|_| m.status == plugs_domain::tables::media::MediaStatus::Ready) else {
            return store.media_bytes(id).map(|_| PathBuf::new());
        };
        let p = Pending { id, file_name: m.file_name.clone(), size: m.file_size, sha: sha.clone(), thumb: None };
        self.download_one(store, &p, false, 0, &mut on).await?;
        Ok(store.blob_path(&sha))
    }
}

/// Where a download's bytes go: sealed as they arrive, or (a store kept in clear) as they are.
enum Sink {
    Sealed(crate::vault::SealedWriter),
    Clear(tokio::io::BufWriter<tokio::fs::File>),
}

/// Makes sure a media row's bytes are on this device, downloading them with the device's own
/// server link and keychain (blocking: a runtime of its own, for a command of the window).
pub fn fetch_blocking(db: &std::path::Path, id: Uuid) -> Result<PathBuf> {
    let store = Store::open_helper(db)?;
    let m: Media = store.repo::<Media>().get(id)?;
    if let Some(p) = store.local_file(&m) {
        return Ok(p);
    }
    let Some(link) = store.sync_link()? else {
        store.media_bytes(id)?;
        return Err(Error::invalid("file", "not_on_this_device", "this workspace does not sync with a server"));
    };
    let remote = crate::sync::Remote::new(&link.server)?;
    let keys = crate::sync::Keychain::new(store.device_id(), remote.base())?;
    let syncer = Syncer::new(remote, Arc::new(keys));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| Error::invalid("file", "io", e.to_string()))?;
    rt.block_on(syncer.fetch_file(&store, id, |_| {}))
}
