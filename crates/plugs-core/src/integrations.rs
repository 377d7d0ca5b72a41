//! Connecting third-party integrations: the credential goes to the OS keychain, the
//! `integrations` row keeps only a reference to it (`{"keychain_ref": ...}`), so no secret is ever
//! in the database, its WAL, a sync message or a log line.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::tables::integrations::Integration;
use serde_json::json;
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
        let key = keychain_ref(org, provider);
        secrets.set(&key, secret)?;
        tracing::debug!(provider, keychain_ref = %key, "integration credential stored in the keychain");
        let created = self.repo::<Integration>().create(&json!({
            "provider": provider, "integration_type": integration_type, "credentials": { "keychain_ref": key }, "status": "connected",
        }));
        if created.is_err() {
            let _ = secrets.delete(&key);
        }
        created
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
