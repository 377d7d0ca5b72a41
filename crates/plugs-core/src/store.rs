//! The local database: opening it, migrating it, the signed-in user, and the entry points to each
//! table's repository.

pub use crate::ctx::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::query::{self, to_record, typed, ListQuery, Page, Record};
use crate::repo::{self, Origin};
use crate::schema::{Entity, TableSpec};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

mod embedded {
    refinery::embed_migrations!("../../migrations/local");
}

/// The identifier the desktop app is bundled under; the data dir is named after it.
pub const APP_IDENTIFIER: &str = "com.theplugs.app";

/// The database file's name inside the data dir.
pub const DB_FILE: &str = "plugs.db";

/// The platform's app-data dir, the same one the desktop app uses (`$XDG_DATA_HOME/com.theplugs.app`
/// on Linux). `PLUGS_DATA_DIR` overrides it.
pub fn default_data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PLUGS_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER))
}

/// How a commit is made durable.
///
/// The store runs in WAL mode with `synchronous = NORMAL` by default: a commit is in the WAL before
/// the call returns, so a crash or kill of the app loses nothing; only a power loss or OS crash can
/// roll back the last moments of commits (never corrupt the file), and the WAL is fsynced at each
/// checkpoint. `Full` fsyncs every commit, for machines without a battery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    #[default]
    Normal,
    Full,
}

/// The local store: one SQLite connection and the signed-in user.
pub struct Store {
    pub(crate) conn: Connection,
    actor: RefCell<Option<Actor>>,
    device_id: Uuid,
    path: PathBuf,
    checkpointer: Option<Checkpointer>,
    clock_offset: std::cell::Cell<chrono::Duration>,
    /// Opened read-only (the data dir or the file cannot be written): reads work, writes are refused.
    read_only: bool,
    /// The turn file beside the database (see [`Store::yield_turn`]); none when read-only.
    turns: Option<std::fs::File>,
    /// Set while a short write makes its first attempt (see [`busy_handler`]).
    hasty: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The database's key (none for a store kept in clear), see [`crate::vault`].
    key: Option<crate::vault::Key>,
    /// The key the media folder's files are sealed with.
    media_key: Option<crate::vault::Key>,
}

/// How long the quick check at open may take before the rest is left to the full check in the
/// background (keeps a cold start of a 100k-contact store well under 1.5 s).
const QUICK_CHECK_BUDGET: Duration = Duration::from_millis(250);

/// How long a write waits for another writer (an import or sync chunk takes far less).
const PATIENCE: Duration = Duration::from_secs(30);

/// The connection's busy handler: polls every few milliseconds (SQLite's own backs off to 100 ms,
/// which lets a bulk writer take the lock again before a waiting capture notices it is free), for
/// [`PATIENCE`]; while `hasty` is set (the first attempt of a short write) it gives up at once, so
/// the writer can ask for a turn.
fn busy_handler(hasty: std::sync::Arc<std::sync::atomic::AtomicBool>) -> impl FnMut(i32) -> bool + Send + 'static {
    move |tries| {
        if hasty.load(std::sync::atomic::Ordering::Relaxed) {
            return false;
        }
        let step = if tries < 10 { 1 } else { 4 };
        std::thread::sleep(Duration::from_millis(step));
        i64::from(tries) < 10 + PATIENCE.as_millis() as i64 / 4
    }
}

/// Advice for a store that cannot be used.
pub(crate) const ADVICE: &str = "Restore it from a backup, or run `plugs repair` to rebuild it from the server (it keeps the changes not yet synced that can still be read).";

/// A place in the queue of short writes; released when dropped.
pub(crate) struct Turn<'s>(Option<&'s std::fs::File>);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Some(f) = self.0 {
            let _ = f.unlock();
        }
    }
}

/// Copies the WAL back into the database from a thread of its own, so no write waits for a
/// checkpoint's fsync (SQLite's automatic checkpoint runs inside the committing write).
struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    const EVERY: Duration = Duration::from_millis(250);

    fn start(path: &Path, key: Option<&crate::vault::Key>) -> Result<Self> {
        let conn = crate::vault::connect(path, key, rusqlite::OpenFlags::default())?;
        conn.busy_timeout(Duration::from_millis(50))?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name("plugs-checkpoint".into()).spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(Self::EVERY) {
                // PASSIVE never blocks writers; frames it cannot copy now are copied next time.
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::debug!(error = %e, "checkpoint deferred");
                }
            }
        })?;
        Ok(Self { stop, thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).field("device_id", &self.device_id).finish()
    }
}

/// Makes a path its owner's alone, whatever the umask: folders 0700, files 0600 (a no-op where
/// that is already so, or where the owner cannot change it).
#[cfg(unix)]
pub fn private_path(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path) {
        let want = if m.is_dir() { 0o700 } else { 0o600 };
        if m.permissions().mode() & 0o777 != want {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(want));
        }
    }
}

#[cfg(not(unix))]
pub fn private_path(_: &Path) {}

/// The data dir holds other people's names, emails, phones and notes: the folder, the database
/// with its WAL and shared memory, and the files kept beside it are readable by their owner only.
/// Files kept before this rule are made private once, the first time the media folder is found
/// readable by others.
fn keep_private(db: &Path) {
    let Some(dir) = db.parent() else { return };
    private_path(dir);
    let name = db.file_name().and_then(|n| n.to_str()).unwrap_or(DB_FILE);
    for p in [db.to_owned(), dir.join(format!("{name}-wal")), dir.join(format!("{name}-shm")), dir.join(format!("{name}.key"))] {
        private_path(&p);
    }
    let media = dir.join("media");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(&media).is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
            if let Ok(entries) = std::fs::read_dir(&media) {
                for e in entries.flatten() {
                    private_path(&e.path());
                }
            }
        }
    }
    private_path(&media);
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, migrated to the current schema.
    pub fn open_dir(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        // A restore a crash interrupted is finished first (see `backup`).
        crate::backup::finish_pending_restore(dir)?;
        Self::open(&dir.join(DB_FILE))
    }

    /// Opens (creating if needed) the database file at `path`, migrated to the current schema.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, Durability::default())
    }

    /// Opens with an explicit durability setting.
    pub fn open_with(path: &Path, durability: Durability) -> Result<Self> {
        Self::open_inner(path, durability, true, true)
    }

    /// A second connection to a database this process already has open with [`Store::open`]
    /// (for a background thread: reminders, sync): no checkpoint thread of its own (SQLite's
    /// automatic checkpoint covers the rare case it writes alone) and a small page cache.
    pub fn open_helper(path: &Path) -> Result<Self> {
        Self::open_inner(path, Durability::default(), false, true)
    }

    /// Opens (creating if needed) a store kept in clear, as stores were before encryption at rest:
    /// for comparisons (the benchmarks' baseline) only; the app never does this. An encrypted
    /// store is refused.
    pub fn open_unencrypted(path: &Path) -> Result<Self> {
        if path.exists() && std::fs::metadata(path).is_ok_and(|m| m.len() > 0) && !crate::vault::is_plaintext(path) {
            return Err(Error::Store(format!("{} is encrypted", path.display())));
        }
        Self::open_inner(path, Durability::default(), true, false)
    }

    fn open_inner(path: &Path, durability: Durability, main: bool, encrypted: bool) -> Result<Self> {
        let advice = format!("Nothing was changed. {ADVICE}");
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            return Err(Error::Store(format!("{} is empty (0 bytes): it is not a database of The Plugs. {advice}", path.display())));
        }
        let turns = writable(path);
        // The key: a store kept in clear by an earlier version is encrypted in place first (when
        // it can be written; read-only, it is read as it is).
        let key = if !encrypted || (turns.is_none() && crate::vault::is_plaintext(path)) {
            None
        } else {
            let k = crate::vault::key_for(path)?;
            if crate::vault::is_plaintext(path) {
                crate::vault::encrypt_in_place(path, &k)?;
            }
            Some(k)
        };
        let unusable = |e: rusqlite::Error| match (&key, e.sqlite_error_code()) {
            (Some(_), Some(rusqlite::ErrorCode::NotADatabase)) => {
                crate::vault::forget(path);
                Error::Locked(format!("{} cannot be opened with the key kept for it (or it is not a database of The Plugs). {}", path.display(), crate::vault::LOST))
            }
            _ => damaged(path, e),
        };
        let (mut conn, read_only) = match crate::vault::connect(path, key.as_ref(), rusqlite::OpenFlags::default()) {
            Ok(c) if turns.is_some() => (c, false),
            Ok(c) => {
                drop(c);
                (open_read_only(path, key.as_ref()).map_err(unusable)?, true)
            }
            Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)) && path.exists() => {
                (open_read_only(path, key.as_ref()).map_err(unusable)?, true)
            }
            Err(e) => return Err(unusable(e)),
        };
        check_version(&conn, path).map_err(|e| match e {
            Error::Database(d) => unusable(d),
            other => other,
        })?;
        let hasty = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        conn.busy_handler(Some(busy_handler(hasty.clone())))?;
        // A helper connection opens a store this process has already checked.
        if main {
            quick_check(&mut conn, path)?;
        }
        if read_only {
            let pending = {
                let history: Vec<i64> = conn.prepare("SELECT version FROM refinery_schema_history")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                embedded::migrations::runner().get_migrations().iter().any(|m| !history.contains(&i64::from(m.version())))
            };
            if pending {
                return Err(Error::ReadOnly(format!(
                    "{} needs to be updated to this version of The Plugs, but it cannot be written (read-only). Make its folder writable and open it again.",
                    path.display()
                )));
            }
        } else {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(
                None,
                "synchronous",
                match durability {
                    Durability::Normal => "NORMAL",
                    Durability::Full => "FULL",
                },
            )?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Statement journals (every write that fires a trigger keeps one until it ends) and
        // temporary sorts stay in memory instead of going through a temporary file.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        if main {
            // The working set of search and capture over 100k contacts (their index pages) stays
            // in memory, decrypted once (SQLite's default is 2 MB).
            conn.pragma_update(None, "cache_size", -MAIN_CACHE_KIB)?;
        }
        if main && !read_only {
            // The checkpoints run in a thread of their own (`Checkpointer`), so that no write
            // waits for a checkpoint's fsync. But under writes that never pause (an import, a
            // pull, a burst of captures) a write always lands while that thread copies, the WAL
            // is never found copied whole, never starts over, and grows by every frame ever
            // written, each one extending the file (the slowest write a file system has: 2.8 ms
            // a capture instead of 0.4 ms, measured). Past `WAL_CEILING` frames the writer
            // checkpoints itself after its commit, as SQLite does by default at 1,000: the other
            // thread has copied most of it by then, and the next write starts the WAL over,
            // writing over the file's existing blocks from then on.
            conn.pragma_update(None, "wal_autocheckpoint", WAL_CEILING)?;
            // A large transaction (an import, a first pull) leaves a WAL as large as itself; when
            // the WAL next starts over, the file is cut back to this size instead of keeping its
            // largest ever on disk until the app closes.
            conn.pragma_update(None, "journal_size_limit", WAL_KEEP_BYTES)?;
        } else if !main {
            conn.pragma_update(None, "cache_size", -1024)?;
        }
        conn.set_prepared_statement_cache_capacity(128);
        if !read_only {
            repair_history(&conn)?;
            embedded::migrations::runner().run(&mut conn)?;
            restore_index_settings(&conn)?;
        }
        let device_id = match get_setting(&conn, "device_id")? {
            Some(id) => Uuid::parse_str(&id).map_err(|_| Error::invalid("device_id", "invalid_format", "local settings hold a malformed device id"))?,
            None if read_only => Uuid::nil(),
            None => {
                let id = Uuid::now_v7();
                set_setting(&conn, "device_id", &id.to_string())?;
                id
            }
        };
        if main && !read_only {
            keep_private(path);
        }
        let checkpointer = if main && !read_only { Some(Checkpointer::start(path, key.as_ref())?) } else { None };
        let media_key = key.as_ref().map(crate::vault::media_key);
        let turns = if read_only { None } else { turns };
        let store = Store {
            conn,
            actor: RefCell::new(None),
            device_id,
            path: path.to_owned(),
            checkpointer,
            clock_offset: std::cell::Cell::new(chrono::Duration::zero()),
            read_only,
            turns,
            hasty,
            key,
            media_key,
        };
        store.reload_actor()?;
        Ok(store)
    }

    /// Whether this store was opened read-only (its file or folder cannot be written).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The full integrity check (every page, index and constraint of the file), for the background:
    /// `Ok(())`, or [`Error::Damaged`] naming the file, what is wrong and what to do.
    pub fn check_integrity(&self) -> Result<()> {
        let problems: Vec<String> =
            self.conn.prepare("PRAGMA integrity_check(20)")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>().map_err(|e| damaged(&self.path, e))?;
        verdict(&self.path, problems)
    }

    /// Lets waiting short writes (a capture) in between two chunks of a bulk write (an import, a
    /// sync pull), in this process or another: call it after each chunk's commit, outside any
    /// transaction. Without waiters it costs one system call.
    pub(crate) fn yield_turn(&self) {
        let Some(f) = self.turns.as_ref() else { return };
        if f.try_lock().is_ok() {
            let _ = f.unlock();
            return;
        }
        // Someone holds a turn: wait until every waiting writer has committed.
        if f.lock().is_ok() {
            let _ = f.unlock();
        }
    }

    /// This device's clock: the system clock, shifted by any offset set with [`Store::shift_clock`].
    pub fn now(&self) -> crate::types::Timestamp {
        let t = crate::types::Timestamp::now();
        let off = self.clock_offset.get();
        if off.is_zero() {
            t
        } else {
            crate::types::Timestamp::from_datetime(t.as_datetime() + off)
        }
    }

    /// Shifts this store's clock (to reproduce a device whose clock is wrong).
    pub fn shift_clock(&self, offset: chrono::Duration) {
        self.clock_offset.set(offset);
    }

    /// Whether a background checkpointer keeps the WAL short.
    pub fn has_checkpointer(&self) -> bool {
        self.checkpointer.is_some()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database's key (none for a store kept in clear).
    pub(crate) fn key(&self) -> Option<&crate::vault::Key> {
        self.key.as_ref()
    }

    /// The key the media folder's files are sealed with (none for a store kept in clear).
    pub(crate) fn media_key(&self) -> Option<&crate::vault::Key> {
        self.media_key.as_ref()
    }

    /// Whether the database is encrypted (see [`crate::vault`]).
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// This device's id, born with the database.
    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// The signed-in user, or [`Error::NotInitialized`] before the workspace exists.
    pub fn actor(&self) -> Result<Actor> {
        self.actor.borrow().clone().ok_or(Error::NotInitialized)
    }

    /// Whether a workspace (organization + user) exists here.
    pub fn is_initialized(&self) -> bool {
        self.actor.borrow().is_some()
    }

    /// Re-reads the signed-in user from local settings (their admin flag may have changed).
    pub(crate) fn reload_actor(&self) -> Result<()> {
        let actor = match get_setting(&self.conn, "current_user_id")? {
            None => None,
            Some(uid) => self
                .conn
                .query_row("SELECT id, organization_id, is_admin FROM users WHERE id = ?1 AND NOT is_deleted AND is_active", [&uid], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?))
                })
                .optional()?
                .and_then(|(u, o, a)| Some(Actor { user_id: Uuid::parse_str(&u).ok()?, organization_id: Uuid::parse_str(&o).ok()?, is_admin: a })),
        };
        *self.actor.borrow_mut() = actor;
        Ok(())
    }

    /// Signs in another active user of the workspace on this device (a shared booth laptop).
    pub fn switch_user(&self, user_id: Uuid) -> Result<()> {
        let org = self.actor()?.organization_id;
        let ok: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND organization_id = ?2 AND is_active AND NOT is_deleted)",
            [user_id.to_string(), org.to_string()],
            |r| r.get(0),
        )?;
        if !ok {
            return Err(Error::NotFound { entity: "users", id: user_id.to_string() });
        }
        self.set_current_user(user_id)
    }

    /// A device-local preference (not synced).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        get_setting(&self.conn, key)
    }

    /// Stores a device-local preference (keys under `app.`).
    pub fn set_setting_value(&self, key: &str, value: &str) -> Result<()> {
        if !key.starts_with("app.") {
            return Err(Error::invalid("key", "invalid_choice", "only app.* preferences can be set"));
        }
        set_setting(&self.conn, key, value)
    }

    /// Re-reads who is signed in (another connection may have created the workspace).
    pub fn refresh_actor(&self) -> Result<()> {
        self.reload_actor()
    }

    /// Makes `user_id` the signed-in local user.
    pub(crate) fn set_current_user(&self, user_id: Uuid) -> Result<()> {
        set_setting(&self.conn, "current_user_id", &user_id.to_string())?;
        self.reload_actor()
    }

    /// The typed repository of one table.
    pub fn repo<T: Entity>(&self) -> Repo<'_, T> {
        Repo::new(self)
    }

    /// The untyped repository of a table by name (for adapters that work in JSON, like the CLI).
    pub fn table(&self, name: &str) -> Result<Table<'_>> {
        let spec = crate::tables::spec(name).ok_or_else(|| Error::invalid("table", "unknown_table", format!("'{name}' is not a table")))?;
        Ok(Table::new(self, spec))
    }

    /// The spec of a table by name.
    pub fn spec(name: &str) -> Option<&'static TableSpec> {
        crate::tables::spec(name)
    }

    /// Compacts the file; rebuilds the contact search index, whose rowids VACUUM may renumber.
    pub fn vacuum(&self) -> Result<()> {
        self.conn.execute_batch("VACUUM; INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');")?;
        Ok(())
    }

    /// The raw connection, for read-only diagnostics and tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Each migration this build carries: version, name and the checksum refinery records when it is
/// applied. Released migrations never change (a test compares them with `migrations/released.txt`).
pub fn migration_checksums() -> Vec<(i32, String, u64)> {
    embedded::migrations::runner().get_migrations().iter().map(|m| (m.version(), m.name().to_owned(), m.checksum())).collect()
}

/// Migrations that were edited after release and then restored: (version, the edited text). A store
/// migrated with an edited text records its checksum; the released text is recorded in its place (a
/// later migration brings stores made with either text to the same schema).
const EDITED: &[(&str, &str)] = &[("V4__sync_client", include_str!("../../../migrations/replaced/local_V4__sync_client.sql"))];

fn repair_history(conn: &Connection) -> Result<()> {
    let has_history: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'refinery_schema_history')", [], |r| r.get(0))?;
    if !has_history {
        return Ok(());
    }
    let released = embedded::migrations::runner().get_migrations().to_vec();
    for (name, text) in EDITED {
        let edited = refinery::Migration::unapplied(name, text).map_err(|e| Error::Store(format!("migration {name}: {e}")))?;
        let Some(ours) = released.iter().find(|m| m.version() == edited.version()) else { continue };
        conn.execute(
            "UPDATE refinery_schema_history SET checksum = ?1 WHERE version = ?2 AND checksum = ?3",
            rusqlite::params![ours.checksum().to_string(), edited.version(), edited.checksum().to_string()],
        )?;
    }
    Ok(())
}

/// The turn file of the database at `path`.
fn turn_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-turn");
    PathBuf::from(name)
}

/// The turn file, opened (made if needed) for writing, when the database file and its folder (where
/// SQLite keeps the WAL) can be written by this user; `None` when either is read-only.
fn writable(path: &Path) -> Option<std::fs::File> {
    if path.exists() && std::fs::OpenOptions::new().write(true).open(path).is_err() {
        return None;
    }
    std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(turn_path(path)).ok()
}

/// Opens read-only; with no WAL files beside it (and no way to make them) the file is read as it
/// stands, which is all of it after a clean close.
fn open_read_only(path: &Path, key: Option<&crate::vault::Key>) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let wal = {
        let mut w = path.as_os_str().to_owned();
        w.push("-wal");
        PathBuf::from(w)
    };
    if wal.exists() {
        let c = crate::vault::connect(path, key, flags)?;
        if c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_ok() {
            return Ok(c);
        }
    }
    let uri = format!("file:{}?immutable=1", url_path(path));
    let c = Connection::open_with_flags(uri, flags)?;
    if let Some(k) = key {
        crate::vault::apply(&c, k)?;
    }
    Ok(c)
}

fn url_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.chars().map(|c| if c.is_ascii_alphanumeric() || "/-_.~".contains(c) { c.to_string() } else { format!("%{:02X}", c as u32) }).collect::<String>().replace('?', "%3F")
}

/// An SQLite error from a damaged or foreign file, said with the file's name and what to do.
pub fn damaged(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::Store(format!("{} is not a database of The Plugs ({e}). Nothing was changed. {ADVICE}", path.display())),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => Error::Damaged(format!("{} is damaged ({e}). Nothing was changed. {ADVICE}", path.display())),
        _ => Error::Database(e),
    }
}

fn verdict(path: &Path, problems: Vec<String>) -> Result<()> {
    if problems.len() == 1 && problems[0] == "ok" {
        return Ok(());
    }
    let first: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
    Err(Error::Damaged(format!("{} is damaged: {}. Nothing was changed. {ADVICE}", path.display(), first.join("; "))))
}

/// The quick check at open: the structure of every page, within [`QUICK_CHECK_BUDGET`] (on a very
/// large store what is left is covered by the full check in the background).
fn quick_check(conn: &mut Connection, path: &Path) -> Result<()> {
    let deadline = std::time::Instant::now() + QUICK_CHECK_BUDGET;
    // Checked often: with a cold disk (and pages to decrypt) 10,000 steps took 300 ms past the budget.
    conn.progress_handler(500, Some(move || std::time::Instant::now() > deadline))?;
    let out: rusqlite::Result<Vec<String>> = conn.prepare("PRAGMA quick_check(20)").and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
    conn.progress_handler(0, None::<fn() -> bool>)?;
    match out {
        Ok(problems) => verdict(path, problems),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) => Ok(()),
        Err(e) => Err(damaged(path, e)),
    }
}

/// Search-index settings a bulk import changes inside its transactions; a store left with them by
/// an older version's interrupted import gets them back.
fn restore_index_settings(conn: &Connection) -> Result<()> {
    let automerge: Option<i64> = conn.query_row("SELECT v FROM contacts_fts_config WHERE k = 'automerge'", [], |r| r.get(0)).optional()?;
    if automerge == Some(0) {
        conn.execute_batch("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('automerge', 4)")?;
    }
    Ok(())
}

/// Refuses a database written by a newer version of the app (a migration this one does not know),
/// before anything is migrated or written.
fn check_version(conn: &Connection, path: &Path) -> Result<()> {
    let has_history: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'refinery_schema_history')", [], |r| r.get(0))?;
    if !has_history {
        return Ok(());
    }
    let theirs: Option<i64> = conn.query_row("SELECT MAX(version) FROM refinery_schema_history", [], |r| r.get(0))?;
    let ours = embedded::migrations::runner().get_migrations().iter().map(|m| i64::from(m.version())).max().unwrap_or(0);
    match theirs {
        Some(v) if v > ours => Err(Error::Store(format!(
            "{} was written by a newer version of The Plugs (its data is at schema version {v}; this app knows up to {ours}): update the app to open it. Nothing was changed.",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// The newest schema version (migration) this build knows.
pub fn latest_migration() -> i64 {
    embedded::migrations::runner().get_migrations().iter().map(|m| i64::from(m.version())).max().unwrap_or(0)
}

pub(crate) fn get_setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM local_settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub(crate) fn set_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute("INSERT INTO local_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])?;
    Ok(())
}

/// A larger page cache for the length of one bulk write (an import, a large pull), so that the
/// index pages it touches stay in memory instead of being spilled and read back; the connection's
/// own size (and the memory) comes back when this is dropped.
pub(crate) struct BulkCache<'a> {
    conn: &'a Connection,
    before: i64,
}

/// The page cache of a bulk write, in KiB.
const BULK_CACHE_KIB: i64 = 128 * 1024;
/// The main connection's page cache, in KiB.
const MAIN_CACHE_KIB: i64 = 32 * 1024;
/// WAL frames (of 4 KiB) past which the writer checkpoints itself (40 MiB): rare enough that a
/// run of captures meets it once in about 300 (at ~33 frames each), below their p99.
const WAL_CEILING: i64 = 10_000;
/// The size the WAL file is cut back to when it starts over (64 MiB, above the ceiling's 40).
const WAL_KEEP_BYTES: i64 = 64 << 20;

impl Store {
    pub(crate) fn bulk_cache(&self) -> Result<BulkCache<'_>> {
        let before: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn.execute_batch(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}"))?;
        Ok(BulkCache { conn: &self.conn, before })
    }
}

impl Drop for BulkCache<'_> {
    fn drop(&mut self) {
        let _ = self.conn.execute_batch(&format!("PRAGMA cache_size = {}", self.before));
    }
}

// ---- the repositories: handles over the one write path and the queries ---------------------------

/// The untyped repository of one table, in JSON records.
pub struct Table<'s> {
    store: &'s Store,
    spec: &'static TableSpec,
}

impl<'s> Table<'s> {
    pub(crate) fn new(store: &'s Store, spec: &'static TableSpec) -> Self {
        Self { store, spec }
    }

    /// The table's spec.
    pub fn spec(&self) -> &'static TableSpec {
        self.spec
    }

    /// Creates a row from the given fields; the seed's defaults fill the rest.
    pub fn create(&self, input: Record) -> Result<Record> {
        self.store.write(|ctx| repo::create(ctx, self.spec, input, Origin::Client))
    }

    /// The row with this id (soft-deleted rows too), in the signed-in organization.
    pub fn get(&self, id: Uuid) -> Result<Record> {
        let actor = self.store.actor()?;
        query::get(&self.store.conn, &actor, self.spec, id)
    }

    /// Changes the given fields only.
    pub fn update(&self, id: Uuid, patch: Record) -> Result<Record> {
        self.store.write(|ctx| repo::update(ctx, self.spec, id, patch, Origin::Client))
    }

    /// Soft-deletes (tombstone) or, for tables without tombstones, removes the row.
    pub fn delete(&self, id: Uuid) -> Result<Record> {
        self.store.write(|ctx| repo::delete(ctx, self.spec, id, Origin::Client))
    }

    /// Brings a soft-deleted row back.
    pub fn restore(&self, id: Uuid) -> Result<Record> {
        self.store.write(|ctx| repo::restore(ctx, self.spec, id, Origin::Client))
    }

    /// One page of rows, soft-deleted ones hidden unless asked for.
    pub fn list(&self, q: &ListQuery) -> Result<Page<Record>> {
        let actor = self.store.actor()?;
        query::list(&self.store.conn, &actor, self.spec, q)
    }

    /// How many rows the list shows over all its pages (sort, limit and cursor are ignored).
    pub fn count(&self, q: &ListQuery) -> Result<i64> {
        let actor = self.store.actor()?;
        query::count(&self.store.conn, &actor, self.spec, q)
    }
}

/// The typed repository of one table.
pub struct Repo<'s, T: Entity> {
    table: Table<'s>,
    _t: PhantomData<T>,
}

impl<'s, T: Entity> Repo<'s, T> {
    pub(crate) fn new(store: &'s Store) -> Self {
        Self { table: Table::new(store, T::SPEC), _t: PhantomData }
    }
    /// Creates a row from any serializable set of fields (a struct or a JSON object).
    pub fn create(&self, input: &impl Serialize) -> Result<T> {
        typed(self.table.create(to_record(input)?)?)
    }
    /// The row with this id.
    pub fn get(&self, id: Uuid) -> Result<T> {
        typed(self.table.get(id)?)
    }
    /// Changes only the given fields (`null` clears a nullable field).
    pub fn update(&self, id: Uuid, patch: &impl Serialize) -> Result<T> {
        typed(self.table.update(id, to_record(patch)?)?)
    }
    /// Soft-deletes the row.
    pub fn delete(&self, id: Uuid) -> Result<T> {
        typed(self.table.delete(id)?)
    }
    /// Restores a soft-deleted row.
    pub fn restore(&self, id: Uuid) -> Result<T> {
        typed(self.table.restore(id)?)
    }
    /// One page of rows.
    pub fn list(&self, q: &ListQuery) -> Result<Page<T>> {
        let p = self.table.list(q)?;
        Ok(Page { items: p.items.into_iter().map(typed).collect::<Result<_>>()?, next_cursor: p.next_cursor })
    }
}

impl Store {
    /// Runs `f` in one immediate transaction with the signed-in user; commits only if it succeeds.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&Ctx) -> Result<R>) -> Result<R> {
        let actor = self.actor()?;
        self.write_as(&actor, f)
    }

    /// Same, acting as the given user (used while the workspace is being created).
    pub(crate) fn write_as<R>(&self, actor: &Actor, f: impl FnOnce(&Ctx) -> Result<R>) -> Result<R> {
        let (tx, turn) = self.begin_write()?;
        let ctx = Ctx { conn: &tx, actor, now: self.now() };
        let out = f(&ctx)?;
        tx.commit().map_err(|e| self.write_error(e))?;
        drop(turn);
        Ok(out)
    }

    /// Begins an immediate transaction for a short write. When another writer holds the store (an
    /// import or a sync pull, between two of its chunks) this one takes a turn, which the bulk
    /// writer grants before its next chunk, then waits for the lock.
    pub(crate) fn begin_write(&self) -> Result<(rusqlite::Transaction<'_>, Turn<'_>)> {
        if self.read_only {
            return Err(self.read_only_error());
        }
        self.hasty.store(true, std::sync::atomic::Ordering::Relaxed);
        let first = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate);
        self.hasty.store(false, std::sync::atomic::Ordering::Relaxed);
        match first {
            Ok(tx) => Ok((tx, Turn(None))),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
                let turn = match self.turns.as_ref() {
                    Some(f) if f.lock_shared().is_ok() => Turn(Some(f)),
                    _ => Turn(None),
                };
                let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate).map_err(|e| self.write_error(e))?;
                Ok((tx, turn))
            }
            Err(e) => Err(self.write_error(e)),
        }
    }

    fn read_only_error(&self) -> Error {
        Error::ReadOnly(format!(
            "{} cannot be written (the file or its folder is read-only): what is there can be read, nothing can be changed. Make it writable and try again.",
            self.path.display()
        ))
    }

    /// A write that failed because of the store itself says so, naming the file.
    pub(crate) fn write_error(&self, e: rusqlite::Error) -> Error {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ReadOnly) => self.read_only_error(),
            Some(rusqlite::ErrorCode::DatabaseBusy) => {
                Error::Store(format!("{} stayed busy for {} s (another program holds it): nothing was written; try again.", self.path.display(), PATIENCE.as_secs()))
            }
            _ => damaged(&self.path, e),
        }
    }
}
