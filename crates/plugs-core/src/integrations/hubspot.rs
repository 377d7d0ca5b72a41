//! HubSpot (crm), with a private app's access token: contacts both ways through the CRM API v3.
//! The mapping and the conflict rule are in docs/integrations.md.
//!
//! A run pulls first (contacts changed in HubSpot since the last run: a search by
//! `lastmodifieddate`, paged with `after`), then pushes the contacts changed here since they were
//! last sent (batches of 100: `batch/update` for those linked to a HubSpot id, `batch/create` for
//! the others, and `batch/read` by email when HubSpot says it has some of them). What each
//! contact is in HubSpot (its id, and the properties last sent or received) is kept in
//! `integration_links` as soon as HubSpot answers, so a run killed halfway and run again sends
//! nothing twice and creates no duplicates.

use super::http::{CallError, Caller, Policy, RateHeaders};
use super::{without_values, Failed, Link, RunCounts, RunError};
use crate::error::Result;
use crate::repo::{Filter, ListQuery};
use crate::store::Store;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use uuid::Uuid;

/// HubSpot's API host (a connection's `settings.base_url` replaces it, for a sandbox or a test).
pub const BASE: &str = "https://api.hubapi.com";
/// A private app's documented limit: 100 requests per 10 seconds.
pub const LIMIT: (usize, Duration) = (100, Duration::from_secs(10));
/// The largest batch HubSpot takes.
pub const BATCH: usize = 100;
/// The contact properties this integration reads and writes.
pub const PROPERTIES: [&str; 8] = ["email", "firstname", "lastname", "phone", "company", "jobtitle", "lifecyclestage", "hs_lead_status"];

const RATE_HEADERS: RateHeaders = RateHeaders { max: "x-hubspot-ratelimit-max", interval_ms: "x-hubspot-ratelimit-interval-milliseconds" };

/// The HubSpot properties of a contact (strings, as HubSpot keeps them; "" for none).
pub fn properties_of(c: &Map<String, Value>) -> BTreeMap<String, String> {
    let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let status = text("status");
    let (stage, lead) = match status.as_str() {
        "hot_lead" => ("salesqualifiedlead", "IN_PROGRESS"),
        "new_client" | "existing_client" => ("customer", "CONNECTED"),
        _ => ("lead", "NEW"),
    };
    [
        ("email", text("email").to_lowercase()),
        ("firstname", text("first_name")),
        ("lastname", text("last_name")),
        ("phone", text("phone")),
        ("company", text("company")),
        ("jobtitle", text("job_title")),
        ("lifecyclestage", stage.to_owned()),
        ("hs_lead_status", lead.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The contact status HubSpot's stage and lead status say, given the contact's status now (a
/// customer stays the kind of client it is; a stage this app has no word for changes nothing).
pub fn status_from(stage: &str, lead: &str, now: &str) -> String {
    let client = matches!(now, "new_client" | "existing_client");
    match stage {
        "customer" | "evangelist" if client => now.to_owned(),
        "customer" | "evangelist" => "new_client".into(),
        "salesqualifiedlead" | "opportunity" => "hot_lead".into(),
        "subscriber" | "lead" | "marketingqualifiedlead" => match lead {
            "IN_PROGRESS" | "OPEN_DEAL" | "CONNECTED" => "hot_lead".into(),
            _ => "cold_lead".into(),
        },
        _ => now.to_owned(),
    }
}

/// The contact fields HubSpot properties give (those it has a value for, or "" to clear).
fn fields_from(p: &BTreeMap<String, String>, current_status: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let opt = |v: &str| if v.trim().is_empty() { Value::Null } else { Value::String(v.trim().to_owned()) };
    for (prop, field) in [("email", "email"), ("phone", "phone"), ("company", "company"), ("jobtitle", "job_title")] {
        if let Some(v) = p.get(prop) {
            out.insert(field.into(), opt(v));
        }
    }
    for (prop, field) in [("firstname", "first_name"), ("lastname", "last_name")] {
        if let Some(v) = p.get(prop).filter(|v| !v.trim().is_empty()) {
            out.insert(field.into(), Value::String(v.trim().to_owned()));
        }
    }
    let stage = p.get("lifecyclestage").map(String::as_str).unwrap_or_default();
    let lead = p.get("hs_lead_status").map(String::as_str).unwrap_or_default();
    out.insert("status".into(), Value::String(status_from(stage, lead, current_status)));
    out
}

/// A HubSpot object's properties, as strings.
fn props(o: &Value) -> BTreeMap<String, String> {
    o.get("properties")
        .and_then(Value::as_object)
        .map(|m| m.iter().filter(|(k, _)| PROPERTIES.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

/// Properties to send (an empty one clears HubSpot's).
fn sendable(p: &BTreeMap<String, String>) -> Value {
    Value::Object(p.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

fn shape(what: &str) -> CallError {
    CallError::Malformed(format!("HubSpot's answer has no {what}"))
}

/// One run's HubSpot side.
pub(super) struct HubSpot {
    caller: Caller,
    base: String,
    token: String,
}

impl HubSpot {
    pub(super) fn new(http: reqwest::Client, base: &str, token: String) -> HubSpot {
        HubSpot { caller: Caller::new(http, LIMIT.0, LIMIT.1, Some(RATE_HEADERS), Policy::default()), base: base.trim_end_matches('/').to_owned(), token }
    }

    pub(super) fn requests(&self) -> (u64, u64) {
        (self.caller.requests, self.caller.throttled)
    }

    async fn post(&mut self, path: &str, body: &Value) -> std::result::Result<(u16, Value), CallError> {
        let url = format!("{}{path}", self.base);
        let token = self.token.clone();
        self.caller.json(|h| h.post(&url).bearer_auth(&token).json(body)).await
    }

    /// One page of the contacts changed after `since` (ms), oldest first.
    async fn changed_since(&mut self, since: i64, after: Option<&str>) -> std::result::Result<(Vec<Value>, Option<String>), CallError> {
        let mut body = json!({
            "filterGroups": [{ "filters": [{ "propertyName": "lastmodifieddate", "operator": "GT", "value": since.to_string() }] }],
            "sorts": [{ "propertyName": "lastmodifieddate", "direction": "ASCENDING" }],
            "properties": PROPERTIES,
            "limit": BATCH,
        });
        if let Some(a) = after {
            body["after"] = json!(a);
        }
        let (_, v) = self.post("/crm/v3/objects/contacts/search", &body).await?;
        let results = v.get("results").and_then(Value::as_array).cloned().ok_or_else(|| shape("results"))?;
        let next = v.pointer("/paging/next/after").and_then(|a| a.as_str().map(str::to_owned).or_else(|| a.as_u64().map(|n| n.to_string())));
        Ok((results, next))
    }
}

/// A contact to create in HubSpot: its id here, its properties.
type Outgoing = (Uuid, BTreeMap<String, String>);

/// A contact to update in HubSpot: its id here and there, its properties, and those to send.
type Update = (Uuid, String, BTreeMap<String, String>, BTreeMap<String, String>);

fn millis(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp_millis())
}

impl Store {
    /// Pulls what changed in HubSpot since `since` (ms): each contact merged field by field
    /// (docs/integrations.md), linked, or created here. The newest change seen, for the next run.
    pub(super) async fn hubspot_pull(&self, hs: &mut HubSpot, integration: Uuid, since: i64, counts: &mut RunCounts) -> std::result::Result<i64, RunError> {
        let mut newest = since;
        let mut from = since;
        loop {
            let mut after: Option<String> = None;
            let mut seen = 0usize;
            loop {
                let (page, next) = hs.changed_since(from, after.as_deref()).await?;
                seen += page.len();
                for o in &page {
                    let id = o.get("id").and_then(Value::as_str).ok_or_else(|| shape("id on a contact"))?.to_owned();
                    let at = o.get("updatedAt").and_then(Value::as_str).and_then(millis).ok_or_else(|| shape("updatedAt on a contact"))?;
                    match self.hubspot_take(integration, &id, &props(o), at) {
                        Ok(true) => counts.pulled += 1,
                        Ok(false) => {}
                        Err(e) => counts.failed.push(Failed { record_id: None, remote_id: Some(id.clone()), reason: e.to_string() }),
                    }
                    newest = newest.max(at);
                }
                after = next;
                // Search pages through 10,000 results at most: search again from the newest seen.
                if after.is_none() || seen + BATCH > 10_000 {
                    break;
                }
            }
            if after.is_none() || newest == from {
                return Ok(newest);
            }
            from = newest - 1;
        }
    }

    /// One HubSpot contact into this store; whether anything changed here.
    fn hubspot_take(&self, integration: Uuid, hubspot_id: &str, theirs: &BTreeMap<String, String>, their_at: i64) -> Result<bool> {
        let table = self.table("contacts")?;
        let link = self.link_by_remote(integration, "contacts", hubspot_id)?;
        let theirs: BTreeMap<String, String> = PROPERTIES
            .iter()
            .map(|p| ((*p).to_owned(), theirs.get(*p).map(|v| if *p == "email" { v.trim().to_lowercase() } else { v.trim().to_owned() }).unwrap_or_default()))
            .collect();
        let email = theirs.get("email").map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty());
        let local = match &link {
            Some(l) => table.get(l.record_id).ok().filter(|r| !crate::repo::is_deleted(r)),
            None => match &email {
                Some(e) => table.list(&ListQuery { filters: vec![Filter::Eq("email".into(), json!(e))], limit: Some(1), ..Default::default() })?.items.into_iter().next(),
                None => None,
            },
        };
        let Some(local) = local else {
            if link.is_some() {
                // Deleted here: the delete stands; HubSpot keeps its copy.
                return Ok(false);
            }
            // New in HubSpot: a contact here. A contact needs a first name: the email's name
            // when HubSpot has none.
            let mut fields = fields_from(&theirs, "cold_lead");
            if !fields.contains_key("first_name") {
                let name = email.as_deref().and_then(|e| e.split('@').next()).unwrap_or("HubSpot contact");
                fields.insert("first_name".into(), json!(name));
            }
            fields.insert("metadata".into(), json!({ "hubspot_id": hubspot_id, "source": "hubspot" }));
            let made = table.create(fields)?;
            let id = crate::repo::id_of(&made)?;
            self.set_link(integration, "contacts", id, hubspot_id, &properties_of(&made))?;
            return Ok(true);
        };
        let id = crate::repo::id_of(&local)?;
        let ours = properties_of(&local);
        // The properties as last sent or received: a side that differs from them changed. Linked
        // for the first time (the same email), nothing was agreed yet: each side's values fill
        // the other's blanks, and where both have one, the later edit's stands.
        let base = link.map(|l| l.synced).unwrap_or_default();
        let our_at = local.get("updated_at").and_then(Value::as_str).and_then(millis).unwrap_or(0);
        let mut take = BTreeMap::new();
        let mut ours_stay = vec![];
        for p in PROPERTIES {
            let (t, o, b) = (theirs.get(p).cloned().unwrap_or_default(), ours[p].clone(), base.get(p).cloned().unwrap_or_default());
            if t == o {
                continue;
            }
            // Changed there only, or on both sides and later there: theirs. Changed here only,
            // or on both sides and later here: ours, which the push then sends.
            if t != b && (o == b || their_at > our_at) {
                take.insert(p.to_owned(), t);
            } else {
                ours_stay.push(p);
            }
        }
        let mut patch = fields_from(&take, local.get("status").and_then(Value::as_str).unwrap_or("cold_lead"));
        if !take.contains_key("lifecyclestage") && !take.contains_key("hs_lead_status") {
            patch.remove("status");
        }
        let meta = local.get("metadata").cloned().unwrap_or_else(|| json!({}));
        if meta.get("hubspot_id").and_then(Value::as_str) != Some(hubspot_id) {
            let mut m = meta.as_object().cloned().unwrap_or_default();
            m.insert("hubspot_id".into(), json!(hubspot_id));
            patch.insert("metadata".into(), Value::Object(m));
        }
        patch.retain(|k, v| local.get(k) != Some(&*v));
        let changed = patch.keys().any(|k| k != "metadata");
        let now = if patch.is_empty() { local } else { table.update(id, patch)? };
        // Agreed now: what this contact maps to (HubSpot's words for a status this app says
        // otherwise are not sent back), except our values that HubSpot has yet to get.
        let mut held = properties_of(&now);
        for p in ours_stay {
            held.insert(p.to_owned(), theirs.get(p).cloned().unwrap_or_default());
        }
        self.set_link(integration, "contacts", id, hubspot_id, &held)?;
        Ok(changed)
    }

    /// Pushes the contacts changed here since they were last sent.
    pub(super) async fn hubspot_push(&self, hs: &mut HubSpot, integration: Uuid, counts: &mut RunCounts) -> std::result::Result<(), RunError> {
        let links: HashMap<Uuid, Link> = self.links(integration, "contacts")?.into_iter().map(|l| (l.record_id, l)).collect();
        let mut update: Vec<Update> = vec![];
        let mut unlinked: Vec<(Uuid, BTreeMap<String, String>)> = vec![];
        let table = self.table("contacts")?;
        let mut cursor = None;
        loop {
            let page = table.list(&ListQuery { limit: Some(1000), cursor: cursor.clone(), sort: Some("created_at".into()), ..Default::default() })?;
            for c in &page.items {
                let id = crate::repo::id_of(c)?;
                let p = properties_of(c);
                match links.get(&id) {
                    Some(l) if l.synced == p => {}
                    // Only what changed since: a property HubSpot holds that this side did not touch
                    // stays as HubSpot has it.
                    Some(l) => {
                        let send = p.iter().filter(|(k, v)| l.synced.get(*k).map_or(!v.is_empty(), |s| s != *v)).map(|(k, v)| (k.clone(), v.clone())).collect();
                        update.push((id, l.remote_id.clone(), p, send));
                    }
                    // HubSpot tells contacts apart by email: one without is not sent (it could
                    // not be found again, and a re-run would make a second).
                    None if p["email"].is_empty() => counts.skipped += 1,
                    None => unlinked.push((id, p)),
                }
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        // Created in batches; a batch HubSpot refuses because an email is taken (a contact HubSpot
        // has had since before the last run) is read by email once: those found are linked and
        // updated, the rest created.
        for chunk in unlinked.chunks(BATCH) {
            self.hubspot_create(hs, integration, chunk, counts, &mut update).await?;
        }
        for chunk in update.chunks(BATCH) {
            let inputs: Vec<Value> = chunk.iter().map(|(_, hid, _, send)| json!({ "id": hid, "properties": sendable(send) })).collect();
            let (_, v) = hs.post("/crm/v3/objects/contacts/batch/update", &json!({ "inputs": inputs })).await?;
            let done: HashMap<String, ()> =
                v.get("results").and_then(Value::as_array).ok_or_else(|| shape("results"))?.iter().filter_map(|o| Some((o.get("id")?.as_str()?.to_owned(), ()))).collect();
            let reasons = batch_errors(&v);
            for (id, hid, p, _) in chunk {
                if done.contains_key(hid) {
                    self.hubspot_linked(integration, *id, hid, p)?;
                    counts.updated += 1;
                } else {
                    let reason = reasons.get(hid).cloned().unwrap_or_else(|| "HubSpot did not update it".into());
                    counts.failed.push(Failed { record_id: Some(*id), remote_id: Some(hid.clone()), reason });
                }
            }
        }
        Ok(())
    }

    /// Creates contacts in HubSpot. A batch refused because emails are taken (409) is read by
    /// email: the contacts HubSpot has go to `update`, the others are created. A batch refused
    /// whole for a bad value (400) is split in halves until the refused contacts are found, each
    /// named in the log.
    async fn hubspot_create(&self, hs: &mut HubSpot, integration: Uuid, batch: &[Outgoing], counts: &mut RunCounts, update: &mut Vec<Update>) -> std::result::Result<(), RunError> {
        let mut todo: Vec<(Vec<Outgoing>, bool)> = vec![(batch.to_vec(), false)];
        while let Some((part, read)) = todo.pop() {
            if part.is_empty() {
                continue;
            }
            let inputs: Vec<Value> =
                part.iter().map(|(_, p)| json!({ "properties": sendable(&p.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect()) })).collect();
            match hs.post("/crm/v3/objects/contacts/batch/create", &json!({ "inputs": inputs })).await {
                Ok((_, v)) => {
                    let made = ids_by_email(&v)?;
                    for (id, p) in &part {
                        match made.get(&p["email"]) {
                            Some(hid) => {
                                self.hubspot_linked(integration, *id, hid, p)?;
                                counts.created += 1;
                            }
                            None => counts.failed.push(Failed { record_id: Some(*id), remote_id: None, reason: "HubSpot did not create it".into() }),
                        }
                    }
                }
                Err(CallError::Rejected { status: 409, .. }) if !read => {
                    let inputs: Vec<Value> = part.iter().map(|(_, p)| json!({ "id": p["email"] })).collect();
                    let (_, v) = hs.post("/crm/v3/objects/contacts/batch/read", &json!({ "idProperty": "email", "properties": ["email"], "inputs": inputs })).await?;
                    let found = ids_by_email(&v)?;
                    let mut rest = vec![];
                    for (id, p) in part {
                        match found.get(&p["email"]) {
                            // Found, never agreed on: what this side has, not its blanks.
                            Some(hid) => {
                                let send = p.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect();
                                update.push((id, hid.clone(), p, send));
                            }
                            None => rest.push((id, p)),
                        }
                    }
                    todo.push((rest, true));
                }
                Err(CallError::Rejected { status, message, .. }) if status == 400 || status == 409 => {
                    if part.len() == 1 {
                        let (id, _) = &part[0];
                        // An email taken meanwhile: "Existing ID: 123" links it, the next run updates it.
                        match message.rsplit_once("Existing ID: ").map(|(_, hid)| hid.trim().to_owned()) {
                            Some(hid) if status == 409 => self.set_link(integration, "contacts", *id, &hid, &BTreeMap::new())?,
                            _ => {
                                counts.failed.push(Failed { record_id: Some(*id), remote_id: None, reason: format!("HubSpot refused it ({status}): {}", without_values(&message)) })
                            }
                        }
                    } else {
                        let mut a = part;
                        let b = a.split_off(a.len() / 2);
                        todo.push((b, read));
                        todo.push((a, read));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// A contact sent: its link, and its HubSpot id in its metadata (for the team's other devices).
    fn hubspot_linked(&self, integration: Uuid, id: Uuid, hubspot_id: &str, sent: &BTreeMap<String, String>) -> Result<()> {
        self.set_link(integration, "contacts", id, hubspot_id, sent)?;
        let table = self.table("contacts")?;
        let row = table.get(id)?;
        if row.get("metadata").and_then(|m| m.get("hubspot_id")).and_then(Value::as_str) != Some(hubspot_id) {
            let mut m = row.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
            m.insert("hubspot_id".into(), json!(hubspot_id));
            table.update(id, [("metadata".to_owned(), Value::Object(m))].into_iter().collect())?;
        }
        Ok(())
    }
}

/// A note's body: what the interaction was, its subject, what was said and what came of it
/// (HubSpot shows the body as rich text).
pub fn note_body(i: &Map<String, Value>) -> String {
    let text = |k: &str| i.get(k).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()).map(escape);
    let kind = match i.get("interaction_type").and_then(Value::as_str).unwrap_or_default() {
        "meeting" => "Meeting",
        "call" => "Call",
        "email" => "Email",
        "linkedin" => "LinkedIn",
        "event" => "Event",
        "follow_up" => "Follow-up",
        other => other,
    };
    let mut body = format!("<p><strong>{kind}</strong>{}</p>", text("subject").map(|s| format!(": {s}")).unwrap_or_default());
    if let Some(d) = text("description") {
        body.push_str(&format!("<p>{}</p>", d.replace('\n', "<br>")));
    }
    if let Some(o) = text("outcome") {
        body.push_str(&format!("<p>Outcome: {}</p>", o.replace('\n', "<br>")));
    }
    body
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl Store {
    /// Interactions of the contacts linked to HubSpot, as notes on them (`hs_note_body`,
    /// `hs_timestamp`, associated to the contact by HubSpot's note-to-contact association, type
    /// 202): new ones created in batches, edited ones updated; each note's id kept in
    /// `integration_links` as HubSpot answers. A cancelled or scheduled interaction is not a note.
    pub(super) async fn hubspot_notes(&self, hs: &mut HubSpot, integration: Uuid, counts: &mut RunCounts) -> std::result::Result<(), RunError> {
        let contacts: HashMap<Uuid, String> = self.links(integration, "contacts")?.into_iter().map(|l| (l.record_id, l.remote_id)).collect();
        if contacts.is_empty() {
            return Ok(());
        }
        let notes: HashMap<Uuid, Link> = self.links(integration, "contact_interactions")?.into_iter().map(|l| (l.record_id, l)).collect();
        let table = self.table("contact_interactions")?;
        let mut create: Vec<(Uuid, BTreeMap<String, String>, String)> = vec![];
        let mut update: Vec<(Uuid, String, BTreeMap<String, String>)> = vec![];
        let mut cursor = None;
        loop {
            let page = table.list(&ListQuery {
                limit: Some(1000),
                cursor: cursor.clone(),
                filters: vec![Filter::Eq("status".into(), json!("completed"))],
                sort: Some("created_at".into()),
                ..Default::default()
            })?;
            for i in &page.items {
                let id = crate::repo::id_of(i)?;
                let Some(contact) = i.get("contact_id").and_then(Value::as_str).and_then(|c| Uuid::parse_str(c).ok()).and_then(|c| contacts.get(&c)) else { continue };
                let at = i.get("interaction_date").and_then(Value::as_str).and_then(millis).unwrap_or(0);
                let props: BTreeMap<String, String> = [
                    ("hs_note_body".to_owned(), note_body(i)),
                    ("hs_timestamp".to_owned(), chrono::DateTime::from_timestamp_millis(at).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                ]
                .into_iter()
                .collect();
                match notes.get(&id) {
                    Some(l) if l.synced == props => {}
                    Some(l) => update.push((id, l.remote_id.clone(), props)),
                    None => create.push((id, props, contact.clone())),
                }
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        for chunk in create.chunks(BATCH) {
            let inputs: Vec<Value> = chunk
                .iter()
                .map(|(_, p, contact)| json!({ "properties": sendable(p), "associations": [{ "to": { "id": contact }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202 }] }] }))
                .collect();
            let (_, v) = hs.post("/crm/v3/objects/notes/batch/create", &json!({ "inputs": inputs })).await?;
            // HubSpot's results are not in the inputs' order: a note is known by its time and body.
            let mut made: HashMap<(String, String), String> = HashMap::new();
            for r in v.get("results").and_then(Value::as_array).ok_or_else(|| shape("results"))? {
                let p = r.get("properties").ok_or_else(|| shape("properties on a note"))?;
                let key = (
                    p.get("hs_timestamp").and_then(Value::as_str).and_then(millis).unwrap_or(0).to_string(),
                    p.get("hs_note_body").and_then(Value::as_str).unwrap_or_default().to_owned(),
                );
                made.insert(key, r.get("id").and_then(Value::as_str).ok_or_else(|| shape("id on a note"))?.to_owned());
            }
            let mut links = vec![];
            for (id, p, _) in chunk {
                let key = (millis(&p["hs_timestamp"]).unwrap_or(0).to_string(), p["hs_note_body"].clone());
                match made.remove(&key) {
                    Some(note) => {
                        links.push((*id, note, p.clone()));
                        counts.created += 1;
                    }
                    None => counts.failed.push(Failed { record_id: Some(*id), remote_id: None, reason: "HubSpot did not create the note".into() }),
                }
            }
            self.set_links(integration, "contact_interactions", &links)?;
        }
        for chunk in update.chunks(BATCH) {
            let inputs: Vec<Value> = chunk.iter().map(|(_, note, p)| json!({ "id": note, "properties": sendable(p) })).collect();
            let (_, v) = hs.post("/crm/v3/objects/notes/batch/update", &json!({ "inputs": inputs })).await?;
            let done: std::collections::HashSet<String> =
                v.get("results").and_then(Value::as_array).ok_or_else(|| shape("results"))?.iter().filter_map(|o| Some(o.get("id")?.as_str()?.to_owned())).collect();
            let reasons = batch_errors(&v);
            let mut links = vec![];
            for (id, note, p) in chunk {
                if done.contains(note) {
                    links.push((*id, note.clone(), p.clone()));
                    counts.updated += 1;
                } else {
                    counts.failed.push(Failed {
                        record_id: Some(*id),
                        remote_id: Some(note.clone()),
                        reason: reasons.get(note).cloned().unwrap_or_else(|| "HubSpot did not update the note".into()),
                    });
                }
            }
            self.set_links(integration, "contact_interactions", &links)?;
        }
        Ok(())
    }
}

/// The HubSpot id of each contact in a batch answer's `results`, by lower-case email.
fn ids_by_email(v: &Value) -> std::result::Result<HashMap<String, String>, CallError> {
    Ok(v.get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| shape("results"))?
        .iter()
        .filter_map(|o| Some((o.pointer("/properties/email")?.as_str()?.to_lowercase(), o.get("id")?.as_str()?.to_owned())))
        .collect())
}

/// The reason HubSpot gave for each id in a batch's `errors`.
fn batch_errors(v: &Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in v.get("errors").and_then(Value::as_array).into_iter().flatten() {
        let reason = format!("{}: {}", e.get("category").and_then(Value::as_str).unwrap_or("ERROR"), without_values(e.get("message").and_then(Value::as_str).unwrap_or_default()));
        for id in e.pointer("/context/ids").and_then(Value::as_array).into_iter().flatten() {
            if let Some(id) = id.as_str() {
                out.insert(id.to_owned(), reason.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_both_ways() {
        let c = json!({ "first_name": "Grace", "last_name": "Hopper", "email": "Grace@Navy.test", "status": "hot_lead", "job_title": null }).as_object().unwrap().clone();
        let p = properties_of(&c);
        assert_eq!(
            (p["email"].as_str(), p["lifecyclestage"].as_str(), p["hs_lead_status"].as_str(), p["jobtitle"].as_str()),
            ("grace@navy.test", "salesqualifiedlead", "IN_PROGRESS", "")
        );
        assert_eq!(status_from("customer", "", "existing_client"), "existing_client");
        assert_eq!(status_from("customer", "", "hot_lead"), "new_client");
        assert_eq!(status_from("lead", "CONNECTED", "cold_lead"), "hot_lead");
        assert_eq!(status_from("lead", "NEW", "hot_lead"), "cold_lead");
        assert_eq!(status_from("other", "", "hot_lead"), "hot_lead");
        assert_eq!(without_values("Email address grace@navy.test is invalid"), "Email address [value] is invalid");
    }
}
