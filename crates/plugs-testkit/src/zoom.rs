//! A local Zoom for tests: Server-to-Server OAuth (`POST /oauth/token`, as on zoom.us) and the API
//! v2 endpoints a meeting import uses (as on api.zoom.us), on one base URL, with the shapes of
//! Zoom's public reference: Basic client credentials for tokens, `Authorization: Bearer` for the
//! API, `next_page_token` paging, `{"code","message"}` error bodies, the `X-RateLimit-*` headers,
//! and meeting UUIDs that must be double-encoded when they start with `/` or contain `//`.
//! Faults can be queued, tokens made short-lived, and chosen requests held until released.
//!
//! Endpoints: `GET /v2/users/me/meetings`, `GET /v2/meetings/{meetingId}/registrants`,
//! `GET /v2/past_meetings/{meetingUUID}/participants`.

// A refusal is the whole HTTP answer, returned early by the checks before a handler's work.
#![allow(clippy::result_large_err)]

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fault the next API request meets (before its work is done; token requests are not affected).
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status with Zoom's error body (a 429 also carries `Retry-After: 1`).
    Status(u16),
    /// A 200 whose JSON body stops halfway.
    Truncated,
}

struct Meeting {
    id: i64,
    uuid: String,
    topic: String,
    start: DateTime<Utc>,
    duration_min: i64,
    timezone: String,
    ended: bool,
    created_at: DateTime<Utc>,
}

struct Hold {
    text: String,
    nth: u64,
}

#[derive(Default)]
struct Zoom {
    account_id: String,
    client_id: String,
    client_secret: String,
    lifetime: Duration,
    tokens: HashMap<String, Instant>,
    tokens_issued: u64,
    host_id: String,
    users: HashMap<String, String>,
    meetings: Vec<Meeting>,
    participants: HashMap<String, Vec<Value>>,
    registrants: HashMap<i64, Vec<Value>>,
    /// Page tokens: what they page through, and from where.
    pages: HashMap<String, (String, usize)>,
    faults: VecDeque<Fault>,
    requests: u64,
    arrived: Vec<String>,
    holds: Vec<Hold>,
    released: u64,
}

#[derive(Clone)]
struct App {
    zoom: Arc<Mutex<Zoom>>,
    release: Arc<tokio::sync::watch::Sender<u64>>,
    base: String,
}

/// The local Zoom; stops when dropped.
pub struct FakeZoom {
    /// Its base URL, in place of both `https://zoom.us` and `https://api.zoom.us`.
    pub base: String,
    zoom: Arc<Mutex<Zoom>>,
    release: Arc<tokio::sync::watch::Sender<u64>>,
    task: tokio::task::JoinHandle<()>,
}

fn random(n: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::thread_rng();
    (0..n).map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char).collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A Zoom user or registrant id (22 characters).
fn zoom_id() -> String {
    random(22, URL_SAFE)
}

fn zoom_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl FakeZoom {
    /// Starts one for this account and Server-to-Server OAuth app.
    pub async fn start(account_id: &str, client_id: &str, client_secret: &str) -> FakeZoom {
        let zoom = Arc::new(Mutex::new(Zoom {
            account_id: account_id.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            lifetime: Duration::from_secs(3599),
            host_id: zoom_id(),
            ..Default::default()
        }));
        let release = Arc::new(tokio::sync::watch::channel(0).0);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let app = App { zoom: zoom.clone(), release: release.clone(), base: base.clone() };
        let api = Router::new()
            .route("/v2/users/me/meetings", get(meetings))
            .route("/v2/meetings/{id}/registrants", get(registrants))
            .route("/v2/past_meetings/{uuid}/participants", get(participants))
            .fallback(|| async { error(StatusCode::NOT_FOUND, 404, "Not Found") })
            .layer(axum::middleware::map_response(|mut r: Response| async move {
                r.headers_mut().insert("x-ratelimit-category", HeaderValue::from_static("Light"));
                r.headers_mut().insert("x-ratelimit-type", HeaderValue::from_static("QPS"));
                r
            }));
        let router = Router::new().route("/oauth/token", post(token)).merge(api).layer(axum::middleware::from_fn_with_state(app.clone(), arrive)).with_state(app);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeZoom { base, zoom, release, task }
    }

    /// A scheduled meeting (ended or not) hosted by the account's user; its id and UUID.
    pub fn add_meeting(&self, topic: &str, start: DateTime<Utc>, duration_min: i64, timezone: &str, ended: bool) -> (i64, String) {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill(&mut bytes);
        self.add_meeting_with_uuid(&base64::engine::general_purpose::STANDARD.encode(bytes), topic, start, duration_min, timezone, ended)
    }

    /// A meeting with a chosen UUID (for one starting with `/` or containing `//`); its id and UUID.
    pub fn add_meeting_with_uuid(&self, uuid: &str, topic: &str, start: DateTime<Utc>, duration_min: i64, timezone: &str, ended: bool) -> (i64, String) {
        let id = rand::thread_rng().gen_range(10_000_000_000..100_000_000_000i64);
        let m = Meeting { id, uuid: uuid.to_owned(), topic: topic.to_owned(), start, duration_min, timezone: timezone.to_owned(), ended, created_at: Utc::now() };
        self.zoom.lock().unwrap().meetings.push(m);
        (id, uuid.to_owned())
    }

    /// The meeting has taken place.
    pub fn end_meeting(&self, id: i64) {
        let mut z = self.zoom.lock().unwrap();
        z.meetings.iter_mut().find(|m| m.id == id).expect("a meeting with that id").ended = true;
    }

    /// A user of the account; their Zoom user id (participants with this email carry it).
    pub fn add_zoom_user(&self, email: &str) -> String {
        let mut z = self.zoom.lock().unwrap();
        z.users.entry(email.to_lowercase()).or_insert_with(zoom_id).clone()
    }

    /// People who attended the meeting with this UUID (name, email or ""), for its whole length.
    pub fn add_participants(&self, uuid: &str, people: &[(&str, &str)]) {
        let mut z = self.zoom.lock().unwrap();
        let m = z.meetings.iter().find(|m| m.uuid == uuid).expect("a meeting with that UUID");
        let (join, leave, secs) = (m.start, m.start + chrono::Duration::minutes(m.duration_min), m.duration_min * 60);
        let list: Vec<Value> = people
            .iter()
            .map(|(name, email)| {
                let id = if email.is_empty() { None } else { z.users.get(&email.to_lowercase()).cloned() };
                json!({
                    "id": id.unwrap_or_default(),
                    "name": name,
                    "user_email": email,
                    "join_time": zoom_time(join),
                    "leave_time": zoom_time(leave),
                    "duration": secs,
                    "status": "in_meeting",
                })
            })
            .collect();
        z.participants.entry(uuid.to_owned()).or_default().extend(list);
    }

    /// Approved registrants of the meeting (first name, last name, email).
    pub fn add_registrants(&self, meeting_id: i64, people: &[(&str, &str, &str)]) {
        let mut z = self.zoom.lock().unwrap();
        assert!(z.meetings.iter().any(|m| m.id == meeting_id), "a meeting with that id");
        let list = people.iter().map(
            |(first, last, email)| json!({ "id": zoom_id(), "email": email, "first_name": first, "last_name": last, "status": "approved", "create_time": zoom_time(Utc::now()) }),
        );
        z.registrants.entry(meeting_id).or_default().extend(list);
    }

    /// Tokens issued from now on last this long (`expires_in` says the whole seconds, at least 1).
    pub fn token_lifetime(&self, d: Duration) {
        self.zoom.lock().unwrap().lifetime = d;
    }

    /// Access tokens issued so far.
    pub fn tokens_issued(&self) -> u64 {
        self.zoom.lock().unwrap().tokens_issued
    }

    /// The next API requests meet these faults, one each.
    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.zoom.lock().unwrap().faults.extend(faults);
    }

    /// Every request received (token requests included).
    pub fn requests(&self) -> u64 {
        self.zoom.lock().unwrap().requests
    }

    /// The `nth` (from 1) request whose path and query (as sent, percent-encoded) contain `text`
    /// waits, unanswered, until `release`.
    pub fn hold(&self, path_contains: &str, nth: u64) {
        self.zoom.lock().unwrap().holds.push(Hold { text: path_contains.to_owned(), nth });
    }

    /// Lets every held request go on.
    pub fn release(&self) {
        let mut z = self.zoom.lock().unwrap();
        z.released += 1;
        self.release.send_replace(z.released);
    }

    /// Requests so far whose path and query (as sent) contain `text`, held ones included.
    pub fn seen(&self, path_contains: &str) -> u64 {
        self.zoom.lock().unwrap().arrived.iter().filter(|p| p.contains(path_contains)).count() as u64
    }
}

impl Drop for FakeZoom {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

/// Counts every request and holds the chosen ones.
async fn arrive(State(app): State<App>, req: Request, next: Next) -> Response {
    let held = {
        let mut z = app.zoom.lock().unwrap();
        z.requests += 1;
        let target = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
        z.arrived.push(target.clone());
        let z = &*z;
        let hit = z.holds.iter().any(|h| target.contains(&h.text) && z.arrived.iter().filter(|p| p.contains(&h.text)).count() as u64 == h.nth);
        hit.then_some(z.released)
    };
    if let Some(at) = held {
        let mut rx = app.release.subscribe();
        let _ = rx.wait_for(|r| *r > at).await;
    }
    next.run(req).await
}

fn form(raw: &str) -> HashMap<String, String> {
    Query::<HashMap<String, String>>::try_from_uri(&format!("/?{raw}").parse().unwrap_or_default()).map(|q| q.0).unwrap_or_default()
}

async fn token(State(app): State<App>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut params = form(&String::from_utf8_lossy(&body));
    params.extend(form(uri.query().unwrap_or_default()));
    let mut z = app.zoom.lock().unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", z.client_id, z.client_secret));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(format!("Basic {basic}").as_str()) {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "reason": "Invalid client_id or client_secret", "error": "invalid_client" }))).into_response();
    }
    if params.get("grant_type").map(String::as_str) != Some("account_credentials") {
        return (StatusCode::BAD_REQUEST, Json(json!({ "reason": "unsupported grant type", "error": "unsupported_grant_type" }))).into_response();
    }
    if params.get("account_id") != Some(&z.account_id) {
        return (StatusCode::BAD_REQUEST, Json(json!({ "reason": "Invalid account_id", "error": "invalid_request" }))).into_response();
    }
    let token = format!("eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.{}.{}", random(120, URL_SAFE), random(43, URL_SAFE));
    let lifetime = z.lifetime;
    z.tokens.insert(token.clone(), Instant::now() + lifetime);
    z.tokens_issued += 1;
    Json(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": lifetime.as_secs().max(1),
        "scope": "meeting:read:admin user:read:admin",
        "api_url": app.base,
    }))
    .into_response()
}

/// Auth and queued faults, as Zoom applies them before the work.
fn gate(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    let mut z = app.zoom.lock().unwrap();
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match bearer.and_then(|t| z.tokens.get(t.trim())) {
        None => return Err(error(StatusCode::UNAUTHORIZED, 124, "Invalid access token.")),
        Some(expiry) if Instant::now() >= *expiry => return Err(error(StatusCode::UNAUTHORIZED, 124, "Access token is expired.")),
        Some(_) => {}
    }
    match z.faults.pop_front() {
        None => Ok(()),
        Some(Fault::Truncated) => {
            Err((StatusCode::OK, [("content-type", "application/json;charset=UTF-8")], "{\"page_size\":30,\"total_records\":2,\"next_page_token\":\"\",\"meet").into_response())
        }
        Some(Fault::Status(429)) => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, 429, "You have reached the maximum per-second rate limit for this API. Try again later.");
            r.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
            Err(r)
        }
        Some(Fault::Status(s)) => {
            let status = StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err(error(status, s as i64, status.canonical_reason().unwrap_or("Internal Server Error")))
        }
    }
}

/// The page asked for (`page_size` up to 300, `next_page_token` from an earlier answer of the
/// same listing): its offset and size.
fn page(z: &Zoom, listing: &str, q: &HashMap<String, String>) -> Result<(usize, usize), Response> {
    let size = q.get("page_size").and_then(|s| s.parse::<usize>().ok()).unwrap_or(30).clamp(1, 300);
    match q.get("next_page_token").filter(|t| !t.is_empty()) {
        None => Ok((0, size)),
        Some(t) => match z.pages.get(t) {
            Some((l, offset)) if l == listing => Ok((*offset, size)),
            _ => Err(error(StatusCode::BAD_REQUEST, 300, "The next page token is invalid or expired.")),
        },
    }
}

/// The token for the page after `[offset, offset + size)`, or "" when that was the last.
fn next_token(z: &mut Zoom, listing: &str, offset: usize, size: usize, total: usize) -> String {
    if offset + size >= total {
        return String::new();
    }
    let t = random(35, ALNUM);
    z.pages.insert(t.clone(), (listing.to_owned(), offset + size));
    t
}

async fn meetings(State(app): State<App>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = gate(&app, &headers) {
        return r;
    }
    let kind = q.get("type").map(String::as_str).unwrap_or("scheduled");
    let keep: fn(&Meeting) -> bool = match kind {
        "scheduled" => |_| true,
        "upcoming" => |m| !m.ended,
        "previous_meetings" => |m| m.ended,
        _ => return error(StatusCode::BAD_REQUEST, 300, "Invalid field."),
    };
    let mut z = app.zoom.lock().unwrap();
    let listing = format!("meetings:{kind}");
    let (offset, size) = match page(&z, &listing, &q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut found: Vec<&Meeting> = z.meetings.iter().filter(|m| keep(m)).collect();
    found.sort_by_key(|m| (m.start, m.id));
    let total = found.len();
    let list: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(size)
        .map(|m| {
            json!({
                "uuid": m.uuid,
                "id": m.id,
                "host_id": z.host_id,
                "topic": m.topic,
                "type": 2,
                "start_time": zoom_time(m.start),
                "duration": m.duration_min,
                "timezone": m.timezone,
                "created_at": zoom_time(m.created_at),
                "join_url": format!("https://zoom.us/j/{}", m.id),
            })
        })
        .collect();
    let next = next_token(&mut z, &listing, offset, size, total);
    Json(json!({ "page_size": size, "total_records": total, "next_page_token": next, "meetings": list })).into_response()
}

async fn registrants(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = gate(&app, &headers) {
        return r;
    }
    let mut z = app.zoom.lock().unwrap();
    let Some(meeting) = id.parse::<i64>().ok().filter(|n| z.meetings.iter().any(|m| m.id == *n)) else {
        return error(StatusCode::NOT_FOUND, 3001, &format!("Meeting does not exist: {id}."));
    };
    let status = q.get("status").map(String::as_str).unwrap_or("approved");
    if !["approved", "pending", "denied"].contains(&status) {
        return error(StatusCode::BAD_REQUEST, 300, "Invalid field.");
    }
    let listing = format!("registrants:{meeting}:{status}");
    let (offset, size) = match page(&z, &listing, &q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let all: Vec<Value> = if status == "approved" { z.registrants.get(&meeting).cloned().unwrap_or_default() } else { vec![] };
    let list: Vec<Value> = all.iter().skip(offset).take(size).cloned().collect();
    let next = next_token(&mut z, &listing, offset, size, all.len());
    Json(json!({ "page_size": size, "total_records": all.len(), "next_page_token": next, "registrants": list })).into_response()
}

/// Percent-decodes a path segment.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn has_escape(s: &str) -> bool {
    s.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

async fn participants(State(app): State<App>, headers: HeaderMap, uri: Uri, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = gate(&app, &headers) {
        return r;
    }
    // The segment as sent: decoded once, and again when it was double-encoded. A UUID starting
    // with '/' or containing "//" that was encoded only once is not found, as on Zoom (whose
    // gateway decodes the path before routing).
    let raw = uri.path().trim_start_matches("/v2/past_meetings/").trim_end_matches("/participants");
    let once = percent_decode(raw);
    let double = has_escape(&once);
    let uuid = if double { percent_decode(&once) } else { once };
    let mut z = app.zoom.lock().unwrap();
    let found = z.meetings.iter().filter(|m| m.ended).find(|m| (m.uuid == uuid && (double || !(uuid.starts_with('/') || uuid.contains("//")))) || m.id.to_string() == uuid);
    let Some(uuid) = found.map(|m| m.uuid.clone()) else {
        return error(StatusCode::NOT_FOUND, 3001, &format!("Meeting does not exist: {uuid}."));
    };
    let listing = format!("participants:{uuid}");
    let (offset, size) = match page(&z, &listing, &q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let all = z.participants.get(&uuid).cloned().unwrap_or_default();
    let list: Vec<Value> = all.iter().skip(offset).take(size).cloned().collect();
    let next = next_token(&mut z, &listing, offset, size, all.len());
    Json(json!({
        "page_count": all.len().div_ceil(size),
        "page_size": size,
        "total_records": all.len(),
        "next_page_token": next,
        "participants": list,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    async fn token_of(z: &FakeZoom) -> String {
        let r: Value = reqwest::Client::new()
            .post(format!("{}/oauth/token?grant_type=account_credentials&account_id=acc", z.base))
            .basic_auth("cid", Some("secret"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["api_url"].as_str(), Some(z.base.as_str()));
        r["access_token"].as_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn oauth_and_meetings_paged() {
        let z = FakeZoom::start("acc", "cid", "secret").await;
        let http = reqwest::Client::new();
        let bad = http.post(format!("{}/oauth/token?grant_type=account_credentials&account_id=acc", z.base)).basic_auth("cid", Some("nope")).send().await.unwrap();
        assert_eq!(bad.status(), 401);
        assert_eq!(bad.json::<Value>().await.unwrap()["error"], "invalid_client");
        let wrong = http.post(format!("{}/oauth/token?grant_type=account_credentials&account_id=x", z.base)).basic_auth("cid", Some("secret")).send().await.unwrap();
        assert_eq!(wrong.json::<Value>().await.unwrap()["reason"], "Invalid account_id");
        let t = token_of(&z).await;
        let start = Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap();
        for i in 0..5 {
            z.add_meeting(&format!("M{i}"), start + chrono::Duration::days(i), 60, "Europe/Berlin", i < 3);
        }
        let mut seen = vec![];
        let mut next = String::new();
        loop {
            let r = http
                .get(format!("{}/v2/users/me/meetings", z.base))
                .bearer_auth(&t)
                .query(&[("type", "previous_meetings"), ("page_size", "2"), ("next_page_token", &next)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["x-ratelimit-category"], "Light");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["total_records"], 3);
            seen.extend(v["meetings"].as_array().unwrap().iter().map(|m| m["topic"].as_str().unwrap().to_owned()));
            next = v["next_page_token"].as_str().unwrap().to_owned();
            if next.is_empty() {
                break;
            }
        }
        assert_eq!(seen, ["M0", "M1", "M2"]);
        let r = http.get(format!("{}/v2/users/me/meetings", z.base)).bearer_auth("junk").send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.json::<Value>().await.unwrap()["code"].as_i64()), (401, Some(124)));

        z.token_lifetime(Duration::from_millis(50));
        let short = token_of(&z).await;
        tokio::time::sleep(Duration::from_millis(80)).await;
        let r: Value = http.get(format!("{}/v2/users/me/meetings", z.base)).bearer_auth(&short).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["message"], "Access token is expired.");
        assert_eq!(z.tokens_issued(), 2);

        z.fail_next([Fault::Status(429)]);
        let r = http.get(format!("{}/v2/users/me/meetings", z.base)).bearer_auth(&t).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (429, "1"));
    }

    #[tokio::test]
    async fn participants_registrants_and_double_encoded_uuids() {
        let z = FakeZoom::start("acc", "cid", "secret").await;
        let http = reqwest::Client::new();
        let t = token_of(&z).await;
        let start = Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap();
        let (id, uuid) = z.add_meeting_with_uuid("/ajXp112QmuoKj4854875==", "Demo", start, 45, "UTC", true);
        let ada = z.add_zoom_user("ada@example.com");
        z.add_participants(&uuid, &[("Ada", "ada@example.com"), ("Phone guest", "")]);
        z.add_registrants(id, &[("Ada", "Lovelace", "ada@example.com")]);
        let once = "%2FajXp112QmuoKj4854875%3D%3D";
        let twice = "%252FajXp112QmuoKj4854875%253D%253D";
        let r = http.get(format!("{}/v2/past_meetings/{once}/participants", z.base)).bearer_auth(&t).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let v: Value = http.get(format!("{}/v2/past_meetings/{twice}/participants?page_size=300", z.base)).bearer_auth(&t).send().await.unwrap().json().await.unwrap();
        assert_eq!((v["total_records"].as_u64(), v["page_count"].as_u64()), (Some(2), Some(1)));
        assert_eq!((v["participants"][0]["id"].as_str(), v["participants"][0]["duration"].as_i64()), (Some(ada.as_str()), Some(2700)));
        assert_eq!(v["participants"][1]["id"], "");
        let v: Value = http.get(format!("{}/v2/meetings/{id}/registrants?status=approved", z.base)).bearer_auth(&t).send().await.unwrap().json().await.unwrap();
        assert_eq!(v["registrants"][0]["email"], "ada@example.com");
        let v: Value = http.get(format!("{}/v2/meetings/123/registrants", z.base)).bearer_auth(&t).send().await.unwrap().json().await.unwrap();
        assert_eq!((v["code"].as_i64(), v["message"].as_str()), (Some(3001), Some("Meeting does not exist: 123.")));
        let (_, live) = z.add_meeting("Later", start, 30, "UTC", false);
        let enc = live.replace('/', "%2F").replace('+', "%2B").replace('=', "%3D");
        let r = http.get(format!("{}/v2/past_meetings/{enc}/participants", z.base)).bearer_auth(&t).send().await.unwrap();
        assert_eq!(r.status(), 404);
    }

    #[tokio::test]
    async fn held_requests_wait_for_release() {
        let z = FakeZoom::start("acc", "cid", "secret").await;
        let t = token_of(&z).await;
        z.hold("/v2/users/me/meetings", 1);
        let url = format!("{}/v2/users/me/meetings?type=upcoming", z.base);
        let call = tokio::spawn(async move { reqwest::Client::new().get(url).bearer_auth(t).send().await.unwrap().status().as_u16() });
        for _ in 0..100 {
            if z.seen("type=upcoming") == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!call.is_finished());
        z.release();
        assert_eq!(call.await.unwrap(), 200);
        assert_eq!(z.requests(), 2);
    }
}
