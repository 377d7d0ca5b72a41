//! The sync protocol's messages, defined once in `plugs-domain` (the server speaks the same types);
//! here with the device's pulled row, which carries the values it will store.

pub use plugs_domain::wire::*;

/// A pulled row as the device reads it: the row as an object, and the SQLite values worked out
/// by the thread that fetched the page.
pub type PulledRow = plugs_domain::wire::PulledRow<serde_json::Map<String, serde_json::Value>, Vec<rusqlite::types::Value>>;
/// A pull page as the device reads it.
pub type PullResponse = plugs_domain::wire::PullResponse<PulledRow>;
