//! Runs by themselves: each connection's `settings.sync_frequency` (`manual`, `15m`, `hourly` — the
//! default —, `daily`, `weekly`) says how long after its last run the next one is due. The
//! background engine asks every minute; only the device holding the connection's credential runs
//! it. A run that found the provider offline logged nothing, so it is tried again at the next
//! minute; a credential the provider refused waits for the person to connect again.

use super::{RunReport, SecretStore};
use crate::error::Result;
use crate::store::Store;
use crate::tables::integrations::Integration;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

/// How long after its last run a connection runs again (`None`: only by hand).
pub fn period(frequency: Option<&str>) -> Option<Duration> {
    match frequency.unwrap_or("hourly") {
        "manual" => None,
        "15m" => Some(Duration::from_secs(15 * 60)),
        "daily" => Some(Duration::from_secs(24 * 3600)),
        "weekly" => Some(Duration::from_secs(7 * 24 * 3600)),
        _ => Some(Duration::from_secs(3600)),
    }
}

impl Store {
    /// When a connection last ran (its latest log's start).
    pub fn last_run(&self, integration: &Integration) -> Result<Option<DateTime<Utc>>> {
        let t: Option<String> =
            self.connection().prepare_cached("SELECT max(started_at) FROM integration_logs WHERE integration_id = ?1")?.query_row([integration.id.to_string()], |r| r.get(0))?;
        Ok(t.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
    }

    /// The providers due a run now on this device: switched on, not waiting for a new
    /// credential, the credential in this device's keychain, and their period passed since the
    /// last run.
    pub fn due_integrations(&self, secrets: &dyn SecretStore, now: DateTime<Utc>) -> Result<Vec<String>> {
        let mut due = vec![];
        let all = self.repo::<Integration>().list(&crate::repo::ListQuery { limit: Some(10), ..Default::default() })?;
        for i in all.items {
            if !i.is_active || i.status.as_str() == "disconnected" {
                continue;
            }
            let Some(every) = period(i.settings.get("sync_frequency").and_then(Value::as_str)) else { continue };
            let refused = i.metadata.get("last_error").and_then(Value::as_str).is_some_and(|e| e.ends_with("reconnect"));
            if refused {
                continue;
            }
            if self.integration_secret(secrets, i.id)?.is_none() {
                continue;
            }
            let last = self.last_run(&i)?;
            if last.is_none_or(|l| now.signed_duration_since(l).to_std().unwrap_or_default() >= every) {
                due.push(i.provider.as_str().to_owned());
            }
        }
        Ok(due)
    }

    /// Runs each connection that is due, one after the other.
    pub async fn run_due_integrations(&self, secrets: &dyn SecretStore) -> Vec<(String, Result<RunReport>)> {
        let due = match self.due_integrations(secrets, self.now().as_datetime()) {
            Ok(d) => d,
            Err(e) => return vec![(String::new(), Err(e))],
        };
        let mut out = vec![];
        for p in due {
            let r = self.run_integration(secrets, &p).await;
            out.push((p, r));
        }
        out
    }
}
