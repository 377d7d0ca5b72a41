//! A local Microsoft identity platform and Microsoft Graph for tests, on one base URL: the OAuth 2.0
//! device authorization grant and refresh tokens (as on login.microsoftonline.com) and the calendar
//! events listing (as on graph.microsoft.com), with the shapes of Microsoft's public reference:
//! form-encoded token requests, `authorization_pending` until the user approves, Entra ID error
//! bodies (`error`, `error_description`, `error_codes`, ...), `Authorization: Bearer` for Graph,
//! `$top`/`$filter`/`$skiptoken` with an absolute `@odata.nextLink`, `Prefer: outlook.timezone`,
//! Graph error bodies (`{"error":{"code","message","innerError"}}`) and 429 with `Retry-After`.
//!
//! Endpoints: `POST /{tenant}/oauth2/v2.0/devicecode`, `POST /{tenant}/oauth2/v2.0/token`,
//! `GET /v1.0/me/events`.

// A refusal is the whole HTTP answer, returned early by the checks before a handler's work.
#![allow(clippy::result_large_err)]

use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use rand::Rng;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fault the next Graph request meets (before its work is done; token requests are not affected).
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status with Graph's error body.
    Status(u16),
    /// A 200 whose JSON body stops halfway.
    Truncated,
}

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

#[derive(Clone, Copy, PartialEq)]
enum Grant {
    Pending,
    Approved,
    Declined,
}

struct Event {
    id: String,
    subject: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    time_zone: String,
    online: bool,
    join_url: String,
    cancelled: bool,
    last_modified: DateTime<Utc>,
    attendees: Vec<(String, String)>,
}

#[derive(Default)]
struct Graph {
    client_id: String,
    user_id: String,
    interval: u64,
    lifetime: Duration,
    devices: HashMap<String, (Grant, String)>,
    access: HashMap<String, Instant>,
    refresh: HashMap<String, String>,
    refreshes: u64,
    polls: u64,
    requests: u64,
    events: Vec<Event>,
    throttle: (usize, u64),
    times: Vec<Instant>,
    faults: VecDeque<Fault>,
    skiptokens: HashMap<String, usize>,
}

#[derive(Clone)]
struct App {
    graph: Arc<Mutex<Graph>>,
    base: String,
}

/// The local identity platform and Graph; stops when dropped.
pub struct FakeGraph {
    /// Its base URL, in place of both `https://login.microsoftonline.com` and
    /// `https://graph.microsoft.com`.
    pub base: String,
    graph: Arc<Mutex<Graph>>,
    task: tokio::task::JoinHandle<()>,
}

const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn random(n: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::thread_rng();
    (0..n).map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char).collect()
}

/// Graph's times have 100 ns steps.
fn graph_now() -> DateTime<Utc> {
    let t = Utc::now();
    t.with_nanosecond(t.nanosecond() / 100 * 100).unwrap_or(t)
}

/// `2026-12-01T15:00:00.0000000`: seven fractional digits, no offset.
fn fmt7(t: NaiveDateTime) -> String {
    format!("{}.{:07}", t.format("%Y-%m-%dT%H:%M:%S"), t.nanosecond() % 1_000_000_000 / 100)
}

/// A time as Graph gives it in `zone` (`UTC` or an IANA name): the local time and the zone's name.
/// A zone as Outlook may name it: IANA, or Windows ("W. Europe Standard Time", mapped by CLDR).
fn zone_of(zone: &str) -> Option<chrono_tz::Tz> {
    zone.parse::<chrono_tz::Tz>().ok().or_else(|| localzone::win_zone_to_iana(zone, None)?.parse().ok())
}

fn in_zone(t: DateTime<Utc>, zone: &str) -> (String, String) {
    match zone_of(zone) {
        Some(tz) if zone != "UTC" => (fmt7(t.with_timezone(&tz).naive_local()), zone.to_owned()),
        _ => (fmt7(t.naive_utc()), "UTC".to_owned()),
    }
}

impl FakeGraph {
    /// Starts one that knows the app registration `client_id`.
    pub async fn start(client_id: &str) -> FakeGraph {
        let graph = Arc::new(Mutex::new(Graph {
            client_id: client_id.to_owned(),
            user_id: uuid::Uuid::now_v7().to_string(),
            interval: 5,
            lifetime: Duration::from_secs(3599),
            ..Default::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let app = App { graph: graph.clone(), base: base.clone() };
        let router = Router::new()
            .route("/{tenant}/oauth2/v2.0/devicecode", post(device_code))
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .route("/v1.0/me/events", get(events))
            .layer(axum::middleware::from_fn_with_state(app.clone(), count))
            .with_state(app);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeGraph { base, graph, task }
    }

    /// The user approves every sign-in waiting for them.
    pub fn approve(&self) {
        self.set_pending(Grant::Approved);
    }

    /// The user declines every sign-in waiting for them.
    pub fn decline(&self) {
        self.set_pending(Grant::Declined);
    }

    fn set_pending(&self, to: Grant) {
        for (grant, _) in self.graph.lock().unwrap().devices.values_mut() {
            if *grant == Grant::Pending {
                *grant = to;
            }
        }
    }

    /// The polling interval device code answers ask for, in seconds (default 5).
    pub fn poll_interval(&self, secs: u64) {
        self.graph.lock().unwrap().interval = secs;
    }

    /// Access tokens issued from now on last this long (`expires_in` says the whole seconds, at
    /// least 1); default 3599 s.
    pub fn token_lifetime(&self, d: Duration) {
        self.graph.lock().unwrap().lifetime = d;
    }

    /// Every refresh token issued so far stops working (as when a user revokes sessions).
    pub fn revoke_refresh_tokens(&self) {
        self.graph.lock().unwrap().refresh.clear();
    }

    /// Token requests with the refresh_token grant.
    pub fn refreshes(&self) -> u64 {
        self.graph.lock().unwrap().refreshes
    }

    /// Token requests with the device_code grant.
    pub fn device_code_polls(&self) -> u64 {
        self.graph.lock().unwrap().polls
    }

    /// Every request received (token requests included).
    pub fn requests(&self) -> u64 {
        self.graph.lock().unwrap().requests
    }

    /// An event in the user's calendar, created in `time_zone` (`UTC`, an IANA name or a Windows
    /// one, as Outlook keeps them); its id.
    pub fn add_event(&self, subject: &str, start: DateTime<Utc>, end: DateTime<Utc>, time_zone: &str, online: bool, attendees: &[(&str, &str)]) -> String {
        assert!(time_zone == "UTC" || zone_of(time_zone).is_some(), "UTC, an IANA or a Windows time zone");
        let id = format!("AAMkAGI2TG93AAA{}=", random(120, URL_SAFE));
        let join_url = if online { format!("https://teams.microsoft.com/l/meetup-join/19%3ameeting_{}%40thread.v2/0", random(48, URL_SAFE)) } else { String::new() };
        let e = Event {
            id: id.clone(),
            subject: subject.to_owned(),
            start,
            end,
            time_zone: time_zone.to_owned(),
            online,
            join_url,
            cancelled: false,
            last_modified: graph_now(),
            attendees: attendees.iter().map(|(n, a)| ((*n).to_owned(), (*a).to_owned())).collect(),
        };
        self.graph.lock().unwrap().events.push(e);
        id
    }

    fn edit(&self, id: &str, f: impl FnOnce(&mut Event)) {
        let mut g = self.graph.lock().unwrap();
        f(g.events.iter_mut().find(|e| e.id == id).expect("an event with that id"));
    }

    /// The organizer renames the event (its lastModifiedDateTime moves to now).
    pub fn edit_event(&self, id: &str, subject: &str) {
        self.edit(id, |e| {
            e.subject = subject.to_owned();
            e.last_modified = graph_now();
        });
    }

    /// The organizer cancels the event (its lastModifiedDateTime moves to now).
    pub fn cancel_event(&self, id: &str) {
        self.edit(id, |e| {
            e.cancelled = true;
            e.last_modified = graph_now();
        });
    }

    /// Sets the event's lastModifiedDateTime.
    pub fn set_last_modified(&self, id: &str, at: DateTime<Utc>) {
        self.edit(id, |e| e.last_modified = at.with_nanosecond(at.nanosecond() / 100 * 100).unwrap_or(at));
    }

    /// The next `n` Graph requests are throttled: 429 with `Retry-After: retry_after_secs`.
    pub fn throttle_next(&self, n: usize, retry_after_secs: u64) {
        self.graph.lock().unwrap().throttle = (n, retry_after_secs);
    }

    /// When each Graph request arrived.
    pub fn graph_request_times(&self) -> Vec<Instant> {
        self.graph.lock().unwrap().times.clone()
    }

    /// The next Graph requests meet these faults, one each.
    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.graph.lock().unwrap().faults.extend(faults);
    }
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn count(State(app): State<App>, req: Request, next: Next) -> Response {
    app.graph.lock().unwrap().requests += 1;
    next.run(req).await
}

fn form(body: &[u8]) -> HashMap<String, String> {
    let uri = format!("/?{}", String::from_utf8_lossy(body)).parse().unwrap_or_default();
    Query::<HashMap<String, String>>::try_from_uri(&uri).map(|q| q.0).unwrap_or_default()
}

/// An Entra ID error answer (400).
fn aad_error(error: &str, description: &str, code: u32) -> Response {
    let body = json!({
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
        "trace_id": uuid::Uuid::now_v7().to_string(),
        "correlation_id": uuid::Uuid::now_v7().to_string(),
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// The client and the parameters every token-endpoint request needs.
fn check_client(g: &Graph, p: &HashMap<String, String>, needed: &[&str]) -> Result<(), Response> {
    for name in ["client_id"].iter().chain(needed) {
        if p.get(*name).is_none_or(|v| v.is_empty()) {
            return Err(aad_error("invalid_request", &format!("AADSTS900144: The request body must contain the following parameter: '{name}'."), 900144));
        }
    }
    let id = &p["client_id"];
    if *id != g.client_id {
        return Err(aad_error("unauthorized_client", &format!("AADSTS700016: Application with identifier '{id}' was not found in the directory."), 700016));
    }
    Ok(())
}

async fn device_code(State(app): State<App>, body: Bytes) -> Response {
    let p = form(&body);
    let mut g = app.graph.lock().unwrap();
    if let Err(r) = check_client(&g, &p, &["scope"]) {
        return r;
    }
    let device_code = random(220, URL_SAFE);
    let user_code = random(9, b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    g.devices.insert(device_code.clone(), (Grant::Pending, p["scope"].clone()));
    Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": 900,
        "interval": g.interval,
        "message": format!("To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {user_code} to authenticate."),
    }))
    .into_response()
}

/// Issues an access token, and a refresh token when `offline_access` was asked for.
fn issue(g: &mut Graph, scope: &str) -> Response {
    let access = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.{}.{}", random(300, URL_SAFE), random(86, URL_SAFE));
    g.access.insert(access.clone(), Instant::now() + g.lifetime);
    let secs = g.lifetime.as_secs().max(1);
    let offline = scope.split_whitespace().any(|s| s.eq_ignore_ascii_case("offline_access"));
    let mut body = json!({
        "token_type": "Bearer",
        "scope": if offline { "Calendars.Read User.Read offline_access" } else { "Calendars.Read User.Read" },
        "expires_in": secs,
        "ext_expires_in": secs,
        "access_token": access,
    });
    if offline {
        let refresh = format!("1.AQ{}", random(400, URL_SAFE));
        g.refresh.insert(refresh.clone(), scope.to_owned());
        body["refresh_token"] = json!(refresh);
    }
    Json(body).into_response()
}

async fn token(State(app): State<App>, body: Bytes) -> Response {
    let p = form(&body);
    let mut g = app.graph.lock().unwrap();
    match p.get("grant_type").map(String::as_str) {
        Some(DEVICE_GRANT) => {
            g.polls += 1;
            if let Err(r) = check_client(&g, &p, &["device_code"]) {
                return r;
            }
            let code = &p["device_code"];
            match g.devices.get(code).map(|(grant, _)| *grant) {
                None => aad_error("expired_token", "AADSTS70019: Verification code expired.", 70019),
                Some(Grant::Pending) => aad_error("authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.", 70016),
                Some(Grant::Declined) => aad_error("authorization_declined", "AADSTS70000: The user has declined to authorize the application.", 70000),
                Some(Grant::Approved) => {
                    let (_, scope) = g.devices.remove(code).expect("present");
                    issue(&mut g, &scope)
                }
            }
        }
        Some("refresh_token") => {
            g.refreshes += 1;
            if let Err(r) = check_client(&g, &p, &["refresh_token"]) {
                return r;
            }
            match g.refresh.get(&p["refresh_token"]).cloned() {
                Some(scope) => issue(&mut g, &scope),
                None => aad_error("invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.", 9002313),
            }
        }
        _ => aad_error("unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.", 70003),
    }
}

/// A Graph error answer.
fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
    let request_id = uuid::Uuid::now_v7().to_string();
    let body = json!({ "error": { "code": code, "message": message, "innerError": { "date": now, "request-id": request_id, "client-request-id": request_id } } });
    let mut r = (status, Json(body)).into_response();
    r.headers_mut().insert("request-id", HeaderValue::from_str(&request_id).expect("a header value"));
    r
}

fn unauthorized(message: &str) -> Response {
    let mut r = graph_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message);
    r.headers_mut().insert(
        "www-authenticate",
        HeaderValue::from_static(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
        ),
    );
    r
}

/// Auth, throttling and queued faults, as Graph applies them before the work.
fn gate(g: &mut Graph, headers: &HeaderMap) -> Result<(), Response> {
    g.times.push(Instant::now());
    let Some(bearer) = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).filter(|t| !t.trim().is_empty()) else {
        return Err(unauthorized("Access token is empty."));
    };
    match g.access.get(bearer.trim()) {
        None => return Err(unauthorized("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format.")),
        Some(expiry) if Instant::now() >= *expiry => return Err(unauthorized("Lifetime validation failed, the token is expired.")),
        Some(_) => {}
    }
    if g.throttle.0 > 0 {
        g.throttle.0 -= 1;
        let secs = g.throttle.1;
        let mut r = graph_error(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", &format!("Please retry after {secs} seconds."));
        r.headers_mut().insert("retry-after", HeaderValue::from(secs));
        return Err(r);
    }
    match g.faults.pop_front() {
        None => Ok(()),
        Some(Fault::Truncated) => Err((StatusCode::OK, [("content-type", "application/json")], "{\"@odata.context\":\"x\",\"value\":[{\"id\":\"AAMkAG").into_response()),
        Some(Fault::Status(s)) => {
            let status = StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = match s {
                400 => "BadRequest",
                401 => "InvalidAuthenticationToken",
                403 => "ErrorAccessDenied",
                404 => "ErrorItemNotFound",
                429 => "TooManyRequests",
                503 => "ServiceNotAvailable",
                504 => "GatewayTimeout",
                _ => "UnknownError",
            };
            let mut r = graph_error(status, code, status.canonical_reason().unwrap_or("Error"));
            if s == 429 || s == 503 {
                r.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
            }
            Err(r)
        }
    }
}

/// The supported `$filter`: `isOnlineMeeting eq true` and/or `lastModifiedDateTime ge <time>`,
/// joined by `and`. Gives (online only, modified since).
fn parse_filter(filter: &str) -> Option<(bool, Option<DateTime<Utc>>)> {
    let words: Vec<&str> = filter.split_whitespace().collect();
    let (mut online, mut since) = (false, None);
    for (i, clause) in words.split(|w| w.eq_ignore_ascii_case("and")).enumerate() {
        match clause {
            [p, op, v] if p.eq_ignore_ascii_case("isOnlineMeeting") && op.eq_ignore_ascii_case("eq") && *v == "true" && !online => online = true,
            [p, op, v] if p.eq_ignore_ascii_case("lastModifiedDateTime") && op.eq_ignore_ascii_case("ge") && since.is_none() => {
                since = Some(DateTime::parse_from_rfc3339(v).ok()?.with_timezone(&Utc));
            }
            _ => return None,
        }
        if i > 1 {
            return None;
        }
    }
    Some((online, since))
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn event_json(e: &Event, zone: Option<&str>) -> Value {
    let zone = zone.unwrap_or(&e.time_zone);
    let ((start, start_zone), (end, end_zone)) = (in_zone(e.start, zone), in_zone(e.end, zone));
    let attendees: Vec<Value> = e
        .attendees
        .iter()
        .map(|(name, address)| {
            json!({ "type": "required", "status": { "response": "accepted", "time": "0001-01-01T00:00:00Z" }, "emailAddress": { "name": name, "address": address } })
        })
        .collect();
    json!({
        "id": e.id,
        "subject": e.subject,
        "bodyPreview": "",
        "start": { "dateTime": start, "timeZone": start_zone },
        "end": { "dateTime": end, "timeZone": end_zone },
        "originalStartTimeZone": e.time_zone,
        "originalEndTimeZone": e.time_zone,
        "isOnlineMeeting": e.online,
        "onlineMeetingProvider": if e.online { "teamsForBusiness" } else { "unknown" },
        "onlineMeeting": if e.online { json!({ "joinUrl": e.join_url }) } else { Value::Null },
        "isCancelled": e.cancelled,
        "lastModifiedDateTime": format!("{}Z", fmt7(e.last_modified.naive_utc())),
        "webLink": format!("https://outlook.office365.com/owa/?itemid={}&exvsurl=1&path=/calendar/item", encode(&e.id)),
        "organizer": { "emailAddress": { "name": "Test User", "address": "user@example.com" } },
        "attendees": attendees,
    })
}

/// The zone asked for with `Prefer: outlook.timezone="..."`.
fn preferred_zone(headers: &HeaderMap) -> Option<String> {
    headers.get_all("prefer").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case("outlook.timezone").then(|| v.trim().trim_matches('"').to_owned())
    })
}

async fn events(State(app): State<App>, headers: HeaderMap, Query(q): Query<Vec<(String, String)>>) -> Response {
    let mut g = app.graph.lock().unwrap();
    if let Err(r) = gate(&mut g, &headers) {
        return r;
    }
    let param = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Ok(top) = param("$top").unwrap_or("10").parse::<usize>() else {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "Invalid value for $top.");
    };
    let top = top.clamp(1, 1000);
    let filter = param("$filter").filter(|f| !f.trim().is_empty());
    let Some((online, since)) = filter.map_or(Some((false, None)), parse_filter) else {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "Invalid filter clause");
    };
    let offset = match param("$skiptoken") {
        None => 0,
        Some(t) => match g.skiptokens.get(t) {
            Some(o) => *o,
            None => return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "The skip token is invalid."),
        },
    };
    let zone = preferred_zone(&headers).map(|z| if z == "UTC" || z.parse::<chrono_tz::Tz>().is_ok() { z } else { "UTC".to_owned() });
    let matching: Vec<&Event> = g.events.iter().filter(|e| (!online || e.online) && since.is_none_or(|t| e.last_modified >= t)).collect();
    let total = matching.len();
    let value: Vec<Value> = matching.iter().skip(offset).take(top).map(|e| event_json(e, zone.as_deref())).collect();
    let mut body = json!({ "@odata.context": format!("{}/v1.0/$metadata#users('{}')/events", app.base, g.user_id), "value": value });
    if offset + top < total {
        let token = random(40, URL_SAFE);
        g.skiptokens.insert(token.clone(), offset + top);
        let mut link = format!("{}/v1.0/me/events?$top={top}", app.base);
        for key in ["$filter", "$select"] {
            if let Some(v) = param(key) {
                link.push_str(&format!("&{key}={}", encode(v)));
            }
        }
        body["@odata.nextLink"] = json!(format!("{link}&$skiptoken={token}"));
    }
    let mut r = (StatusCode::OK, [("content-type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")], body.to_string())
        .into_response();
    if let Some(z) = zone {
        r.headers_mut().insert("preference-applied", HeaderValue::from_str(&format!("outlook.timezone=\"{z}\"")).expect("a header value"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    async fn sign_in(g: &FakeGraph) -> (String, String) {
        let http = reqwest::Client::new();
        let d: Value = http
            .post(format!("{}/common/oauth2/v2.0/devicecode", g.base))
            .form(&[("client_id", "app"), ("scope", "Calendars.Read User.Read offline_access")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["user_code"].as_str().unwrap().len(), 9);
        let polls = g.device_code_polls();
        let poll = || async {
            http.post(format!("{}/common/oauth2/v2.0/token", g.base))
                .form(&[("grant_type", DEVICE_GRANT), ("client_id", "app"), ("device_code", d["device_code"].as_str().unwrap())])
                .send()
                .await
                .unwrap()
        };
        let r = poll().await;
        assert_eq!((r.status().as_u16(), r.json::<Value>().await.unwrap()["error"].as_str()), (400, Some("authorization_pending")));
        g.approve();
        let t: Value = poll().await.json().await.unwrap();
        assert_eq!(poll().await.json::<Value>().await.unwrap()["error"], "expired_token");
        assert_eq!(g.device_code_polls(), polls + 3);
        (t["access_token"].as_str().unwrap().to_owned(), t["refresh_token"].as_str().unwrap().to_owned())
    }

    #[tokio::test]
    async fn device_flow_and_refresh() {
        let g = FakeGraph::start("app").await;
        let http = reqwest::Client::new();
        let r: Value =
            http.post(format!("{}/common/oauth2/v2.0/devicecode", g.base)).form(&[("client_id", "other"), ("scope", "User.Read")]).send().await.unwrap().json().await.unwrap();
        assert_eq!((r["error"].as_str(), r["error_codes"][0].as_u64()), (Some("unauthorized_client"), Some(700016)));
        let (_, refresh) = sign_in(&g).await;
        let renew = |rt: String| {
            http.post(format!("{}/organizations/oauth2/v2.0/token", g.base))
                .form(&[("grant_type", "refresh_token"), ("client_id", "app"), ("refresh_token", &rt), ("scope", "Calendars.Read offline_access")])
                .send()
        };
        let t: Value = renew(refresh.clone()).await.unwrap().json().await.unwrap();
        assert_ne!(t["refresh_token"].as_str(), Some(refresh.as_str()));
        assert_eq!(renew(refresh).await.unwrap().status(), 200);
        assert_eq!(renew("nope".into()).await.unwrap().json::<Value>().await.unwrap()["error"], "invalid_grant");
        assert_eq!(g.refreshes(), 3);
    }

    #[tokio::test]
    async fn events_filtered_paged_and_in_zones() {
        let g = FakeGraph::start("app").await;
        let http = reqwest::Client::new();
        let (token, _) = sign_in(&g).await;
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap();
        let first = g.add_event("Kickoff", start, start + chrono::Duration::hours(1), "Europe/Paris", true, &[("Ada", "ada@example.com")]);
        for i in 0..3 {
            g.add_event(&format!("Call {i}"), start, start + chrono::Duration::hours(1), "UTC", i != 1, &[]);
        }
        let url = format!("{}/v1.0/me/events", g.base);
        let v: Value = http.get(&url).bearer_auth(&token).query(&[("$top", "10")]).send().await.unwrap().json().await.unwrap();
        assert_eq!((v["value"][0]["start"]["dateTime"].as_str(), v["value"][0]["start"]["timeZone"].as_str()), (Some("2026-12-01T15:00:00.0000000"), Some("Europe/Paris")));
        let v: Value = http.get(&url).bearer_auth(&token).header("Prefer", "outlook.timezone=\"UTC\"").send().await.unwrap().json().await.unwrap();
        assert_eq!(v["value"][0]["start"]["dateTime"], "2026-12-01T14:00:00.0000000");
        let mut subjects = vec![];
        let mut next = Some(format!("{url}?$top=2&$filter={}", encode("isOnlineMeeting eq true")));
        while let Some(link) = next {
            let v: Value = http.get(&link).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
            subjects.extend(v["value"].as_array().unwrap().iter().map(|e| e["subject"].as_str().unwrap().to_owned()));
            next = v["@odata.nextLink"].as_str().map(str::to_owned);
        }
        assert_eq!(subjects, ["Kickoff", "Call 0", "Call 2"]);
        let cut = Utc::now() + chrono::Duration::seconds(1);
        g.edit_event(&first, "Kickoff (moved)");
        g.set_last_modified(&first, cut);
        let filter = format!("isOnlineMeeting eq true and lastModifiedDateTime ge {}", cut.format("%Y-%m-%dT%H:%M:%SZ"));
        let v: Value = http.get(&url).bearer_auth(&token).query(&[("$filter", filter)]).send().await.unwrap().json().await.unwrap();
        assert_eq!(v["value"].as_array().unwrap().len(), 1);
        let r = http.get(&url).bearer_auth(&token).query(&[("$filter", "subject eq 'x'")]).send().await.unwrap();
        assert_eq!(r.status(), 400);

        g.throttle_next(1, 2);
        let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (429, "2"));
        g.fail_next([Fault::Status(503), Fault::Truncated]);
        assert_eq!(http.get(&url).bearer_auth(&token).send().await.unwrap().status(), 503);
        assert!(http.get(&url).bearer_auth(&token).send().await.unwrap().json::<Value>().await.is_err());
        let r: Value = http.get(&url).bearer_auth("junk").send().await.unwrap().json().await.unwrap();
        assert_eq!(r["error"]["code"], "InvalidAuthenticationToken");
        g.token_lifetime(Duration::from_millis(1));
        let (short, _) = sign_in(&g).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let r: Value = http.get(&url).bearer_auth(&short).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["error"]["message"], "Lifetime validation failed, the token is expired.");
        assert_eq!(g.graph_request_times().len(), 11);
    }
}
