//! The HTTP client of the central server.

use crate::error::{Error, Result};
use crate::sync::wire::{PullResponse, PushRequest, PushResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// A pair of tokens from signing in or refreshing.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(..)")
    }
}

/// Builds the HTTP client of a [`Remote`].
type MakeClient = std::sync::Arc<dyn Fn() -> reqwest::Client + Send + Sync>;

/// The server at one address.
#[derive(Clone)]
pub struct Remote {
    base: String,
    http: reqwest::Client,
    make: MakeClient,
}

fn default_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("plugs/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    field: Option<String>,
    message: String,
}

impl Remote {
    /// A client for the server at `base` (e.g. `https://plugs.example.com`).
    pub fn new(base: &str) -> Result<Remote> {
        let base = base.trim().trim_end_matches('/').to_owned();
        let url = url::Url::parse(&base).map_err(|_| Error::invalid("server", "invalid_format", format!("'{base}' is not a server address (https://...)")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid("server", "invalid_format", "the server address must start with https:// (or http://)"));
        }
        Ok(Remote { base, http: default_client(), make: std::sync::Arc::new(default_client) })
    }

    /// A client whose HTTP clients `make` builds (e.g. ones that open a connection per request).
    pub fn with_client(base: &str, make: fn() -> reqwest::Client) -> Result<Remote> {
        let mut r = Remote::new(base)?;
        r.http = make();
        r.make = std::sync::Arc::new(make);
        Ok(r)
    }

    /// The same server with an HTTP client of its own, for another thread's runtime (a client's
    /// pooled connections belong to the runtime that opened them).
    pub fn fresh(&self) -> Remote {
        Remote { base: self.base.clone(), http: (self.make)(), make: self.make.clone() }
    }

    /// The server's address.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send<T: DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let res = req.send().await.map_err(|e| Error::Offline(format!("cannot reach {}: {}", self.base, without_url(&e))))?;
        let status = res.status();
        if status.is_success() {
            return res.json().await.map_err(|e| Error::Offline(format!("the answer from {} was cut off: {}", self.base, without_url(&e))));
        }
        let body: Option<ErrorBody> = res.json().await.ok();
        let (code, field, message) = body.map(|b| (b.code, b.field, b.message)).unwrap_or_else(|| ("http".into(), None, status.to_string()));
        if status.as_u16() == 401 {
            return Err(Error::SignedOut(message));
        }
        if status.is_server_error() || status.as_u16() == 429 {
            // Worth retrying later: report like a network failure, not as the device's fault.
            return Err(Error::Offline(format!("the server is unavailable ({status}): {message}")));
        }
        Err(Error::Remote { status: status.as_u16(), code, field, message })
    }

    /// Signs in; the answer carries tokens, the user and the organization.
    pub async fn login(&self, email: &str, password: &str) -> Result<Value> {
        self.send(self.http.post(format!("{}/v1/auth/login", self.base)).json(&serde_json::json!({ "email": email, "password": password }))).await
    }

    /// Registers an organization (with the device's ids, to keep its workspace).
    pub async fn register(&self, body: &Value) -> Result<Value> {
        self.send(self.http.post(format!("{}/v1/register", self.base)).json(body)).await
    }

    /// Swaps the refresh token for a new pair.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens> {
        self.send(self.http.post(format!("{}/v1/auth/refresh", self.base)).json(&serde_json::json!({ "refresh_token": refresh_token }))).await
    }

    /// Ends the session on the server.
    pub async fn logout(&self, access: &str) -> Result<()> {
        let res = self.http.post(format!("{}/v1/auth/logout", self.base)).bearer_auth(access).send().await.map_err(|e| Error::Offline(without_url(&e)))?;
        if res.status().is_success() || res.status().as_u16() == 401 {
            Ok(())
        } else {
            Err(Error::Offline(format!("logout failed: {}", res.status())))
        }
    }

    /// Who the token belongs to.
    pub async fn me(&self, access: &str) -> Result<Value> {
        self.send(self.http.get(format!("{}/v1/me", self.base)).bearer_auth(access)).await
    }

    /// Sends a batch of changes.
    pub async fn push(&self, access: &str, req: &PushRequest) -> Result<PushResponse> {
        self.send(self.http.post(format!("{}/v1/sync/push", self.base)).bearer_auth(access).json(req)).await
    }

    /// The changes after `cursor`; waits up to `wait` seconds when there are none.
    pub async fn pull(&self, access: &str, cursor: i64, limit: u32, wait: u64, total: bool) -> Result<PullResponse> {
        let req = self.http.get(format!("{}/v1/sync/pull", self.base)).bearer_auth(access).timeout(Duration::from_secs(wait + 30)).query(&[
            ("cursor", cursor.to_string()),
            ("limit", limit.to_string()),
            ("wait", wait.to_string()),
            ("total", total.to_string()),
        ]);
        self.send(req).await
    }
}

/// Where the upload of a file's bytes stands on the server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct UploadState {
    pub received: u64,
    pub size: u64,
    pub status: String,
    pub failure: Option<String>,
}

impl Remote {
    /// Where the upload of a media row's bytes stands.
    pub async fn upload_state(&self, access: &str, id: uuid::Uuid) -> Result<UploadState> {
        self.send(self.http.get(format!("{}/v1/media/{id}/upload", self.base)).bearer_auth(access)).await
    }

    /// Sends a media row's bytes from `offset` (the body streams; a long file takes its time).
    pub async fn upload(&self, access: &str, id: uuid::Uuid, offset: u64, len: u64, body: reqwest::Body) -> Result<UploadState> {
        let req = self
            .http
            .patch(format!("{}/v1/media/{id}/upload", self.base))
            .bearer_auth(access)
            .timeout(Duration::from_secs(6 * 3600))
            .header("Upload-Offset", offset.to_string())
            .header(reqwest::header::CONTENT_LENGTH, len.to_string())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(body);
        self.send(req).await
    }

    /// Sends a media row's thumbnail.
    pub async fn put_thumbnail(&self, access: &str, id: uuid::Uuid, bytes: Vec<u8>) -> Result<()> {
        let req = self.http.put(format!("{}/v1/media/{id}/thumbnail", self.base)).bearer_auth(access).header(reqwest::header::CONTENT_TYPE, "image/jpeg").body(bytes);
        self.send_empty(req).await
    }

    /// A media row's bytes (or its thumbnail's) from byte `from`: the response, to stream.
    pub async fn download(&self, access: &str, id: uuid::Uuid, from: u64, thumbnail: bool) -> Result<reqwest::Response> {
        let what = if thumbnail { "thumbnail" } else { "content" };
        let mut req = self.http.get(format!("{}/v1/media/{id}/{what}", self.base)).bearer_auth(access).timeout(Duration::from_secs(6 * 3600));
        if from > 0 {
            req = req.header(reqwest::header::RANGE, format!("bytes={from}-"));
        }
        let res = req.send().await.map_err(|e| Error::Offline(format!("cannot reach {}: {}", self.base, without_url(&e))))?;
        if res.status().is_success() {
            return Ok(res);
        }
        Err(self.failure(res).await)
    }

    async fn send_empty(&self, req: reqwest::RequestBuilder) -> Result<()> {
        let res = req.send().await.map_err(|e| Error::Offline(format!("cannot reach {}: {}", self.base, without_url(&e))))?;
        if res.status().is_success() {
            return Ok(());
        }
        Err(self.failure(res).await)
    }

    async fn failure(&self, res: reqwest::Response) -> Error {
        let status = res.status();
        let body: Option<ErrorBody> = res.json().await.ok();
        let (code, field, message) = body.map(|b| (b.code, b.field, b.message)).unwrap_or_else(|| ("http".into(), None, status.to_string()));
        if status.as_u16() == 401 {
            return Error::SignedOut(message);
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Error::Offline(format!("the server is unavailable ({status}): {message}"));
        }
        Error::Remote { status: status.as_u16(), code, field, message }
    }
}

/// A reqwest error without the URL (URLs can carry query strings; keep messages short).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(&format!(" for url ({u})"), "").replace(u.as_str(), "");
    }
    s
}
