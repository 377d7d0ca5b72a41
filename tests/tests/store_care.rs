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
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("DROP TABLE sync_parked; DROP TABLE sync_rejections; DROP TABLE sync_resync_seen; DELETE FROM refinery_schema_history WHERE version >= 6").unwrap();
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
    assert!(during.len() >= 50, "too few captures ran while the import did ({}): the test proves nothing", during.len());
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
