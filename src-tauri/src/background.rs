//! What keeps running behind the window: the sync engine (when this device is signed in to a
//! server) and the reminder scheduler. Both open their own connection to the same database.

use plugs_core::reminders::{answer, fire_due, DesktopNotifier, ReminderSettings};
use plugs_core::sync::{Keychain, Remote, SyncEngine, Syncer};
use plugs_core::Store;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// The running sync engine, if this device syncs.
#[derive(Default)]
pub struct Sync(pub Mutex<Option<SyncEngine>>);

impl Sync {
    /// Starts the engine when the database is linked to a server.
    pub fn start(db: &std::path::Path) -> Sync {
        let engine = (|| -> plugs_core::Result<Option<SyncEngine>> {
            let store = Store::open(db)?;
            let Some(link) = store.sync_link()? else { return Ok(None) };
            let remote = Remote::new(&link.server)?;
            let keys = Keychain::new(store.device_id(), remote.base())?;
            Ok(Some(SyncEngine::start(db.to_owned(), Syncer::new(remote, std::sync::Arc::new(keys)), Default::default())?))
        })();
        match engine {
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
}

/// Fires reminders as desktop notifications while the app runs (window open or not).
pub fn reminders(db: PathBuf) {
    std::thread::Builder::new()
        .name("plugs-reminders".into())
        .spawn(move || {
            let Ok(store) = Store::open(&db) else { return };
            let notifier = DesktopNotifier::default();
            let settings = ReminderSettings::default();
            let (tx, rx) = std::sync::mpsc::channel();
            loop {
                if store.is_initialized() {
                    if let Err(e) = fire_due(&store, &notifier, store.now(), &settings, &tx) {
                        tracing::warn!(error = %e, "reminders");
                    }
                    while let Ok((r, a)) = rx.try_recv() {
                        let _ = answer(&store, &r, a, store.now());
                    }
                } else {
                    // The workspace may be created in the window meanwhile.
                    let _ = store.connection().execute_batch("SELECT 1");
                    let _ = reload(&store);
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
        .expect("a thread for reminders");
}

fn reload(store: &Store) -> plugs_core::Result<()> {
    store.refresh_actor()
}
