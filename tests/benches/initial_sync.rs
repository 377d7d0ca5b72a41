//! Sync benchmarks, each against a baseline measured in the same run.
//!
//! (1) Initial sync of 100k contacts and 500k interactions to an empty device, in rows/s, and the
//!     ratio to the limit: PostgreSQL `COPY` of the same rows out, plus a bulk insert of them into
//!     the same SQLite schema in one transaction (search index written in one statement).
//!     Ids are UUIDv7, as the app makes them.
//! (2) The time from an edit on device A to its arrival on device B, both running the engine.
//!
//! Run: `cargo bench -p plugs-tests --bench initial_sync` (`PLUGS_BENCH_CONTACTS` to scale,
//! `PLUGS_BENCH_RANDOM_IDS=1` for random v4 ids).

use plugs_core::sync::engine::EngineOptions;
use plugs_core::sync::{Memory, Remote, SyncEngine, Syncer};
use plugs_core::tables::contacts::Contact;
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use plugs_server::{Application, Config};
use plugs_testkit::TestDb;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";

fn pg_time(s: &str) -> String {
    // COPY's text form: 2026-11-25 12:00:00.123456+00
    let t = chrono::DateTime::parse_from_str(&format!("{s}00"), "%Y-%m-%d %H:%M:%S%.f%z")
        .or_else(|_| chrono::DateTime::parse_from_str(&format!("{s}00"), "%Y-%m-%d %H:%M:%S%z"))
        .expect("a COPY timestamp");
    plugs_core::Timestamp::from_datetime(t.with_timezone(&chrono::Utc)).to_string()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::var_os(plugs_core::vault::PASSPHRASE_ENV).is_none() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // No keychain here: the stores' keys are wrapped with a passphrase, as on a server.
        plugs_core::vault::set_passphrase(Some("a passphrase for the benchmark"));
    }
    let n: i64 = std::env::var("PLUGS_BENCH_CONTACTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let db = TestDb::new().await;
    plugs_server::db::migrate(&db.admin).await.unwrap();
    let mut config = Config::new(db.app.clone(), db.admin.clone());
    config.database_role = db.role.clone();
    config.max_body_bytes = 8 << 20;
    let app = Application::build(config).await.unwrap();
    let url = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));

    // The organization, registered from a device; then its data, written straight into PostgreSQL.
    let first_dir = tempfile::tempdir().unwrap();
    let first = Store::open_dir(first_dir.path()).unwrap();
    first.init_workspace(&NewWorkspace { organization_name: "Bench".into(), first_name: "B".into(), last_name: "B".into(), email: "b@bench.test".into() }).unwrap();
    let syncer = Syncer::new(Remote::new(&url).unwrap(), Arc::new(Memory::default()));
    syncer.register(&first, PASSWORD).await.unwrap();
    let (org, user) = (first.actor().unwrap().organization_id, first.actor().unwrap().user_id);
    let admin = db.admin_client().await;
    let t = Instant::now();
    // Ids as the app makes them: UUIDv7 (48 bits of milliseconds, then random bits), one
    // millisecond apart in the order the rows were made. PLUGS_BENCH_RANDOM_IDS=1: random v4 ids
    // instead (every insert lands at a random place in every id index).
    let random_ids = std::env::var("PLUGS_BENCH_RANDOM_IDS").is_ok_and(|v| v == "1");
    admin
        .batch_execute(if random_ids {
            "CREATE FUNCTION bench_uuid7(n bigint) RETURNS uuid LANGUAGE sql VOLATILE AS $$ SELECT gen_random_uuid() $$"
        } else {
            "CREATE FUNCTION bench_uuid7(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
                 SELECT (lpad(to_hex(1764000000000 + n), 12, '0') || '7' || substr(md5(n::text), 1, 3) || '8' || substr(md5(n::text), 4, 15))::uuid
             $$"
        })
        .await
        .unwrap();
    println!("ids: {}", if random_ids { "random (v4)" } else { "UUIDv7" });
    admin
        .execute(
            "INSERT INTO contacts (id, organization_id, created_by, first_name, last_name, email, company, job_title, notes, lead_score, created_at, updated_at)
             SELECT bench_uuid7(i), $1, $2, 'First' || i, 'Last' || i, 'p' || i || '@example.com', 'Company ' || (i % 500), 'Engineer',
                    CASE WHEN i % 4 = 0 THEN 'met at booth ' || i END, i % 101, NOW(), NOW() FROM generate_series(1, $3::bigint) i",
            &[&org, &user, &n],
        )
        .await
        .unwrap();
    admin
        .execute(
            "INSERT INTO contact_interactions (id, organization_id, contact_id, user_id, interaction_type, subject, interaction_date, status, created_at, updated_at)
             SELECT bench_uuid7($3 + row_number() OVER (ORDER BY c.id, g)), $1, c.id, $2, 'meeting', 'Talk ' || g, NOW() - make_interval(days => g), 'completed', NOW(), NOW()
             FROM contacts c CROSS JOIN generate_series(1, 5) g WHERE c.organization_id = $1",
            &[&org, &user, &n],
        )
        .await
        .unwrap();
    for table in ["contacts", "contact_interactions"] {
        admin
            .execute(
                &format!(
                    "INSERT INTO sync_rows (organization_id, table_name, record_id, seq)
                     SELECT $1, '{table}', id, (SELECT last_seq FROM sync_org_state WHERE organization_id = $1) + ROW_NUMBER() OVER (ORDER BY created_at, id)
                     FROM {table} WHERE organization_id = $1 ON CONFLICT DO NOTHING"
                ),
                &[&org],
            )
            .await
            .unwrap();
        admin.execute("UPDATE sync_org_state SET last_seq = (SELECT MAX(seq) FROM sync_rows WHERE organization_id = $1) WHERE organization_id = $1", &[&org]).await.unwrap();
    }
    admin.batch_execute("ANALYZE").await.unwrap();
    let rows: i64 = admin.query_one("SELECT COUNT(*) FROM sync_rows WHERE organization_id = $1", &[&org]).await.unwrap().get(0);
    println!("seeded {rows} rows in {:.1} s", t.elapsed().as_secs_f64());

    // (1a) The baseline: COPY out of PostgreSQL + bulk insert into SQLite.
    let base_dir = tempfile::tempdir().unwrap();
    let base = Store::open_dir(base_dir.path()).unwrap();
    let t = Instant::now();
    let copy = |sql: &'static str| {
        let admin = &admin;
        async move {
            use futures::StreamExt;
            let stream = admin.copy_out(sql).await.unwrap();
            futures::pin_mut!(stream);
            let mut out = Vec::new();
            while let Some(chunk) = stream.next().await {
                out.extend_from_slice(&chunk.unwrap());
            }
            out
        }
    };
    let contacts =
        copy("COPY (SELECT id, organization_id, created_by, first_name, last_name, email, company, job_title, notes, lead_score, created_at, updated_at FROM contacts) TO STDOUT")
            .await;
    let interactions = copy(
        "COPY (SELECT id, organization_id, contact_id, user_id, interaction_type, subject, interaction_date, status, created_at, updated_at FROM contact_interactions) TO STDOUT",
    )
    .await;
    let copied = Instant::now() - t;
    {
        let conn = base.connection();
        conn.execute_batch("BEGIN; PRAGMA defer_foreign_keys = ON").unwrap();
        // The search index written in one statement at the end, not row by row by the trigger.
        let trigger: String = conn.query_row("SELECT sql FROM sqlite_master WHERE name = 'contacts_fts_after_insert'", [], |r| r.get(0)).unwrap();
        conn.execute_batch("DROP TRIGGER contacts_fts_after_insert").unwrap();
        conn.execute("INSERT INTO organizations (id, name) SELECT id, name FROM organizations WHERE 0", []).unwrap();
        let nul = |s: &str| if s == "\\N" { None } else { Some(s.to_owned()) };
        conn.execute("INSERT INTO organizations (id, name) VALUES (?1, 'Bench')", [org.to_string()]).unwrap();
        conn.execute(
            "INSERT INTO users (id, organization_id, email, password_hash, first_name, last_name) VALUES (?1, ?2, 'b@bench.test', '!', 'B', 'B')",
            [user.to_string(), org.to_string()],
        )
        .unwrap();
        let mut st = conn.prepare("INSERT INTO contacts (id, organization_id, created_by, first_name, last_name, email, company, job_title, notes, lead_score, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)").unwrap();
        for line in String::from_utf8_lossy(&contacts).lines() {
            let f: Vec<&str> = line.split('\t').collect();
            st.execute(rusqlite::params![f[0], f[1], f[2], f[3], f[4], nul(f[5]), nul(f[6]), nul(f[7]), nul(f[8]), f[9].parse::<i64>().unwrap(), pg_time(f[10]), pg_time(f[11])])
                .unwrap();
        }
        let mut st = conn.prepare("INSERT INTO contact_interactions (id, organization_id, contact_id, user_id, interaction_type, subject, interaction_date, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)").unwrap();
        for line in String::from_utf8_lossy(&interactions).lines() {
            let f: Vec<&str> = line.split('\t').collect();
            st.execute(rusqlite::params![f[0], f[1], f[2], f[3], f[4], nul(f[5]), pg_time(f[6]), f[7], pg_time(f[8]), pg_time(f[9])]).unwrap();
        }
        conn.execute_batch("INSERT INTO contacts_fts (rowid, first_name, last_name, email, company, job_title, industry, notes) SELECT rowid, first_name, last_name, email, company, job_title, industry, notes FROM contacts").unwrap();
        conn.execute_batch(&trigger).unwrap();
        conn.execute_batch("COMMIT").unwrap();
    }
    let baseline = t.elapsed();
    println!(
        "(1) baseline: COPY out {:.2} s + SQLite bulk insert {:.2} s = {:.2} s ({:.0} rows/s)",
        copied.as_secs_f64(),
        (baseline - copied).as_secs_f64(),
        baseline.as_secs_f64(),
        rows as f64 / baseline.as_secs_f64()
    );

    // (1c) The same initial sync into a store kept in clear: what encryption at rest costs.
    let plain_rate = {
        let dir = tempfile::tempdir().unwrap();
        let dev = Store::open_unencrypted(&dir.path().join("plugs.db")).unwrap();
        let mut sync = Syncer::new(Remote::new(&url).unwrap(), Arc::new(Memory::default()));
        sync.page_size = 5000;
        let t = Instant::now();
        let report = sync.login(&dev, "b@bench.test", PASSWORD).await.unwrap();
        let rate = report.pulled as f64 / t.elapsed().as_secs_f64();
        println!("    initial sync into a store in clear: {} rows at {rate:.0} rows/s", report.pulled);
        rate
    };

    // (1b) The initial sync of a new device, through the API (its store encrypted, as the app's).
    let dev_dir = tempfile::tempdir().unwrap();
    let dev = Store::open_dir(dev_dir.path()).unwrap();
    let mut dev_sync = Syncer::new(Remote::new(&url).unwrap(), Arc::new(Memory::default()));
    dev_sync.page_size = 5000;
    let t = Instant::now();
    let report = dev_sync.login(&dev, "b@bench.test", PASSWORD).await.unwrap();
    let took = t.elapsed();
    let parked: Vec<(String, String)> =
        dev.connection().prepare("SELECT table_name, row FROM sync_parked LIMIT 3").unwrap().query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    if !parked.is_empty() {
        println!("parked: {parked:?}");
    }
    let got: i64 = dev.connection().query_row("SELECT (SELECT COUNT(*) FROM contacts) + (SELECT COUNT(*) FROM contact_interactions)", [], |r| r.get(0)).unwrap();
    assert!(got >= n * 6, "every row arrived ({got})");
    println!(
        "    initial sync: {} rows in {:.2} s = {:.0} rows/s; ratio to the baseline {:.2}×   (goal: ≥ 50000 rows/s, ratio ≤ 3)",
        report.pulled,
        took.as_secs_f64(),
        report.pulled as f64 / took.as_secs_f64(),
        took.as_secs_f64() / baseline.as_secs_f64()
    );
    println!("    encrypted against in clear: {:.2}× the rows/s   (goal ≥ 0.8×)", report.pulled as f64 / took.as_secs_f64() / plain_rate);

    // (2) Edit on A, arrival on B.
    let creds_a = Arc::new(Memory::default());
    let a_dir = tempfile::tempdir().unwrap();
    let a = Store::open_dir(a_dir.path()).unwrap();
    let sa = Syncer::new(Remote::new(&url).unwrap(), creds_a.clone());
    sa.login(&a, "b@bench.test", PASSWORD).await.unwrap();
    let c = a.repo::<Contact>().create(&json!({ "first_name": "Latency", "last_name": "Probe" })).unwrap();
    sa.sync_once(&a, |_| {}).await.unwrap();
    let creds_b = Arc::new(Memory::default());
    let b_dir = tempfile::tempdir().unwrap();
    let b = Store::open_dir(b_dir.path()).unwrap();
    let sb = Syncer::new(Remote::new(&url).unwrap(), creds_b.clone());
    sb.login(&b, "b@bench.test", PASSWORD).await.unwrap();
    let opts = EngineOptions { debounce: Duration::from_millis(50), ..Default::default() };
    let ea = SyncEngine::start(a.path().to_owned(), sa.clone(), opts.clone()).unwrap();
    let _eb = SyncEngine::start(b.path().to_owned(), sb.clone(), opts).unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut lat = vec![];
    for i in 0..20 {
        let note = format!("probe {i}");
        let t = Instant::now();
        a.repo::<Contact>().update(c.id, &json!({ "notes": note })).unwrap();
        ea.nudge();
        loop {
            if b.repo::<Contact>().get(c.id).unwrap().notes.as_deref() == Some(note.as_str()) {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(10), "edit {i} never arrived");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        lat.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lat.sort();
    println!(
        "(2) edit on A to arrival on B, 20 edits: p50 {:.0} ms, max {:.0} ms (goal < 1000 ms; includes the engine's 50 ms debounce)",
        lat[10].as_secs_f64() * 1e3,
        lat[19].as_secs_f64() * 1e3
    );
}
