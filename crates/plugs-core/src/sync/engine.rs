//! The background engine: syncs when there is something to sync and the server can be reached,
//! waits on the server for other devices' changes (long-poll, no busy polling), backs off with
//! jitter when offline or failing, and reports its status.

use crate::error::Error;
use crate::store::Store;
use crate::sync::client::{Progress, Syncer};
use crate::types::Timestamp;
use rand::Rng;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What the engine is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Idle,
    Syncing,
    Offline,
    Error,
    SignedOut,
}

/// The engine's status, for the app and the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Why it is offline, failing or signed out.
    pub message: Option<String>,
    pub pending: i64,
    pub last_success: Option<Timestamp>,
    pub progress: Option<Progress>,
    /// The file being uploaded or downloaded, while one is.
    pub files: Option<crate::sync::files::FileProgress>,
}

enum Command {
    Nudge,
    Stop,
}

/// Tuning of the engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Quiet time after a local write before pushing (writes come in bursts).
    pub debounce: Duration,
    /// First retry delay after a failure; doubles up to `max_backoff`, with full jitter.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// How long one long-poll waits on the server.
    pub long_poll: u64,
    /// How often to look for writes made by other processes on this database.
    pub local_check: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            debounce: Duration::from_millis(250),
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            long_poll: 25,
            local_check: Duration::from_millis(500),
        }
    }
}

/// A running engine. Dropping it stops it.
pub struct SyncEngine {
    commands: mpsc::UnboundedSender<Command>,
    status: watch::Receiver<SyncStatus>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SyncEngine {
    /// Starts syncing the database at `db` through `syncer` on a thread of its own.
    pub fn start(db: PathBuf, syncer: Syncer, options: EngineOptions) -> crate::Result<SyncEngine> {
        let store = Store::open_helper(&db)?;
        let initial = SyncStatus {
            state: SyncState::Idle,
            message: None,
            pending: store.pending_changes()?,
            last_success: store.sync_link()?.and_then(|l| l.last_success),
            progress: None,
            files: None,
        };
        drop(store);
        let (tx, rx) = mpsc::unbounded_channel();
        let (status_tx, status) = watch::channel(initial);
        let thread = std::thread::Builder::new().name("plugs-sync".into()).spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return fail(&status_tx, e),
            };
            rt.block_on(run(db, syncer, options, rx, status_tx));
        })?;
        Ok(SyncEngine { commands: tx, status, thread: Some(thread) })
    }

    /// Something changed locally: sync soon (debounced).
    pub fn nudge(&self) {
        let _ = self.commands.send(Command::Nudge);
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that changes with the status.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }
}

impl Drop for SyncEngine {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The engine cannot run at all: say why in its status.
fn fail(status: &watch::Sender<SyncStatus>, e: impl std::fmt::Display) {
    status.send_modify(|s| {
        s.state = SyncState::Error;
        s.message = Some(e.to_string());
    });
}

fn data_version(store: &Store) -> i64 {
    store.connection().query_row("PRAGMA data_version", [], |r| r.get(0)).unwrap_or(0)
}

async fn run(db: PathBuf, syncer: Syncer, o: EngineOptions, mut commands: mpsc::UnboundedReceiver<Command>, status: watch::Sender<SyncStatus>) {
    let store = match Store::open_helper(&db) {
        Ok(s) => s,
        Err(e) => return fail(&status, e),
    };
    let mut failures: u32 = 0;
    let mut seen_version = data_version(&store);
    let mut pending_before = store.pending_changes().unwrap_or(0);
    loop {
        // One round: push what is pending, pull what is new.
        status.send_modify(|s| {
            s.state = SyncState::Syncing;
            s.pending = store.pending_changes().unwrap_or(s.pending);
        });
        let result = syncer
            .sync_once(&store, |p| {
                status.send_modify(|s| s.progress = Some(p));
            })
            .await;
        // Then the files' bytes (uploads of what was added here, small downloads).
        let result = match result {
            Ok(r) => syncer
                .transfer_files(&store, |f| {
                    status.send_modify(|s| s.files = Some(f));
                })
                .await
                .map(|_| r),
            Err(e) => Err(e),
        };
        status.send_modify(|s| s.files = None);
        let wait_for = match result {
            Ok(_) => {
                failures = 0;
                status.send_modify(|s| {
                    s.state = SyncState::Idle;
                    s.message = None;
                    s.progress = None;
                    s.pending = store.pending_changes().unwrap_or(0);
                    s.last_success = Some(Timestamp::now());
                });
                None
            }
            Err(e) => {
                let (state, message) = match &e {
                    Error::Offline(m) => (SyncState::Offline, m.clone()),
                    Error::SignedOut(m) => (SyncState::SignedOut, m.clone()),
                    other => (SyncState::Error, other.to_string()),
                };
                tracing::debug!(error = %e, "sync round failed");
                status.send_modify(|s| {
                    s.state = state;
                    s.message = Some(message);
                    s.progress = None;
                    s.pending = store.pending_changes().unwrap_or(s.pending);
                });
                if state == SyncState::SignedOut {
                    Some(Duration::MAX)
                } else {
                    failures += 1;
                    let cap = o.min_backoff.saturating_mul(1u32 << failures.min(16)).min(o.max_backoff);
                    Some(Duration::from_millis(rand::thread_rng().gen_range(o.min_backoff.as_millis() as u64..=cap.as_millis().max(o.min_backoff.as_millis()) as u64)))
                }
            }
        };
        // Wait for a reason to go again: a local write, another device's change, or the backoff.
        loop {
            let live = async {
                match wait_for {
                    None => syncer.pull_live(&store, o.long_poll).await,
                    Some(d) if d == Duration::MAX => std::future::pending().await,
                    Some(d) => {
                        tokio::time::sleep(d).await;
                        Ok(0)
                    }
                }
            };
            let mut tick = tokio::time::interval(o.local_check);
            tick.tick().await;
            let local_write = async {
                loop {
                    tick.tick().await;
                    let v = data_version(&store);
                    let pending = store.pending_changes().unwrap_or(0);
                    if v != seen_version && pending > 0 && pending != pending_before {
                        return;
                    }
                }
            };
            tokio::select! {
                cmd = commands.recv() => match cmd {
                    Some(Command::Nudge) => {
                        tokio::time::sleep(o.debounce).await;
                        while let Ok(c) = commands.try_recv() {
                            if matches!(c, Command::Stop) { return; }
                        }
                        break;
                    }
                    Some(Command::Stop) | None => return,
                },
                _ = local_write => {
                    tokio::time::sleep(o.debounce).await;
                    break;
                }
                r = live => match r {
                    Ok(n) if n > 0 => {
                        status.send_modify(|s| s.last_success = Some(Timestamp::now()));
                        break;
                    }
                    Ok(_) if wait_for.is_none() => continue,
                    Ok(_) => break,
                    Err(_) => break,
                },
            }
        }
        seen_version = data_version(&store);
        pending_before = store.pending_changes().unwrap_or(0);
    }
}
