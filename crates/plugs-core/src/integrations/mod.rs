//! Connecting third-party integrations: the credential goes to the OS keychain, the
//! `integrations` row keeps only a reference to it (`{"keychain_ref": ...}`), so no secret is ever
//! in the database, its WAL, a sync message or a log line.

pub mod http;
pub mod hubspot;

use self::http::CallError;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::tables::integrations::Integration;
use hubspot::{Failed, RunError};
use serde_json::{json, Value};
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
        if secret.trim().is_empty() {
            return Err(Error::invalid("secret", "required", "is required"));
        }
        let org = self.actor()?.organization_id;
        let existing = match self.integration_for(provider) {
            Ok(i) => Some(i),
            Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let key = keychain_ref(org, provider);
        secrets.set(&key, secret)?;
        tracing::debug!(provider, keychain_ref = %key, "integration credential stored in the keychain");
        // Connecting again (a credential refused, a new one issued): the same connection with the
        // new credential; the old one leaves the keychain.
        let written = match &existing {
            Some(i) => self
                .repo::<Integration>()
                .update(i.id, &json!({ "integration_type": integration_type, "credentials": { "keychain_ref": key }, "status": "connected", "is_active": true })),
            None => self.repo::<Integration>().create(&json!({
                "provider": provider, "integration_type": integration_type, "credentials": { "keychain_ref": key }, "status": "connected",
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
            return Err(Error::conflict(Some("is_active"), "inactive", format!("the {provider} connection is switched off")));
        }
        let token = self.integration_secret(secrets, i.id)?.ok_or_else(|| {
            Error::conflict(Some("credentials"), "reconnect", format!("no {provider} credential in this device's keychain: connect {provider} again on this device"))
        })?;
        let base = i.settings.get("base_url").and_then(Value::as_str).map(str::to_owned);
        let started = self.now();
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(60)).build().map_err(|e| Error::Offline(e.to_string()))?;
        let mut counts = RunCounts::default();
        let since = i.metadata.get("pulled_through").and_then(Value::as_i64).unwrap_or(0);
        let (outcome, requests, newest) = match provider {
            "hubspot" => {
                let mut hs = hubspot::HubSpot::new(http, base.as_deref().unwrap_or(hubspot::BASE), token);
                let mut newest = since;
                let r = async {
                    newest = self.hubspot_pull(&mut hs, i.id, since, &mut counts).await?;
                    self.hubspot_push(&mut hs, i.id, &mut counts).await
                }
                .await;
                (r, hs.requests(), newest)
            }
            other => return Err(Error::invalid("provider", "not_supported", format!("runs with {other} are not available yet"))),
        };
        let failure = match outcome {
            Ok(()) => None,
            Err(RunError::Store(e)) => return Err(e),
            Err(RunError::Call(CallError::Offline(m))) => return Err(Error::Offline(m)),
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
                if counts.skipped > 0 { format!(", {} without an email not sent", counts.skipped) } else { String::new() },
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
        let mut metadata = i.metadata.as_object().cloned().unwrap_or_default();
        metadata.insert("pulled_through".into(), json!(newest));
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
}
