//! Commands the UI calls: each one takes the store and asks the core.

use plugs_core::workspace::NewWorkspace;
use plugs_core::{ErrorPayload, Filter, ListQuery, Page, Record, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Mutex;
use tauri::State;
use uuid::Uuid;

use crate::background::Sync;

/// The one store of the app.
pub struct AppStore(pub Mutex<Store>);

type Answer<T> = Result<T, ErrorPayload>;

fn with<T>(s: &State<AppStore>, f: impl FnOnce(&Store) -> plugs_core::Result<T>) -> Answer<T> {
    let store = s.0.lock().map_err(|_| ErrorPayload { code: "busy".into(), field: None, message: "the store is unavailable".into() })?;
    f(&store).map_err(|e| e.to_payload())
}

fn id(s: &str) -> plugs_core::Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| plugs_core::Error::invalid("id", "invalid_format", format!("'{s}' is not a UUID")))
}

/// Whether a workspace exists, and who is signed in.
#[derive(Serialize)]
pub struct WorkspaceStatus {
    pub initialized: bool,
    pub user_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub pending_changes: i64,
}

#[tauri::command]
pub fn workspace_status(s: State<AppStore>) -> Answer<WorkspaceStatus> {
    with(&s, |st| {
        let a = st.actor().ok();
        Ok(WorkspaceStatus { initialized: a.is_some(), user_id: a.as_ref().map(|a| a.user_id), organization_id: a.map(|a| a.organization_id), pending_changes: st.pending_changes()? })
    })
}

#[tauri::command]
pub fn init_workspace(s: State<AppStore>, input: NewWorkspace) -> Answer<()> {
    with(&s, |st| st.init_workspace(&input).map(|_| ()))
}

#[tauri::command]
pub fn create_record(s: State<AppStore>, sync: State<Sync>, table: String, fields: Record) -> Answer<Record> {
    let r = with(&s, |st| st.table(&table)?.create(fields));
    sync.nudge();
    r
}

#[tauri::command]
pub fn update_record(s: State<AppStore>, sync: State<Sync>, table: String, id: String, fields: Record) -> Answer<Record> {
    let r = with(&s, |st| st.table(&table)?.update(self::id(&id)?, fields));
    sync.nudge();
    r
}

#[tauri::command]
pub fn delete_record(s: State<AppStore>, sync: State<Sync>, table: String, id: String) -> Answer<Record> {
    let r = with(&s, |st| st.table(&table)?.delete(self::id(&id)?));
    sync.nudge();
    r
}

#[tauri::command]
pub fn restore_record(s: State<AppStore>, sync: State<Sync>, table: String, id: String) -> Answer<Record> {
    let r = with(&s, |st| st.table(&table)?.restore(self::id(&id)?));
    sync.nudge();
    r
}

#[tauri::command]
pub fn get_record(s: State<AppStore>, table: String, id: String) -> Answer<Record> {
    with(&s, |st| st.table(&table)?.get(self::id(&id)?))
}

/// A list request from the UI.
#[derive(Deserialize, Default)]
pub struct ListRequest {
    #[serde(default)]
    pub equals: serde_json::Map<String, Value>,
    pub sort: Option<String>,
    #[serde(default)]
    pub descending: bool,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[tauri::command]
pub fn list_records(s: State<AppStore>, table: String, request: ListRequest) -> Answer<Page<Record>> {
    let q = ListQuery {
        filters: request.equals.into_iter().map(|(k, v)| Filter::Eq(k, v)).collect(),
        sort: request.sort,
        descending: request.descending,
        limit: request.limit,
        cursor: request.cursor,
        include_deleted: false,
    };
    with(&s, |st| st.table(&table)?.list(&q))
}

#[tauri::command]
pub fn search_contacts(s: State<AppStore>, query: String, limit: Option<usize>) -> Answer<Vec<Value>> {
    with(&s, |st| Ok(st.search_contacts(&query, &[], limit.unwrap_or(50))?.into_iter().map(|c| serde_json::to_value(c).unwrap_or_default()).collect()))
}

/// The sync engine's status (None when this device does not sync with a server).
#[tauri::command]
pub fn sync_status(sync: State<Sync>) -> Option<plugs_core::sync::SyncStatus> {
    sync.0.lock().ok().and_then(|g| g.as_ref().map(|e| e.status()))
}

/// "Sync now".
#[tauri::command]
pub fn sync_now(sync: State<Sync>) {
    sync.nudge();
}

/// Whether closing the window keeps the app (reminders, sync) running in the tray. On by default.
pub fn keep_running(store: &Store) -> bool {
    store.setting("app.keep_running").ok().flatten().as_deref() != Some("false")
}

#[tauri::command]
pub fn set_keep_running(s: State<AppStore>, keep: bool) -> Answer<()> {
    with(&s, |st| st.set_setting_value("app.keep_running", if keep { "true" } else { "false" }))
}
