//! Backups that can be trusted: `plugs backup FILE` / Settings → Backup, and `plugs restore FILE`.
//!
//! A backup is one file, `age`-encrypted with a passphrase (scrypt; the same file opens with the
//! `age` tool and the passphrase), holding a zstd-compressed tar of:
//! - `manifest.json`: when, by which version, the schema version, the device, the rows per table
//!   and the files with their SHA-256;
//! - `plugs.db`: a consistent snapshot taken with SQLite's online backup (never a file copy: writes
//!   may go on meanwhile), made in memory, so no unencrypted copy is ever written to disk;
//! - `media/…`: the files kept on this device (attachments, photos, thumbnails).
//!
//! A restore verifies everything before it replaces anything: the passphrase, the archive's
//! integrity (age authenticates every chunk), SQLite's integrity check, the schema version (a
//! backup from a newer version is refused), the rows per table against the manifest, each file
//! against its SHA-256. Only then is the current store moved aside into `previous/<time>/` (never
//! deleted) and the backup put in its place. The swap is recorded first in `restore.json`, so a
//! crash halfway is finished at the next start ([`finish_pending_restore`]).
//!
//! After a restore the device resyncs in full: rows the server no longer has go, newer ones come,
//! and changes the backup still had waiting are pushed again (the server applies each mutation
//! once, so nothing is duplicated). Restored onto another device (another data dir, another
//! machine), the store gets a new device id: two devices never share one, and that device signs in
//! again.

use crate::error::{Error, Result};
use crate::store::{get_setting as setting, Store, DB_FILE};
use age::secrecy::SecretString;
use rusqlite::{Connection, OptionalExtension, MAIN_DB};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use uuid::Uuid;

/// The format of the archive inside (bumped when its layout changes).
pub const FORMAT: u32 = 1;
/// The usual extension of a backup file.
pub const EXTENSION: &str = "plugsbackup";
/// Settings of the automatic backup.
pub const AUTO_DIR: &str = "app.backup_dir";
pub const AUTO_EVERY_HOURS: &str = "app.backup_every_hours";
pub const AUTO_KEEP: &str = "app.backup_keep";
pub const AUTO_LAST: &str = "app.backup_last_at";
/// The keychain entry (service `com.theplugs.app`) holding the automatic backups' passphrase.
pub const KEYCHAIN_ACCOUNT: &str = "backup-passphrase";
/// Automatic backups kept by default.
pub const KEEP_DEFAULT: usize = 7;
/// Hours between automatic backups by default.
pub const EVERY_DEFAULT_HOURS: i64 = 24;

/// What a backup holds, as its manifest says and a restore checks.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct BackupInfo {
    pub format: u32,
    pub created_at: String,
    pub app_version: String,
    pub schema_version: i64,
    #[ts(type = "string")]
    pub device_id: Uuid,
    pub organization: Option<String>,
    /// Rows per table (the schema's tables, in the schema's order).
    pub tables: Vec<TableCount>,
    /// Files kept on the device that the backup carries.
    pub files: Vec<FileEntry>,
}

/// Rows of one table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct TableCount {
    pub table: String,
    #[ts(type = "number")]
    pub rows: i64,
}

/// One file of the media folder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct FileEntry {
    pub name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub sha256: String,
}

/// What `backup` wrote.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BackupReport {
    pub file: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub info: BackupInfo,
    #[ts(type = "number")]
    pub took_ms: u64,
}

/// What `restore` did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RestoreReport {
    pub info: BackupInfo,
    /// Where the store it replaced was kept (None: there was none).
    pub previous: Option<String>,
    /// The store took a new device id (restored on another device).
    pub new_device: bool,
    /// The next sync is a full resync.
    pub resync: bool,
    #[ts(type = "number")]
    pub took_ms: u64,
}

fn bad(message: impl Into<String>) -> Error {
    Error::Invalid { field: "file".into(), code: "invalid_backup", message: message.into() }
}

fn secret(passphrase: &str) -> Result<SecretString> {
    if passphrase.chars().count() < 8 {
        return Err(Error::Invalid { field: "passphrase".into(), code: "too_short", message: "a backup passphrase has at least 8 characters".into() });
    }
    Ok(SecretString::from(passphrase.to_owned()))
}

/// A file of the media folder, read in clear (sealed files are opened with the store's key).
fn open_media(path: &Path, key: Option<&crate::vault::Key>) -> std::io::Result<(Box<dyn Read>, u64)> {
    match key {
        Some(k) if crate::vault::is_sealed(path) => {
            let r = crate::vault::SealedReader::open(path, k.clone())?;
            let n = r.len();
            Ok((Box::new(std::io::BufReader::with_capacity(256 * 1024, r)), n))
        }
        _ => {
            let f = std::fs::File::open(path)?;
            let n = f.metadata()?.len();
            Ok((Box::new(f), n))
        }
    }
}

fn sha256_file(path: &Path, key: Option<&crate::vault::Key>) -> std::io::Result<(u64, String)> {
    let (mut f, _) = open_media(path, key)?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h)?;
    Ok((n, format!("{:x}", h.finalize())))
}

/// A consistent copy of the store in memory, in clear. SQLCipher's online backup does not copy
/// between an encrypted and a clear database, so an encrypted store is exported inside one read
/// transaction (a snapshot: writes of other connections go on meanwhile and are not seen).
fn snapshot(store: &Store) -> Result<Connection> {
    let mut snapshot = Connection::open_in_memory()?;
    if store.key().is_none() {
        let b = rusqlite::backup::Backup::new(store.connection(), &mut snapshot)?;
        b.run_to_completion(4096, std::time::Duration::ZERO, None)?;
        drop(b);
        return Ok(snapshot);
    }
    // A connection of its own (the store's may be in use), reading one snapshot.
    let mut conn = crate::vault::connect(store.path(), store.key(), rusqlite::OpenFlags::default())?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch("ATTACH DATABASE ':memory:' AS snapshot KEY '';")?;
    conn.execute_batch("BEGIN")?;
    let copied = conn.query_row("SELECT sqlcipher_export('snapshot')", [], |_| Ok(())).and_then(|_| conn.serialize(c"snapshot").map(|d| d.to_vec()));
    let _ = conn.execute_batch("COMMIT");
    drop(conn);
    let bytes = copied?;
    snapshot.deserialize_read_exact(MAIN_DB, &bytes[..], bytes.len(), false)?;
    Ok(snapshot)
}

/// Rows per table of the schema, in the schema's order.
fn counts(conn: &Connection) -> Result<Vec<TableCount>> {
    let mut out = vec![];
    for spec in crate::tables::ALL {
        let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", spec.name), [], |r| r.get(0))?;
        out.push(TableCount { table: spec.name.to_owned(), rows });
    }
    Ok(out)
}

fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history", [], |r| r.get(0))?)
}

fn organization_name(conn: &Connection) -> Option<String> {
    conn.query_row("SELECT name FROM organizations WHERE NOT COALESCE(is_deleted, 0) ORDER BY created_at LIMIT 1", [], |r| r.get(0)).optional().ok().flatten()
}

impl Store {
    /// Writes an encrypted backup of this store and its files to `file` (see the module's
    /// documentation). The file appears whole or not at all (written beside, then renamed).
    pub fn backup(&self, file: &Path, passphrase: &str) -> Result<BackupReport> {
        let started = Instant::now();
        let pass = secret(passphrase)?;
        // A consistent snapshot, in memory: the store stays usable meanwhile.
        let mut snapshot = snapshot(self)?;
        let mkey = self.media_key();
        let media_dir = self.media_dir();
        let mut files = vec![];
        if let Ok(entries) = std::fs::read_dir(&media_dir) {
            for e in entries.flatten() {
                let p = e.path();
                if !p.is_file() {
                    continue;
                }
                let Some(name) = p.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { continue };
                if name.starts_with('.') || name.ends_with(".part") {
                    continue;
                }
                let (bytes, sha256) = sha256_file(&p, mkey)?;
                files.push(FileEntry { name, bytes, sha256 });
            }
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        let info = BackupInfo {
            format: FORMAT,
            created_at: self.now().to_string(),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            schema_version: schema_version(&snapshot)?,
            device_id: self.device_id(),
            organization: organization_name(&snapshot),
            tables: counts(&snapshot)?,
            files,
        };
        // The header names the journal mode; a backup is a plain database file (the store turns
        // WAL on again when it opens it).
        let mut db = snapshot.serialize(MAIN_DB)?.to_vec();
        if db.len() > 19 {
            db[18] = 1;
            db[19] = 1;
        }
        drop(snapshot);
        let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".plugs-backup-").tempfile_in(dir)?;
        {
            let out = std::io::BufWriter::new(tmp.as_file_mut());
            let encryptor = age::Encryptor::with_user_passphrase(pass);
            let sealed = encryptor.wrap_output(out).map_err(|e| Error::Store(format!("cannot encrypt the backup: {e}")))?;
            let zst = zstd::Encoder::new(sealed, 3)?;
            let mut tar = tar::Builder::new(zst);
            let manifest = serde_json::to_vec_pretty(&info).expect("the manifest serializes");
            append(&mut tar, "manifest.json", &manifest)?;
            append(&mut tar, DB_FILE, &db)?;
            drop(db);
            for f in &info.files {
                let (mut src, _) = open_media(&media_dir.join(&f.name), mkey)?;
                let mut h = tar::Header::new_gnu();
                h.set_size(f.bytes);
                h.set_mode(0o600);
                h.set_mtime(0);
                tar.append_data(&mut h, format!("media/{}", f.name), &mut src)?;
            }
            let zst = tar.into_inner()?;
            let mut sealed = zst.finish()?;
            sealed.flush()?;
            let out = sealed.finish()?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
        crate::store::private_path(tmp.path());
        tmp.persist(file).map_err(|e| Error::Io(e.error))?;
        let bytes = std::fs::metadata(file)?.len();
        Ok(BackupReport { file: file.display().to_string(), bytes, info, took_ms: started.elapsed().as_millis() as u64 })
    }
}

fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, data: &[u8]) -> Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o600);
    h.set_mtime(0);
    tar.append_data(&mut h, name, data)?;
    Ok(())
}

/// A backup opened and verified, its database in memory and its files in `staging` (if given).
struct Opened {
    info: BackupInfo,
    db: Vec<u8>,
}

/// Decrypts and checks a backup. With `staging`, the files are written there (each checked
/// against its SHA-256); without, they are checked and dropped.
fn open_backup(file: &Path, passphrase: &str, staging: Option<(&Path, Option<&crate::vault::Key>)>) -> Result<Opened> {
    let f = std::fs::File::open(file).map_err(|e| bad(format!("{} cannot be read: {e}", file.display())))?;
    let decryptor = age::Decryptor::new_buffered(std::io::BufReader::new(f)).map_err(|e| bad(format!("{} is not a backup of The Plugs ({e})", file.display())))?;
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    let plain = decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(|e| match e {
        age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
            Error::Invalid { field: "passphrase".into(), code: "wrong_passphrase", message: "this passphrase does not open the backup".into() }
        }
        other => bad(format!("{} cannot be decrypted: {other}", file.display())),
    })?;
    let damaged = |e: std::io::Error| bad(format!("{} is damaged or cut short: {e}", file.display()));
    let zst = zstd::Decoder::new(plain).map_err(damaged)?;
    let mut tar = tar::Archive::new(zst);
    let mut info: Option<BackupInfo> = None;
    let mut db: Option<Vec<u8>> = None;
    let mut seen: Vec<FileEntry> = vec![];
    for entry in tar.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let path = entry.path().map_err(damaged)?.into_owned();
        let name = path.to_string_lossy().into_owned();
        if name == "manifest.json" {
            let mut buf = vec![];
            entry.read_to_end(&mut buf).map_err(damaged)?;
            let m: BackupInfo = serde_json::from_slice(&buf).map_err(|e| bad(format!("the backup's manifest cannot be read: {e}")))?;
            if m.format > FORMAT {
                return Err(bad(format!("this backup was made by a newer version of The Plugs ({}, format {}): update the app to restore it", m.app_version, m.format)));
            }
            info = Some(m);
        } else if name == DB_FILE {
            let mut buf = Vec::with_capacity(entry.size() as usize);
            entry.read_to_end(&mut buf).map_err(damaged)?;
            db = Some(buf);
        } else if let Some(file_name) = name.strip_prefix("media/") {
            // Only plain names: nothing in a backup writes outside the staging folder.
            if file_name.is_empty() || file_name.contains(['/', '\\']) || file_name.starts_with('.') {
                return Err(bad(format!("the backup holds a file with an unsafe name: {name}")));
            }
            let mut h = Sha256::new();
            enum Out {
                Sealed(crate::vault::SealedWriter),
                Clear(std::io::BufWriter<std::fs::File>),
                Nowhere,
            }
            let mut out = match staging {
                Some((dir, Some(k))) => Out::Sealed(crate::vault::SealedWriter::create(&dir.join("media").join(file_name), k.clone())?),
                Some((dir, None)) => Out::Clear(std::io::BufWriter::new(std::fs::File::create(dir.join("media").join(file_name))?)),
                None => Out::Nowhere,
            };
            let mut buf = vec![0u8; 64 * 1024];
            let mut n = 0u64;
            loop {
                let k = entry.read(&mut buf).map_err(damaged)?;
                if k == 0 {
                    break;
                }
                h.update(&buf[..k]);
                match &mut out {
                    Out::Sealed(w) => w.write_all(&buf[..k])?,
                    Out::Clear(w) => w.write_all(&buf[..k])?,
                    Out::Nowhere => {}
                }
                n += k as u64;
            }
            match out {
                Out::Sealed(w) => w.finish()?,
                Out::Clear(mut w) => w.flush()?,
                Out::Nowhere => {}
            }
            seen.push(FileEntry { name: file_name.to_owned(), bytes: n, sha256: format!("{:x}", h.finalize()) });
        }
    }
    let info = info.ok_or_else(|| bad("the backup has no manifest"))?;
    let db = db.ok_or_else(|| bad("the backup has no database"))?;
    seen.sort_by(|a, b| a.name.cmp(&b.name));
    for f in &info.files {
        match seen.iter().find(|s| s.name == f.name) {
            None => return Err(bad(format!("the file {} named in the backup's manifest is missing", f.name))),
            Some(s) if s != f => return Err(bad(format!("the file {} in the backup does not match its checksum", f.name))),
            Some(_) => {}
        }
    }
    // The database: whole, at a schema this version knows, and holding what the manifest says.
    let mut conn = Connection::open_in_memory()?;
    conn.deserialize_read_exact(MAIN_DB, &db[..], db.len(), false).map_err(|e| bad(format!("the backup's database cannot be read: {e}")))?;
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| bad(format!("the backup's database is damaged: {e}")))?;
    if check != "ok" {
        return Err(bad(format!("the backup's database is damaged: {check}")));
    }
    let theirs = schema_version(&conn).map_err(|_| bad("the backup's database is not a store of The Plugs"))?;
    let ours = crate::store::latest_migration();
    if theirs > ours {
        return Err(bad(format!("this backup is at schema version {theirs}, newer than this app knows ({ours}): update the app to restore it")));
    }
    if theirs != info.schema_version {
        return Err(bad(format!("the backup's database is at schema version {theirs}, its manifest says {}", info.schema_version)));
    }
    let found = counts(&conn).map_err(|e| bad(format!("the backup's tables cannot be read: {e}")))?;
    for want in &info.tables {
        let got = found.iter().find(|c| c.table == want.table).map(|c| c.rows).unwrap_or(-1);
        if got != want.rows {
            return Err(bad(format!("the backup's {} hold {got} rows, its manifest says {}", want.table, want.rows)));
        }
    }
    Ok(Opened { info, db })
}

/// Writes a database held in memory (in clear) to `path`, encrypted with `key`.
fn encrypt_into(db: &[u8], path: &Path, key: &crate::vault::Key) -> Result<()> {
    let mut conn = Connection::open_in_memory()?;
    conn.deserialize_read_exact(MAIN_DB, db, db.len(), false)?;
    let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let hexkey = crate::vault::sql_key(key);
    conn.execute("ATTACH DATABASE ?1 AS restored KEY ?2", rusqlite::params![path.to_string_lossy(), hexkey.as_str()])?;
    conn.execute_batch(&crate::vault::cipher_settings("restored"))?;
    conn.query_row("SELECT sqlcipher_export('restored')", [], |_| Ok(()))?;
    conn.execute_batch(&format!("PRAGMA restored.user_version = {user_version}; DETACH DATABASE restored;"))?;
    drop(conn);
    crate::store::private_path(path);
    std::fs::File::open(path)?.sync_all()?;
    Ok(())
}

/// Opens and verifies a backup without changing anything (what a restore would bring back).
pub fn inspect(file: &Path, passphrase: &str) -> Result<BackupInfo> {
    Ok(open_backup(file, passphrase, None)?.info)
}

/// The swap a restore is doing, recorded before it starts (`restore.json` in the data dir).
#[derive(Serialize, Deserialize)]
struct Pending {
    staging: PathBuf,
    previous: PathBuf,
    new_device: bool,
}

const PENDING: &str = "restore.json";
/// What of the data dir a restore moves aside and replaces.
const MOVED: [&str; 4] = [DB_FILE, "plugs.db-wal", "plugs.db-shm", "media"];

/// A verified backup, staged in the data dir, that replaces the store when no store of the dir is
/// open: at once ([`restore`]), or at the app's next start (`Store::open_dir`).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StagedRestore {
    pub info: BackupInfo,
    /// Restored on another device: the store takes a new device id (sign in again to sync).
    pub new_device: bool,
}

/// Verifies the backup `file` and stages it in the data dir `dir` (nothing is replaced yet).
pub fn stage_restore(dir: &Path, file: &Path, passphrase: &str) -> Result<StagedRestore> {
    std::fs::create_dir_all(dir)?;
    crate::store::private_path(dir);
    // A restore staged earlier and not carried out is replaced by this one.
    if let Ok(bytes) = std::fs::read(dir.join(PENDING)) {
        if let Ok(p) = serde_json::from_slice::<Pending>(&bytes) {
            let _ = std::fs::remove_dir_all(&p.staging);
        }
        let _ = std::fs::remove_file(dir.join(PENDING));
    }
    let staging = dir.join(format!(".restore-{}", Uuid::now_v7()));
    std::fs::create_dir_all(staging.join("media"))?;
    crate::store::private_path(&staging);
    // The restored store is encrypted with this data dir's key (made now if it has none).
    let key = crate::vault::key_for(&dir.join(DB_FILE))?;
    let mkey = crate::vault::media_key(&key);
    let opened = match open_backup(file, passphrase, Some((&staging, Some(&mkey)))).and_then(|o| {
        let db_path = staging.join(DB_FILE);
        encrypt_into(&o.db, &db_path, &key)?;
        Ok(o)
    }) {
        Ok(o) => o,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    drop(opened.db);
    // Restored where the backup was made (the same device id), the device keeps its identity and
    // its sign-in; anywhere else it is a new device.
    let current = dir.join(DB_FILE);
    let here = if current.exists() { crate::vault::open_connection(&current).ok().and_then(|c| setting(&c, "device_id").ok().flatten()) } else { None };
    let new_device = here.as_deref() != Some(opened.info.device_id.to_string().as_str());
    let previous = dir.join("previous").join(chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string());
    let pending = Pending { staging, previous, new_device };
    let tmp = dir.join(format!("{PENDING}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec(&pending).expect("serializes"))?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, dir.join(PENDING))?;
    Ok(StagedRestore { info: opened.info, new_device })
}

/// Restores the backup `file` into the data dir `dir`, replacing its store only once the backup
/// is verified; the store it replaces is kept in `dir/previous/<time>/`. No store of `dir` may be
/// open meanwhile.
pub fn restore(dir: &Path, file: &Path, passphrase: &str) -> Result<RestoreReport> {
    let started = Instant::now();
    let staged = stage_restore(dir, file, passphrase)?;
    let pending: Pending = serde_json::from_slice(&std::fs::read(dir.join(PENDING))?).map_err(|e| Error::Store(format!("the staged restore cannot be read: {e}")))?;
    let had_store = dir.join(DB_FILE).exists();
    let resync = swap(dir, &pending)?;
    Ok(RestoreReport {
        info: staged.info,
        previous: had_store.then(|| pending.previous.display().to_string()),
        new_device: staged.new_device,
        resync,
        took_ms: started.elapsed().as_millis() as u64,
    })
}

/// Finishes a restore a crash interrupted (called before a store is opened). Returns whether one
/// was finished.
pub fn finish_pending_restore(dir: &Path) -> Result<bool> {
    let marker = dir.join(PENDING);
    let Ok(bytes) = std::fs::read(&marker) else { return Ok(false) };
    let Ok(pending) = serde_json::from_slice::<Pending>(&bytes) else {
        let _ = std::fs::remove_file(&marker);
        return Ok(false);
    };
    if !pending.staging.join(DB_FILE).exists() && !pending.staging.exists() {
        // The swap had finished; only the marker was left.
        let _ = std::fs::remove_file(&marker);
        return Ok(false);
    }
    swap(dir, &pending)?;
    Ok(true)
}

/// Moves the current store aside and the staged one in; each step can be run again.
fn swap(dir: &Path, p: &Pending) -> Result<bool> {
    if MOVED.iter().any(|n| dir.join(n).exists()) && p.staging.exists() {
        std::fs::create_dir_all(&p.previous)?;
        crate::store::private_path(p.previous.parent().unwrap_or(dir));
        crate::store::private_path(&p.previous);
    }
    for name in MOVED {
        let from = dir.join(name);
        let staged = p.staging.join(name);
        // Still the old one when the staged one has not moved in yet.
        if from.exists() && (staged.exists() || name.ends_with("-wal") || name.ends_with("-shm")) && !p.previous.join(name).exists() {
            std::fs::rename(&from, p.previous.join(name))?;
        }
    }
    // The store set aside keeps a copy of its key file (the restored one is sealed with the same key).
    let key_file = crate::vault::key_file(&dir.join(DB_FILE));
    let kept_key = p.previous.join(format!("{DB_FILE}.key"));
    if p.previous.join(DB_FILE).exists() && key_file.exists() && !kept_key.exists() {
        std::fs::copy(&key_file, &kept_key)?;
    }
    for name in [DB_FILE, "media"] {
        let staged = p.staging.join(name);
        if staged.exists() {
            let to = dir.join(name);
            if to.exists() {
                if to.is_dir() {
                    std::fs::remove_dir_all(&to)?;
                } else {
                    std::fs::remove_file(&to)?;
                }
            }
            std::fs::rename(&staged, &to)?;
        }
    }
    // The restored store: a new identity if it is a new device, and a full resync if it syncs.
    let resync = {
        crate::vault::forget(&dir.join(DB_FILE));
        let conn = crate::vault::open_connection(&dir.join(DB_FILE))?;
        if p.new_device {
            conn.execute("UPDATE local_settings SET value = ?1 WHERE key = 'device_id'", [Uuid::now_v7().to_string()])?;
        }
        let linked = setting(&conn, "sync.server")?.is_some();
        if linked {
            conn.execute_batch(
                "INSERT INTO local_settings (key, value) VALUES ('sync.cursor', '0'), ('sync.resync', '1')
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value;
                 DELETE FROM sync_parked;",
            )?;
        }
        linked
    };
    let _ = std::fs::remove_dir_all(&p.staging);
    let _ = std::fs::remove_file(dir.join(PENDING));
    Ok(resync)
}

/// The automatic backup, when it is due: into the configured folder (by default `backups` in the
/// data dir), named by time, keeping the newest `backup.keep`. Returns the report when one was made.
pub fn auto_backup_if_due(store: &Store, passphrase: &str) -> Result<Option<BackupReport>> {
    let every = store.setting(AUTO_EVERY_HOURS)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(EVERY_DEFAULT_HOURS);
    if every <= 0 {
        return Ok(None);
    }
    let last = store.setting(AUTO_LAST)?.and_then(|v| chrono::DateTime::parse_from_rfc3339(&v).ok()).map(|d| d.with_timezone(&chrono::Utc));
    let now = store.now().as_datetime();
    if last.is_some_and(|l| now - l < chrono::Duration::hours(every)) {
        return Ok(None);
    }
    let dir = auto_dir(store)?;
    let name = format!("plugs-{}.{EXTENSION}", now.format("%Y%m%dT%H%M%SZ"));
    let report = store.backup(&dir.join(name), passphrase)?;
    store.set_setting_value(AUTO_LAST, &now.to_rfc3339())?;
    let keep = store.setting(AUTO_KEEP)?.and_then(|v| v.parse::<usize>().ok()).unwrap_or(KEEP_DEFAULT).max(1);
    let mut made: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("plugs-") && n.ends_with(&format!(".{EXTENSION}"))))
        .collect();
    made.sort();
    while made.len() > keep {
        let _ = std::fs::remove_file(made.remove(0));
    }
    Ok(Some(report))
}

/// Where automatic backups go.
pub fn auto_dir(store: &Store) -> Result<PathBuf> {
    Ok(match store.setting(AUTO_DIR)? {
        Some(d) if !d.trim().is_empty() => PathBuf::from(d),
        _ => store.path().parent().unwrap_or(Path::new(".")).join("backups"),
    })
}

fn passphrase_entry() -> Result<keyring::Entry> {
    keyring::Entry::new(crate::sync::credentials::KEYCHAIN_SERVICE, KEYCHAIN_ACCOUNT).map_err(|e| Error::Keychain(e.to_string()))
}

/// The automatic backups' passphrase, kept in the OS keychain (never in the store).
pub fn saved_passphrase() -> Result<Option<String>> {
    let entry = passphrase_entry()?;
    match entry.get_password() {
        Ok(p) => Ok(Some(p)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(Error::Keychain(e.to_string())),
    }
}

/// Saves (or with `None` forgets) the automatic backups' passphrase in the OS keychain.
pub fn save_passphrase(passphrase: Option<&str>) -> Result<()> {
    let entry = passphrase_entry()?;
    match passphrase {
        Some(p) => {
            secret(p)?;
            entry.set_password(p).map_err(|e| Error::Keychain(e.to_string()))
        }
        None => match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Error::Keychain(e.to_string())),
        },
    }
}

/// The automatic backup's settings, as Settings → Backup shows them.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct BackupSettings {
    /// Where automatic backups go.
    pub dir: String,
    /// Hours between automatic backups (0: off).
    #[ts(type = "number")]
    pub every_hours: i64,
    /// How many automatic backups are kept (the oldest go first).
    #[ts(type = "number")]
    pub keep: i64,
    /// When the last automatic backup was made.
    pub last_at: Option<String>,
    /// Whether the passphrase of automatic backups is saved in the keychain (they run only then).
    pub has_passphrase: bool,
}

impl Store {
    /// The automatic backup's settings.
    pub fn backup_settings(&self) -> Result<BackupSettings> {
        Ok(BackupSettings {
            dir: auto_dir(self)?.display().to_string(),
            every_hours: self.setting(AUTO_EVERY_HOURS)?.and_then(|v| v.parse().ok()).unwrap_or(EVERY_DEFAULT_HOURS),
            keep: self.setting(AUTO_KEEP)?.and_then(|v| v.parse().ok()).unwrap_or(KEEP_DEFAULT as i64),
            last_at: self.setting(AUTO_LAST)?,
            has_passphrase: saved_passphrase().ok().flatten().is_some(),
        })
    }

    /// Changes the automatic backup's settings (the passphrase goes to the keychain, never here).
    pub fn set_backup_settings(&self, dir: &str, every_hours: i64, keep: i64) -> Result<BackupSettings> {
        if !(0..=24 * 31).contains(&every_hours) {
            return Err(Error::invalid("every_hours", "out_of_range", "between 0 (off) and 744 hours (a month)"));
        }
        if !(1..=365).contains(&keep) {
            return Err(Error::invalid("keep", "out_of_range", "between 1 and 365 backups"));
        }
        let dir = dir.trim();
        if !dir.is_empty() && !Path::new(dir).is_absolute() {
            return Err(Error::invalid("dir", "invalid_format", "a full folder path, such as /home/you/Backups"));
        }
        self.set_setting_value(AUTO_DIR, dir)?;
        self.set_setting_value(AUTO_EVERY_HOURS, &every_hours.to_string())?;
        self.set_setting_value(AUTO_KEEP, &keep.to_string())?;
        self.backup_settings()
    }
}
