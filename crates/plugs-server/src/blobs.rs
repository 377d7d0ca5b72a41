//! The bytes of files, behind `object_store`: a local folder by default, any S3-compatible store
//! when `PLUGS_BLOBS` says `s3://bucket[/prefix]` (endpoint, region and keys from the usual
//! `AWS_*` variables).
//!
//! Content-addressed per organization: `{org}/blobs/{sha256}`. The same receipt uploaded twice
//! is stored once. An upload in progress is a run of parts, `{org}/uploads/{media id}/{offset}`,
//! each holding what one request delivered: a cut request keeps what arrived and the device goes
//! on from there. When the parts add up to the file's size their SHA-256 is checked against the
//! one the `media` row declares, and only then do the bytes become the blob (a single part is
//! renamed into place; several are streamed into one). Nothing is ever held whole in memory:
//! bodies stream through in chunks of at most [`CHUNK`].

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use uuid::Uuid;

/// The size of the pieces bodies are written in (S3's smallest multipart part).
pub const CHUNK: usize = 5 * 1024 * 1024;

/// A failure of the blob store.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("file storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("the upload was cut: {0}")]
    Cut(String),
    #[error("more bytes than the file's size ({0} bytes)")]
    TooLong(u64),
    #[error("the bytes received do not match the file's SHA-256")]
    Mismatch,
}

/// Where the bytes are kept.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// The store's description for logs (no credentials).
    pub location: String,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blobs").field("location", &self.location).finish()
    }
}

/// What an upload has received so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub bytes: u64,
    pub parts: usize,
}

impl Blobs {
    /// Opens `spec`: `s3://bucket[/prefix]`, `file:///dir`, or a folder path (created if need be).
    pub fn open(spec: &str) -> Result<Blobs, String> {
        let spec = spec.trim();
        if let Some(rest) = spec.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err("s3:// needs a bucket name (s3://bucket/prefix)".into());
            }
            let s3 = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket).build().map_err(|e| e.to_string())?;
            let prefix = prefix.trim_matches('/');
            let store: Arc<dyn ObjectStore> = if prefix.is_empty() { Arc::new(s3) } else { Arc::new(object_store::prefix::PrefixStore::new(s3, prefix)) };
            return Ok(Blobs { store, location: format!("s3://{bucket}/{prefix}") });
        }
        let dir = spec.strip_prefix("file://").unwrap_or(spec);
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir}: {e}"))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|e| e.to_string())?.with_automatic_cleanup(true);
        // Files are read in 1 MB pieces (the folder store's default is 8 KB, one thread hop each).
        let store = object_store::chunked::ChunkedStore::new(Arc::new(fs), 1024 * 1024);
        Ok(Blobs { store: Arc::new(store), location: dir.to_owned() })
    }

    /// Over any `object_store` (tests).
    pub fn over(store: Arc<dyn ObjectStore>, location: &str) -> Blobs {
        Blobs { store, location: location.to_owned() }
    }

    fn blob_key(org: Uuid, sha: &str) -> Path {
        Path::from(format!("{org}/blobs/{sha}"))
    }

    fn upload_prefix(org: Uuid, media: Uuid) -> Path {
        Path::from(format!("{org}/uploads/{media}"))
    }

    fn part_key(org: Uuid, media: Uuid, offset: u64) -> Path {
        Path::from(format!("{org}/uploads/{media}/{offset:020}"))
    }

    /// The size of a stored blob, or `None`.
    pub async fn size(&self, org: Uuid, sha: &str) -> Result<Option<u64>, BlobError> {
        match self.store.head(&Self::blob_key(org, sha)).await {
            Ok(m) => Ok(Some(m.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The parts of an upload in order, as long as they follow one another.
    async fn parts(&self, org: Uuid, media: Uuid) -> Result<Vec<(u64, u64)>, BlobError> {
        let mut all: Vec<(u64, u64)> = self
            .store
            .list(Some(&Self::upload_prefix(org, media)))
            .try_filter_map(|m| async move { Ok(m.location.filename().and_then(|f| f.parse::<u64>().ok()).map(|o| (o, m.size))) })
            .try_collect()
            .await?;
        all.sort();
        let mut run = Vec::new();
        let mut next = 0;
        for (offset, size) in all {
            if offset == next && size > 0 {
                run.push((offset, size));
                next += size;
            }
        }
        Ok(run)
    }

    /// How much of an upload has arrived.
    pub async fn received(&self, org: Uuid, media: Uuid) -> Result<Received, BlobError> {
        let parts = self.parts(org, media).await?;
        Ok(Received { bytes: parts.iter().map(|(_, s)| s).sum(), parts: parts.len() })
    }

    /// Writes what a request body delivers as the part at `offset`, at most `room` bytes. A body
    /// cut halfway keeps what arrived. Returns the bytes written and, for a part that starts the
    /// file, their SHA-256 state (so a file sent in one go is checked without reading it again).
    pub async fn write_part<S, E>(&self, org: Uuid, media: Uuid, offset: u64, room: u64, mut body: S) -> Result<(u64, Option<Sha256>), BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let key = Self::part_key(org, media, offset);
        let mut w = WriteMultipart::new_with_chunk_size(self.store.put_multipart(&key).await?, CHUNK);
        let mut hash = (offset == 0).then(Sha256::new);
        let mut written = 0u64;
        let mut failure: Option<BlobError> = None;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(chunk) => {
                    if written + chunk.len() as u64 > room {
                        failure = Some(BlobError::TooLong(offset + room));
                        break;
                    }
                    if let Some(h) = hash.as_mut() {
                        h.update(&chunk);
                    }
                    written += chunk.len() as u64;
                    w.put(chunk);
                    if let Err(e) = w.wait_for_capacity(2).await {
                        failure = Some(e.into());
                        break;
                    }
                }
                Err(e) => {
                    failure = Some(BlobError::Cut(e.to_string()));
                    break;
                }
            }
        }
        match failure {
            Some(BlobError::TooLong(n)) => {
                w.abort().await.ok();
                Err(BlobError::TooLong(n))
            }
            // What arrived before the cut is kept: the device goes on from there.
            Some(BlobError::Cut(m)) if written > 0 => {
                w.finish().await?;
                Err(BlobError::Cut(m))
            }
            Some(e) => {
                w.abort().await.ok();
                Err(e)
            }
            None if written == 0 => {
                w.abort().await.ok();
                Ok((0, hash))
            }
            None => {
                w.finish().await?;
                Ok((written, hash))
            }
        }
    }

    /// Makes the upload's parts the blob `sha`, once their SHA-256 is `sha`. `first` is the hash
    /// of a lone first part (just written). A mismatch removes the parts: the file starts over.
    pub async fn complete(&self, org: Uuid, media: Uuid, sha: &str, first: Option<Sha256>) -> Result<u64, BlobError> {
        let parts = self.parts(org, media).await?;
        let total: u64 = parts.iter().map(|(_, s)| s).sum();
        let target = Self::blob_key(org, sha);
        if let ([(0, _)], Some(h)) = (parts.as_slice(), first) {
            if format!("{:x}", h.finalize()) != sha {
                self.discard(org, media).await?;
                return Err(BlobError::Mismatch);
            }
            self.store.rename(&Self::part_key(org, media, 0), &target).await?;
            return Ok(total);
        }
        // Several parts: streamed, in order, through the hash into one object beside them.
        let assembled = Path::from(format!("{org}/uploads/{media}/assembled"));
        let mut w = WriteMultipart::new_with_chunk_size(self.store.put_multipart(&assembled).await?, CHUNK);
        let mut h = Sha256::new();
        for (offset, _) in &parts {
            let mut s = self.store.get(&Self::part_key(org, media, *offset)).await?.into_stream();
            while let Some(chunk) = s.next().await {
                let chunk = chunk?;
                h.update(&chunk);
                w.put(chunk);
                w.wait_for_capacity(2).await?;
            }
        }
        w.finish().await?;
        if format!("{:x}", h.finalize()) != sha {
            self.store.delete(&assembled).await.ok();
            self.discard(org, media).await?;
            return Err(BlobError::Mismatch);
        }
        self.store.rename(&assembled, &target).await?;
        self.discard(org, media).await?;
        Ok(total)
    }

    /// Removes an upload's parts.
    pub async fn discard(&self, org: Uuid, media: Uuid) -> Result<(), BlobError> {
        let keys: Vec<Path> = self.store.list(Some(&Self::upload_prefix(org, media))).map_ok(|m| m.location).try_collect().await?;
        for k in keys {
            match self.store.delete(&k).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Stores small bytes (a thumbnail) whole, once their SHA-256 is `sha`.
    pub async fn put_small(&self, org: Uuid, sha: &str, bytes: Bytes) -> Result<(), BlobError> {
        if format!("{:x}", Sha256::digest(&bytes)) != sha {
            return Err(BlobError::Mismatch);
        }
        self.store.put(&Self::blob_key(org, sha), bytes.into()).await?;
        Ok(())
    }

    /// The first bytes of a blob (to read its type).
    pub async fn head_bytes(&self, org: Uuid, sha: &str, n: u64) -> Result<Bytes, BlobError> {
        let size = self.size(org, sha).await?.unwrap_or(0);
        if size == 0 {
            return Ok(Bytes::new());
        }
        let r = self.store.get_opts(&Self::blob_key(org, sha), GetOptions { range: Some(GetRange::Bounded(0..n.min(size))), ..Default::default() }).await?;
        Ok(r.bytes().await?)
    }

    /// A blob's bytes from `start` to `end` (exclusive), as a stream.
    pub async fn read(&self, org: Uuid, sha: &str, start: u64, end: u64) -> Result<impl Stream<Item = object_store::Result<Bytes>> + Send + 'static, BlobError> {
        let r = self.store.get_opts(&Self::blob_key(org, sha), GetOptions { range: Some(GetRange::Bounded(start..end)), ..Default::default() }).await?;
        Ok(r.into_stream())
    }

    /// Removes a blob (gone already is fine).
    pub async fn delete(&self, org: Uuid, sha: &str) -> Result<(), BlobError> {
        match self.store.delete(&Self::blob_key(org, sha)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The organizations that have anything stored.
    pub async fn organizations(&self) -> Result<Vec<Uuid>, BlobError> {
        let l = self.store.list_with_delimiter(None).await?;
        Ok(l.common_prefixes.iter().filter_map(|p| p.as_ref().trim_end_matches('/').parse::<Uuid>().ok()).collect())
    }

    /// The uploads in progress under an organization: (media id, newest part's time).
    pub async fn uploads(&self, org: Uuid) -> Result<Vec<(Uuid, chrono::DateTime<chrono::Utc>)>, BlobError> {
        let mut out: std::collections::BTreeMap<Uuid, chrono::DateTime<chrono::Utc>> = Default::default();
        let metas: Vec<object_store::ObjectMeta> = self.store.list(Some(&Path::from(format!("{org}/uploads")))).try_collect().await?;
        for m in metas {
            let id = m.location.parts().nth(2).and_then(|p| p.as_ref().parse::<Uuid>().ok());
            if let Some(id) = id {
                let e = out.entry(id).or_insert(m.last_modified);
                *e = (*e).max(m.last_modified);
            }
        }
        Ok(out.into_iter().collect())
    }
}
