//! The sync protocol's messages, shared by the client engine and the server (one definition, so
//! the two cannot drift apart). See `docs/sync.md`.

use crate::error::ErrorPayload;
use crate::types::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A batch of local changes. Applied in one transaction; each change by its mutation id at most once.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The pushing device (ties between equal timestamps are broken by device id).
    pub device_id: Uuid,
    /// The device's clock when it sent the batch: the server corrects timestamps by the difference.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub client_time: Timestamp,
    pub changes: Vec<PushChange>,
}

/// What a change does.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The row exists with these values (creates, edits, tombstones, restores).
    Upsert,
    /// The row is gone (tables without tombstones).
    Delete,
}

/// One row's pending change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushChange {
    /// Unique per change; a retried push with the same id applies nothing twice.
    pub mutation_id: Uuid,
    pub table: String,
    pub record_id: Uuid,
    pub kind: ChangeKind,
    /// When (device clock) each changed field was last written here.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub fields: BTreeMap<String, Timestamp>,
    /// The row as it is on the device (every column), for creates and for the changed fields' values.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub row: Option<Map<String, Value>>,
}

/// What became of one change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every changed field is now the server's value.
    Applied,
    /// Some fields were applied; newer writes elsewhere kept the others.
    Partial,
    /// Newer writes elsewhere kept every field.
    Superseded,
    /// The server refused the change (see `reason`); nothing of it was applied.
    Rejected,
}

/// Who last wrote a field: the time (server-corrected) and the device. Ordered by time, then device.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Version {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub device: Uuid,
}

/// The result of one change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushResult {
    pub mutation_id: Uuid,
    pub outcome: Outcome,
    /// Fields a newer write kept, with that write's version.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub superseded_by: BTreeMap<String, Version>,
    /// Why a change was rejected, for the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ErrorPayload>,
    /// The row as the server has it now (None if it does not exist there or is not visible).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub current: Option<Map<String, Value>>,
}

/// The answer to a push.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<PushResult>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub server_time: Timestamp,
}

/// What a pulled change asks of the device.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullKind {
    /// Store this row as given.
    Upsert,
    /// The row no longer exists (removed, or purged): drop it.
    Remove,
    /// The row exists but is not for this user (someone else's notification, a private file): drop it.
    Hide,
}

/// One row of a pull page. The server writes the row as PostgreSQL made its JSON (`J` a raw JSON
/// value); the device reads it as an object, and may attach the values it will store (`X`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(bound = ""))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PulledRow<J = Map<String, Value>, X = ()> {
    pub seq: i64,
    pub table: String,
    pub record_id: Uuid,
    pub kind: PullKind,
    /// The row (every column), for `upsert`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub row: Option<J>,
    /// The row's values as they will be stored, in the table's column order, when already
    /// worked out (by the thread that fetched the page, while the previous one was written).
    #[serde(skip)]
    pub values: Option<X>,
}

/// A page of changes after a cursor.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(bound = ""))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullResponse<R = PulledRow> {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<PulledRow>))]
    pub rows: Vec<R>,
    /// Pass this back to get what follows.
    pub cursor: i64,
    /// More rows wait after `cursor`.
    pub has_more: bool,
    /// How many rows follow the requested cursor (when asked for with `total=true`).
    #[serde(default)]
    pub total: Option<i64>,
    /// The cursor is older than the tombstone retention: start over from 0 (a full resync).
    #[serde(default)]
    pub resync_required: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub server_time: Timestamp,
}

/// Tables that sync, parents before children: the order a batch is applied in.
pub const SYNC_ORDER: &[&str] = &[
    "organizations",
    "users",
    "contacts",
    "contact_interactions",
    "events",
    "event_attendees",
    "event_agenda_items",
    "expenses",
    "media",
    "media_collections",
    "media_collection_items",
    "notifications",
    "integrations",
    "integration_logs",
    "analytics_events",
    "audit_logs",
];

/// Where a table sits in [`SYNC_ORDER`].
pub fn table_rank(table: &str) -> Option<usize> {
    SYNC_ORDER.iter().position(|t| *t == table)
}

/// Tables whose rows are written once and never changed.
pub fn append_only(table: &str) -> bool {
    matches!(table, "audit_logs" | "integration_logs" | "analytics_events")
}

/// Registering a device's offline workspace as a new organization, keeping its ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterWorkspace {
    pub organization_id: Uuid,
    pub user_id: Uuid,
}
