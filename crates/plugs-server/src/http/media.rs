//! Files' bytes: resumable uploads (`GET`/`PATCH /v1/media/{id}/upload`, offsets as in tus),
//! downloads with ranges (`GET /v1/media/{id}/content`), and thumbnails. A file's bytes go only
//! to callers who may see its `media` row; missing and not yours are one answer.

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::json::IdPath;
use super::AppState;
use crate::media::{self, MediaError, UploadState};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

fn caller(c: &Caller) -> crate::sync::Caller {
    crate::sync::Caller { org: c.0.organization_id, user: c.0.user_id, is_admin: c.0.is_admin }
}

impl From<MediaError> for ApiError {
    fn from(e: MediaError) -> Self {
        match e {
            MediaError::Store(e) => e.into(),
            MediaError::Blob(crate::blobs::BlobError::TooLong(n)) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_long", Some("file"), format!("more bytes than the file's size ({n} bytes)"))
            }
            MediaError::Blob(crate::blobs::BlobError::Cut(m)) => {
                ApiError::new(StatusCode::BAD_REQUEST, "cut", Some("file"), format!("the upload was cut ({m}); what arrived is kept"))
            }
            MediaError::Blob(e) => {
                tracing::error!(error = %e, "file storage failed");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", None, "the file storage is unavailable; try again shortly")
            }
            MediaError::Quota { .. } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "quota_exceeded", Some("file"), e.to_string()),
            MediaError::Invalid { field, code: "offset_mismatch", message } => ApiError::new(StatusCode::CONFLICT, "offset_mismatch", Some(field), message),
            MediaError::Invalid { field, code: "too_large", message } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", Some(field), message),
            MediaError::Invalid { field, code, message } => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, Some(field), message),
        }
    }
}

/// This server's address as callers reach it: `PLUGS_PUBLIC_URL`, or the request's host (and
/// `X-Forwarded-Proto` from a trusted proxy).
fn base(s: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &s.config.public_url {
        return u.clone();
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).filter(|p| *p == "https").unwrap_or("http");
    format!("{proto}://{host}")
}

/// Where the upload of a file's bytes stands: how many arrived (send from there), or `ready`
/// when they are all kept (at once when the organization already holds the same bytes).
#[utoipa::path(get, path = "/v1/media/{id}/upload", tag = "media", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = UploadState), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_state(State(s): State<AppState>, c: Caller, IdPath(id): IdPath, headers: HeaderMap) -> Result<Json<UploadState>, ApiError> {
    Ok(Json(media::upload_state(&s.pool, &s.config.blobs, &s.watchers, &base(&s, &headers), caller(&c), id, s.config.org_quota_bytes).await?))
}

/// Sends a file's bytes from `Upload-Offset` (what `GET …/upload` said arrived). The body is
/// streamed to storage; a cut body keeps what arrived. When the last byte arrives the whole is
/// checked against the row's `metadata.sha256` and the row becomes `ready`.
#[utoipa::path(patch, path = "/v1/media/{id}/upload", tag = "media", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path), ("Upload-Offset" = u64, Header, description = "Bytes already received")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes from the offset"),
    responses((status = 200, body = UploadState), (status = 404, body = ErrorBody), (status = 409, description = "The offset is not what was received", body = ErrorBody),
        (status = 413, description = "Over the file's size, the file limit or the organization's quota", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(State(s): State<AppState>, c: Caller, IdPath(id): IdPath, headers: HeaderMap, body: Body) -> Result<Json<UploadState>, ApiError> {
    let offset = match headers.get("upload-offset") {
        None => Err("is required: the bytes already received"),
        Some(v) => v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()).ok_or("must be a whole number of bytes"),
    };
    let offset = match offset {
        Ok(o) => o,
        Err(why) => {
            // Someone else's file, or none, answers "not found" whatever the headers.
            media::load(&s.pool, caller(&c), id).await?;
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_header", Some("Upload-Offset"), why));
        }
    };
    let stream = body.into_data_stream();
    Ok(Json(media::upload(&s.pool, &s.config.blobs, &s.watchers, &base(&s, &headers), caller(&c), id, offset, s.config.org_quota_bytes, stream).await?))
}

/// A byte range asked for: `bytes=a-b`, `bytes=a-` or `bytes=-n` (one range).
fn range(headers: &HeaderMap, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(v) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else { return Ok(None) };
    let spec = v.trim().strip_prefix("bytes=").ok_or(())?;
    if spec.contains(',') {
        return Err(());
    }
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().map_err(|_| ())?;
            (size.saturating_sub(n), size)
        }
        (a, "") => (a.parse().map_err(|_| ())?, size),
        (a, b) => (a.parse().map_err(|_| ())?, b.parse::<u64>().map_err(|_| ())?.saturating_add(1).min(size)),
    };
    if start >= end || start >= size {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// `attachment` or `inline`, with the name in both the plain and the RFC 5987 forms.
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded: String = name.bytes().map(|b| if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

async fn serve(s: &AppState, c: &Caller, headers: &HeaderMap, sha: &str, size: u64, mime: &str, inline: bool, name: &str) -> Result<Response, ApiError> {
    let etag = format!("\"{sha}\"");
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let (status, start, end) = match range(headers, size) {
        Ok(None) => (StatusCode::OK, 0, size),
        Ok(Some((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b),
        Err(()) => {
            let mut r = ApiError::new(StatusCode::RANGE_NOT_SATISFIABLE, "invalid_range", Some("Range"), format!("the file has {size} bytes")).into_response();
            r.headers_mut().insert(header::CONTENT_RANGE, HeaderValue::from_str(&format!("bytes */{size}")).expect("ascii"));
            return Ok(r);
        }
    };
    let stream = s.config.blobs.read(c.0.organization_id, sha, start, end).await.map_err(MediaError::from)?;
    let mut res = Response::new(Body::from_stream(stream));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(header::CONTENT_DISPOSITION, disposition(if inline { "inline" } else { "attachment" }, name));
    if status == StatusCode::PARTIAL_CONTENT {
        h.insert(header::CONTENT_RANGE, HeaderValue::from_str(&format!("bytes {start}-{}/{size}", end - 1)).expect("ascii"));
    }
    Ok(res)
}

/// A file's bytes (or a `Range` of them), to a caller who may see its row. Images the server read
/// as images are `inline`; everything else is an `attachment`, never sniffed.
#[utoipa::path(get, path = "/v1/media/{id}/content", tag = "media", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "The bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The range asked for", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such file, not yours, or its bytes have not arrived yet", body = ErrorBody),
        (status = 416, description = "A range outside the file", body = ErrorBody)))]
pub async fn content(State(s): State<AppState>, c: Caller, IdPath(id): IdPath, headers: HeaderMap) -> Result<Response, ApiError> {
    let m = media::load(&s.pool, caller(&c), id).await?;
    let sha = match (m.status.as_str(), m.sha256()) {
        ("ready", Some(sha)) => sha.to_owned(),
        _ => return Err(ApiError::new(StatusCode::NOT_FOUND, "not_ready", None, "the file's bytes have not arrived on the server yet")),
    };
    let mime = if m.previewable() || m.media_type != "image" { m.mime_type.clone() } else { "application/octet-stream".into() };
    serve(&s, &c, &headers, &sha, m.file_size as u64, &mime, m.previewable(), &m.file_name).await
}

/// Keeps a file's thumbnail (a JPEG, PNG or WebP of at most 512 KB whose SHA-256 is the row's
/// `metadata.thumbnail.sha256`).
#[utoipa::path(put, path = "/v1/media/{id}/thumbnail", tag = "media", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The thumbnail"),
    responses((status = 204, description = "Kept"), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_thumbnail(State(s): State<AppState>, c: Caller, IdPath(id): IdPath, body: axum::body::Bytes) -> Result<StatusCode, ApiError> {
    media::put_thumbnail(&s.pool, &s.config.blobs, caller(&c), id, body, s.config.org_quota_bytes).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A file's thumbnail, to a caller who may see its row.
#[utoipa::path(get, path = "/v1/media/{id}/thumbnail", tag = "media", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, description = "The thumbnail", content_type = "image/jpeg", body = Vec<u8>), (status = 304, description = "Not modified"),
        (status = 404, description = "No such file, not yours, or no thumbnail kept", body = ErrorBody)))]
pub async fn thumbnail(State(s): State<AppState>, c: Caller, IdPath(id): IdPath, headers: HeaderMap) -> Result<Response, ApiError> {
    let m = media::load(&s.pool, caller(&c), id).await?;
    let sha = m.thumbnail_sha256().ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no_thumbnail", None, "this file has no thumbnail"))?.to_owned();
    let size = s
        .config
        .blobs
        .size(c.0.organization_id, &sha)
        .await
        .map_err(MediaError::from)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "no_thumbnail", None, "the thumbnail has not arrived yet"))?;
    let head = s.config.blobs.head_bytes(c.0.organization_id, &sha, 64).await.map_err(MediaError::from)?;
    let mime = plugs_domain::files::file_type(&head, "image/jpeg").mime;
    serve(&s, &c, &headers, &sha, size, &mime, true, "thumbnail").await
}
