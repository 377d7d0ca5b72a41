//! Encryption at rest: the store is an SQLCipher database, and the files kept beside it (media,
//! thumbnails) are sealed with a key derived from the store's.
//!
//! **The key.** Each store has its own random 256-bit key, made when the store is born (or when a
//! store of an earlier version, kept in clear, is first opened: it is then encrypted in place).
//! The key is kept:
//! - in the OS keychain (the Secret Service), account `store-key-<id>` of the service
//!   `com.theplugs.app`, on a desktop; or
//! - wrapped with a passphrase (Argon2id, then XChaCha20-Poly1305) where there is no keychain (a
//!   headless machine, the CLI over SSH): the passphrase is prompted for, or comes from
//!   `PLUGS_STORE_PASSPHRASE` / `PLUGS_STORE_PASSPHRASE_FILE`.
//!
//! The file `plugs.db.key` beside the database says which (and holds the wrapped key, when there is
//! one): nothing in it opens the store without the keychain or the passphrase. The key is never
//! written anywhere in clear; in memory it is wiped when dropped.
//!
//! **Losing the key** (the keychain was reset, the passphrase forgotten) loses this device's copy,
//! not the team's data: the store cannot be opened ([`crate::Error::Locked`]) and the app offers to
//! start again from the server (`plugs repair --fresh`), keeping the locked file aside.
//!
//! **Files.** Each file of the media folder is sealed in chunks of 64 KiB (XChaCha20-Poly1305,
//! a random 16-byte prefix per file and the chunk's number as the rest of the nonce), so a file can
//! be read from any offset (an upload resumed) and written as it arrives (a download resumed after
//! a restart: its whole chunks are kept). A file's SHA-256 (of its clear bytes) is its name and is
//! checked where it matters (upload, download, backup, restore), which also catches a chunk removed
//! or reordered.

use crate::error::{Error, Result};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

mod provider;
pub use provider::{use_rustcrypto, NAME as CIPHER_PROVIDER};
use zeroize::Zeroizing;

/// A 256-bit key, wiped from memory when the last copy is dropped.
pub type Key = Arc<Zeroizing<[u8; 32]>>;

/// The environment variable holding the passphrase of a store kept without a keychain.
pub const PASSPHRASE_ENV: &str = "PLUGS_STORE_PASSPHRASE";
/// The environment variable naming a file whose first line is that passphrase.
pub const PASSPHRASE_FILE_ENV: &str = "PLUGS_STORE_PASSPHRASE_FILE";

/// Argon2id's cost for a store's passphrase: 64 MiB, 3 passes, one lane (RFC 9106's second
/// recommended setting, for machines short of memory).
const KDF_MEMORY_KIB: u32 = 64 * 1024;
const KDF_ITERATIONS: u32 = 3;
const KDF_LANES: u32 = 1;

/// What the start of a database file in clear reads.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The file beside a database saying where its key is.
pub fn key_file(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".key");
    PathBuf::from(p)
}

/// Whether the database file at `db` is kept in clear (a store of an earlier version, or one
/// opened for a comparison with [`crate::Store::open_unencrypted`]).
pub fn is_plaintext(db: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(db).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == SQLITE_HEADER
}

#[derive(Serialize, Deserialize)]
struct KeyInfo {
    format: u32,
    /// Names the keychain entry (`store-key-<id>`).
    id: Uuid,
    /// The key is in the OS keychain.
    keychain: bool,
    /// The key, wrapped with a passphrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passphrase: Option<Wrapped>,
    created_at: String,
}

#[derive(Serialize, Deserialize, Clone)]
struct Wrapped {
    kdf: String,
    memory_kib: u32,
    iterations: u32,
    lanes: u32,
    salt: String,
    nonce: String,
    sealed: String,
}

/// The keys this process has unlocked, by database path, with the id of the key file they came
/// from (a store replaced by another process, with another key, is unlocked again).
fn cache() -> &'static Mutex<HashMap<PathBuf, (Uuid, Key)>> {
    static CACHE: std::sync::OnceLock<Mutex<HashMap<PathBuf, (Uuid, Key)>>> = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn given() -> &'static Mutex<Option<Zeroizing<String>>> {
    static GIVEN: Mutex<Option<Zeroizing<String>>> = Mutex::new(None);
    &GIVEN
}

/// Gives the passphrase of stores kept without a keychain (the CLI's prompt), for this process.
pub fn set_passphrase(passphrase: Option<&str>) {
    *given().lock().unwrap_or_else(|p| p.into_inner()) = passphrase.map(|p| Zeroizing::new(p.to_owned()));
}

/// The passphrase given to this process: by [`set_passphrase`], else `PLUGS_STORE_PASSPHRASE`,
/// else the first line of the file `PLUGS_STORE_PASSPHRASE_FILE` names.
pub fn passphrase() -> Result<Option<Zeroizing<String>>> {
    if let Some(p) = given().lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        return Ok(Some(p.clone()));
    }
    if let Some(p) = std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty()) {
        return Ok(Some(Zeroizing::new(p)));
    }
    if let Some(f) = std::env::var_os(PASSPHRASE_FILE_ENV).filter(|f| !f.is_empty()) {
        let text = Zeroizing::new(
            std::fs::read_to_string(&f)
                .map_err(|e| Error::invalid("passphrase", "unreadable", format!("the passphrase file {} ({PASSPHRASE_FILE_ENV}) cannot be read: {e}", Path::new(&f).display())))?,
        );
        let line = text.lines().next().unwrap_or("").to_owned();
        if line.is_empty() {
            return Err(Error::invalid("passphrase", "required", format!("the passphrase file {} is empty", Path::new(&f).display())));
        }
        return Ok(Some(Zeroizing::new(line)));
    }
    Ok(None)
}

fn cache_key(db: &Path) -> PathBuf {
    std::path::absolute(db).unwrap_or_else(|_| db.to_owned())
}

/// Forgets the keys this process holds (after a store is replaced or set aside).
pub fn forget(db: &Path) {
    cache().lock().unwrap_or_else(|p| p.into_inner()).remove(&cache_key(db));
}

fn keychain_entry(id: Uuid) -> Result<keyring::Entry> {
    keyring::Entry::new(crate::sync::credentials::KEYCHAIN_SERVICE, &format!("store-key-{id}")).map_err(|e| Error::Keychain(e.to_string()))
}

fn random_key() -> Zeroizing<[u8; 32]> {
    use rand::RngCore;
    let mut k = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(&mut k[..]);
    k
}

fn kek(passphrase: &str, salt: &[u8], w: (u32, u32, u32)) -> Result<Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(w.0, w.1, w.2, Some(32)).map_err(|e| Error::Store(format!("the key file's Argon2id settings are not usable: {e}")))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    a.hash_password_into(passphrase.as_bytes(), salt, &mut out[..]).map_err(|e| Error::Store(format!("the passphrase cannot be used: {e}")))?;
    Ok(out)
}

fn wrap(key: &[u8; 32], passphrase: &str, id: Uuid) -> Result<Wrapped> {
    use rand::RngCore;
    if passphrase.chars().count() < 8 {
        return Err(Error::invalid("passphrase", "too_short", "a store passphrase has at least 8 characters"));
    }
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let k = kek(passphrase, &salt, (KDF_MEMORY_KIB, KDF_ITERATIONS, KDF_LANES))?;
    let sealed = XChaCha20Poly1305::new((&*k).into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: key, aad: id.as_bytes() })
        .map_err(|_| Error::Store("the store key cannot be sealed".into()))?;
    Ok(Wrapped {
        kdf: "argon2id".into(),
        memory_kib: KDF_MEMORY_KIB,
        iterations: KDF_ITERATIONS,
        lanes: KDF_LANES,
        salt: hex::encode(salt),
        nonce: hex::encode(nonce),
        sealed: hex::encode(sealed),
    })
}

fn unwrap(w: &Wrapped, passphrase: &str, id: Uuid, file: &Path) -> Result<Zeroizing<[u8; 32]>> {
    let broken = || Error::Store(format!("{} is damaged: its wrapped key cannot be read", file.display()));
    if w.kdf != "argon2id" {
        return Err(Error::Store(format!("{} uses a key derivation this version does not know ({})", file.display(), w.kdf)));
    }
    let salt = hex::decode(&w.salt).map_err(|_| broken())?;
    let nonce = hex::decode(&w.nonce).map_err(|_| broken())?;
    let sealed = hex::decode(&w.sealed).map_err(|_| broken())?;
    if nonce.len() != 24 {
        return Err(broken());
    }
    let k = kek(passphrase, &salt, (w.memory_kib, w.iterations, w.lanes))?;
    let plain = Zeroizing::new(
        XChaCha20Poly1305::new((&*k).into())
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: &sealed, aad: id.as_bytes() })
            .map_err(|_| Error::invalid("passphrase", "wrong_passphrase", "this passphrase does not open the store"))?,
    );
    let mut out = Zeroizing::new([0u8; 32]);
    if plain.len() != 32 {
        return Err(broken());
    }
    out.copy_from_slice(&plain);
    Ok(out)
}

fn write_info(path: &Path, info: &KeyInfo) -> Result<()> {
    let tmp = {
        let mut p = path.as_os_str().to_owned();
        p.push(".tmp");
        PathBuf::from(p)
    };
    {
        let mut f = std::fs::File::create(&tmp)?;
        crate::store::private_path(&tmp);
        f.write_all(&serde_json::to_vec_pretty(info).expect("serializes"))?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

fn read_info(path: &Path) -> Result<KeyInfo> {
    let bytes = std::fs::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Store(format!("{} is damaged ({e}): the store's key cannot be found. {}", path.display(), LOST)))
}

/// What to do when a store's key is lost.
pub const LOST: &str = "The team's data is safe on the server: start again from it (Settings, or `plugs repair --fresh`); the locked store is kept aside.";

/// Makes a new key for the store at `db` and keeps it (in the keychain, or wrapped with the
/// passphrase given to this process); the key file is written before any data is encrypted with it.
fn create(db: &Path) -> Result<Zeroizing<[u8; 32]>> {
    let key = random_key();
    let id = Uuid::now_v7();
    let created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let info = if let Some(p) = passphrase()? {
        KeyInfo { format: 1, id, keychain: false, passphrase: Some(wrap(&key, &p, id)?), created_at }
    } else {
        let entry = keychain_entry(id)?;
        let hexkey = Zeroizing::new(hex::encode(&key[..]));
        let stored = entry.set_password(&hexkey).and_then(|_| entry.get_password());
        match stored {
            Ok(back) => {
                if *Zeroizing::new(back) != *hexkey {
                    return Err(Error::Keychain("the keychain did not keep the store's key".into()));
                }
            }
            Err(e) => {
                return Err(Error::Locked(format!(
                    "the store's key cannot be kept: no keychain answers here ({e}). Give a passphrase to lock the store with instead ({PASSPHRASE_ENV}, {PASSPHRASE_FILE_ENV}, or the prompt)."
                )))
            }
        }
        KeyInfo { format: 1, id, keychain: true, passphrase: None, created_at }
    };
    write_info(&key_file(db), &info)?;
    Ok(key)
}

fn unlock(db: &Path, info: &KeyInfo, file: &Path) -> Result<Zeroizing<[u8; 32]>> {
    let mut why = String::new();
    if info.keychain {
        let entry = keychain_entry(info.id)?;
        match entry.get_password() {
            Ok(hexkey) => {
                let bytes = Zeroizing::new(hex::decode(Zeroizing::new(hexkey).as_str()).unwrap_or_default());
                if bytes.len() == 32 {
                    let mut k = Zeroizing::new([0u8; 32]);
                    k.copy_from_slice(&bytes);
                    return Ok(k);
                }
                why = "the keychain's entry for the store key is damaged".into();
            }
            Err(keyring::Error::NoEntry) => why = "its key is no longer in the keychain".into(),
            Err(e) => why = format!("the keychain cannot be reached ({e})"),
        }
    }
    match (&info.passphrase, passphrase()?) {
        (Some(w), Some(p)) => unwrap(w, &p, info.id, file),
        (Some(_), None) => Err(Error::Locked(format!(
            "{} is locked with a passphrase{}: give it ({PASSPHRASE_ENV}, {PASSPHRASE_FILE_ENV}, or the prompt).",
            db.display(),
            if why.is_empty() { String::new() } else { format!(" ({why})") }
        ))),
        (None, _) => Err(Error::Locked(format!("{} cannot be opened: {why}. {LOST}", db.display()))),
    }
}

/// Whether a file's start reads like ciphertext (an encrypted store begins with its random salt and
/// encrypted pages; text or another format uses few distinct byte values).
fn looks_encrypted(db: &Path) -> bool {
    let mut head = vec![0u8; 4096];
    let Ok(n) = std::fs::File::open(db).and_then(|mut f| f.read(&mut head)) else { return false };
    let mut seen = [false; 256];
    head[..n].iter().for_each(|b| seen[*b as usize] = true);
    n >= 1024 && seen.iter().filter(|s| **s).count() > 160
}

/// The key of the store at `db` (made when it has none yet), from this process's memory, the
/// keychain or the passphrase.
pub(crate) fn key_for(db: &Path) -> Result<Key> {
    let at = cache_key(db);
    let file = key_file(db);
    let info = if file.exists() { Some(read_info(&file)?) } else { None };
    if let (Some(i), Some((id, k))) = (&info, cache().lock().unwrap_or_else(|p| p.into_inner()).get(&at)) {
        if *id == i.id {
            return Ok(k.clone());
        }
    }
    let key = if let Some(i) = &info {
        unlock(db, i, &file)?
    } else if db.exists() && std::fs::metadata(db).is_ok_and(|m| m.len() > 0) && !is_plaintext(db) {
        if !looks_encrypted(db) {
            return Err(Error::Store(format!("{} is not a database of The Plugs. Nothing was changed. {}", db.display(), crate::store::ADVICE)));
        }
        return Err(Error::Locked(format!("{} is encrypted, and the file saying where its key is ({}) is missing. {LOST}", db.display(), file.display())));
    } else {
        create(db)?
    };
    let id = match info {
        Some(i) => i.id,
        None => read_info(&file)?.id,
    };
    let key: Key = Arc::new(key);
    cache().lock().unwrap_or_else(|p| p.into_inner()).insert(at, (id, key.clone()));
    Ok(key)
}

/// Adds a passphrase to the store at `db` (its key wrapped with it, beside the keychain's copy), or
/// changes it: for opening the store where there is no keychain. The store must be unlocked here.
pub fn set_store_passphrase(db: &Path, new: &str) -> Result<()> {
    let key = key_for(db)?;
    let file = key_file(db);
    let mut info = read_info(&file)?;
    info.passphrase = Some(wrap(&key, new, info.id)?);
    write_info(&file, &info)
}

/// How the store's key is kept, in words (for `plugs status` and Settings).
pub fn describe(db: &Path) -> String {
    if is_plaintext(db) {
        return "not encrypted".into();
    }
    match read_info(&key_file(db)) {
        Ok(i) if i.keychain && i.passphrase.is_some() => "encrypted (SQLCipher); key in the OS keychain, and wrapped with a passphrase".into(),
        Ok(i) if i.keychain => "encrypted (SQLCipher); key in the OS keychain".into(),
        Ok(_) => "encrypted (SQLCipher); key wrapped with a passphrase (Argon2id)".into(),
        Err(_) => "encrypted (SQLCipher); key file missing".into(),
    }
}

/// SQLCipher's settings for the stores (after the key, before the first read): AES-256 with
/// HMAC-SHA256 per page (SQLCipher 4's default is HMAC-SHA512; SHA-256 has CPU instructions on
/// current x86 and ARM processors and measured three times faster here, for the same protection of
/// each page against tampering). The key is given raw, so no key derivation runs at open.
pub(crate) fn cipher_settings(schema: &str) -> String {
    format!("PRAGMA {schema}.cipher_hmac_algorithm = HMAC_SHA256; PRAGMA {schema}.cipher_kdf_algorithm = PBKDF2_HMAC_SHA256;")
}

/// The key as SQLCipher takes it raw (`x'…'`), wiped when dropped. Every key given to SQLCipher
/// comes from here, so the app's cipher provider is registered here first.
pub(crate) fn sql_key(key: &Key) -> Zeroizing<String> {
    provider::register();
    let mut s = Zeroizing::new(String::with_capacity(3 + 2 * key[..].len()));
    s.push_str("x'");
    s.push_str(&Zeroizing::new(hex::encode(&key[..])));
    s.push('\'');
    s
}

/// Applies the key to a connection just opened (before anything is read).
pub(crate) fn apply(conn: &Connection, key: &Key) -> rusqlite::Result<()> {
    // SQLCipher's own log goes to standard error; the store's errors are said in words instead.
    let stmt = Zeroizing::new(format!("PRAGMA cipher_log_level = NONE; PRAGMA key = \"{}\"; {}", sql_key(key).as_str(), cipher_settings("main")));
    conn.execute_batch(&stmt)
}

/// Opens a connection to an encrypted database with its key.
pub(crate) fn connect(db: &Path, key: Option<&Key>, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(db, flags)?;
    if let Some(k) = key {
        apply(&conn, k)?;
    }
    Ok(conn)
}

/// A connection of its own to the store at `db`, unlocked (for tools and tests that read the
/// database directly). Clear stores open as they are.
pub fn open_connection(db: &Path) -> Result<Connection> {
    let key = if is_plaintext(db) { None } else { Some(key_for(db)?) };
    let conn = connect(db, key.as_ref(), OpenFlags::default())?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(|e| crate::store::damaged(db, e))?;
    Ok(conn)
}

fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Encrypts a store kept in clear, in place and atomically: the encrypted copy is written beside
/// it, made durable, then renamed over it. A crash before the rename leaves the clear store as it
/// was (the next start does it again); after it, the encrypted one. The media folder's files are
/// sealed after, one by one, each by a rename too.
pub(crate) fn encrypt_in_place(db: &Path, key: &Key) -> Result<()> {
    let started = std::time::Instant::now();
    let tmp = sibling(db, ".encrypting");
    let _ = std::fs::remove_file(&tmp);
    {
        let conn = Connection::open(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // Everything in the WAL goes into the file first, so the copy holds every commit.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let hexkey = sql_key(key);
        conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", rusqlite::params![tmp.to_string_lossy(), hexkey.as_str()])?;
        conn.execute_batch(&cipher_settings("encrypted"))?;
        let exported = conn
            .query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))
            .and_then(|_| conn.execute_batch(&format!("PRAGMA encrypted.user_version = {user_version};")))
            .and_then(|_| conn.execute_batch("DETACH DATABASE encrypted;"));
        if let Err(e) = exported {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
    }
    crate::store::private_path(&tmp);
    std::fs::File::open(&tmp)?.sync_all()?;
    // The clear WAL (empty after the checkpoint) and shared memory go before the swap, so the
    // encrypted file never meets them.
    for s in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(db, s));
    }
    std::fs::rename(&tmp, db)?;
    if let Some(dir) = db.parent() {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    let sealed = seal_media_dir(&db.parent().unwrap_or(Path::new(".")).join("media"), key)?;
    tracing::info!(file = %db.display(), files = sealed, ms = started.elapsed().as_millis() as u64, "the store was encrypted in place");
    Ok(())
}

/// Seals the files of a media folder still kept in clear; the number sealed.
pub(crate) fn seal_media_dir(dir: &Path, key: &Key) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(0) };
    let mk = media_key(key);
    let mut n = 0;
    for e in entries.flatten() {
        let p = e.path();
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else { continue };
        if name.starts_with('.') || !p.is_file() || is_sealed(&p) {
            // Half-written downloads and parts in clear are dropped: they are fetched again.
            if name.starts_with('.') && p.is_file() && !is_sealed(&p) {
                let _ = std::fs::remove_file(&p);
            }
            continue;
        }
        let bytes = Zeroizing::new(std::fs::read(&p)?);
        let tmp = dir.join(format!(".{name}.sealing"));
        write_sealed(&tmp, &mk, &bytes)?;
        std::fs::rename(&tmp, &p)?;
        n += 1;
    }
    Ok(n)
}

// ---- Sealed files -------------------------------------------------------------------------

/// The start of a sealed file.
const MAGIC: &[u8; 8] = b"PLUGSEC1";
/// Clear bytes per chunk.
pub(crate) const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const HEADER: usize = MAGIC.len() + 16;

/// The key files are sealed with, derived from the store's (HKDF-SHA256).
pub(crate) fn media_key(key: &Key) -> Key {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"com.theplugs.app"), &key[..]);
    let mut out = Zeroizing::new([0u8; 32]);
    hk.expand(b"media files v1", &mut out[..]).expect("32 bytes is a valid length");
    Arc::new(out)
}

/// Whether a file starts as a sealed file does.
pub fn is_sealed(path: &Path) -> bool {
    let mut head = [0u8; 8];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == MAGIC
}

fn nonce(prefix: &[u8; 16], index: u64) -> XNonce {
    let mut n = [0u8; 24];
    n[..16].copy_from_slice(prefix);
    n[16..].copy_from_slice(&index.to_be_bytes());
    *XNonce::from_slice(&n)
}

/// Writes a sealed file whole (made private, synced), to be renamed into place.
pub(crate) fn write_sealed(path: &Path, key: &Key, bytes: &[u8]) -> Result<()> {
    let mut w = SealedWriter::create(path, key.clone())?;
    w.write_all(bytes)?;
    w.finish()?;
    Ok(())
}

/// Reads a sealed file whole (a file in clear, kept from before, is read as it is).
pub(crate) fn read_sealed(path: &Path, key: Option<&Key>) -> Result<Vec<u8>> {
    match key {
        Some(k) if is_sealed(path) => {
            let mut r = SealedReader::open(path, k.clone())?;
            let mut out = Vec::with_capacity(r.len() as usize);
            r.read_to_end(&mut out)?;
            Ok(out)
        }
        _ => Ok(std::fs::read(path)?),
    }
}

/// Writes a sealed file as its bytes arrive; appends to one left unfinished.
pub(crate) struct SealedWriter {
    file: std::io::BufWriter<std::fs::File>,
    cipher: XChaCha20Poly1305,
    prefix: [u8; 16],
    index: u64,
    buf: Zeroizing<Vec<u8>>,
}

impl SealedWriter {
    /// A new file (replacing any at `path`).
    pub(crate) fn create(path: &Path, key: Key) -> std::io::Result<Self> {
        use rand::RngCore;
        let mut prefix = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut prefix);
        let mut file = std::fs::File::create(path)?;
        crate::store::private_path(path);
        file.write_all(MAGIC)?;
        file.write_all(&prefix)?;
        Ok(Self {
            file: std::io::BufWriter::with_capacity(CHUNK + TAG, file),
            cipher: XChaCha20Poly1305::new((&**key).into()),
            prefix,
            index: 0,
            buf: Zeroizing::new(Vec::with_capacity(CHUNK)),
        })
    }

    /// Goes on with a file left unfinished: its whole chunks are kept (anything after them is cut
    /// off). The clear bytes kept so far are given to `seen` (to hash them again).
    pub(crate) fn resume(path: &Path, key: Key, mut seen: impl FnMut(&[u8])) -> std::io::Result<(Self, u64)> {
        let mut r = SealedReader::open(path, key.clone())?;
        let whole = r.whole_chunks();
        let mut chunk = Zeroizing::new(vec![0u8; CHUNK]);
        for _ in 0..whole {
            r.read_exact(&mut chunk[..])?;
            seen(&chunk[..]);
        }
        let prefix = r.prefix;
        drop(r);
        let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
        let end = (HEADER + whole as usize * (CHUNK + TAG)) as u64;
        file.set_len(end)?;
        file.seek(SeekFrom::Start(end))?;
        Ok((
            Self {
                file: std::io::BufWriter::with_capacity(CHUNK + TAG, file),
                cipher: XChaCha20Poly1305::new((&**key).into()),
                prefix,
                index: whole,
                buf: Zeroizing::new(Vec::with_capacity(CHUNK)),
            },
            whole * CHUNK as u64,
        ))
    }

    fn seal(&mut self) -> std::io::Result<()> {
        let out =
            self.cipher.encrypt(&nonce(&self.prefix, self.index), Payload { msg: &self.buf[..], aad: MAGIC }).map_err(|_| std::io::Error::other("a chunk could not be sealed"))?;
        self.file.write_all(&out)?;
        self.index += 1;
        self.buf.clear();
        Ok(())
    }

    /// Seals what is left, flushes and syncs.
    pub(crate) fn finish(mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() || self.index == 0 {
            self.seal()?;
        }
        let f = self.file.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()
    }

    /// Writes out the whole chunks so far (a download interrupted keeps them).
    pub(crate) fn flush_whole(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Write for SealedWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = CHUNK - self.buf.len();
        let n = room.min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.seal()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Reads a sealed file, from any offset.
pub(crate) struct SealedReader {
    file: std::fs::File,
    cipher: XChaCha20Poly1305,
    prefix: [u8; 16],
    /// Bytes of sealed chunks in the file.
    body: u64,
    pos: u64,
    chunk: Zeroizing<Vec<u8>>,
    chunk_index: Option<u64>,
}

impl SealedReader {
    pub(crate) fn open(path: &Path, key: Key) -> std::io::Result<Self> {
        let mut file = std::fs::File::open(path)?;
        let mut head = [0u8; HEADER];
        file.read_exact(&mut head)?;
        if &head[..8] != MAGIC {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not a sealed file"));
        }
        let mut prefix = [0u8; 16];
        prefix.copy_from_slice(&head[8..]);
        let body = file.metadata()?.len().saturating_sub(HEADER as u64);
        Ok(Self { file, cipher: XChaCha20Poly1305::new((&**key).into()), prefix, body, pos: 0, chunk: Zeroizing::new(vec![]), chunk_index: None })
    }

    fn whole_chunks(&self) -> u64 {
        self.body / (CHUNK + TAG) as u64
    }

    /// The clear length (the last chunk may be short).
    pub(crate) fn len(&self) -> u64 {
        let full = self.whole_chunks();
        let rest = self.body % (CHUNK + TAG) as u64;
        full * CHUNK as u64 + rest.saturating_sub(TAG as u64)
    }

    fn load(&mut self, index: u64) -> std::io::Result<()> {
        if self.chunk_index == Some(index) {
            return Ok(());
        }
        let at = HEADER as u64 + index * (CHUNK + TAG) as u64;
        let size = ((self.body + HEADER as u64).saturating_sub(at)).min((CHUNK + TAG) as u64) as usize;
        let mut sealed = vec![0u8; size];
        self.file.seek(SeekFrom::Start(at))?;
        self.file.read_exact(&mut sealed)?;
        let plain = self
            .cipher
            .decrypt(&nonce(&self.prefix, index), Payload { msg: &sealed, aad: MAGIC })
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "a sealed file is damaged or was sealed with another key"))?;
        self.chunk = Zeroizing::new(plain);
        self.chunk_index = Some(index);
        Ok(())
    }
}

impl Read for SealedReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.len() || out.is_empty() {
            return Ok(0);
        }
        let index = self.pos / CHUNK as u64;
        self.load(index)?;
        let off = (self.pos % CHUNK as u64) as usize;
        let n = (self.chunk.len() - off).min(out.len());
        out[..n].copy_from_slice(&self.chunk[off..off + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SealedReader {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let len = self.len() as i64;
        let at = match to {
            SeekFrom::Start(n) => n as i64,
            SeekFrom::End(d) => len + d,
            SeekFrom::Current(d) => self.pos as i64 + d,
        };
        if at < 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start"));
        }
        self.pos = at as u64;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_files_round_trip_from_any_offset_and_resume() {
        let dir = tempfile::tempdir().unwrap();
        let key: Key = Arc::new(random_key());
        let data: Vec<u8> = (0..(CHUNK * 3 + 1234)).map(|i| (i * 7 % 251) as u8).collect();
        let p = dir.path().join("f");
        write_sealed(&p, &key, &data).unwrap();
        assert!(is_sealed(&p));
        assert_eq!(read_sealed(&p, Some(&key)).unwrap(), data);
        let raw = std::fs::read(&p).unwrap();
        assert!(!raw.windows(64).any(|w| data.windows(64).next() == Some(w)), "no clear bytes in the file");
        let mut r = SealedReader::open(&p, key.clone()).unwrap();
        assert_eq!(r.len(), data.len() as u64);
        r.seek(SeekFrom::Start(CHUNK as u64 + 10)).unwrap();
        let mut rest = vec![];
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, data[CHUNK + 10..]);
        // Another key reads nothing.
        let other: Key = Arc::new(random_key());
        assert!(read_sealed(&p, Some(&other)).is_err());
        // An unfinished file keeps its whole chunks and goes on.
        let q = dir.path().join("g");
        let mut w = SealedWriter::create(&q, key.clone()).unwrap();
        w.write_all(&data[..CHUNK * 2 + 500]).unwrap();
        w.flush_whole().unwrap();
        drop(w);
        let mut seen = 0usize;
        let (mut w, have) = SealedWriter::resume(&q, key.clone(), |b| seen += b.len()).unwrap();
        assert_eq!(have, (CHUNK * 2) as u64);
        assert_eq!(seen, CHUNK * 2);
        w.write_all(&data[have as usize..]).unwrap();
        w.finish().unwrap();
        assert_eq!(read_sealed(&q, Some(&key)).unwrap(), data);
        // An empty file seals to one empty chunk and reads back empty.
        write_sealed(&p, &key, b"").unwrap();
        assert_eq!(read_sealed(&p, Some(&key)).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn a_wrapped_key_opens_with_its_passphrase_only() {
        let key = random_key();
        let id = Uuid::now_v7();
        let w = wrap(&key, "correct horse battery", id).unwrap();
        let f = Path::new("x.key");
        assert_eq!(&unwrap(&w, "correct horse battery", id, f).unwrap()[..], &key[..]);
        assert!(matches!(unwrap(&w, "wrong horse battery", id, f), Err(Error::Invalid { code: "wrong_passphrase", .. })));
        assert!(unwrap(&w, "correct horse battery", Uuid::now_v7(), f).is_err(), "bound to its store's id");
        assert!(matches!(wrap(&key, "short", id), Err(Error::Invalid { code: "too_short", .. })));
    }
}
