//! A local Mailchimp for tests: the Marketing API 3.0 endpoints an audience sync uses, with the
//! shapes of Mailchimp's public reference: HTTP Basic auth with the API key as password, members
//! keyed by their subscriber hash (MD5 of the lowercased email), `count`/`offset` paging with
//! `total_items`, batch operations whose results come as a gzip'd tar of JSON files from a
//! separate unauthenticated URL, `application/problem+json` errors, and the limit of ten
//! simultaneous connections (429). Faults can be queued (an error status, a truncated answer).
//!
//! Endpoints, under `/3.0`: `GET /ping`, `GET /lists/{list_id}`, `GET /lists/{list_id}/members`,
//! `GET|PUT /lists/{list_id}/members/{hash}`, `POST /lists/{list_id}/members/{hash}/tags`,
//! `POST /batches`, `GET /batches/{batch_id}`. Batch results: `GET /batch-results/{batch_id}.tar.gz`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use base64::Engine;
use chrono::{DateTime, SubsecRound, Utc};
use md5::{Digest, Md5};
use rand::Rng;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The statuses a member can have.
pub const STATUSES: [&str; 5] = ["subscribed", "unsubscribed", "cleaned", "pending", "transactional"];

/// Mailchimp's limit of simultaneous connections per account.
pub const MAX_CONNECTIONS: usize = 10;

/// One audience member.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub email: String,
    /// `subscribed`, `unsubscribed`, `cleaned`, `pending` or `transactional`.
    pub status: String,
    pub merge_fields: BTreeMap<String, String>,
    pub tags: BTreeSet<String>,
    pub last_changed: DateTime<Utc>,
}

/// A fault the next API request meets (before its work is done).
#[derive(Debug, Clone)]
pub enum Fault {
    /// This status with Mailchimp's problem body.
    Status(u16),
    /// A 200 whose JSON body stops halfway.
    Truncated,
}

/// The subscriber hash Mailchimp keys members by: lowercase hex MD5 of the lowercased email.
pub fn subscriber_hash(email: &str) -> String {
    format!("{:x}", Md5::digest(email.to_lowercase().as_bytes()))
}

#[derive(Default)]
struct List {
    name: String,
    members: BTreeMap<String, Member>,
    tag_ids: BTreeMap<String, u64>,
}

struct OpResult {
    status: u16,
    operation_id: Value,
    response: String,
}

struct Batch {
    results: Vec<OpResult>,
    submitted_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
    polls: u32,
}

#[derive(Default)]
struct Chimp {
    key: String,
    lists: BTreeMap<String, List>,
    batches: BTreeMap<String, Batch>,
    faults: VecDeque<Fault>,
    /// API requests answered before the queued faults start.
    pass: u64,
    requests: u64,
    batch_requests: u64,
    batch_sizes: Vec<usize>,
    resubscribed: u64,
    in_flight: usize,
    peak_in_flight: usize,
    latency: Duration,
}

#[derive(Clone)]
struct App {
    chimp: Arc<Mutex<Chimp>>,
    base: String,
}

/// The local Mailchimp; stops when dropped.
pub struct FakeMailchimp {
    /// Its base URL (in place of `https://<dc>.api.mailchimp.com`); the API is under `/3.0`.
    pub base: String,
    chimp: Arc<Mutex<Chimp>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeMailchimp {
    /// Starts one that takes `api_key` (as the Basic auth password, any user name).
    pub async fn start(api_key: &str) -> FakeMailchimp {
        let chimp = Arc::new(Mutex::new(Chimp { key: api_key.to_owned(), ..Default::default() }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let app = App { chimp: chimp.clone(), base: base.clone() };
        let router = Router::new()
            .route("/3.0/{*rest}", any(api))
            .route("/batch-results/{file}", get(batch_results))
            .fallback(|State(app): State<App>| async move {
                app.chimp.lock().unwrap().requests += 1;
                problem_response(404, &not_found())
            })
            // A batch of 10,000 members is a body of a few megabytes, which Mailchimp takes.
            .layer(axum::extract::DefaultBodyLimit::max(64 << 20))
            .with_state(app);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeMailchimp { base, chimp, task }
    }

    /// A new, empty audience; its id (10 lowercase hex characters).
    pub fn create_list(&self, name: &str) -> String {
        let id = hex_id();
        self.chimp.lock().unwrap().lists.insert(id.clone(), List { name: name.to_owned(), ..Default::default() });
        id
    }

    /// Adds a member with this status (or sets the status of the one there), changed now.
    pub fn add_member(&self, list: &str, email: &str, status: &str) {
        assert!(STATUSES.contains(&status), "a Mailchimp member status");
        let mut c = self.chimp.lock().unwrap();
        let l = c.lists.get_mut(list).expect("a list made with create_list");
        let m = l.members.entry(subscriber_hash(email)).or_insert_with(|| Member {
            email: email.to_owned(),
            status: status.to_owned(),
            merge_fields: BTreeMap::new(),
            tags: BTreeSet::new(),
            last_changed: now(),
        });
        m.status = status.to_owned();
        m.last_changed = now();
    }

    /// The member unsubscribes (in Mailchimp, by a link in a campaign).
    pub fn unsubscribe(&self, list: &str, email: &str) {
        self.set_status(list, email, "unsubscribed");
    }

    /// Mailchimp cleans the member's address (it bounced).
    pub fn clean(&self, list: &str, email: &str) {
        self.set_status(list, email, "cleaned");
    }

    fn set_status(&self, list: &str, email: &str, status: &str) {
        self.edit(list, email, |m| {
            m.status = status.to_owned();
            m.last_changed = now();
        });
    }

    /// Sets when the member last changed.
    pub fn set_last_changed(&self, list: &str, email: &str, at: DateTime<Utc>) {
        self.edit(list, email, |m| m.last_changed = at.trunc_subsecs(0));
    }

    fn edit(&self, list: &str, email: &str, f: impl FnOnce(&mut Member)) {
        let mut c = self.chimp.lock().unwrap();
        let l = c.lists.get_mut(list).expect("a list made with create_list");
        f(l.members.get_mut(&subscriber_hash(email)).expect("a member with that email"));
    }

    /// The audience's members, in the order the API lists them (by last change, then email).
    pub fn members(&self, list: &str) -> Vec<Member> {
        let c = self.chimp.lock().unwrap();
        c.lists.get(list).map(|l| sorted(l).into_iter().cloned().collect()).unwrap_or_default()
    }

    /// The member with this email.
    pub fn member(&self, list: &str, email: &str) -> Option<Member> {
        self.chimp.lock().unwrap().lists.get(list)?.members.get(&subscriber_hash(email)).cloned()
    }

    /// How many times a PUT turned an unsubscribed or cleaned member back into a subscribed one.
    pub fn resubscribed(&self) -> u64 {
        self.chimp.lock().unwrap().resubscribed
    }

    /// The queued faults start after `n` more API requests are answered.
    pub fn fail_after(&self, n: u64, faults: impl IntoIterator<Item = Fault>) {
        let mut c = self.chimp.lock().unwrap();
        c.pass = n;
        c.faults.extend(faults);
    }

    /// The next API requests meet these faults, one each.
    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.chimp.lock().unwrap().faults.extend(faults);
    }

    /// Every request received (API, refused ones, result downloads).
    pub fn requests(&self) -> u64 {
        self.chimp.lock().unwrap().requests
    }

    /// Requests to `/3.0/batches` and `/3.0/batches/{id}` (submissions and polls).
    pub fn batch_requests(&self) -> u64 {
        self.chimp.lock().unwrap().batch_requests
    }

    /// The number of operations in each batch submitted.
    pub fn batches(&self) -> Vec<usize> {
        self.chimp.lock().unwrap().batch_sizes.clone()
    }

    /// Each API request takes at least this long from now on (so that concurrent ones overlap).
    pub fn latency(&self, d: Duration) {
        self.chimp.lock().unwrap().latency = d;
    }

    /// The most API requests that were in flight at once (those refused with 429 included).
    pub fn peak_in_flight(&self) -> usize {
        self.chimp.lock().unwrap().peak_in_flight
    }
}

impl Drop for FakeMailchimp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn hex_id() -> String {
    format!("{:010x}", rand::thread_rng().gen_range(0..1u64 << 40))
}

fn sorted(l: &List) -> Vec<&Member> {
    let mut v: Vec<&Member> = l.members.values().collect();
    v.sort_by(|a, b| (a.last_changed, &a.email).cmp(&(b.last_changed, &b.email)));
    v
}

/// An answer of the API: a status and a JSON body (none for 204).
struct Answer(u16, Option<Value>);

fn problem(status: u16, title: &str, detail: &str) -> Answer {
    Answer(
        status,
        Some(json!({
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": uuid::Uuid::now_v7().to_string(),
        })),
    )
}

fn invalid(field: &str, message: &str) -> Answer {
    let mut a = problem(400, "Invalid Resource", "The resource submitted could not be validated. For field-specific details, see the 'errors' array.");
    if let Some(b) = a.1.as_mut() {
        b["errors"] = json!([{ "field": field, "message": message }]);
    }
    a
}

fn not_found() -> Answer {
    problem(404, "Resource Not Found", "The requested resource could not be found.")
}

fn problem_response(status: u16, a: &Answer) -> Response {
    let body = a.1.as_ref().map(Value::to_string).unwrap_or_default();
    (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), [("content-type", "application/problem+json; charset=utf-8")], body).into_response()
}

fn respond(a: Answer) -> Response {
    let status = StatusCode::from_u16(a.0).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match &a.1 {
        _ if a.0 >= 400 => problem_response(a.0, &a),
        None => status.into_response(),
        Some(v) => (status, [("content-type", "application/json; charset=utf-8")], v.to_string()).into_response(),
    }
}

fn fault_answer(status: u16) -> Answer {
    let (title, detail) = match status {
        400 => ("Bad Request", "The request could not be processed."),
        401 => ("API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter."),
        403 => ("Forbidden", "You don't have permission to access this resource."),
        404 => ("Resource Not Found", "The requested resource could not be found."),
        429 => ("Too Many Requests", "You have exceeded the limit of 10 simultaneous connections."),
        503 => ("Service Unavailable", "The service is temporarily unavailable. Please try again later."),
        _ => ("Internal Server Error", "An unexpected internal error has occurred. Please contact Support for more information."),
    };
    problem(status, title, detail)
}

/// Holds a place among the requests in flight until the answer is made.
struct InFlight(Arc<Mutex<Chimp>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.lock().unwrap().in_flight -= 1;
    }
}

fn authorized(headers: &HeaderMap, key: &str) -> bool {
    let Some(b64) = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Basic ")) else {
        return false;
    };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    String::from_utf8_lossy(&raw).split_once(':').is_some_and(|(_, password)| password == key)
}

async fn api(State(app): State<App>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let (_slot, over, latency) = {
        let mut c = app.chimp.lock().unwrap();
        c.requests += 1;
        c.in_flight += 1;
        c.peak_in_flight = c.peak_in_flight.max(c.in_flight);
        (InFlight(app.chimp.clone()), c.in_flight > MAX_CONNECTIONS, c.latency)
    };
    if over {
        return respond(problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections."));
    }
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let path = uri.path().strip_prefix("/3.0").unwrap_or_default();
    let mut c = app.chimp.lock().unwrap();
    if path.starts_with("/batches") {
        c.batch_requests += 1;
    }
    if !authorized(&headers, &c.key) {
        return respond(problem(401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter."));
    }
    let fault = if c.pass > 0 {
        c.pass -= 1;
        None
    } else {
        c.faults.pop_front()
    };
    match fault {
        Some(Fault::Status(s)) => return respond(fault_answer(s)),
        Some(Fault::Truncated) => return (StatusCode::OK, [("content-type", "application/json; charset=utf-8")], "{\"members\":[{\"id\":\"8a2").into_response(),
        None => {}
    }
    let params = Query::<Vec<(String, String)>>::try_from_uri(&uri).map(|q| q.0).unwrap_or_default();
    respond(dispatch(&mut c, &app.base, method.as_str(), path, &params, &body))
}

/// Does one API call (from a request or a batch operation); `path` is relative to `/3.0`.
fn dispatch(c: &mut Chimp, base: &str, method: &str, path: &str, params: &[(String, String)], body: &[u8]) -> Answer {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["ping"]) => Answer(200, Some(json!({ "health_status": "Everything's Chimpy!" }))),
        ("GET", ["lists", id]) => get_list(c, id),
        ("GET", ["lists", id, "members"]) => list_members(c, id, params),
        ("GET", ["lists", id, "members", hash]) => match c.lists.get(*id).and_then(|l| l.members.get(*hash).map(|m| member_json(l, id, m))) {
            Some(v) => Answer(200, Some(v)),
            None => not_found(),
        },
        ("PUT", ["lists", id, "members", hash]) => put_member(c, id, hash, body),
        ("POST", ["lists", id, "members", hash, "tags"]) => post_tags(c, id, hash, body),
        ("POST", ["batches"]) => post_batch(c, base, body),
        ("GET", ["batches", id]) => get_batch(c, base, id),
        _ => not_found(),
    }
}

fn parse_body(body: &[u8]) -> Result<Value, Answer> {
    serde_json::from_slice(body).map_err(|_| problem(400, "JSON Parse Error", "We encountered an unspecified JSON parsing error."))
}

fn get_list(c: &Chimp, id: &str) -> Answer {
    let Some(l) = c.lists.get(id) else {
        return not_found();
    };
    let count = |s: &str| l.members.values().filter(|m| m.status == s).count();
    Answer(
        200,
        Some(json!({
            "id": id,
            "name": l.name,
            "stats": { "member_count": count("subscribed"), "unsubscribe_count": count("unsubscribed"), "cleaned_count": count("cleaned") },
        })),
    )
}

fn member_json(l: &List, list_id: &str, m: &Member) -> Value {
    let hash = subscriber_hash(&m.email);
    let mut merge = Map::new();
    merge.insert("FNAME".into(), json!(""));
    merge.insert("LNAME".into(), json!(""));
    for (k, v) in &m.merge_fields {
        merge.insert(k.clone(), json!(v));
    }
    let tags: Vec<Value> = m.tags.iter().map(|t| json!({ "id": l.tag_ids.get(t).copied().unwrap_or(0), "name": t })).collect();
    json!({
        "id": hash,
        "email_address": m.email,
        "unique_email_id": subscriber_hash(&format!("{list_id}{hash}"))[..10],
        "status": m.status,
        "merge_fields": merge,
        "tags_count": tags.len(),
        "tags": tags,
        "list_id": list_id,
        "last_changed": rfc3339(m.last_changed),
    })
}

fn valid_email(e: &str) -> bool {
    match e.rsplit_once('@') {
        Some((local, domain)) => !local.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'),
        None => false,
    }
}

fn put_member(c: &mut Chimp, list_id: &str, hash: &str, body: &[u8]) -> Answer {
    let Some(l) = c.lists.get_mut(list_id) else {
        return not_found();
    };
    let v = match parse_body(body) {
        Ok(v) => v,
        Err(a) => return a,
    };
    let Some(email) = v.get("email_address").and_then(Value::as_str).filter(|e| !e.is_empty()) else {
        return invalid("email_address", "This value should not be blank.");
    };
    if !valid_email(email) {
        return problem(400, "Invalid Resource", &format!("{email} looks fake or invalid, please enter a real email address."));
    }
    if hash != subscriber_hash(email) {
        return invalid("email_address", "The email address does not match the subscriber hash in the URL.");
    }
    let mut statuses = [None, None];
    for (slot, field) in statuses.iter_mut().zip(["status", "status_if_new"]) {
        match v.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if STATUSES.contains(&s.as_str()) => *slot = Some(s.clone()),
            Some(_) => return invalid(field, "Value must be one of: subscribed, unsubscribed, cleaned, pending, transactional"),
        }
    }
    let [status, status_if_new] = statuses;
    let merge_fields: BTreeMap<String, String> = match v.get("merge_fields") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k.clone(), s)
            })
            .collect(),
        Some(_) => return invalid("merge_fields", "Schema describes object, string found instead"),
    };
    match l.members.get_mut(hash) {
        Some(m) => {
            let mut changed = false;
            for (k, val) in merge_fields {
                if m.merge_fields.get(&k) != Some(&val) {
                    m.merge_fields.insert(k, val);
                    changed = true;
                }
            }
            if let Some(s) = status.filter(|s| *s != m.status) {
                if s == "subscribed" && (m.status == "unsubscribed" || m.status == "cleaned") {
                    c.resubscribed += 1;
                }
                m.status = s;
                changed = true;
            }
            if changed {
                m.last_changed = now();
            }
        }
        None => {
            let Some(status) = status.or(status_if_new) else {
                return invalid("status", "Required fields were not provided: status");
            };
            l.members.insert(hash.to_owned(), Member { email: email.to_owned(), status, merge_fields, tags: BTreeSet::new(), last_changed: now() });
        }
    }
    Answer(200, Some(member_json(l, list_id, &l.members[hash])))
}

fn post_tags(c: &mut Chimp, list_id: &str, hash: &str, body: &[u8]) -> Answer {
    let Some(l) = c.lists.get_mut(list_id) else {
        return not_found();
    };
    if !l.members.contains_key(hash) {
        return not_found();
    }
    let v = match parse_body(body) {
        Ok(v) => v,
        Err(a) => return a,
    };
    let Some(tags) = v.get("tags").and_then(Value::as_array) else {
        return invalid("tags", "Required fields were not provided: tags");
    };
    let mut changes = vec![];
    for t in tags {
        let (Some(name), Some(status)) = (t.get("name").and_then(Value::as_str), t.get("status").and_then(Value::as_str)) else {
            return invalid("tags", "Each tag needs a name and a status.");
        };
        if status != "active" && status != "inactive" {
            return invalid("tags.status", "Value must be one of: active, inactive");
        }
        changes.push((name.to_owned(), status == "active"));
    }
    for (name, active) in changes {
        if active {
            let next = 10_000 + l.tag_ids.len() as u64 + 1;
            l.tag_ids.entry(name.clone()).or_insert(next);
            l.members.get_mut(hash).expect("checked").tags.insert(name);
        } else {
            l.members.get_mut(hash).expect("checked").tags.remove(&name);
        }
    }
    Answer(204, None)
}

fn list_members(c: &Chimp, list_id: &str, params: &[(String, String)]) -> Answer {
    let Some(l) = c.lists.get(list_id) else {
        return not_found();
    };
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let status = param("status");
    if status.is_some_and(|s| !STATUSES.contains(&s)) {
        return invalid("status", "Value must be one of: subscribed, unsubscribed, cleaned, pending, transactional");
    }
    let since = match param("since_last_changed") {
        None => None,
        // A '+' sent unencoded in a query string arrives as a space.
        Some(s) => match DateTime::parse_from_rfc3339(&s.replace(' ', "+")) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => return invalid("since_last_changed", "The date and time must be in ISO 8601 format."),
        },
    };
    let (Ok(count), Ok(offset)) = (param("count").unwrap_or("10").parse::<usize>(), param("offset").unwrap_or("0").parse::<usize>()) else {
        return problem(400, "Invalid Resource", "count and offset must be whole numbers.");
    };
    let matching: Vec<&Member> = sorted(l).into_iter().filter(|m| status.is_none_or(|s| m.status == s) && since.is_none_or(|t| m.last_changed >= t)).collect();
    let members: Vec<Value> = matching.iter().skip(offset).take(count.min(1000)).map(|m| member_json(l, list_id, m)).collect();
    Answer(200, Some(json!({ "members": members, "list_id": list_id, "total_items": matching.len() })))
}

fn post_batch(c: &mut Chimp, base: &str, body: &[u8]) -> Answer {
    let v = match parse_body(body) {
        Ok(v) => v,
        Err(a) => return a,
    };
    let Some(ops) = v.get("operations").and_then(Value::as_array) else {
        return invalid("operations", "Required fields were not provided: operations");
    };
    let mut results = vec![];
    for op in ops {
        let (Some(method), Some(path)) = (op.get("method").and_then(Value::as_str), op.get("path").and_then(Value::as_str)) else {
            return invalid("operations", "Each operation needs a method and a path.");
        };
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut params: Vec<(String, String)> = Query::try_from_uri(&format!("/?{query}").parse().unwrap_or_default()).map(|q| q.0).unwrap_or_default();
        if let Some(p) = op.get("params").and_then(Value::as_object) {
            params.extend(p.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))));
        }
        let body = op.get("body").and_then(Value::as_str).unwrap_or_default();
        let answer = if path.trim_start_matches('/').starts_with("batches") { not_found() } else { dispatch(c, base, &method.to_uppercase(), path, &params, body.as_bytes()) };
        let response = answer.1.as_ref().map(Value::to_string).unwrap_or_default();
        results.push(OpResult { status: answer.0, operation_id: op.get("operation_id").cloned().unwrap_or(Value::Null), response });
    }
    let id = hex_id();
    c.batch_sizes.push(results.len());
    c.batches.insert(id.clone(), Batch { results, submitted_at: now(), completed_at: None, polls: 0 });
    Answer(200, Some(batch_json(&id, &c.batches[&id], base)))
}

fn batch_json(id: &str, b: &Batch, base: &str) -> Value {
    let finished = b.completed_at.is_some();
    let errored = b.results.iter().filter(|r| r.status >= 400).count();
    json!({
        "id": id,
        "status": match b.polls { 0 => "pending", 1 => "started", _ => "finished" },
        "total_operations": b.results.len(),
        "finished_operations": if finished { b.results.len() } else { 0 },
        "errored_operations": if finished { errored } else { 0 },
        "submitted_at": rfc3339(b.submitted_at),
        "completed_at": b.completed_at.map(rfc3339).unwrap_or_default(),
        "response_body_url": if finished { format!("{base}/batch-results/{id}.tar.gz") } else { String::new() },
    })
}

fn get_batch(c: &mut Chimp, base: &str, id: &str) -> Answer {
    let Some(b) = c.batches.get_mut(id) else {
        return not_found();
    };
    b.polls += 1;
    if b.polls >= 2 && b.completed_at.is_none() {
        b.completed_at = Some(now());
    }
    Answer(200, Some(batch_json(id, b, base)))
}

/// The results archive, as the presigned storage URL serves it (no API key needed).
async fn batch_results(State(app): State<App>, Path(file): Path<String>) -> Response {
    let mut c = app.chimp.lock().unwrap();
    c.requests += 1;
    let Some((id, b)) = file.strip_suffix(".tar.gz").and_then(|id| c.batches.get(id).map(|b| (id, b))).filter(|(_, b)| b.completed_at.is_some()) else {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>";
        return (StatusCode::NOT_FOUND, [("content-type", "application/xml")], xml).into_response();
    };
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (n, chunk) in b.results.chunks(1000).enumerate() {
        let entries: Vec<Value> = chunk.iter().map(|r| json!({ "status_code": r.status, "operation_id": r.operation_id, "response": r.response })).collect();
        let data = serde_json::to_vec(&entries).expect("JSON");
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(b.submitted_at.timestamp().max(0) as u64);
        tar.append_data(&mut header, format!("{id}/{n}.json"), data.as_slice()).expect("a tar entry");
    }
    let bytes = tar.into_inner().and_then(|gz| gz.finish()).expect("a gzip'd tar");
    (StatusCode::OK, [("content-type", "application/x-gzip")], bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn client(m: &FakeMailchimp) -> impl Fn(Method, &str) -> reqwest::RequestBuilder + '_ {
        let http = reqwest::Client::new();
        move |method, path| http.request(method, format!("{}/3.0{path}", m.base)).basic_auth("anystring", Some("key-us21"))
    }

    #[tokio::test]
    async fn auth_members_and_paging() {
        let m = FakeMailchimp::start("key-us21").await;
        let call = client(&m);
        let ping: Value = call(Method::GET, "/ping").send().await.unwrap().json().await.unwrap();
        assert_eq!(ping["health_status"], "Everything's Chimpy!");
        let bad = reqwest::Client::new().get(format!("{}/3.0/ping", m.base)).basic_auth("x", Some("wrong")).send().await.unwrap();
        assert_eq!(bad.status(), 401);
        assert!(bad.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
        assert_eq!(bad.json::<Value>().await.unwrap()["title"], "API Key Invalid");

        let list = m.create_list("Customers");
        assert_eq!(list.len(), 10);
        let hash = subscriber_hash("Ada@Example.com");
        let body = json!({ "email_address": "Ada@Example.com", "status_if_new": "subscribed", "merge_fields": { "FNAME": "Ada" } });
        let r = call(Method::PUT, &format!("/lists/{list}/members/{hash}")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!((v["id"].as_str(), v["status"].as_str(), v["merge_fields"]["FNAME"].as_str()), (Some(hash.as_str()), Some("subscribed"), Some("Ada")));

        let r = call(Method::PUT, &format!("/lists/{list}/members/{}", subscriber_hash("x@y.com"))).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "email_address");
        let fake = json!({ "email_address": "nobody", "status": "subscribed" });
        let r: Value = call(Method::PUT, &format!("/lists/{list}/members/{}", subscriber_hash("nobody"))).json(&fake).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["detail"], "nobody looks fake or invalid, please enter a real email address.");

        m.unsubscribe(&list, "ada@example.com");
        let again = json!({ "email_address": "ada@example.com", "status": "subscribed" });
        call(Method::PUT, &format!("/lists/{list}/members/{hash}")).json(&again).send().await.unwrap();
        assert_eq!(m.resubscribed(), 1);
        for i in 0..4 {
            m.add_member(&list, &format!("p{i}@example.com"), if i % 2 == 0 { "subscribed" } else { "cleaned" });
        }
        let page: Value = call(Method::GET, &format!("/lists/{list}/members?status=subscribed&count=2&offset=1")).send().await.unwrap().json().await.unwrap();
        assert_eq!((page["total_items"].as_u64(), page["members"].as_array().unwrap().len()), (Some(3), 2));
        let since = rfc3339(Utc::now() + chrono::Duration::hours(1));
        let none: Value = call(Method::GET, &format!("/lists/{list}/members")).query(&[("since_last_changed", since)]).send().await.unwrap().json().await.unwrap();
        assert_eq!(none["total_items"], 0);
        let stats: Value = call(Method::GET, &format!("/lists/{list}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(stats["stats"]["cleaned_count"], 2);

        let tags = json!({ "tags": [{ "name": "VIP", "status": "active" }] });
        let r = call(Method::POST, &format!("/lists/{list}/members/{hash}/tags")).json(&tags).send().await.unwrap();
        assert_eq!(r.status(), 204);
        assert!(m.member(&list, "ADA@example.com").unwrap().tags.contains("VIP"));

        m.fail_next([Fault::Status(503), Fault::Truncated]);
        assert_eq!(call(Method::GET, "/ping").send().await.unwrap().status(), 503);
        assert!(call(Method::GET, "/ping").send().await.unwrap().json::<Value>().await.is_err());
        assert_eq!(call(Method::GET, "/lists/nope").send().await.unwrap().status(), 404);
    }

    #[tokio::test]
    async fn batches_report_through_an_archive() {
        let m = FakeMailchimp::start("k").await;
        let http = reqwest::Client::new();
        let list = m.create_list("L");
        let op = |email: &str| {
            let body = json!({ "email_address": email, "status_if_new": "subscribed" }).to_string();
            json!({ "method": "PUT", "path": format!("/lists/{list}/members/{}", subscriber_hash(email)), "body": body, "operation_id": email })
        };
        let ops = json!({ "operations": [op("a@example.com"), op("b@example.com"), { "method": "GET", "path": "/nowhere", "operation_id": "x" }] });
        let b: Value = http.post(format!("{}/3.0/batches", m.base)).basic_auth("u", Some("k")).json(&ops).send().await.unwrap().json().await.unwrap();
        assert_eq!((b["status"].as_str(), b["total_operations"].as_u64()), (Some("pending"), Some(3)));
        let id = b["id"].as_str().unwrap();
        let poll = || async { http.get(format!("{}/3.0/batches/{id}", m.base)).basic_auth("u", Some("k")).send().await.unwrap().json::<Value>().await.unwrap() };
        assert_eq!(poll().await["status"], "started");
        let done = poll().await;
        assert_eq!((done["status"].as_str(), done["errored_operations"].as_u64()), (Some("finished"), Some(1)));
        let gz = http.get(done["response_body_url"].as_str().unwrap()).send().await.unwrap().bytes().await.unwrap();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&gz[..]));
        let mut results = vec![];
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            assert_eq!(entry.path().unwrap().to_str().unwrap(), format!("{id}/0.json"));
            let mut s = String::new();
            entry.read_to_string(&mut s).unwrap();
            results.extend(serde_json::from_str::<Vec<Value>>(&s).unwrap());
        }
        assert_eq!(results.len(), 3);
        let member: Value = serde_json::from_str(results[0]["response"].as_str().unwrap()).unwrap();
        assert_eq!((results[0]["operation_id"].as_str(), member["status"].as_str()), (Some("a@example.com"), Some("subscribed")));
        assert_eq!(results[2]["status_code"], 404);
        assert_eq!((m.batches(), m.batch_requests(), m.members(&list).len()), (vec![3], 3, 2));
    }

    #[tokio::test]
    async fn more_than_ten_at_once_are_refused() {
        let m = FakeMailchimp::start("k").await;
        m.latency(Duration::from_millis(300));
        let http = reqwest::Client::new();
        let calls = (0..12).map(|_| http.get(format!("{}/3.0/ping", m.base)).basic_auth("u", Some("k")).send());
        let statuses: Vec<u16> = futures_join(calls).await;
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2);
        assert!(m.peak_in_flight() > MAX_CONNECTIONS);
    }

    async fn futures_join(calls: impl Iterator<Item = impl std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static>) -> Vec<u16> {
        let handles: Vec<_> = calls.map(tokio::spawn).collect();
        let mut out = vec![];
        for h in handles {
            out.push(h.await.unwrap().unwrap().status().as_u16());
        }
        out
    }
}
