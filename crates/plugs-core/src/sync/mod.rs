//! Sync with the central server: the wire protocol, applying pulled rows, pushing the outbox, and
//! the background engine. The protocol is described in `docs/sync.md`.

pub mod wire;
