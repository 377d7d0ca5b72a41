//! Backups that demonstrably work: a backup restored on a fresh data dir matches the original
//! table by table and file by file; nothing is replaced before the backup is verified (wrong
//! passphrase, damage, a cut file, a newer schema); a restore cut short by a crash is finished at
//! the next start; after a restore, sync resumes without duplicating anything; the CLI does it all.

mod common;

use assert_cmd::Command;
use common::{first_device, Cloud, Device};
use plugs_core::backup;
use plugs_core::tables::{contact_interactions::ContactInteraction, contacts::Contact};
use plugs_core::workspace::NewWorkspace;
use plugs_core::{ListQuery, Store};
use rusqlite::types::Value;
use serde_json::json;
use std::path::Path;

const PASS: &str = "a long backup passphrase";

fn workspace(dir: &Path) -> Store {
    let s = Store::open_dir(dir).unwrap();
    s.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@acme.test".into() }).unwrap();
    s
}

fn photo(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(320, 200, |x, y| image::Rgb([(x as u8).wrapping_mul(seed), (y as u8).wrapping_add(seed), seed]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// Contacts with interactions, an event with an attendee, an expense with its receipt.
fn fill(s: &Store, n: usize) {
    for i in 0..n {
        let c = s.repo::<Contact>().create(&json!({ "first_name": format!("Grace{i}"), "last_name": "Hopper", "email": format!("grace{i}@navy.test"), "phone": "+1 202 555 0100", "notes": format!("met at the harbour {i}") })).unwrap();
        s.repo::<ContactInteraction>().create(&json!({ "contact_id": c.id, "interaction_type": "call", "interaction_date": "2026-11-20T10:00:00Z" })).unwrap();
    }
    let e = s
        .table("events")
        .unwrap()
        .create(
            json!({ "title": "Harbour summit", "event_type": "conference", "start_date": "2026-12-10T09:00:00Z", "end_date": "2026-12-10T17:00:00Z" }).as_object().unwrap().clone(),
        )
        .unwrap();
    let x = s
        .table("expenses")
        .unwrap()
        .create(
            json!({ "title": "Taxi", "amount": "42.10", "currency": "EUR", "expense_type": "travel", "expense_date": "2026-11-20", "event_id": e["id"] })
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
    let up = plugs_core::files::Upload {
        file_name: "taxi.png".into(),
        mime_type: "image/png".into(),
        expense_id: Some(x["id"].as_str().unwrap().parse().unwrap()),
        ..Default::default()
    };
    s.attach_file(&up, &photo(7)).unwrap();
}

/// Every row of every table of the schema, in id order.
fn tables(s: &Store) -> Vec<(String, Vec<Vec<Value>>)> {
    plugs_core::tables::ALL
        .iter()
        .map(|t| {
            let mut st = s.connection().prepare(&format!("SELECT * FROM {} ORDER BY id", t.name)).unwrap();
            let width = st.column_count();
            let rows = st.query_map([], |r| (0..width).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>()).unwrap().map(Result::unwrap).collect();
            (t.name.to_owned(), rows)
        })
        .collect()
}

/// The media folder's files in clear (each is kept sealed with its store's key).
fn files(s: &Store) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(s.media_dir())
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).map(|n| (n.clone(), s.read_blob(&n).unwrap())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_backup_restored_on_a_fresh_data_dir_matches_the_original_table_by_table() {
    let a = tempfile::tempdir().unwrap();
    let s = workspace(a.path());
    fill(&s, 40);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("acme.plugsbackup");
    let r = s.backup(&file, PASS).unwrap();
    assert_eq!(r.info.tables.iter().find(|t| t.table == "contacts").unwrap().rows, 40);
    assert_eq!(r.info.tables.iter().find(|t| t.table == "contact_interactions").unwrap().rows, 40);
    assert!(!r.info.files.is_empty(), "the receipt and its thumbnail travel");
    // Encrypted: no name, email, phone or note of a contact in the file.
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"), "an age file");
    for secret in ["Grace1", "grace1@navy.test", "202 555 0100", "harbour", "SQLite format 3"] {
        assert!(!contains(&bytes, secret), "'{secret}' is readable in the backup");
    }
    #[cfg(unix)]
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions()) & 0o777, 0o600);

    // Restored where there was nothing: the same rows, the same files, a new device.
    let b = tempfile::tempdir().unwrap();
    let restored = backup::restore(b.path(), &file, PASS).unwrap();
    assert!(restored.previous.is_none() && restored.new_device && !restored.resync);
    let t = Store::open_dir(b.path()).unwrap();
    let (before, after) = (tables(&s), tables(&t));
    for ((name, x), (_, y)) in before.iter().zip(&after) {
        assert_eq!(x.len(), y.len(), "{name}: row count");
        assert_eq!(x, y, "{name}: rows differ");
    }
    assert_eq!(files(&s), files(&t), "the files come back byte for byte");
    assert_ne!(s.device_id(), t.device_id(), "restored elsewhere, a new device id");
    t.check_integrity().unwrap();
    assert!(!std::fs::read_dir(b.path()).unwrap().flatten().any(|e| e.file_name().to_string_lossy().starts_with(".restore-")), "no staging left");
}

#[test]
fn nothing_is_replaced_before_the_backup_is_verified() {
    let a = tempfile::tempdir().unwrap();
    let s = workspace(a.path());
    fill(&s, 3);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("a.plugsbackup");
    s.backup(&file, PASS).unwrap();

    // The store a bad backup must not touch.
    let b = tempfile::tempdir().unwrap();
    let keep = workspace(b.path());
    fill(&keep, 1);
    let kept = tables(&keep);
    drop(keep);
    let untouched = |why: &str| {
        let t = Store::open_dir(b.path()).unwrap();
        assert_eq!(tables(&t), kept, "{why}: the store changed");
        assert!(!b.path().join("previous").exists(), "{why}: nothing moved aside");
        assert!(!std::fs::read_dir(b.path()).unwrap().flatten().any(|e| e.file_name().to_string_lossy().starts_with(".restore-")), "{why}: staging left");
    };

    let e = backup::restore(b.path(), &file, "not the passphrase").unwrap_err().to_payload();
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("wrong_passphrase", Some("passphrase")), "{e:?}");
    untouched("wrong passphrase");

    let e = backup::restore(b.path(), &file, "short").unwrap_err().to_payload();
    assert_eq!(e.field.as_deref(), Some("passphrase"));

    let mut damaged = std::fs::read(&file).unwrap();
    let at = damaged.len() * 6 / 10;
    damaged[at] ^= 0x40;
    let bad = out.path().join("damaged.plugsbackup");
    std::fs::write(&bad, &damaged).unwrap();
    let e = backup::restore(b.path(), &bad, PASS).unwrap_err().to_payload();
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("invalid_backup", Some("file")), "{e:?}");
    untouched("a damaged byte");

    let whole = std::fs::read(&file).unwrap();
    std::fs::write(&bad, &whole[..whole.len() - 700]).unwrap();
    let e = backup::restore(b.path(), &bad, PASS).unwrap_err().to_payload();
    assert_eq!(e.code, "invalid_backup", "{e:?}");
    untouched("a cut file");

    std::fs::write(&bad, b"hello, not a backup").unwrap();
    let e = backup::restore(b.path(), &bad, PASS).unwrap_err();
    assert!(e.to_string().contains("not a backup of The Plugs"), "{e}");
    untouched("not a backup");

    // A backup from a newer version (a migration this build does not know).
    s.connection().execute("INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2027-01-01', '1')", []).unwrap();
    let newer = out.path().join("newer.plugsbackup");
    s.backup(&newer, PASS).unwrap();
    let e = backup::restore(b.path(), &newer, PASS).unwrap_err();
    assert!(e.to_string().contains("newer than this app knows"), "{e}");
    untouched("a newer schema");

    // Checked only: what it holds, nothing changed.
    let info = backup::inspect(&file, PASS).unwrap();
    assert_eq!(info.tables.iter().find(|t| t.table == "contacts").unwrap().rows, 3);
    untouched("a check");
}

#[test]
fn a_restore_cut_short_by_a_crash_is_finished_at_the_next_start() {
    let a = tempfile::tempdir().unwrap();
    let s = workspace(a.path());
    fill(&s, 5);
    let file = a.path().join("x.plugsbackup");
    s.backup(&file, PASS).unwrap();
    let want = tables(&s);

    let b = tempfile::tempdir().unwrap();
    let old = workspace(b.path());
    fill(&old, 2);
    let old_contacts = old.repo::<Contact>().list(&ListQuery::default()).unwrap().items.len();
    drop(old);
    // Verified and staged; then the process dies after moving the old store aside.
    backup::stage_restore(b.path(), &file, PASS).unwrap();
    let aside = b.path().join("previous").join("crashed");
    std::fs::create_dir_all(&aside).unwrap();
    let marker: serde_json::Value = serde_json::from_slice(&std::fs::read(b.path().join("restore.json")).unwrap()).unwrap();
    let previous = std::path::PathBuf::from(marker["previous"].as_str().unwrap());
    std::fs::create_dir_all(&previous).unwrap();
    std::fs::rename(b.path().join("plugs.db"), previous.join("plugs.db")).unwrap();

    // The next start finishes it.
    let t = Store::open_dir(b.path()).unwrap();
    assert_eq!(tables(&t), want);
    assert!(!b.path().join("restore.json").exists());
    let before = Store::open(&previous.join("plugs.db")).unwrap();
    assert_eq!(before.repo::<Contact>().list(&ListQuery::default()).unwrap().items.len(), old_contacts, "the replaced store is kept whole");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restore_sync_resumes_without_duplicating_anything() {
    let cloud = Cloud::start().await;
    let mut d = first_device(&cloud, "Acme", "ada@acme.test").await;
    d.sync().await;
    // Ten contacts typed offline, still waiting to be sent, when the backup is made.
    for i in 0..10 {
        d.store.repo::<Contact>().create(&json!({ "first_name": format!("Pending{i}"), "last_name": "Lee" })).unwrap();
    }
    let keep = tempfile::tempdir().unwrap();
    let file = keep.path().join("d.plugsbackup");
    d.store.backup(&file, PASS).unwrap();
    d.sync().await;
    // Later work that the backup does not have.
    for i in 0..3 {
        d.store.repo::<Contact>().create(&json!({ "first_name": format!("Later{i}"), "last_name": "Lee" })).unwrap();
    }
    d.sync().await;
    let on_server = || cloud.sql_count("SELECT count(*) FROM contacts WHERE NOT is_deleted");
    assert_eq!(on_server().await, 13);

    // Restored on the same device: it keeps its identity and sign-in; the full resync brings the
    // later work back, and the ten changes it had waiting are applied once.
    let dir = d.dir.path().to_owned();
    let elsewhere = tempfile::tempdir().unwrap();
    let device_id = d.store.device_id();
    drop(std::mem::replace(&mut d.store, Store::open_dir(elsewhere.path()).unwrap()));
    let r = backup::restore(&dir, &file, PASS).unwrap();
    assert!(!r.new_device && r.resync && r.previous.is_some(), "{r:?}");
    d.store = Store::open_dir(&dir).unwrap();
    assert_eq!(d.store.device_id(), device_id);
    assert_eq!(d.store.pending_changes().unwrap(), 10, "the backup's waiting changes");
    d.sync().await;
    assert_eq!(on_server().await, 13, "no contact was sent twice");
    assert_eq!(cloud.sql_count("SELECT count(*) FROM contacts WHERE first_name LIKE 'Pending%'").await, 10);
    let local = d.store.repo::<Contact>().list(&ListQuery { limit: Some(100), ..Default::default() }).unwrap().items;
    assert_eq!(local.iter().filter(|c| c.last_name == "Lee").count(), 13, "the later work came back from the server");
    assert_eq!(d.store.pending_changes().unwrap(), 0);

    // Restored on another machine: a new device, which signs in and syncs, still with no duplicates.
    let mut other = Device::blank(&cloud.url());
    let odir = other.dir.path().to_owned();
    let elsewhere2 = tempfile::tempdir().unwrap();
    drop(std::mem::replace(&mut other.store, Store::open_dir(elsewhere2.path()).unwrap()));
    let r = backup::restore(&odir, &file, PASS).unwrap();
    assert!(r.new_device && r.resync);
    other.store = Store::open_dir(&odir).unwrap();
    assert_ne!(other.store.device_id(), device_id, "two devices never share an id");
    other.syncer.login(&other.store, "ada@acme.test", common::PASSWORD).await.unwrap();
    other.sync().await;
    assert_eq!(on_server().await, 13, "still no duplicate");
    assert_eq!(other.store.repo::<Contact>().list(&ListQuery { limit: Some(100), ..Default::default() }).unwrap().items.iter().filter(|c| c.last_name == "Lee").count(), 13);
}

#[test]
fn automatic_backups_run_when_due_and_keep_the_newest() {
    let a = tempfile::tempdir().unwrap();
    let s = workspace(a.path());
    fill(&s, 1);
    let folder = tempfile::tempdir().unwrap();
    let e = s.set_backup_settings("relative/dir", 6, 2).unwrap_err().to_payload();
    assert_eq!(e.field.as_deref(), Some("dir"));
    assert_eq!(s.set_backup_settings("", 6, 0).unwrap_err().to_payload().field.as_deref(), Some("keep"));
    let set = s.set_backup_settings(folder.path().to_str().unwrap(), 6, 2).unwrap();
    assert_eq!((set.every_hours, set.keep, set.dir.as_str()), (6, 2, folder.path().to_str().unwrap()));
    let made = || {
        let mut v: Vec<String> = std::fs::read_dir(folder.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    assert!(backup::auto_backup_if_due(&s, PASS).unwrap().is_some(), "the first one is due at once");
    assert!(backup::auto_backup_if_due(&s, PASS).unwrap().is_none(), "not again within six hours");
    for hours in [7, 14, 21] {
        s.shift_clock(chrono::Duration::hours(hours));
        assert!(backup::auto_backup_if_due(&s, PASS).unwrap().is_some(), "due again after {hours} h");
    }
    let files = made();
    assert_eq!(files.len(), 2, "the newest two are kept: {files:?}");
    assert!(files.iter().all(|f| f.starts_with("plugs-") && f.ends_with(".plugsbackup")));
    // Each one restores.
    let info = backup::inspect(&folder.path().join(&files[1]), PASS).unwrap();
    assert_eq!(info.tables.iter().find(|t| t.table == "contacts").unwrap().rows, 1);
    // Off.
    s.set_backup_settings(folder.path().to_str().unwrap(), 0, 2).unwrap();
    s.shift_clock(chrono::Duration::days(30));
    assert!(backup::auto_backup_if_due(&s, PASS).unwrap().is_none());
}

#[test]
fn the_cli_backs_up_checks_and_restores() {
    let a = tempfile::tempdir().unwrap();
    let s = workspace(a.path());
    fill(&s, 2);
    drop(s);
    let file = a.path().join("cli.plugsbackup");
    let plugs = || {
        let mut c = Command::cargo_bin("plugs").unwrap();
        c.env("PLUGS_BACKUP_PASSPHRASE", PASS);
        c
    };
    let out = plugs().args(["--data-dir", a.path().to_str().unwrap(), "backup", file.to_str().unwrap()]).assert().success().get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("Backup written to") && out.contains("2 contacts") && out.contains("1 expense,"), "{out}");
    let b = tempfile::tempdir().unwrap();
    let out = plugs().args(["--data-dir", b.path().to_str().unwrap(), "restore", "--check", file.to_str().unwrap()]).assert().success().get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("is a whole backup") && out.contains("Nothing was changed"), "{out}");
    assert!(!b.path().join("plugs.db").exists(), "a check writes nothing");
    let err = plugs()
        .env("PLUGS_BACKUP_PASSPHRASE", "wrong passphrase!")
        .args(["--data-dir", b.path().to_str().unwrap(), "restore", file.to_str().unwrap()])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(err).unwrap().contains("passphrase: this passphrase does not open the backup"));
    let out = plugs().args(["--data-dir", b.path().to_str().unwrap(), "--json", "restore", file.to_str().unwrap()]).assert().success().get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["info"]["tables"][2]["rows"], 2, "{v}");
    let out = plugs().args(["--data-dir", b.path().to_str().unwrap(), "--json", "contact", "list"]).assert().success().get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}
