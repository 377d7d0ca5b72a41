//! What keeps running behind the window: the sync engine (when this device is signed in to a
//! server) and the reminder scheduler. Both open their own connection to the same database.

use plugs_core::reminders::{answer, fire_due, DesktopNotifier, ReminderAction};
use plugs_core::sync::{Keychain, Remote, SyncEngine, Syncer};
use plugs_core::Store;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// The running sync engine, if this device syncs.
#[derive(Default)]
pub struct Sync(pub Mutex<Option<SyncEngine>>);

fn engine_for(db: &std::path::Path) -> plugs_core::Result<Option<SyncEngine>> {
    let store = Store::open_helper(db)?;
    let Some(link) = store.sync_link()? else { return Ok(None) };
    let remote = Remote::new(&link.server)?;
    let keys = Keychain::new(store.device_id(), remote.base())?;
    Ok(Some(SyncEngine::start(db.to_owned(), Syncer::new(remote, std::sync::Arc::new(keys)), Default::default())?))
}

impl Sync {
    /// Starts the engine when the database is linked to a server.
    pub fn start(db: &std::path::Path) -> Sync {
        match engine_for(db) {
            Ok(e) => Sync(Mutex::new(e)),
            Err(e) => {
                tracing::warn!(error = %e, "sync not started");
                Sync::default()
            }
        }
    }

    /// Something changed here, or the user asked: sync soon.
    pub fn nudge(&self) {
        if let Ok(g) = self.0.lock() {
            if let Some(e) = g.as_ref() {
                e.nudge();
            }
        }
    }

    /// The engine's status; None when this device does not sync.
    pub fn status(&self) -> Option<plugs_core::sync::SyncStatus> {
        self.0.lock().ok().and_then(|g| g.as_ref().map(|e| e.status()))
    }

    fn replace(&self, e: Option<SyncEngine>) {
        let old = self.0.lock().map(|mut g| std::mem::replace(&mut *g, e)).ok().flatten();
        // Dropping an engine waits for its thread to stop.
        drop(old);
    }
}

/// How to connect this device to a server.
pub enum SignIn {
    /// An existing account: this workspace's rows join its organization.
    Login { email: String, password: String },
    /// This workspace becomes a new organization on the server.
    Register { password: String },
}

/// Runs a network step off the async runtime (the store is not shared across threads).
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> plugs_core::Result<T> + Send + 'static) -> Result<T, plugs_core::ErrorPayload> {
    tokio::task::spawn_blocking(f).await.map_err(|e| plugs_core::ErrorPayload { code: "internal".into(), field: None, message: e.to_string() })?.map_err(|e| e.to_payload())
}

/// Signs in (or registers), stores the tokens in the keychain, syncs once, then starts the engine.
pub async fn sign_in(sync: &Sync, db: PathBuf, server: String, how: SignIn) -> Result<(), plugs_core::ErrorPayload> {
    sync.replace(None);
    let path = db.clone();
    blocking(move || {
        let store = Store::open_helper(&path)?;
        let remote = Remote::new(server.trim())?;
        let keys = Keychain::new(store.device_id(), remote.base())?;
        let syncer = Syncer::new(remote, std::sync::Arc::new(keys));
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(async {
            match how {
                SignIn::Login { email, password } => syncer.login(&store, email.trim(), &password).await,
                SignIn::Register { password } => syncer.register(&store, &password).await,
            }
        })?;
        Ok(())
    })
    .await?;
    let engine = blocking(move || engine_for(&db)).await?;
    sync.replace(engine);
    Ok(())
}

/// Signs out: ends the server session and forgets the tokens. Data and pending changes stay; the
/// engine keeps running and reports "signed out" until the next sign-in.
pub async fn sign_out(sync: &Sync, db: PathBuf) -> Result<(), plugs_core::ErrorPayload> {
    let engine = sync.0.lock().ok().and_then(|mut g| g.take());
    let path = db.clone();
    blocking(move || {
        drop(engine);
        let store = Store::open_helper(&path)?;
        let Some(link) = store.sync_link()? else { return Ok(()) };
        let remote = Remote::new(&link.server)?;
        let keys = Keychain::new(store.device_id(), remote.base())?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(Syncer::new(remote, std::sync::Arc::new(keys)).logout())
    })
    .await?;
    let engine = blocking(move || engine_for(&db)).await?;
    sync.replace(engine);
    Ok(())
}

/// How the window asks to import.
pub struct ImportChoice {
    pub format: String,
    pub dry_run: bool,
    pub overwrite: bool,
    pub mapping: String,
}

/// Imports a file sent by the window on a connection of its own, reporting progress as events.
pub async fn import(
    db: PathBuf,
    app: tauri::AppHandle,
    file_name: String,
    data_base64: String,
    choice: ImportChoice,
) -> Result<plugs_core::interop::ImportReport, plugs_core::ErrorPayload> {
    use base64::Engine;
    use tauri::Emitter;
    blocking(move || {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data_base64.trim())
            .map_err(|_| plugs_core::Error::invalid("file", "invalid_format", format!("the bytes of '{file_name}' did not arrive intact")))?;
        let store = Store::open_helper(&db)?;
        let options = plugs_core::interop::ImportOptions {
            format: choice.format.parse()?,
            dry_run: choice.dry_run,
            overwrite: choice.overwrite,
            mapping: plugs_core::interop::csvfmt::parse_mapping(&choice.mapping)?,
        };
        store.import_contacts(&bytes, &options, |done, total| {
            let _ = app.emit("import-progress", serde_json::json!({ "done": done, "total": total, "file": file_name }));
        })
    })
    .await
}

/// Fires reminders as desktop notifications while the app runs (window open or not). A click on
/// one ("open") shows the window on the screen it is about; "done" and "snooze" are applied here.
pub fn reminders(db: PathBuf, app: tauri::AppHandle, tray_item: tauri::menu::MenuItem<tauri::Wry>) {
    use tauri::Manager;
    std::thread::Builder::new()
        .name("plugs-reminders".into())
        .spawn(move || {
            let Ok(store) = Store::open_helper(&db) else { return };
            let notifier = DesktopNotifier::default();
            let (tx, rx) = std::sync::mpsc::channel();
            let mut tray_line_shown = String::new();
            for tick in 0u64.. {
                if store.is_initialized() {
                    let settings = store.reminder_settings().unwrap_or_default();
                    if let Err(e) = fire_due(&store, &notifier, store.now(), &settings, &tx) {
                        tracing::warn!(error = %e, "reminders");
                    }
                    while let Ok((r, a)) = rx.try_recv() {
                        if a == ReminderAction::Open {
                            match store.reminder_target(&r) {
                                Ok(t) => open_screen(&app, t.screen, t.id.map(|i| i.to_string())),
                                Err(e) => tracing::warn!(error = %e, "reminder target"),
                            }
                        } else if let Err(e) = answer(&store, &r, a, store.now()) {
                            tracing::warn!(error = %e, "reminder answer");
                        }
                    }
                } else {
                    // The workspace may be created in the window meanwhile.
                    let _ = reload(&store);
                }
                // The tray's status line and tooltip, every other second.
                if tick % 2 == 0 {
                    let unread = store.unread_count().unwrap_or(0);
                    let pending = store.pending_changes().unwrap_or(0);
                    let line = tray_line(app.state::<Sync>().status().as_ref(), pending, unread);
                    if line != tray_line_shown {
                        let _ = tray_item.set_text(&line);
                        if let Some(t) = app.tray_by_id("plugs") {
                            let _ = t.set_tooltip(Some(format!("The Plugs — {line}")));
                        }
                        tray_line_shown = line;
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
        .expect("a thread for reminders");
}

/// Shows the window and tells the UI which screen to open.
pub fn open_screen(app: &tauri::AppHandle, screen: &str, id: Option<String>) {
    use tauri::{Emitter, Manager};
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
    let _ = app.emit("navigate", serde_json::json!({ "screen": screen, "id": id }));
}

/// What the tray says: sync state, pending changes, unread notifications.
pub fn tray_line(status: Option<&plugs_core::sync::SyncStatus>, pending: i64, unread: i64) -> String {
    use plugs_core::sync::SyncState;
    let sync = match status {
        None => format!("Offline workspace · {pending} changes on this device"),
        Some(s) => match s.state {
            SyncState::Idle => "Up to date".to_owned(),
            SyncState::Syncing => match &s.progress {
                Some(p) => format!("Syncing {}/{}", p.done, p.total),
                None => "Syncing…".to_owned(),
            },
            SyncState::Offline => format!("Offline · {} changes waiting", s.pending),
            SyncState::SignedOut => format!("Signed out · {} changes waiting", s.pending),
            SyncState::Error => format!("Sync problem: {}", s.message.as_deref().unwrap_or("unknown")),
        },
    };
    if unread > 0 {
        format!("{sync} · {unread} unread")
    } else {
        sync
    }
}

fn reload(store: &Store) -> plugs_core::Result<()> {
    store.refresh_actor()
}

/// The full integrity check of the local database, in the background: once a little after start
/// (so it never slows the first screen), then daily. Damage is shown in the window and as a
/// desktop notification, with the file's name and what to do.
pub fn integrity(db: PathBuf, app: tauri::AppHandle) {
    use tauri::Emitter;
    let first = std::env::var("PLUGS_CHECK_AFTER_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let _ = std::thread::Builder::new().name("plugs-integrity".into()).spawn(move || {
        std::thread::sleep(Duration::from_secs(first));
        loop {
            let verdict = Store::open_helper(&db).and_then(|s| s.check_integrity());
            match verdict {
                Ok(()) => tracing::debug!("integrity check passed"),
                Err(e) => {
                    let message = e.to_string();
                    tracing::error!(error = %message, "integrity check failed");
                    let _ = app.emit("store-damaged", serde_json::json!({ "message": message }));
                    crate::problem("The Plugs found damage in its data", &message);
                    return;
                }
            }
            std::thread::sleep(Duration::from_secs(24 * 3600));
        }
    });
}

/// Automatic backups (Settings → Backup): looked at every ten minutes; one is made when it is due
/// and its passphrase is saved in the keychain. A failure is told once, as a desktop notification.
pub fn backups(db: PathBuf) {
    let _ = std::thread::Builder::new().name("plugs-backup".into()).spawn(move || {
        let mut told = false;
        loop {
            std::thread::sleep(Duration::from_secs(600));
            let Ok(store) = Store::open_helper(&db) else { continue };
            if !store.is_initialized() {
                continue;
            }
            let Ok(Some(pass)) = plugs_core::backup::saved_passphrase() else { continue };
            match plugs_core::backup::auto_backup_if_due(&store, &pass) {
                Ok(Some(r)) => {
                    told = false;
                    tracing::info!(file = %r.file, bytes = r.bytes, "automatic backup written");
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "automatic backup failed");
                    if !told {
                        crate::problem("The Plugs could not back up", &e.to_string());
                        told = true;
                    }
                }
            }
        }
    });
}

/// Integrations on their schedule (`settings.sync_frequency`): looked at every minute; the
/// connections due whose credential is in this device's keychain run one after the other
/// (docs/integrations.md). A provider offline is tried again at the next look.
pub fn integrations(db: PathBuf) {
    let _ = std::thread::Builder::new().name("plugs-integrations".into()).spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        loop {
            std::thread::sleep(Duration::from_secs(60));
            let Ok(store) = Store::open_helper(&db) else { continue };
            if !store.is_initialized() {
                continue;
            }
            for (provider, r) in rt.block_on(store.run_due_integrations(&plugs_core::integrations::KeychainSecrets)) {
                match r {
                    Ok(r) => tracing::info!(provider, status = %r.status, message = %r.message, "scheduled integration run"),
                    Err(plugs_core::Error::Offline(_)) => tracing::debug!(provider, "scheduled integration run waits for the network"),
                    Err(e) => tracing::warn!(provider, error = %e, "scheduled integration run did not start"),
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::tray_line;
    use plugs_core::sync::{Progress, SyncState, SyncStatus};

    #[test]
    fn the_tray_says_what_sync_is_doing_and_what_is_unread() {
        let s = |state, message: Option<&str>, progress| SyncStatus { state, message: message.map(str::to_owned), pending: 3, last_success: None, progress, files: None };
        assert_eq!(tray_line(None, 2, 0), "Offline workspace · 2 changes on this device");
        assert_eq!(tray_line(Some(&s(SyncState::Idle, None, None)), 0, 4), "Up to date · 4 unread");
        assert_eq!(tray_line(Some(&s(SyncState::Syncing, None, Some(Progress { done: 5, total: 9 }))), 0, 0), "Syncing 5/9");
        assert_eq!(tray_line(Some(&s(SyncState::Offline, Some("no route"), None)), 3, 0), "Offline · 3 changes waiting");
        assert_eq!(tray_line(Some(&s(SyncState::Error, Some("server: 502"), None)), 0, 1), "Sync problem: server: 502 · 1 unread");
    }
}
