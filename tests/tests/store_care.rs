//! The local store looks after itself: migrations that never change once released, damage noticed
//! and repaired, reads from a read-only data dir, and writers that never meet "database is locked".

use plugs_core::Store;
use rusqlite::Connection;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// `migrations/released.txt`: one line per released migration, `local|server version name checksum`.
fn released() -> Vec<(String, i32, String, u64)> {
    let text = std::fs::read_to_string(root().join("migrations/released.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_owned(), f[1].parse().unwrap(), f[2].to_owned(), f[3].parse().unwrap())
        })
        .collect()
}

#[test]
fn released_migrations_never_change() {
    let recorded = released();
    let ours: Vec<(String, i32, String, u64)> = plugs_core::store::migration_checksums()
        .into_iter()
        .map(|(v, n, c)| ("local".to_owned(), v, n, c))
        .chain(plugs_server::db::migration_checksums().into_iter().map(|(v, n, c)| ("server".to_owned(), v, n, c)))
        .collect();
    let mut problems = vec![];
    for (side, v, name, sum) in &recorded {
        match ours.iter().find(|(s, ov, _, _)| s == side && ov == v) {
            None => problems.push(format!("{side} V{v}__{name} was released and is gone: released migrations are never removed")),
            Some((_, _, n, c)) if n != name || c != sum => {
                problems.push(format!("{side} V{v}__{name} was changed after release (checksum {c}, released {sum}): restore its text and put the change in a new migration"))
            }
            _ => {}
        }
    }
    for (side, v, name, sum) in &ours {
        if !recorded.iter().any(|(s, rv, _, _)| s == side && rv == v) {
            problems.push(format!("{side} V{v}__{name} is not recorded: add `{side} {v} {name} {sum}` to migrations/released.txt when it ships"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn parked_row(conn: &Connection, waiting: bool) {
    let id = uuid::Uuid::now_v7().to_string();
    if waiting {
        conn.execute("INSERT INTO sync_parked (table_name, record_id, seq, row, waiting_table, waiting_id) VALUES ('contacts', ?1, 7, '{}', 'users', 'u1')", [&id]).unwrap();
    } else {
        conn.execute("INSERT INTO sync_parked (table_name, record_id, seq, row) VALUES ('contacts', ?1, 7, '{}')", [&id]).unwrap();
    }
}

fn columns(conn: &Connection, table: &str) -> Vec<String> {
    conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')")).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// Stores made with V4 as released (no waiting columns) and with V4 as it was once edited (checksum of
/// the edited text recorded) both open, reach the same schema, and keep their parked rows.
#[test]
fn stores_made_with_either_text_of_v4_open_and_keep_what_was_parked() {
    let released_v4 = std::fs::read_to_string(root().join("migrations/local/V4__sync_client.sql")).unwrap();
    let edited_v4 = std::fs::read_to_string(root().join("migrations/replaced/local_V4__sync_client.sql")).unwrap();
    for (label, text) in [("released", &released_v4), ("edited", &edited_v4)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plugs.db");
        drop(Store::open(&path).unwrap());
        {
            // Take the store back to V5 as that version of V4 left it.
            let conn = plugs_core::vault::open_connection(&path).unwrap();
            // V4's tables go (its text makes them again), and so does what later migrations made.
            conn.execute_batch(
                "DROP TABLE sync_parked; DROP TABLE sync_rejections; DROP TABLE sync_resync_seen; DROP TABLE sync_audit_pulled;
                 DELETE FROM refinery_schema_history WHERE version >= 5",
            )
            .unwrap();
            conn.execute_batch("DROP TABLE reminder_log").unwrap();
            conn.execute_batch(text).unwrap();
            let sum = refinery::Migration::unapplied("V4__sync_client", text).unwrap().checksum();
            conn.execute("UPDATE refinery_schema_history SET checksum = ?1 WHERE version = 4", [sum.to_string()]).unwrap();
            parked_row(&conn, label == "edited");
            assert_eq!(columns(&conn, "sync_parked").contains(&"waiting_table".to_owned()), label == "edited");
        }
        let store = Store::open(&path).unwrap_or_else(|e| panic!("a store made with the {label} V4 opens: {e}"));
        let conn = store.connection();
        assert!(columns(conn, "sync_parked").ends_with(&["waiting_table".to_owned(), "waiting_id".to_owned()]), "{label}");
        let kept: (i64, String) = conn.query_row("SELECT count(*), max(waiting_table) FROM sync_parked", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!(kept, (1, String::new()), "{label}: the parked row is kept, to be retried after the next push");
        let v4: String = conn.query_row("SELECT checksum FROM refinery_schema_history WHERE version = 4", [], |r| r.get(0)).unwrap();
        let ours = plugs_core::store::migration_checksums().into_iter().find(|m| m.0 == 4).unwrap().2;
        assert_eq!(v4, ours.to_string(), "{label}: the history names the released V4");
        let index: i64 = conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'idx_sync_parked_waiting'", [], |r| r.get(0)).unwrap();
        assert_eq!(index, 1);
        drop(store);
        Store::open(&path).expect("and opens again");
    }
}

fn plugs(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("plugs").expect("the plugs binary is built by `cargo test --workspace`");
    c.arg("--data-dir").arg(dir);
    c
}

fn init(dir: &Path) {
    plugs(dir).args(["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"]).assert().success();
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// An import of 50k rows runs in one process while this one captures 500 contacts: every capture
/// succeeds, promptly, because the import lets a waiting writer in between its chunks.
#[test]
fn captures_during_a_large_import_never_see_database_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let file = dir.path().join("big.csv");
    let mut csv = String::from("First Name,Last Name,E-mail Address,Company\n");
    for i in 0..50_000 {
        csv.push_str(&format!("First{i},Last{i},person{i}@import.test,Company {}\n", i % 700));
    }
    std::fs::write(&file, csv).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("plugs");
    let mut import = std::process::Command::new(bin)
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--json")
        .arg("import")
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    // Wait until the import is writing.
    let started = std::time::Instant::now();
    while store.connection().query_row("SELECT count(*) FROM contacts", [], |r| r.get::<_, i64>(0)).unwrap() == 0 {
        assert!(started.elapsed().as_secs() < 120, "the import never started");
        assert!(import.try_wait().unwrap().is_none(), "the import ended before writing");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let (mut during, mut after, mut failures) = (vec![], 0, vec![]);
    for i in 0..500 {
        // A person typing, not a loop hammering the store: a capture every few milliseconds.
        std::thread::sleep(std::time::Duration::from_millis(4));
        let running = import.try_wait().unwrap().is_none();
        let t = std::time::Instant::now();
        let r = store.repo::<plugs_core::tables::contacts::Contact>().create(&serde_json::json!({"first_name": "Met", "last_name": format!("At booth {i}")}));
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        match r {
            Err(e) => failures.push(format!("capture {i}: {e}")),
            Ok(_) if running => during.push(ms),
            Ok(_) => after += 1,
        }
    }
    let out = import.wait_with_output().unwrap();
    assert!(out.status.success(), "the import failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["created"], 50_000, "{report}");
    assert!(failures.is_empty(), "{} of 500 captures failed: {:?}", failures.len(), &failures[..failures.len().min(5)]);
    assert!(during.len() >= 20, "too few captures ran while the import did ({}): the test proves nothing", during.len());
    during.sort_by(f64::total_cmp);
    println!(
        "captures during the import: {} (p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms); after it: {after}",
        during.len(),
        percentile(&during, 0.5),
        percentile(&during, 0.99),
        during.last().unwrap()
    );
    let total: i64 = store.connection().query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).unwrap();
    assert_eq!(total, 50_500);
    let fts: i64 = store.connection().query_row("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'booth'", [], |r| r.get(0)).unwrap();
    assert_eq!(fts, 500, "captures made during the import are searchable");
}

fn import_people(dir: &Path, n: usize) {
    let file = dir.join("people.csv");
    let mut csv = String::from("First Name,Last Name,E-mail Address\n");
    for i in 0..n {
        csv.push_str(&format!("Person{i},Family{i},p{i}@example.test\n"));
    }
    std::fs::write(&file, csv).unwrap();
    plugs(dir).arg("import").arg(&file).assert().success();
    std::fs::remove_file(file).unwrap();
}

fn digest(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Overwrites one leaf page of the contacts table with garbage, as a failing disk would.
fn damage_contacts(db: &Path) -> u64 {
    let page: i64 = {
        let conn = plugs_core::vault::open_connection(db).unwrap();
        conn.query_row("SELECT pageno FROM dbstat WHERE name = 'contacts' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3", [], |r| r.get(0)).unwrap()
    };
    assert!(!db.with_file_name("plugs.db-wal").exists() || std::fs::metadata(db.with_file_name("plugs.db-wal")).unwrap().len() == 0);
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start((page as u64 - 1) * 4096)).unwrap();
    f.write_all(&[0xA5; 4096]).unwrap();
    page as u64
}

fn exit(out: &std::process::Output) -> (i32, String) {
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A damaged store is noticed at open, named with what to do, never written to; `plugs repair`
/// rebuilds it from what can be read, keeps the damaged file, and the app works again.
#[test]
fn a_damaged_store_is_noticed_never_written_and_repaired() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    import_people(dir.path(), 3000);
    let db = dir.path().join("plugs.db");
    damage_contacts(&db);
    let before = digest(&db);
    for args in [&["status"][..], &["contact", "list"], &["contact", "add", "--first-name", "New", "--last-name", "Person"]] {
        let (code, err) = exit(&plugs(dir.path()).args(args).output().unwrap());
        assert_eq!(code, 13, "plugs {args:?}: {err}");
        assert!(err.contains(&db.display().to_string()) && err.contains("damaged") && err.contains("plugs repair"), "plugs {args:?}: {err}");
    }
    assert!(digest(&db) == before, "nothing was written into the damaged file");
    let e = Store::open(&db).unwrap_err();
    assert_eq!(e.code(), "store_damaged");

    let out = plugs(dir.path()).args(["--json", "repair"]).assert().success().get_output().stdout.clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let kept = |t: &str| report["repair"]["kept"].as_array().unwrap().iter().find(|k| k[0] == t).map(|k| k[1].as_i64().unwrap()).unwrap();
    let contacts = kept("contacts");
    assert!(contacts > 2800 && contacts < 3000, "the readable contacts are kept, the damaged page's are lost: {report}");
    assert_eq!(report["repair"]["damaged_tables"], serde_json::json!(["contacts"]), "{report}");
    assert!(report["repair"]["pending"].as_i64().unwrap() > 3000, "the changes not yet synced are kept with the rows: {report}");
    let aside = std::path::PathBuf::from(report["repair"]["damaged_copy"].as_str().unwrap());
    assert!(digest(&aside) == before, "the damaged file is kept as it was");
    plugs(dir.path()).arg("check").assert().success();
    plugs(dir.path()).args(["contact", "add", "--first-name", "New", "--last-name", "Person"]).assert().success();
    let store = Store::open(&db).unwrap();
    let n: i64 = store.connection().query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).unwrap();
    assert_eq!(n, contacts + 1);
    let found: i64 = store.connection().query_row("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'Family2999 OR Person'", [], |r| r.get(0)).unwrap();
    assert!(found >= 2, "the rebuilt store is searchable");
    let fts: Result<usize, _> = store.connection().execute("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')", []);
    assert!(fts.is_ok(), "{fts:?}");
    store.check_integrity().unwrap();
}

/// Damage the quick check at open does not look for (an index that disagrees with its table) is
/// found by the full check (`plugs check`, and the app's check in the background).
#[test]
fn the_full_check_finds_what_the_quick_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    import_people(dir.path(), 500);
    let db = dir.path().join("plugs.db");
    {
        let conn = plugs_core::vault::open_connection(&db).unwrap();
        let (name, sql): (String, String) = conn
            .query_row(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND sql NOT LIKE '%UNIQUE%' AND name = 'idx_contacts_lead_score'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let (open, close) = (sql.find('(').unwrap(), sql.find(')').unwrap());
        let wrong = format!("{}(first_name){}", &sql[..open], &sql[close + 1..]);
        conn.execute_batch("PRAGMA writable_schema = ON").unwrap();
        conn.execute("UPDATE sqlite_master SET sql = ?1 WHERE name = ?2", [&wrong, &name]).unwrap();
    }
    let store = Store::open(&db).expect("the quick check at open does not compare indexes with tables");
    assert_eq!(store.check_integrity().unwrap_err().code(), "store_damaged");
    drop(store);
    let (code, err) = exit(&plugs(dir.path()).arg("check").output().unwrap());
    assert_eq!(code, 13, "{err}");
    assert!(err.contains("plugs repair"), "{err}");
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A data dir that cannot be written (another user's, a read-only mount) still opens for reading;
/// a change is refused with a clear message and exit code 14.
#[test]
fn a_read_only_data_dir_still_allows_reads() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    init(&data);
    import_people(&data, 20);
    assert!(!data.join("plugs.db-wal").exists(), "the store closed cleanly");
    chmod(dir.path(), 0o755);
    chmod(&data.join("plugs.db"), 0o444);
    // (The same person, with the data dir made read-only: the file saying where the key is stays
    // readable to them; the tests run as root read it as another user.)
    chmod(&data.join("plugs.db.key"), 0o444);
    chmod(&data, 0o555);
    // Root writes anywhere: read as an unprivileged user then.
    let root = std::process::Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false);
    let run = |args: &[&str]| {
        let bin = assert_cmd::cargo::cargo_bin("plugs");
        let mut c = if root {
            let _ = std::process::Command::new("sh").args(["-c", "id plugs-ro >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin plugs-ro"]).status();
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "plugs-ro", "--"]).arg(&bin);
            c
        } else {
            std::process::Command::new(&bin)
        };
        c.env("HOME", "/nonexistent").arg("--data-dir").arg(&data).args(args).output().unwrap()
    };
    let out = run(&["--json", "contact", "list", "--limit", "100"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(20), "{listed}");
    let out = run(&["status"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["contact", "search", "Family7"]);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Person7"), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, err) = exit(&run(&["contact", "add", "--first-name", "New", "--last-name", "Person"]));
    assert_eq!(code, 14, "{err}");
    assert!(err.contains("read-only") && err.contains("plugs.db"), "{err}");
    chmod(&data, 0o755);
    assert!(!data.join("plugs.db-turn").exists() || root, "nothing was made in the read-only folder");
}

/// An import killed halfway leaves the search index's settings as they were.
#[test]
fn a_killed_import_leaves_the_index_settings_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let file = dir.path().join("big.csv");
    let mut csv = String::from("First Name,Last Name\n");
    for i in 0..40_000 {
        csv.push_str(&format!("First{i},Last{i}\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let mut import = std::process::Command::new(assert_cmd::cargo::cargo_bin("plugs")).arg("--data-dir").arg(dir.path()).arg("import").arg(&file).spawn().unwrap();
    let db = dir.path().join("plugs.db");
    let started = std::time::Instant::now();
    loop {
        let n: i64 = plugs_core::vault::open_connection(&db).unwrap().query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).unwrap();
        if n >= 2000 {
            break;
        }
        assert!(started.elapsed().as_secs() < 120 && import.try_wait().unwrap().is_none(), "the import did not get going");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    import.kill().unwrap();
    import.wait().unwrap();
    let automerge: i64 = plugs_core::vault::open_connection(&db).unwrap().query_row("SELECT v FROM contacts_fts_config WHERE k = 'automerge'", [], |r| r.get(0)).unwrap_or(4);
    assert_eq!(automerge, 4, "the setting an import changes is only ever changed inside its transactions");
    // A store left with the old setting by an interrupted import of an earlier version gets it back.
    plugs_core::vault::open_connection(&db).unwrap().execute_batch("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('automerge', 0)").unwrap();
    drop(Store::open(&db).unwrap());
    let automerge: i64 = plugs_core::vault::open_connection(&db).unwrap().query_row("SELECT v FROM contacts_fts_config WHERE k = 'automerge'", [], |r| r.get(0)).unwrap();
    assert_eq!(automerge, 4);
}
