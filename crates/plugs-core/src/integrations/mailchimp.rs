//! Mailchimp (email), with an API key (its data center after the dash: `…-us6`): contacts to an
//! audience (all of them, those with a tag, or a saved list), unsubscribes and cleaned addresses
//! back. The mapping is in docs/integrations.md.
//!
//! A run pulls first: the audience's members changed since the last run (`GET
//! /lists/{list}/members?since_last_changed=…`, paged by `offset` to the end); a member who
//! unsubscribed or whose address was cleaned marks the contact (`metadata.mailchimp.status`), and a
//! marked contact is never sent again — a member who subscribed again through Mailchimp's own form
//! loses the mark. Then it pushes the contacts whose email, merge fields or tags differ from what
//! was last sent: `PUT /lists/{list}/members/{md5(lowercase email)}` with `status_if_new` (so a
//! push never changes the status of a member Mailchimp has, and never re-subscribes anyone) and
//! `POST …/tags`; more than [`DIRECT`] contacts go as one batch operation (`POST /batches`, polled
//! until finished, its results read from the archive Mailchimp makes). Both calls are idempotent
//! (a member is its address's hash), so a run killed halfway and run again makes nothing twice.

use super::http::{CallError, Caller, Policy};
use super::{without_values, Failed, RunCounts, RunError};
use crate::error::{Error, Result};
use crate::repo::{Filter, ListQuery};
use crate::store::Store;
use crate::tables::integrations::Integration;
use md5::{Digest, Md5};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Up to this many contacts to send go one by one; more go as one batch operation.
pub const DIRECT: usize = 20;
/// Members per page when reading the audience (Mailchimp's largest `count`).
pub const PAGE: usize = 1000;
/// How long a run waits for Mailchimp to finish a batch.
pub const BATCH_PATIENCE: Duration = Duration::from_secs(15 * 60);

/// The data center of an API key (`us6` in `0123…-us6`), which names its API host.
pub fn data_center(key: &str) -> Option<&str> {
    let (k, dc) = key.trim().rsplit_once('-')?;
    let ok = !k.is_empty()
        && k.chars().all(|c| c.is_ascii_alphanumeric())
        && dc.len() >= 3
        && dc.chars().take_while(char::is_ascii_lowercase).count() >= 2
        && dc.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && dc.chars().any(|c| c.is_ascii_digit());
    ok.then_some(dc)
}

/// A member's id in an audience: the MD5 of the lowercase email, in hex.
pub fn subscriber_hash(email: &str) -> String {
    hex::encode(Md5::digest(email.trim().to_lowercase().as_bytes()))
}

fn shape(what: &str) -> CallError {
    CallError::Malformed(format!("Mailchimp's answer has no {what}"))
}

/// One run's Mailchimp side.
pub(super) struct Mailchimp {
    caller: Caller,
    /// `https://<dc>.api.mailchimp.com/3.0`.
    api: String,
    key: String,
}

impl Mailchimp {
    /// A client for the key's data center (or `base`, a sandbox's or a test's address).
    pub(super) fn new(http: reqwest::Client, base: Option<&str>, key: &str) -> Result<Mailchimp> {
        let dc = data_center(key).ok_or_else(|| Error::invalid("secret", "invalid_key", "a Mailchimp API key ends with its data center after a dash (…-us6)"))?;
        let host = base.map(|b| b.trim_end_matches('/').to_owned()).unwrap_or_else(|| format!("https://{dc}.api.mailchimp.com"));
        // Mailchimp limits connections (10 at once), not requests: one at a time, unpaced.
        let caller = Caller::new(http, 1000, Duration::from_secs(1), None, Policy::default());
        Ok(Mailchimp { caller, api: format!("{host}/3.0"), key: key.trim().to_owned() })
    }

    pub(super) fn requests(&self) -> (u64, u64) {
        (self.caller.requests, self.caller.throttled)
    }

    async fn call(&mut self, method: reqwest::Method, path: &str, body: Option<&Value>) -> std::result::Result<Value, CallError> {
        let url = format!("{}{path}", self.api);
        let key = self.key.clone();
        self.caller
            .json(|h| {
                let r = h.request(method.clone(), &url).basic_auth("plugs", Some(&key));
                match body {
                    Some(b) => r.json(b),
                    None => r,
                }
            })
            .await
            .map(|(_, v)| v)
    }

    /// Mailchimp's answers to a finished batch: its archive of JSON files.
    async fn batch_results(&mut self, url: &str) -> std::result::Result<Vec<Value>, CallError> {
        let url = url.to_owned();
        // The archive's address is signed: no credential goes with it.
        let (_, body) = self.caller.bytes(|h| h.get(&url)).await?;
        let mut out = vec![];
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&body[..]));
        let entries = archive.entries().map_err(|e| CallError::Malformed(format!("the batch's results are not an archive: {e}")))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| CallError::Malformed(format!("the batch's results are cut short: {e}")))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(|e| CallError::Malformed(format!("the batch's results are cut short: {e}")))?;
            let items: Vec<Value> = serde_json::from_str(&text).map_err(|e| CallError::Malformed(format!("a file of the batch's results is not JSON: {e}")))?;
            out.extend(items);
        }
        Ok(out)
    }
}

/// What a contact is in the audience: email, merge fields and tags (one line each, sorted).
fn member_of(c: &Map<String, Value>) -> BTreeMap<String, String> {
    let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let tags: Vec<String> = plugs_domain::tags::of(c).into_iter().collect();
    [("email", text("email").to_lowercase()), ("FNAME", text("first_name")), ("LNAME", text("last_name")), ("COMPANY", text("company")), ("tags", tags.join("\n"))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn tag_set(m: &BTreeMap<String, String>) -> BTreeSet<String> {
    m.get("tags").map(|t| t.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

/// The mark a member's status leaves on a contact (`None`: subscribed, no mark).
fn mark_of(status: &str) -> Option<&'static str> {
    match status {
        "unsubscribed" => Some("unsubscribed"),
        "cleaned" => Some("cleaned"),
        _ => None,
    }
}

/// Whether a contact must not be sent: it unsubscribed, or its address bounced for good.
pub fn is_marked(c: &Map<String, Value>) -> bool {
    c.get("metadata").and_then(|m| m.pointer("/mailchimp/status")).and_then(Value::as_str).and_then(mark_of).is_some()
}

/// One contact to send: its id, its member hash, what to send, and whether it was linked.
struct Outgoing {
    id: Uuid,
    hash: String,
    want: BTreeMap<String, String>,
    had: Option<BTreeMap<String, String>>,
}

impl Outgoing {
    /// The member's PUT (when its email or merge fields changed) and its tags' POST (when they
    /// changed): method, path, body.
    fn calls(&self, list: &str, new_status: &str) -> Vec<(reqwest::Method, String, Value, &'static str)> {
        let mut out = vec![];
        let fields = ["email", "FNAME", "LNAME", "COMPANY"];
        let changed = self.had.as_ref().is_none_or(|h| fields.iter().any(|f| h.get(*f) != self.want.get(*f)));
        if changed {
            out.push((
                reqwest::Method::PUT,
                format!("/lists/{list}/members/{}", self.hash),
                json!({
                    "email_address": self.want["email"],
                    "status_if_new": new_status,
                    "merge_fields": { "FNAME": self.want["FNAME"], "LNAME": self.want["LNAME"], "COMPANY": self.want["COMPANY"] },
                }),
                "member",
            ));
        }
        let want = tag_set(&self.want);
        let had = self.had.as_ref().map(tag_set).unwrap_or_default();
        let mut tags: Vec<Value> = want.difference(&had).map(|t| json!({ "name": t, "status": "active" })).collect();
        tags.extend(had.difference(&want).map(|t| json!({ "name": t, "status": "inactive" })));
        if !tags.is_empty() {
            out.push((reqwest::Method::POST, format!("/lists/{list}/members/{}/tags", self.hash), json!({ "tags": tags }), "tags"));
        }
        out
    }
}

/// Mailchimp's reason in an error answer (a problem document), without the values it quotes.
fn reason(status: u16, body: &Value) -> String {
    let title = body.get("title").and_then(Value::as_str).unwrap_or("refused");
    let detail = body.get("detail").and_then(Value::as_str).unwrap_or_default();
    let fields: Vec<String> = body
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| Some(format!("{}: {}", e.get("field")?.as_str()?, e.get("message")?.as_str()?)))
        .collect();
    let mut r = format!("Mailchimp refused it ({status} {title})");
    if !detail.is_empty() {
        r.push_str(": ");
        r.push_str(&without_values(detail));
    }
    if !fields.is_empty() {
        r.push_str(&format!(" [{}]", without_values(&fields.join("; "))));
    }
    r
}

impl Store {
    /// The contacts a connection sends (`settings.push`: `all`, `tag:<tag>` or `list:<saved list
    /// id>`), by id; `None` for all.
    fn mailchimp_scope(&self, push: &str) -> Result<Option<HashSet<Uuid>>> {
        if let Some(tag) = push.strip_prefix("tag:") {
            return Ok(Some(self.contact_ids_matching(&format!("#{tag}"), &[])?.into_iter().collect()));
        }
        if let Some(id) = push.strip_prefix("list:") {
            let list = self
                .saved_lists()?
                .into_iter()
                .find(|l| l.id.to_string() == id)
                .ok_or_else(|| Error::conflict(Some("push"), "unknown_list", "the saved list this connection sends was deleted on this device: choose what to send again"))?;
            return Ok(Some(self.contact_ids_matching(&list.query, &list.request.filters())?.into_iter().collect()));
        }
        Ok(None)
    }

    pub(super) async fn mailchimp_run(&self, mc: &mut Mailchimp, i: &Integration, metadata: &mut Map<String, Value>, counts: &mut RunCounts) -> std::result::Result<(), RunError> {
        let list = i.settings.get("list_id").and_then(Value::as_str).unwrap_or_default().to_owned();
        if list.is_empty() {
            return Err(Error::conflict(Some("list_id"), "required", "choose the Mailchimp audience this connection sends to").into());
        }
        // The audience first: a wrong id fails in words, not member by member.
        match mc.call(reqwest::Method::GET, &format!("/lists/{list}?fields=id,name"), None).await {
            Ok(_) => {}
            Err(CallError::Rejected { status: 404, .. }) => {
                return Err(CallError::Rejected { status: 404, message: format!("Mailchimp has no audience '{list}' for this key"), body: Value::Null }.into());
            }
            Err(e) => return Err(e.into()),
        }
        let since = metadata.get("members_changed_since").and_then(Value::as_str).map(str::to_owned);
        let newest = self.mailchimp_pull(mc, &list, since.as_deref(), counts).await?;
        if let Some(n) = newest {
            metadata.insert("members_changed_since".into(), json!(n));
        }
        let push = i.settings.get("push").and_then(Value::as_str).unwrap_or("all").to_owned();
        let status = if i.settings.get("double_opt_in").and_then(Value::as_bool).unwrap_or(false) { "pending" } else { "subscribed" };
        self.mailchimp_push(mc, i.id, &list, &push, status, counts).await
    }

    /// Members changed since the last run: unsubscribes and cleaned addresses mark their contacts,
    /// a subscription again unmarks. The newest change seen.
    async fn mailchimp_pull(&self, mc: &mut Mailchimp, list: &str, since: Option<&str>, counts: &mut RunCounts) -> std::result::Result<Option<String>, RunError> {
        let table = self.table("contacts")?;
        let mut offset = 0usize;
        let mut newest: Option<String> = since.map(str::to_owned);
        loop {
            let mut q = format!("/lists/{list}/members?fields=members.email_address,members.status,members.last_changed,total_items&count={PAGE}&offset={offset}");
            if let Some(s) = since {
                q.push_str(&format!("&since_last_changed={}", urlencode(s)));
            }
            let v = mc.call(reqwest::Method::GET, &q, None).await?;
            let members = v.get("members").and_then(Value::as_array).ok_or_else(|| shape("members"))?;
            let total = v.get("total_items").and_then(Value::as_u64).ok_or_else(|| shape("total_items"))? as usize;
            // The whole page is read before anything is written from it.
            let mut page = vec![];
            for m in members {
                let email = m.get("email_address").and_then(Value::as_str).ok_or_else(|| shape("email_address on a member"))?.trim().to_lowercase();
                let status = m.get("status").and_then(Value::as_str).ok_or_else(|| shape("status on a member"))?.to_owned();
                let changed = m.get("last_changed").and_then(Value::as_str).unwrap_or_default().to_owned();
                page.push((email, status, changed));
            }
            for (email, status, changed) in page {
                if !changed.is_empty() && newest.as_deref().is_none_or(|n| later(&changed, n)) {
                    newest = Some(changed.clone());
                }
                let Some(c) = table.list(&ListQuery { filters: vec![Filter::Eq("email".into(), json!(email))], limit: Some(1), ..Default::default() })?.items.into_iter().next()
                else {
                    continue;
                };
                let had = c.get("metadata").and_then(|m| m.pointer("/mailchimp/status")).and_then(Value::as_str).and_then(mark_of);
                let now = mark_of(&status);
                if had == now {
                    continue;
                }
                let mut meta = c.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
                match now {
                    Some(s) => meta.insert("mailchimp".into(), json!({ "status": s, "changed_at": changed })),
                    None => meta.remove("mailchimp"),
                };
                table.update(crate::repo::id_of(&c)?, [("metadata".to_owned(), Value::Object(meta))].into_iter().collect())?;
                counts.pulled += 1;
            }
            offset += members.len();
            if members.is_empty() || offset >= total {
                return Ok(newest);
            }
        }
    }

    /// The contacts whose member differs from what was last sent: one by one, or as one batch.
    async fn mailchimp_push(&self, mc: &mut Mailchimp, integration: Uuid, list: &str, push: &str, status: &str, counts: &mut RunCounts) -> std::result::Result<(), RunError> {
        let scope = self.mailchimp_scope(push)?;
        let links: HashMap<Uuid, super::Link> = self.links(integration, "contacts")?.into_iter().map(|l| (l.record_id, l)).collect();
        let table = self.table("contacts")?;
        let mut out = vec![];
        let mut cursor = None;
        loop {
            let page = table.list(&ListQuery { limit: Some(1000), cursor: cursor.clone(), sort: Some("created_at".into()), ..Default::default() })?;
            for c in &page.items {
                let id = crate::repo::id_of(c)?;
                if scope.as_ref().is_some_and(|s| !s.contains(&id)) {
                    continue;
                }
                let want = member_of(c);
                if want["email"].is_empty() || is_marked(c) {
                    counts.skipped += 1;
                    continue;
                }
                let hash = subscriber_hash(&want["email"]);
                // A link to another address (the email changed): a new member.
                let had = links.get(&id).filter(|l| l.remote_id == hash).map(|l| l.synced.clone());
                if had.as_ref() == Some(&want) {
                    continue;
                }
                out.push(Outgoing { id, hash, want, had });
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        if out.is_empty() {
            return Ok(());
        }
        let mut done = vec![];
        if out.len() <= DIRECT {
            for o in &out {
                let mut refused = None;
                for (method, path, body, _) in o.calls(list, status) {
                    match mc.call(method, &path, Some(&body)).await {
                        Ok(_) => {}
                        Err(CallError::Rejected { status, body, .. }) if (400..500).contains(&status) => {
                            refused = Some(reason(status, &body));
                            break;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                match refused {
                    None => done.push(o),
                    Some(r) => counts.failed.push(Failed { record_id: Some(o.id), remote_id: Some(o.hash.clone()), reason: r }),
                }
            }
        } else {
            let mut ops = vec![];
            for o in &out {
                for (method, path, body, what) in o.calls(list, status) {
                    ops.push(json!({ "method": method.as_str(), "path": path, "body": body.to_string(), "operation_id": format!("{}:{what}", o.id) }));
                }
            }
            let results = self.mailchimp_batch(mc, ops).await?;
            for o in &out {
                let mine: Vec<&(u16, Value)> = ["member", "tags"].iter().filter_map(|w| results.get(&format!("{}:{w}", o.id))).collect();
                match mine.iter().find(|(s, _)| *s >= 300) {
                    None => done.push(o),
                    Some((s, body)) => counts.failed.push(Failed { record_id: Some(o.id), remote_id: Some(o.hash.clone()), reason: reason(*s, body) }),
                }
            }
        }
        for o in &done {
            if o.had.is_some() {
                counts.updated += 1;
            } else {
                counts.created += 1;
            }
        }
        let links: Vec<(Uuid, String, BTreeMap<String, String>)> = done.iter().map(|o| (o.id, o.hash.clone(), o.want.clone())).collect();
        self.set_links(integration, "contacts", &links)?;
        Ok(())
    }

    /// Sends operations as one batch, waits for Mailchimp to finish it, and reads each one's
    /// answer: status and body, by operation id.
    async fn mailchimp_batch(&self, mc: &mut Mailchimp, ops: Vec<Value>) -> std::result::Result<HashMap<String, (u16, Value)>, RunError> {
        let total = ops.len();
        let made = mc.call(reqwest::Method::POST, "/batches", Some(&json!({ "operations": ops }))).await?;
        let id = made.get("id").and_then(Value::as_str).ok_or_else(|| shape("id on the batch"))?.to_owned();
        tracing::debug!(batch = %id, operations = total, "Mailchimp batch sent");
        let started = Instant::now();
        let mut wait = Duration::from_millis(100);
        let batch = loop {
            let b = mc.call(reqwest::Method::GET, &format!("/batches/{id}"), None).await?;
            if b.get("status").and_then(Value::as_str).ok_or_else(|| shape("status on the batch"))? == "finished" {
                break b;
            }
            if started.elapsed() > BATCH_PATIENCE {
                return Err(CallError::Server {
                    status: 202,
                    message: format!("Mailchimp has not finished batch {id} after {} minutes; the next run sends again", BATCH_PATIENCE.as_secs() / 60),
                }
                .into());
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(10));
        };
        let url = batch.get("response_body_url").and_then(Value::as_str).filter(|u| !u.is_empty()).ok_or_else(|| shape("response_body_url on the finished batch"))?.to_owned();
        let mut out = HashMap::new();
        for r in mc.batch_results(&url).await? {
            let op = r.get("operation_id").and_then(Value::as_str).ok_or_else(|| shape("operation_id on a batch result"))?.to_owned();
            let status = r.get("status_code").and_then(Value::as_u64).ok_or_else(|| shape("status_code on a batch result"))? as u16;
            let body = r.get("response").and_then(Value::as_str).and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null);
            out.insert(op, (status, body));
        }
        Ok(out)
    }
}

/// Whether one RFC 3339 time is after another.
fn later(a: &str, b: &str) -> bool {
    match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
        (Ok(a), Ok(b)) => a > b,
        _ => a > b,
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_data_center_and_members_are_their_addresss_hash() {
        assert_eq!(data_center("0123456789abcdef0123456789abcdef-us6"), Some("us6"));
        assert_eq!(data_center("0123456789abcdef-us21"), Some("us21"));
        assert_eq!(data_center("0123456789abcdef"), None);
        assert_eq!(data_center("0123456789abcdef-"), None);
        assert_eq!(data_center("abc-us6/../x"), None);
        // Mailchimp's documented example: the hash of the lowercase address.
        assert_eq!(subscriber_hash(" Urist.McVankab@Freddiesjokes.com "), "62eeb292278cc15f5817cb78f7790b08");
    }

    #[test]
    fn only_what_changed_is_sent() {
        let c =
            json!({ "first_name": "Grace", "last_name": "Hopper", "email": "Grace@Navy.test", "company": "Navy", "metadata": { "tags": ["vip"] } }).as_object().unwrap().clone();
        let want = member_of(&c);
        let o = Outgoing { id: Uuid::nil(), hash: subscriber_hash("grace@navy.test"), want: want.clone(), had: None };
        let calls = o.calls("L1", "subscribed");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].2["status_if_new"], "subscribed");
        assert!(calls[0].2.get("status").is_none(), "a push never sets a member's status");
        let mut had = want.clone();
        had.insert("tags".into(), "old".into());
        let o = Outgoing { had: Some(had), ..o };
        let calls = o.calls("L1", "subscribed");
        assert_eq!(calls.len(), 1, "only the tags");
        assert_eq!(calls[0].2["tags"], json!([{ "name": "vip", "status": "active" }, { "name": "old", "status": "inactive" }]));
    }
}
