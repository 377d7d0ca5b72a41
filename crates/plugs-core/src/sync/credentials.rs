//! Where tokens live: the OS keychain (Secret Service on Linux, via `keyring`), never the database
//! or the logs. An in-memory store serves embedding and tests that are not about the keychain.

use crate::error::{Error, Result};
use crate::sync::remote::Tokens;
use std::sync::Mutex;

/// A place to keep one session's tokens.
pub trait Credentials: Send + Sync {
    fn load(&self) -> Result<Option<Tokens>>;
    fn save(&self, tokens: &Tokens) -> Result<()>;
    fn clear(&self) -> Result<()>;
    /// A file whose lock every process of this device takes while it refreshes the tokens, so the
    /// app's engine and the CLI never refresh at the same moment (none for in-memory tokens).
    fn refresh_lock(&self) -> Option<std::path::PathBuf> {
        None
    }
}

/// The OS keychain entry of one device's session with one server.
pub struct Keychain {
    entry: keyring::Entry,
    lock: std::path::PathBuf,
}

/// The keychain service name entries are filed under.
pub const KEYCHAIN_SERVICE: &str = "com.theplugs.app";

impl Keychain {
    /// The entry for this device (its data dir's device id) and server.
    pub fn new(device_id: uuid::Uuid, server: &str) -> Result<Keychain> {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &format!("{device_id}@{server}")).map_err(|e| Error::Keychain(e.to_string()))?;
        let dir = dirs::runtime_dir().unwrap_or_else(std::env::temp_dir);
        Ok(Keychain { entry, lock: dir.join(format!("plugs-refresh-{device_id}.lock")) })
    }
}

impl Credentials for Keychain {
    fn load(&self) -> Result<Option<Tokens>> {
        match self.entry.get_password() {
            Ok(s) => Ok(serde_json::from_str(&s).ok()),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Error::Keychain(e.to_string())),
        }
    }
    fn save(&self, tokens: &Tokens) -> Result<()> {
        let s = serde_json::to_string(tokens).map_err(|e| Error::Keychain(e.to_string()))?;
        self.entry.set_password(&s).map_err(|e| Error::Keychain(e.to_string()))
    }
    fn clear(&self) -> Result<()> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Error::Keychain(e.to_string())),
        }
    }
    fn refresh_lock(&self) -> Option<std::path::PathBuf> {
        Some(self.lock.clone())
    }
}

/// Tokens kept in memory only (lost when the process ends).
#[derive(Default)]
pub struct Memory(Mutex<Option<Tokens>>);

impl Credentials for Memory {
    fn load(&self) -> Result<Option<Tokens>> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
    fn save(&self, tokens: &Tokens) -> Result<()> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(tokens.clone());
        Ok(())
    }
    fn clear(&self) -> Result<()> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}
