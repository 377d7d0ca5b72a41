//! `plugs repair`: a damaged store is rebuilt as a new file from what can still be read of it. The
//! damaged file is kept beside it, never deleted. Rows are copied table by table; a table whose pages
//! are damaged is read from both ends up to the damage. Changes not yet pushed come across with
//! their outbox entries, so nothing typed that can still be read is lost; on a device that syncs,
//! the next sync is a full resync that gets everything else back from the server (and drops what
//! the server no longer has, unless it is one of those pending changes).

use crate::error::{Error, Result};
use crate::store::{Store, DB_FILE};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// What a repair did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RepairReport {
    /// Where the damaged file was moved (kept for a later rescue).
    pub damaged_copy: PathBuf,
    /// Rows copied, per table.
    pub kept: Vec<(String, usize)>,
    /// Tables that could not be read whole (damage inside them).
    pub damaged_tables: Vec<String>,
    /// Rows dropped because the rows they refer to were lost.
    pub orphans_dropped: usize,
    /// Changes not yet pushed that were kept.
    pub pending: usize,
    /// The next sync is a full resync from the server.
    pub resync: bool,
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?.query_map([], |r| r.get(0))?.collect()
}

/// Copies what can be read of `table` from `old` into `main`, row by row: in rowid order, and
/// when a damaged page stops the scan, from the other end back to the damage. Returns (rows kept,
/// read whole).
fn copy_table(open_old: &dyn Fn() -> rusqlite::Result<Connection>, conn: &Connection, table: &str, rowid: bool) -> Result<(usize, bool)> {
    // A connection of its own for each pass: SQLCipher keeps a page that failed its check as the
    // connection's error, so a scan stopped by damage leaves its connection unusable.
    let Ok(old) = open_old() else { return Ok((0, false)) };
    let theirs = columns(&old, table).unwrap_or_default();
    let cols: Vec<String> = columns(conn, table)?.into_iter().filter(|c| theirs.contains(c)).collect();
    if cols.is_empty() {
        return Ok((0, theirs.is_empty()));
    }
    let list = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let (key, all) = if rowid { ("rowid", format!("rowid, {list}")) } else { ("1", format!("NULL, {list}")) };
    let insert_list = if rowid { format!("rowid, {list}") } else { list.clone() };
    let width = cols.len() + usize::from(rowid);
    let marks = (1..=width).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let mut insert = conn.prepare(&format!("INSERT OR IGNORE INTO main.\"{table}\" ({insert_list}) VALUES ({marks})"))?;
    let mut kept = 0;
    for order in ["ASC", "DESC"] {
        let old = match open_old() {
            Ok(c) => c,
            Err(_) => return Ok((kept, false)),
        };
        let mut st = match old.prepare(&format!("SELECT {all} FROM \"{table}\" ORDER BY {key} {order}")) {
            Ok(st) => st,
            Err(_) => return Ok((kept, false)),
        };
        let mut rows = match st.query([]) {
            Ok(rows) => rows,
            Err(_) => continue,
        };
        loop {
            match rows.next() {
                Ok(Some(r)) => {
                    let skip = usize::from(!rowid);
                    let values: rusqlite::Result<Vec<Value>> = (skip..=cols.len()).map(|i| r.get::<_, Value>(i)).collect();
                    let Ok(values) = values else { break };
                    kept += insert.execute(rusqlite::params_from_iter(values))?;
                }
                Ok(None) => return Ok((kept, order == "ASC")),
                Err(_) => break,
            }
        }
        if !rowid {
            break;
        }
    }
    Ok((kept, false))
}

impl Store {
    /// Rebuilds the damaged store in `dir` (see the module's documentation). The damaged file is
    /// moved aside, never deleted; the rebuilt one takes its place only once it is whole.
    pub fn repair_dir(dir: &Path) -> Result<RepairReport> {
        let path = dir.join(DB_FILE);
        if !path.exists() {
            return Err(Error::Store(format!("{} does not exist: there is nothing to repair.", path.display())));
        }
        let fresh = sibling(&path, ".repairing");
        // The damaged store's key (a store kept in clear has none).
        let old_key = if crate::vault::is_plaintext(&path) { None } else { Some(crate::vault::key_for(&path)?) };
        crate::vault::forget(&fresh);
        for f in [fresh.clone(), sibling(&fresh, "-wal"), sibling(&fresh, "-shm"), crate::vault::key_file(&fresh)] {
            let _ = std::fs::remove_file(f);
        }
        // The new file, at the current schema.
        let fresh_key = {
            let s = Store::open(&fresh)?;
            s.key().cloned()
        };
        let mut report = RepairReport { damaged_copy: PathBuf::new(), kept: vec![], damaged_tables: vec![], orphans_dropped: 0, pending: 0, resync: false };
        {
            let conn = crate::vault::connect(&fresh, fresh_key.as_ref(), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
            conn.execute_batch("PRAGMA foreign_keys = OFF")?;
            let open_old = || crate::vault::connect(&path, old_key.as_ref(), OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX);
            let tables: Vec<(String, bool)> = conn
                .prepare(
                    "SELECT name, sql NOT LIKE '%WITHOUT ROWID%' FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                     AND name NOT LIKE 'contacts_fts%' AND name NOT IN ('refinery_schema_history', 'sync_resync_seen') ORDER BY rowid",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            conn.execute_batch("BEGIN")?;
            // The new file's own settings (a new device id) give way to the old ones.
            conn.execute_batch("DELETE FROM main.local_settings")?;
            for (table, rowid) in tables {
                let (n, whole) = copy_table(&open_old, &conn, &table, rowid)?;
                if !whole {
                    report.damaged_tables.push(table.clone());
                }
                report.kept.push((table, n));
            }
            // Rows whose parent was lost cannot stay (the server sends them again if it has them).
            loop {
                let orphans: Vec<(String, i64)> = conn.prepare("PRAGMA main.foreign_key_check")?.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
                if orphans.is_empty() {
                    break;
                }
                for (table, rowid) in &orphans {
                    report.orphans_dropped += conn.execute(&format!("DELETE FROM main.\"{table}\" WHERE rowid = ?1"), [rowid])?;
                }
            }
            report.pending = conn.query_row("SELECT count(*) FROM main.sync_outbox", [], |r| r.get::<_, i64>(0))? as usize;
            // A device that syncs gets the rest back from the server.
            let linked: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM main.local_settings WHERE key = 'sync.server')", [], |r| r.get(0))?;
            if linked {
                conn.execute_batch(
                    "INSERT INTO main.local_settings (key, value) VALUES ('sync.cursor', '0'), ('sync.resync', '1')
                       ON CONFLICT (key) DO UPDATE SET value = excluded.value;
                     DELETE FROM main.sync_parked;",
                )?;
                report.resync = true;
            }
            conn.execute_batch("COMMIT")?;
            let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if check != "ok" {
                return Err(Error::Damaged(format!("the rebuilt store failed its own check ({check}); {} is unchanged", path.display())));
            }
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        }
        // Swap: the damaged file (with its WAL) aside, the rebuilt one in its place.
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = sibling(&path, &format!(".damaged-{stamp}"));
        for suffix in ["-wal", "-shm"] {
            let f = sibling(&path, suffix);
            if f.exists() {
                std::fs::rename(&f, sibling(&aside, suffix))?;
            }
        }
        std::fs::rename(&path, &aside)?;
        for suffix in ["-wal", "-shm", "-turn"] {
            let _ = std::fs::remove_file(sibling(&fresh, suffix));
        }
        // The rebuilt store's key goes with it; the damaged one's stays with its copy.
        let (key, fresh_key_file) = (crate::vault::key_file(&path), crate::vault::key_file(&fresh));
        if key.exists() {
            std::fs::rename(&key, crate::vault::key_file(&aside))?;
        }
        if fresh_key_file.exists() {
            std::fs::rename(&fresh_key_file, &key)?;
        }
        std::fs::rename(&fresh, &path)?;
        crate::vault::forget(&path);
        crate::vault::forget(&fresh);
        report.damaged_copy = aside;
        // The rebuilt store opens like any other (its full check passes).
        Store::open(&path)?.check_integrity()?;
        Ok(report)
    }
}

impl Store {
    /// Starts this data dir again from nothing, for a store that cannot be opened (its key lost):
    /// the database, its key file and the media folder are moved into `previous/<time>-locked/`
    /// (never deleted: a key found later opens them again), and a new, empty store is made. The
    /// team's data comes back with the next sign-in to the server. Returns where the old store went.
    pub fn start_over_dir(dir: &Path) -> Result<PathBuf> {
        let path = dir.join(DB_FILE);
        let aside = dir.join("previous").join(format!("{}-locked", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
        std::fs::create_dir_all(&aside)?;
        crate::store::private_path(aside.parent().unwrap_or(dir));
        crate::store::private_path(&aside);
        let key = crate::vault::key_file(&path);
        for p in [path.clone(), sibling(&path, "-wal"), sibling(&path, "-shm"), key, dir.join("media")] {
            if p.exists() {
                let name = p.file_name().expect("a file name").to_owned();
                std::fs::rename(&p, aside.join(name))?;
            }
        }
        crate::vault::forget(&path);
        drop(Store::open_dir(dir)?);
        Ok(aside)
    }
}
