//! A local HubSpot for tests: the CRM API v3 contact endpoints the integration uses, with the
//! shapes of HubSpot's public reference (paths, `Authorization: Bearer` private-app tokens, JSON
//! bodies, `paging.next.after` tokens, the `X-HubSpot-RateLimit-*` headers and the 429 body of the
//! ten-second rolling limit, error bodies with `status`, `message`, `correlationId`, `category`).
//! It keeps its contacts, so tests check round trips; faults can be queued (a 5xx, a truncated
//! answer, an expired token).
//!
//! Endpoints: `POST /crm/v3/objects/contacts/batch/create|update|read`,
//! `POST /crm/v3/objects/contacts/search`, `PATCH /crm/v3/objects/contacts/{id}`.

// A refusal is the whole HTTP answer, returned early by the checks before a handler's work.
#![allow(clippy::result_large_err)]

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One HubSpot contact: its id, properties (all strings, as HubSpot returns them) and times.
#[derive(Debug, Clone)]
pub struct HubContact {
    pub id: String,
    pub properties: BTreeMap<String, String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// One HubSpot note: its id, properties, and the contacts it is associated with.
#[derive(Debug, Clone)]
pub struct HubNote {
    pub id: String,
    pub properties: BTreeMap<String, String>,
    pub contacts: Vec<String>,
}

/// A fault the next request meets (before its work is done).
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status with HubSpot's error body.
    Status(u16),
    /// A 200 whose JSON body stops halfway.
    Truncated,
}

#[derive(Default)]
struct Hub {
    token: String,
    contacts: BTreeMap<u64, HubContact>,
    notes: BTreeMap<u64, HubNote>,
    next_id: u64,
    window: VecDeque<Instant>,
    faults: VecDeque<Fault>,
    /// Requests answered before the queued faults start.
    pass: u64,
    requests: u64,
    throttled: u64,
    batch_sizes: Vec<usize>,
}

/// The local HubSpot; stops when dropped.
pub struct FakeHubSpot {
    /// Its base URL (in place of `https://api.hubapi.com`).
    pub base: String,
    hub: Arc<Mutex<Hub>>,
    limit: (usize, Duration),
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct App {
    hub: Arc<Mutex<Hub>>,
    max: usize,
    interval: Duration,
}

impl FakeHubSpot {
    /// Starts one that takes `token`, with HubSpot's private-app limit of 100 requests per 10 s.
    pub async fn start(token: &str) -> FakeHubSpot {
        FakeHubSpot::with_limit(token, 100, Duration::from_secs(10)).await
    }

    /// Starts one allowing `max` requests per `interval` (rolling).
    pub async fn with_limit(token: &str, max: usize, interval: Duration) -> FakeHubSpot {
        let hub = Arc::new(Mutex::new(Hub { token: token.to_owned(), next_id: 1001, ..Default::default() }));
        let app = App { hub: hub.clone(), max, interval };
        let router = Router::new()
            .route("/crm/v3/objects/contacts/batch/create", post(batch_create))
            .route("/crm/v3/objects/contacts/batch/update", post(batch_update))
            .route("/crm/v3/objects/contacts/batch/read", post(batch_read))
            .route("/crm/v3/objects/contacts/search", post(search))
            .route("/crm/v3/objects/contacts/{id}", patch(patch_one))
            .route("/crm/v3/objects/notes/batch/create", post(notes_create))
            .route("/crm/v3/objects/notes/batch/update", post(notes_update))
            .with_state(app);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeHubSpot { base, hub, limit: (max, interval), task }
    }

    /// The contacts it holds, by id.
    pub fn contacts(&self) -> Vec<HubContact> {
        self.hub.lock().unwrap().contacts.values().cloned().collect()
    }

    /// The notes it holds, by id.
    pub fn notes(&self) -> Vec<HubNote> {
        self.hub.lock().unwrap().notes.values().cloned().collect()
    }

    /// The contact with this email.
    pub fn by_email(&self, email: &str) -> Option<HubContact> {
        self.hub.lock().unwrap().contacts.values().find(|c| c.properties.get("email").is_some_and(|e| e.eq_ignore_ascii_case(email))).cloned()
    }

    /// A contact made in HubSpot by a HubSpot user; its id.
    pub fn create(&self, props: &[(&str, &str)]) -> String {
        self.create_at(props, chrono::Utc::now())
    }

    /// A contact HubSpot has had, last changed at `at`; its id.
    pub fn create_at(&self, props: &[(&str, &str)], at: chrono::DateTime<chrono::Utc>) -> String {
        let mut h = self.hub.lock().unwrap();
        let id = h.next_id;
        h.next_id += 1;
        let properties = props.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        h.contacts.insert(id, HubContact { id: id.to_string(), properties, created_at: at, updated_at: at });
        id.to_string()
    }

    /// An edit made in HubSpot by a HubSpot user.
    pub fn edit(&self, id: &str, props: &[(&str, &str)]) {
        let mut h = self.hub.lock().unwrap();
        let c = h.contacts.get_mut(&id.parse::<u64>().expect("a HubSpot id")).expect("a contact with that id");
        for (k, v) in props {
            c.properties.insert((*k).to_owned(), (*v).to_owned());
        }
        c.updated_at = chrono::Utc::now();
    }

    /// The next requests meet these faults, one each.
    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.hub.lock().unwrap().faults.extend(faults);
    }

    /// The queued faults start after `n` more requests are answered.
    pub fn fail_after(&self, n: u64, faults: impl IntoIterator<Item = Fault>) {
        let mut h = self.hub.lock().unwrap();
        h.pass = n;
        h.faults.extend(faults);
    }

    /// Takes a new token (the old one then gets 401).
    pub fn rotate_token(&self, token: &str) {
        self.hub.lock().unwrap().token = token.to_owned();
    }

    /// Requests answered, and how many of them were 429s.
    pub fn requests(&self) -> (u64, u64) {
        let h = self.hub.lock().unwrap();
        (h.requests, h.throttled)
    }

    /// The size of each batch create or update received.
    pub fn batch_sizes(&self) -> Vec<usize> {
        self.hub.lock().unwrap().batch_sizes.clone()
    }

    /// Its rate limit: requests per interval.
    pub fn limit(&self) -> (usize, Duration) {
        self.limit
    }
}

impl Drop for FakeHubSpot {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn correlation() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn error(status: StatusCode, category: &str, message: &str) -> Response {
    (status, Json(json!({ "status": "error", "message": message, "correlationId": correlation(), "category": category }))).into_response()
}

/// Auth, the rolling rate limit and queued faults, as HubSpot applies them before the work.
fn gate(app: &App, headers: &HeaderMap) -> Result<HeaderMap, Response> {
    let mut h = app.hub.lock().unwrap();
    h.requests += 1;
    let want = format!("Bearer {}", h.token);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(want.as_str()) {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        ));
    }
    let now = Instant::now();
    while h.window.front().is_some_and(|t| now.duration_since(*t) >= app.interval) {
        h.window.pop_front();
    }
    let mut out = HeaderMap::new();
    out.insert("x-hubspot-ratelimit-max", HeaderValue::from(app.max as u64));
    out.insert("x-hubspot-ratelimit-interval-milliseconds", HeaderValue::from(app.interval.as_millis() as u64));
    if h.window.len() >= app.max {
        h.throttled += 1;
        out.insert("x-hubspot-ratelimit-remaining", HeaderValue::from(0u64));
        let body = json!({
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": correlation(),
            "policyName": "TEN_SECONDLY_ROLLING",
        });
        return Err((StatusCode::TOO_MANY_REQUESTS, out, Json(body)).into_response());
    }
    h.window.push_back(now);
    out.insert("x-hubspot-ratelimit-remaining", HeaderValue::from((app.max - h.window.len()) as u64));
    if h.pass > 0 {
        h.pass -= 1;
        return Ok(out);
    }
    match h.faults.pop_front() {
        Some(Fault::Status(s)) => {
            let status = StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err(error(status, "INTERNAL_ERROR", "internal error"))
        }
        Some(Fault::Truncated) => Err((StatusCode::OK, [("content-type", "application/json")], "{\"status\":\"COMPLETE\",\"results\":[{\"id\":\"1").into_response()),
        None => Ok(out),
    }
}

fn object(c: &HubContact, wanted: Option<&[String]>) -> Value {
    let mut props = Map::new();
    for (k, v) in &c.properties {
        if wanted.is_none_or(|w| w.iter().any(|x| x == k)) || ["email", "firstname", "lastname"].contains(&k.as_str()) {
            props.insert(k.clone(), Value::String(v.clone()));
        }
    }
    props.insert("hs_object_id".into(), Value::String(c.id.clone()));
    props.insert("createdate".into(), Value::String(c.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)));
    props.insert("lastmodifieddate".into(), Value::String(c.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)));
    json!({
        "id": c.id,
        "properties": props,
        "createdAt": c.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "updatedAt": c.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "archived": false,
    })
}

fn props_of(input: &Value) -> Result<BTreeMap<String, String>, Response> {
    let Some(p) = input.get("properties").and_then(Value::as_object) else {
        return Err(error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "Invalid input JSON on line 1: properties are required"));
    };
    let mut out = BTreeMap::new();
    for (k, v) in p {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        out.insert(k.clone(), s);
    }
    Ok(out)
}

fn inputs(body: &Value) -> Result<&Vec<Value>, Response> {
    let inputs = body.get("inputs").and_then(Value::as_array).ok_or_else(|| error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "Invalid input JSON: inputs is required"))?;
    if inputs.len() > 100 {
        return Err(error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "Batch input cannot exceed 100 inputs."));
    }
    Ok(inputs)
}

fn batch_answer(status: StatusCode, results: Vec<Value>, errors: Vec<Value>, started: chrono::DateTime<chrono::Utc>, headers: HeaderMap) -> Response {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut body = json!({ "status": "COMPLETE", "results": results, "startedAt": started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true), "completedAt": now });
    let status = if errors.is_empty() {
        status
    } else {
        body["numErrors"] = json!(errors.len());
        body["errors"] = Value::Array(errors);
        StatusCode::MULTI_STATUS
    };
    (status, headers, Json(body)).into_response()
}

fn valid_email(e: &str) -> bool {
    let mut parts = e.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && b.contains('.'))
}

async fn batch_create(State(app): State<App>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let started = chrono::Utc::now();
    let out = match gate(&app, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let inputs = match inputs(&body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut h = app.hub.lock().unwrap();
    h.batch_sizes.push(inputs.len());
    // HubSpot refuses the whole batch when an email is taken (409) or a value is invalid (400).
    let mut props = vec![];
    for input in inputs {
        let p = match props_of(input) {
            Ok(p) => p,
            Err(r) => return r,
        };
        if let Some(e) = p.get("email").filter(|e| !e.is_empty()) {
            if !valid_email(e) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "VALIDATION_ERROR",
                    &format!("Property values were not valid: [{{\"isValid\":false,\"message\":\"Email address {e} is invalid\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}}]"),
                );
            }
            if let Some(c) = h.contacts.values().find(|c| c.properties.get("email").is_some_and(|x| x.eq_ignore_ascii_case(e))) {
                return error(StatusCode::CONFLICT, "CONFLICT", &format!("Contact already exists. Existing ID: {}", c.id));
            }
        }
        props.push(p);
    }
    let now = chrono::Utc::now();
    let mut results = vec![];
    for p in props {
        let id = h.next_id;
        h.next_id += 1;
        let c = HubContact { id: id.to_string(), properties: p.into_iter().filter(|(_, v)| !v.is_empty()).collect(), created_at: now, updated_at: now };
        results.push(object(&c, None));
        h.contacts.insert(id, c);
    }
    batch_answer(StatusCode::CREATED, results, vec![], started, out)
}

async fn batch_update(State(app): State<App>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let started = chrono::Utc::now();
    let out = match gate(&app, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let inputs = match inputs(&body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut h = app.hub.lock().unwrap();
    h.batch_sizes.push(inputs.len());
    let now = chrono::Utc::now();
    let (mut results, mut errors) = (vec![], vec![]);
    for input in inputs {
        let id = input.get("id").and_then(Value::as_str).and_then(|s| s.parse::<u64>().ok());
        let p = match props_of(input) {
            Ok(p) => p,
            Err(r) => return r,
        };
        if let Some(e) = p.get("email").filter(|e| !e.is_empty() && !valid_email(e)) {
            errors.push(json!({ "status": "error", "category": "VALIDATION_ERROR", "message": format!("Email address {e} is invalid"), "context": { "ids": [input.get("id")] } }));
            continue;
        }
        match id.and_then(|id| h.contacts.get_mut(&id)) {
            Some(c) => {
                for (k, v) in p {
                    if v.is_empty() {
                        c.properties.remove(&k);
                    } else {
                        c.properties.insert(k, v);
                    }
                }
                c.updated_at = now;
                results.push(object(c, None));
            }
            None => errors.push(json!({ "status": "error", "category": "OBJECT_NOT_FOUND", "message": "Could not get some CONTACT objects, they may be deleted or not exist.", "context": { "ids": [input.get("id")] } })),
        }
    }
    batch_answer(StatusCode::OK, results, errors, started, out)
}

async fn batch_read(State(app): State<App>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let started = chrono::Utc::now();
    let out = match gate(&app, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let inputs = match inputs(&body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let by_email = body.get("idProperty").and_then(Value::as_str) == Some("email");
    let wanted: Option<Vec<String>> = body.get("properties").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect());
    let h = app.hub.lock().unwrap();
    let (mut results, mut missing) = (vec![], vec![]);
    for input in inputs {
        let key = input.get("id").and_then(Value::as_str).unwrap_or_default();
        let found = if by_email {
            h.contacts.values().find(|c| c.properties.get("email").is_some_and(|e| e.eq_ignore_ascii_case(key)))
        } else {
            key.parse::<u64>().ok().and_then(|id| h.contacts.get(&id))
        };
        match found {
            Some(c) => results.push(object(c, wanted.as_deref())),
            None => missing.push(Value::String(key.to_owned())),
        }
    }
    let errors = if missing.is_empty() {
        vec![]
    } else {
        vec![
            json!({ "status": "error", "category": "OBJECT_NOT_FOUND", "message": "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.", "context": { "ids": missing } }),
        ]
    };
    batch_answer(StatusCode::OK, results, errors, started, out)
}

/// Search: `filterGroups` on `lastmodifieddate` (GT, GTE, LT, LTE; milliseconds since the epoch)
/// and `email` (EQ), `sorts` by `lastmodifieddate`, `limit` up to 100 and `after`; no more than
/// 10,000 results can be paged through, as in HubSpot.
async fn search(State(app): State<App>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let out = match gate(&app, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let limit = body.get("limit").and_then(Value::as_u64).unwrap_or(10).min(200) as usize;
    if limit > 100 {
        return error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "limit must be less than or equal to 100");
    }
    let after: usize = body.get("after").and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string()))).and_then(|s| s.parse().ok()).unwrap_or(0);
    if after + limit > 10_000 {
        return error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "The maximum number of results that can be paged through is 10000.");
    }
    let wanted: Option<Vec<String>> = body.get("properties").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect());
    let groups = body.get("filterGroups").and_then(Value::as_array).cloned().unwrap_or_default();
    let matches = |c: &HubContact| -> bool {
        groups.is_empty()
            || groups.iter().any(|g| {
                g.get("filters").and_then(Value::as_array).map(|fs| {
                    fs.iter().all(|f| {
                        let name = f.get("propertyName").and_then(Value::as_str).unwrap_or_default();
                        let op = f.get("operator").and_then(Value::as_str).unwrap_or_default();
                        let value = f.get("value").and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_i64().map(|n| n.to_string()))).unwrap_or_default();
                        if name == "lastmodifieddate" {
                            let (at, v) = (c.updated_at.timestamp_millis(), value.parse::<i64>().unwrap_or(0));
                            match op {
                                "GT" => at > v,
                                "GTE" => at >= v,
                                "LT" => at < v,
                                "LTE" => at <= v,
                                _ => false,
                            }
                        } else {
                            op == "EQ" && c.properties.get(name).is_some_and(|x| x.eq_ignore_ascii_case(&value))
                        }
                    })
                }) == Some(true)
            })
    };
    let h = app.hub.lock().unwrap();
    let mut found: Vec<&HubContact> = h.contacts.values().filter(|c| matches(c)).collect();
    let descending = body.get("sorts").and_then(Value::as_array).and_then(|s| s.first()).and_then(|s| s.get("direction")).and_then(Value::as_str) == Some("DESCENDING");
    found.sort_by_key(|c| (c.updated_at, c.id.parse::<u64>().unwrap_or(0)));
    if descending {
        found.reverse();
    }
    let total = found.len();
    let page: Vec<Value> = found.iter().skip(after).take(limit).map(|c| object(c, wanted.as_deref())).collect();
    let mut body = json!({ "total": total, "results": page });
    if after + limit < total {
        let next = (after + limit).to_string();
        body["paging"] = json!({ "next": { "after": next, "link": format!("?after={next}") } });
    }
    (StatusCode::OK, out, Json(body)).into_response()
}

async fn patch_one(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    let out = match gate(&app, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let p = match props_of(&body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut h = app.hub.lock().unwrap();
    let Some(c) = id.parse::<u64>().ok().and_then(|id| h.contacts.get_mut(&id)) else {
        return error(StatusCode::NOT_FOUND, "OBJECT_NOT_FOUND", "resource not found");
    };
    for (k, v) in p {
        c.properties.insert(k, v);
    }
    c.updated_at = chrono::Utc::now();
    (StatusCode::OK, out, Json(object(c, None))).into_response()
}

fn note_object(n: &HubNote) -> Value {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({ "id": n.id, "properties": n.properties, "createdAt": now, "updatedAt": now, "archived": false })
}

/// `POST /crm/v3/objects/notes/batch/create`: each input's properties (`hs_timestamp` required)
/// and associations (to contacts it holds, type 202). Results come in no particular order, as
/// HubSpot documents.
async fn notes_create(State(app): State<App>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let started = chrono::Utc::now();
    let out = match gate(&app, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let inputs = match inputs(&body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut h = app.hub.lock().unwrap();
    h.batch_sizes.push(inputs.len());
    let mut made = vec![];
    for input in inputs {
        let p = match props_of(input) {
            Ok(p) => p,
            Err(r) => return r,
        };
        if p.get("hs_timestamp").is_none_or(|t| chrono::DateTime::parse_from_rfc3339(t).is_err()) {
            return error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "Property values were not valid: hs_timestamp is required");
        }
        let mut contacts = vec![];
        for a in input.get("associations").and_then(Value::as_array).into_iter().flatten() {
            let to = a.pointer("/to/id").and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string()))).unwrap_or_default();
            let kind = a.pointer("/types/0/associationTypeId").and_then(Value::as_u64);
            if kind != Some(202) || !to.parse::<u64>().is_ok_and(|id| h.contacts.contains_key(&id)) {
                return error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", &format!("Association to contact {to} is not valid"));
            }
            contacts.push(to);
        }
        made.push((p, contacts));
    }
    let mut results = vec![];
    for (p, contacts) in made {
        let id = h.next_id;
        h.next_id += 1;
        let n = HubNote { id: id.to_string(), properties: p, contacts };
        results.push(note_object(&n));
        h.notes.insert(id, n);
    }
    results.reverse();
    batch_answer(StatusCode::CREATED, results, vec![], started, out)
}

/// `POST /crm/v3/objects/notes/batch/update`.
async fn notes_update(State(app): State<App>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let started = chrono::Utc::now();
    let out = match gate(&app, &headers) {
        Ok(h) => h,
        Err(r) => return r,
    };
    let inputs = match inputs(&body) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut h = app.hub.lock().unwrap();
    let (mut results, mut missing) = (vec![], vec![]);
    for input in inputs {
        let id = input.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let p = match props_of(input) {
            Ok(p) => p,
            Err(r) => return r,
        };
        match id.parse::<u64>().ok().and_then(|k| h.notes.get_mut(&k)) {
            Some(n) => {
                n.properties.extend(p);
                results.push(note_object(n));
            }
            None => missing.push(id),
        }
    }
    let errors = if missing.is_empty() {
        vec![]
    } else {
        vec![
            json!({ "status": "error", "category": "OBJECT_NOT_FOUND", "message": "Could not get some NOTE objects, they may be deleted or not exist.", "context": { "ids": missing } }),
        ]
    };
    batch_answer(StatusCode::OK, results, errors, started, out)
}
