//! Sync with the central server: the wire protocol, applying pulled rows, pushing the outbox, and
//! the background engine. The protocol is described in `docs/sync.md`.

pub mod apply;
pub mod client;
pub mod credentials;
pub mod engine;
pub mod files;
pub mod remote;
pub mod wire;

pub use client::{Link, Progress, SyncReport, Syncer};
pub use credentials::{Credentials, Keychain, Memory};
pub use engine::{SyncEngine, SyncState, SyncStatus};
pub use files::{FileProgress, FilesReport};
pub use remote::{Remote, Tokens};
