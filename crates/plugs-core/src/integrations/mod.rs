//! Connecting third-party integrations: the credential goes to the OS keychain, the
//! `integrations` row keeps only a reference to it (`{"keychain_ref": ...}`), so no secret is ever
//! in the database, its WAL, a sync message or a log line.

pub mod http;
pub mod hubspot;
pub mod mailchimp;
mod meetings;
pub mod schedule;
pub mod teams;
pub mod zoom;

use self::http::CallError;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::tables::integrations::Integration;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Where integration secrets are kept.
pub trait SecretStore {
    fn set(&self, key: &str, secret: &str) -> Result<()>;
    fn get(&self, key: &str) -> Result<Option<String>>;
    fn delete(&self, key: &str) -> Result<()>;
}

/// The OS keychain (Secret Service on Linux).
pub struct KeychainSecrets;

fn entry(key: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(crate::sync::credentials::KEYCHAIN_SERVICE, key).map_err(|e| Error::Keychain(e.to_string()))
}

impl SecretStore for KeychainSecrets {
    fn set(&self, key: &str, secret: &str) -> Result<()> {
        entry(key)?.set_password(secret).map_err(|e| Error::Keychain(e.to_string()))
    }
    fn get(&self, key: &str) -> Result<Option<String>> {
        match entry(key)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Error::Keychain(e.to_string())),
        }
    }
    fn delete(&self, key: &str) -> Result<()> {
        match entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Error::Keychain(e.to_string())),
        }
    }
}

/// A new keychain entry name for an organization's integration with a provider (unique, so a
/// failed or repeated connection never touches an existing entry).
pub fn keychain_ref(organization: Uuid, provider: &str) -> String {
    format!("integration/{organization}/{provider}/{}", Uuid::now_v7())
}

impl Store {
    /// Connects an integration: the secret into the keychain, a row that points at it. If the row
    /// cannot be written the keychain entry is removed again: nothing half-done.
    pub fn connect_integration(&self, secrets: &dyn SecretStore, provider: &str, integration_type: &str, secret: &str) -> Result<Integration> {
        self.connect_integration_with(secrets, provider, integration_type, secret, &Map::new())
    }

    /// The same, with the connection's settings (checked for the provider before anything is
    /// kept: see [`check_settings`]).
    pub fn connect_integration_with(&self, secrets: &dyn SecretStore, provider: &str, integration_type: &str, secret: &str, settings: &Map<String, Value>) -> Result<Integration> {
        let Some(kind) = integration_type_of(provider) else {
            return Err(Error::invalid("provider", "invalid_choice", format!("'{provider}' is not one of hubspot, mailchimp, zoom, teams")));
        };
        let integration_type = if integration_type.trim().is_empty() { kind } else { integration_type.trim() };
        if integration_type != kind {
            return Err(Error::invalid("integration_type", "invalid_choice", format!("{} is a {kind} integration", provider_name(provider))));
        }
        if secret.trim().is_empty() {
            return Err(Error::invalid("secret", "required", "is required"));
        }
        let secret = secret.trim();
        if provider == "mailchimp" && mailchimp::data_center(secret).is_none() {
            return Err(Error::invalid("secret", "invalid_key", "a Mailchimp API key ends with its data center after a dash (…-us6)"));
        }
        let org = self.actor()?.organization_id;
        let existing = match self.integration_for(provider) {
            Ok(i) => Some(i),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        // Connecting again keeps the settings the connection had, with the ones given.
        let settings = check_settings(self, provider, with_changes(existing.as_ref().map(|i| &i.settings), settings))?;
        let key = keychain_ref(org, provider);
        secrets.set(&key, secret)?;
        tracing::debug!(provider, keychain_ref = %key, "integration credential stored in the keychain");
        // Connecting again (a credential refused, a new one issued): the same connection with the
        // new credential; the old one leaves the keychain.
        let written = match &existing {
            Some(i) => self.repo::<Integration>().update(
                i.id,
                &json!({ "integration_type": integration_type, "credentials": { "keychain_ref": key }, "settings": settings, "status": "connected", "is_active": true }),
            ),
            None => self.repo::<Integration>().create(&json!({
                "provider": provider, "integration_type": integration_type, "credentials": { "keychain_ref": key }, "settings": settings, "status": "connected",
            })),
        };
        match &written {
            Err(_) => {
                let _ = secrets.delete(&key);
            }
            Ok(_) => {
                if let Some(old) = existing.as_ref().and_then(|i| i.credentials.get("keychain_ref")).and_then(|v| v.as_str()) {
                    let _ = secrets.delete(old);
                }
            }
        }
        written
    }

    /// The secret of a connected integration, from the keychain.
    pub fn integration_secret(&self, secrets: &dyn SecretStore, id: Uuid) -> Result<Option<String>> {
        let i = self.repo::<Integration>().get(id)?;
        match i.credentials.get("keychain_ref").and_then(|v| v.as_str()) {
            Some(k) => secrets.get(k),
            None => Ok(None),
        }
    }
}

/// A provider as people write it.
pub fn provider_name(provider: &str) -> &str {
    match provider {
        "hubspot" => "HubSpot",
        "mailchimp" => "Mailchimp",
        "zoom" => "Zoom",
        "teams" => "Microsoft Teams",
        other => other,
    }
}

/// The type of integration each provider is.
pub fn integration_type_of(provider: &str) -> Option<&'static str> {
    match provider {
        "hubspot" => Some("crm"),
        "mailchimp" => Some("email"),
        "zoom" => Some("video"),
        "teams" => Some("calendar"),
        _ => None,
    }
}

/// A record a run could not carry, and why (ids only: no personal data in logs).
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct Failed {
    /// The row here (a contact, an event), when there is one.
    pub record_id: Option<Uuid>,
    /// The record's id at the provider, when it has one.
    pub remote_id: Option<String>,
    pub reason: String,
}

/// Why a run stopped.
#[derive(Debug)]
pub enum RunError {
    Call(CallError),
    Store(crate::Error),
}

impl From<CallError> for RunError {
    fn from(e: CallError) -> Self {
        RunError::Call(e)
    }
}

impl From<crate::Error> for RunError {
    fn from(e: crate::Error) -> Self {
        RunError::Store(e)
    }
}

/// A provider message without the values it quotes (an email address is personal data: logs
/// name records by id only).
pub(crate) fn without_values(m: &str) -> String {
    m.split_whitespace().map(|w| if w.contains('@') { "[value]" } else { w }).collect::<Vec<_>>().join(" ")
}

/// What a local row is at a provider, and the provider's properties as last agreed.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub record_id: Uuid,
    pub remote_id: String,
    pub synced: BTreeMap<String, String>,
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize, ts_rs::TS)]
pub struct RunCounts {
    /// Records changed here from the provider.
    pub pulled: u64,
    /// Records created and updated at the provider.
    pub created: u64,
    pub updated: u64,
    /// Records not sent (a contact without an email, which HubSpot could not find again).
    pub skipped: u64,
    pub failed: Vec<Failed>,
}

/// A run's outcome: its log row, and what it did.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct RunReport {
    pub log_id: Uuid,
    /// `success`, `partial` (some records failed, named in the log) or `failed`.
    pub status: String,
    pub message: String,
    pub counts: RunCounts,
    /// Requests sent to the provider, and how many it answered 429.
    pub requests: u64,
    pub throttled: u64,
}

impl Store {
    fn link_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Link> {
        let id: String = r.get(0)?;
        let synced: String = r.get(2)?;
        Ok(Link { record_id: Uuid::parse_str(&id).unwrap_or_default(), remote_id: r.get(1)?, synced: serde_json::from_str(&synced).unwrap_or_default() })
    }

    pub(crate) fn link_by_remote(&self, integration: Uuid, table: &str, remote: &str) -> Result<Option<Link>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .connection()
            .prepare_cached("SELECT record_id, remote_id, synced FROM integration_links WHERE integration_id = ?1 AND table_name = ?2 AND remote_id = ?3")?
            .query_row(rusqlite::params![integration.to_string(), table, remote], Self::link_row)
            .optional()?)
    }

    pub(crate) fn links(&self, integration: Uuid, table: &str) -> Result<Vec<Link>> {
        let mut st = self.connection().prepare_cached("SELECT record_id, remote_id, synced FROM integration_links WHERE integration_id = ?1 AND table_name = ?2")?;
        let rows = st.query_map(rusqlite::params![integration.to_string(), table], Self::link_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub(crate) fn set_link(&self, integration: Uuid, table: &str, record: Uuid, remote: &str, synced: &BTreeMap<String, String>) -> Result<()> {
        let c = self.connection();
        // A remote record is one local row: a link moved to another row leaves the old one.
        c.prepare_cached("DELETE FROM integration_links WHERE integration_id = ?1 AND table_name = ?2 AND remote_id = ?3 AND record_id <> ?4")?.execute(rusqlite::params![
            integration.to_string(),
            table,
            remote,
            record.to_string()
        ])?;
        c.prepare_cached(
            "INSERT INTO integration_links (integration_id, table_name, record_id, remote_id, synced) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (integration_id, table_name, record_id) DO UPDATE SET remote_id = excluded.remote_id, synced = excluded.synced",
        )?
        .execute(rusqlite::params![integration.to_string(), table, record.to_string(), remote, serde_json::to_string(synced).unwrap_or_default()])?;
        Ok(())
    }

    /// Disconnects a provider: the credential leaves this device's keychain, the connection is
    /// switched off (its logs and links stay; connecting again takes up where it was).
    pub fn disconnect_integration(&self, secrets: &dyn SecretStore, provider: &str) -> Result<Integration> {
        let i = self.integration_for(provider)?;
        if let Some(k) = i.credentials.get("keychain_ref").and_then(|v| v.as_str()) {
            secrets.delete(k)?;
        }
        self.repo::<Integration>().update(i.id, &json!({ "status": "disconnected", "is_active": false }))
    }

    /// A connection's runs, newest first.
    pub fn integration_logs(&self, provider: &str, limit: usize) -> Result<crate::repo::Page<crate::tables::integration_logs::IntegrationLog>> {
        let i = self.integration_for(provider)?;
        let q = crate::repo::ListQuery {
            filters: vec![crate::repo::Filter::Eq("integration_id".into(), json!(i.id))],
            sort: Some("started_at".into()),
            descending: true,
            limit: Some(limit.clamp(1, crate::repo::MAX_PAGE)),
            ..Default::default()
        };
        self.repo::<crate::tables::integration_logs::IntegrationLog>().list(&q)
    }

    /// The organization's connection to a provider (a live one).
    pub fn integration_for(&self, provider: &str) -> Result<Integration> {
        let page = self.repo::<Integration>().list(&crate::repo::ListQuery {
            filters: vec![crate::repo::Filter::Eq("provider".into(), json!(provider))],
            limit: Some(1),
            ..Default::default()
        })?;
        page.items.into_iter().next().ok_or_else(|| Error::NotFound { entity: "integration", id: provider.to_owned() })
    }

    /// Runs a connection once: pulls and pushes, then writes its `integration_logs` row (records
    /// processed and failed, failed ones named by id, no secret and no personal data) and the
    /// connection's status. Offline, nothing is logged: the run waits for the network
    /// (`Error::Offline`). A refused credential sets the status to `error` with "reconnect".
    pub async fn run_integration(&self, secrets: &dyn SecretStore, provider: &str) -> Result<RunReport> {
        let i = self.integration_for(provider)?;
        if !i.is_active {
            return Err(Error::conflict(Some("is_active"), "inactive", format!("the {} connection is switched off", provider_name(provider))));
        }
        let secret = self.integration_secret(secrets, i.id)?.ok_or_else(|| {
            Error::conflict(Some("credentials"), "reconnect", format!("no {0} credential in this device's keychain: connect {0} again on this device", provider_name(provider)))
        })?;
        let base = i.settings.get("base_url").and_then(Value::as_str).map(str::to_owned);
        let started = self.now();
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(60)).build().map_err(|e| Error::Offline(e.to_string()))?;
        let mut counts = RunCounts::default();
        let mut metadata = i.metadata.as_object().cloned().unwrap_or_default();
        let since = metadata.get("pulled_through").and_then(Value::as_i64).unwrap_or(0);
        let (outcome, requests) = match provider {
            "hubspot" => {
                let mut hs = hubspot::HubSpot::new(http, base.as_deref().unwrap_or(hubspot::BASE), secret);
                let r = async {
                    let newest = self.hubspot_pull(&mut hs, i.id, since, &mut counts).await?;
                    metadata.insert("pulled_through".into(), json!(newest));
                    self.hubspot_push(&mut hs, i.id, &mut counts).await?;
                    self.hubspot_notes(&mut hs, i.id, &mut counts).await
                }
                .await;
                (r, hs.requests())
            }
            "mailchimp" => {
                let mut mc = match mailchimp::Mailchimp::new(http, base.as_deref(), &secret) {
                    Ok(mc) => mc,
                    Err(e) => return Err(e),
                };
                let r = self.mailchimp_run(&mut mc, &i, &mut metadata, &mut counts).await;
                (r, mc.requests())
            }
            "zoom" => {
                let mut z = zoom::Zoom::new(http, base.as_deref(), &i.settings, secret)?;
                let r = self.zoom_run(&mut z, &i, &mut metadata, &mut counts).await;
                (r, z.requests())
            }
            "teams" => {
                let keychain = i.credentials.get("keychain_ref").and_then(Value::as_str).unwrap_or_default().to_owned();
                let mut t = teams::Teams::new(http, base.as_deref(), &i.settings, secret, secrets, keychain)?;
                let r = self.teams_run(&mut t, &i, &mut metadata, &mut counts).await;
                (r, t.requests())
            }
            other => return Err(Error::invalid("provider", "not_supported", format!("there is no integration with '{other}'"))),
        };
        let failure = match outcome {
            Ok(()) => None,
            Err(RunError::Store(e)) => return Err(e),
            Err(RunError::Call(CallError::Offline(m))) => {
                // What the run learnt before the network went (a batch sent, pages taken) stays.
                self.repo::<Integration>().update(i.id, &json!({ "metadata": metadata }))?;
                return Err(Error::Offline(m));
            }
            Err(RunError::Call(e)) => Some(e),
        };
        let processed = counts.pulled + counts.created + counts.updated;
        let status = match (&failure, counts.failed.is_empty()) {
            (Some(_), _) => "failed",
            (None, true) => "success",
            (None, false) => "partial",
        };
        let message = match &failure {
            Some(e) => e.to_string(),
            None => format!(
                "{} pulled, {} created and {} updated in {}{}{}",
                counts.pulled,
                counts.created,
                counts.updated,
                provider_name(provider),
                if counts.skipped > 0 { format!(", {} skipped ({})", counts.skipped, skip_reason(provider)) } else { String::new() },
                if counts.failed.is_empty() { String::new() } else { format!(", {} failed", counts.failed.len()) }
            ),
        };
        let log = self.table("integration_logs")?.create(
            json!({
                "integration_id": i.id,
                "operation": "sync",
                "status": status,
                "message": message,
                "request_data": { "pulled_since_ms": since, "requests": requests.0, "throttled": requests.1 },
                "response_data": { "pulled": counts.pulled, "created": counts.created, "updated": counts.updated, "skipped": counts.skipped },
                "started_at": started,
                "completed_at": self.now(),
                "records_processed": processed.min(i32::MAX as u64),
                "records_failed": counts.failed.len().min(i32::MAX as usize),
                "error_details": if failure.is_some() || !counts.failed.is_empty() { json!({ "error": failure.as_ref().map(|e| e.to_string()), "failed": counts.failed }) } else { Value::Null },
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        )?;
        let new_status = match &failure {
            Some(CallError::Unauthorized(_)) => {
                metadata.insert("last_error".into(), json!(format!("{} refused the credential: reconnect", provider_name(provider))));
                "error"
            }
            Some(e) => {
                metadata.insert("last_error".into(), json!(e.to_string()));
                "error"
            }
            None => {
                metadata.remove("last_error");
                "connected"
            }
        };
        self.repo::<Integration>().update(i.id, &json!({ "status": new_status, "metadata": metadata }))?;
        Ok(RunReport { log_id: crate::repo::id_of(&log)?, status: status.into(), message, counts, requests: requests.0, throttled: requests.1 })
    }

    /// Changes a connection's settings (checked for its provider: an audience for Mailchimp, the
    /// app's ids for Zoom and Teams, how often it runs); the keys given replace theirs, a null
    /// removes one.
    pub fn configure_integration(&self, provider: &str, changes: &Map<String, Value>) -> Result<Integration> {
        let i = self.integration_for(provider)?;
        let settings = check_settings(self, provider, with_changes(Some(&i.settings), changes))?;
        self.repo::<Integration>().update(i.id, &json!({ "settings": settings }))
    }

    /// Links of many rows in one transaction.
    pub(crate) fn set_links(&self, integration: Uuid, table: &str, links: &[(Uuid, String, BTreeMap<String, String>)]) -> Result<()> {
        let (tx, _turn) = self.begin_write()?;
        for (record, remote, synced) in links {
            tx.prepare_cached("DELETE FROM integration_links WHERE integration_id = ?1 AND table_name = ?2 AND remote_id = ?3 AND record_id <> ?4")?.execute(rusqlite::params![
                integration.to_string(),
                table,
                remote,
                record.to_string()
            ])?;
            tx.prepare_cached(
                "INSERT INTO integration_links (integration_id, table_name, record_id, remote_id, synced) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (integration_id, table_name, record_id) DO UPDATE SET remote_id = excluded.remote_id, synced = excluded.synced",
            )?
            .execute(rusqlite::params![integration.to_string(), table, record.to_string(), remote, serde_json::to_string(synced).unwrap_or_default()])?;
        }
        tx.commit().map_err(|e| self.write_error(e))?;
        Ok(())
    }
}

/// Settings with changes made: the keys given replace theirs, a null removes one.
fn with_changes(settings: Option<&Value>, changes: &Map<String, Value>) -> Map<String, Value> {
    let mut out = settings.and_then(Value::as_object).cloned().unwrap_or_default();
    for (k, v) in changes {
        if v.is_null() {
            out.remove(k);
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// Secrets kept in memory, for the life of the value: for tests, and for a run given its
/// credentials on the spot rather than from a keychain.
#[derive(Default)]
pub struct MemorySecrets(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl MemorySecrets {
    /// The secrets held, for checking that none of them leaked anywhere.
    pub fn values(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }
}

impl SecretStore for MemorySecrets {
    fn set(&self, key: &str, secret: &str) -> Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key.into(), secret.into());
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned())
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        Ok(())
    }
}

/// Why a provider's records were skipped, in a run's message.
fn skip_reason(provider: &str) -> &'static str {
    match provider {
        "hubspot" => "without an email",
        "mailchimp" => "without an email, or unsubscribed",
        _ => "without an email",
    }
}

/// How often connections run by themselves.
pub const FREQUENCIES: [&str; 5] = ["manual", "15m", "hourly", "daily", "weekly"];

/// A provider's settings, checked: the values each needs, in words by field.
pub fn check_settings(store: &Store, provider: &str, mut s: Map<String, Value>) -> Result<Map<String, Value>> {
    let text = |s: &Map<String, Value>, k: &str| s.get(k).and_then(Value::as_str).map(str::trim).unwrap_or_default().to_owned();
    if let Some(f) = s.get("sync_frequency") {
        let f = f.as_str().unwrap_or_default();
        if !FREQUENCIES.contains(&f) {
            return Err(Error::invalid("sync_frequency", "invalid_choice", format!("'{f}' is not one of {}", FREQUENCIES.join(", "))));
        }
    }
    if let Some(u) = s.get("base_url") {
        let u = u.as_str().unwrap_or_default().trim().trim_end_matches('/').to_owned();
        if url::Url::parse(&u).map(|p| !matches!(p.scheme(), "http" | "https")).unwrap_or(true) {
            return Err(Error::invalid("base_url", "invalid_url", "an http or https address"));
        }
        s.insert("base_url".into(), json!(u));
    }
    match provider {
        "mailchimp" => {
            let list = text(&s, "list_id");
            if list.is_empty() {
                return Err(Error::invalid("list_id", "required", "the Mailchimp audience to send contacts to (its id, from Audience → Settings → Audience name and defaults)"));
            }
            s.insert("list_id".into(), json!(list));
            let push = match text(&s, "push").as_str() {
                "" => "all".to_owned(),
                p => p.to_owned(),
            };
            if let Some(tag) = push.strip_prefix("tag:") {
                let tag = crate::tagging::normalize_tag(tag).map_err(|_| Error::invalid("push", "invalid_tag", format!("'{tag}' is not a tag")))?;
                s.insert("push".into(), json!(format!("tag:{tag}")));
            } else if let Some(id) = push.strip_prefix("list:") {
                let lists = store.saved_lists()?;
                let found =
                    Uuid::parse_str(id.trim()).ok().and_then(|id| lists.iter().find(|l| l.id == id)).or_else(|| lists.iter().find(|l| l.name.eq_ignore_ascii_case(id.trim())));
                match found {
                    Some(l) => s.insert("push".into(), json!(format!("list:{}", l.id))),
                    None => return Err(Error::invalid("push", "unknown_list", format!("there is no saved list '{}'", id.trim()))),
                };
            } else if push == "all" {
                s.insert("push".into(), json!("all"));
            } else {
                return Err(Error::invalid("push", "invalid_choice", "'all', 'tag:<tag>' or 'list:<saved list>'"));
            }
        }
        "zoom" => {
            for (k, what) in [("account_id", "the app's Account ID"), ("client_id", "the app's Client ID")] {
                if text(&s, k).is_empty() {
                    return Err(Error::invalid(k, "required", format!("{what}, from the Server-to-Server OAuth app in Zoom's App Marketplace")));
                }
            }
        }
        "teams" if text(&s, "client_id").is_empty() => {
            return Err(Error::invalid("client_id", "required", "the Application (client) ID of the app registered in Microsoft Entra ID"));
        }
        _ => {}
    }
    Ok(s)
}
