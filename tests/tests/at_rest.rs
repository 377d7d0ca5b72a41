//! Encrypted at rest: after a session of captures, imports, files and sync, no name, email, phone
//! or note of a contact is readable anywhere under the data dir (database, WAL, shared memory,
//! media, key file); the store cannot be opened without its key; a store kept in clear by an
//! earlier version is encrypted in place, also after a crash halfway; the key lives in the real
//! OS keychain (Secret Service) or behind a passphrase, and a lost key means starting again from
//! the server, with the locked store kept aside.

mod common;

use assert_cmd::Command;
use common::{first_device, second_device, Cloud};
use plugs_core::capture::Capture;
use plugs_core::interop::ImportOptions;
use plugs_core::tables::{contact_interactions::ContactInteraction, contacts::Contact};
use plugs_core::workspace::NewWorkspace;
use plugs_core::{ListQuery, Store};
use plugs_testkit::SecretService;
use serde_json::json;
use std::path::{Path, PathBuf};

/// What must never be readable in the data dir: names, emails, phones and notes of the session.
const SECRETS: [&str; 14] = [
    "Grace",
    "Hopper",
    "grace@navy.test",
    "555 0199",
    "Zanzibar harbour",
    "Katherine",
    "Johnson",
    "katherine@nasa.test",
    "Dorothy",
    "Vaughan",
    "dorothy@nasa.test",
    "Imported-Notes-Kestrel",
    "Marginalia-Quokka",
    "interaction about Osprey",
];

fn every_file(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Files under `dir` whose bytes hold `needle` (as UTF-8, or as SQLite's UTF-16 would not apply:
/// the store keeps text in UTF-8).
fn readable(dir: &Path, needle: &str) -> Vec<String> {
    every_file(dir).into_iter().filter(|p| std::fs::read(p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))).map(|p| p.display().to_string()).collect()
}

fn text_file(name: &str, body: &str, contact: Option<uuid::Uuid>) -> plugs_core::files::Upload {
    use base64::Engine;
    plugs_core::files::Upload {
        file_name: name.into(),
        mime_type: "text/plain".into(),
        data_base64: base64::engine::general_purpose::STANDARD.encode(body),
        related_contact: contact,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_plaintext_under_the_data_dir_after_captures_imports_files_and_sync() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    // A capture with its note and phone.
    let grace = a
        .store
        .capture(&Capture {
            contact: serde_json::from_value(
                json!({ "first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.test", "phone": "+1 202 555 0199", "notes": "met at the Zanzibar harbour" }),
            )
            .unwrap(),
            follow_up_days: Some(3),
            ..Default::default()
        })
        .unwrap()
        .contact;
    a.store
        .repo::<ContactInteraction>()
        .create(&json!({ "contact_id": grace.id, "interaction_type": "call", "interaction_date": "2026-11-20T10:00:00Z", "description": "an interaction about Osprey" }))
        .unwrap();
    // An import.
    let csv = "First Name,Last Name,Email,Notes\nKatherine,Johnson,katherine@nasa.test,Imported-Notes-Kestrel\nDorothy,Vaughan,dorothy@nasa.test,\n";
    a.store.import_contacts(csv.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
    // A file whose text names someone.
    a.store.attach_file(&text_file("notes.txt", "Marginalia-Quokka: call Grace Hopper", Some(grace.id)), b"Marginalia-Quokka: call Grace Hopper").unwrap();
    a.sync().await;
    a.syncer.transfer_files(&a.store, |_| {}).await.unwrap();
    a.sync().await;
    // A second device gets it all through sync (the pull path and the download write too).
    let b = second_device(&cloud, "ada@acme.test").await;
    b.sync().await;
    b.sync().await;
    let on_b = b.store.repo::<Contact>().list(&ListQuery::default()).unwrap().items;
    assert!(on_b.iter().any(|c| c.first_name == "Katherine"), "the import reached the second device");
    let note = b.store.repo::<plugs_core::tables::media::Media>().list(&ListQuery::default()).unwrap().items.into_iter().find(|m| m.file_name == "notes.txt").unwrap();
    b.syncer.fetch_file(&b.store, note.id, |_| {}).await.unwrap();
    assert_eq!(b.store.media_bytes(note.id).unwrap().1, b"Marginalia-Quokka: call Grace Hopper", "the file reads back in clear through the store");
    assert!(a.store.is_encrypted() && b.store.is_encrypted());

    // While the stores are open (WAL and shared memory present) and after they are closed.
    for phase in ["open", "closed"] {
        for (who, dir) in [("first", a.dir.path()), ("second", b.dir.path())] {
            for s in SECRETS {
                let hits = readable(dir, s);
                assert!(hits.is_empty(), "{phase}, {who} device: '{s}' is readable in {hits:?}");
            }
            // And a control: the same search finds what is there in clear.
            assert!(!readable(dir, "argon2id").is_empty(), "the search reads the files (the key file names its derivation)");
        }
        if phase == "open" {
            assert!(every_file(a.dir.path()).iter().any(|p| p.to_string_lossy().ends_with("-wal")), "the WAL is there to be searched");
        }
        let (ad, bd) = (a.db_path(), b.db_path());
        drop(Store::open(&ad).unwrap());
        drop(Store::open(&bd).unwrap());
    }

    // The store cannot be opened without the key: not as SQLite, not with another passphrase.
    let db = a.db_path();
    let bare = rusqlite::Connection::open(&db).unwrap();
    let e = bare.query_row("SELECT count(*) FROM contacts", [], |r| r.get::<_, i64>(0)).unwrap_err();
    assert_eq!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase), "{e}");
    let out = Command::cargo_bin("plugs")
        .unwrap()
        .arg("--data-dir")
        .arg(a.dir.path())
        .env("PLUGS_STORE_PASSPHRASE", "not the passphrase at all")
        .args(["contact", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this passphrase does not open the store"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::cargo_bin("plugs")
        .unwrap()
        .arg("--data-dir")
        .arg(a.dir.path())
        .env_remove("PLUGS_STORE_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .args(["contact", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(15), "locked: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked with a passphrase"), "{}", String::from_utf8_lossy(&out.stderr));
}

fn rows(s: &Store) -> Vec<(String, String, Option<String>)> {
    let mut v: Vec<_> =
        s.repo::<Contact>().list(&ListQuery { limit: Some(500), ..Default::default() }).unwrap().items.into_iter().map(|c| (c.first_name, c.last_name, c.notes)).collect();
    v.sort();
    v
}

/// A store of an earlier version, kept in clear with its files: the first start of this version
/// encrypts it in place and seals its files; a crash halfway through (the key made, the encrypted
/// copy half written) leaves a store that opens and finishes the job.
#[test]
fn a_clear_store_is_encrypted_in_place_even_after_a_crash_halfway() {
    let root = tempfile::tempdir().unwrap();
    let make = |name: &str| -> PathBuf {
        let dir = root.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let s = Store::open_unencrypted(&dir.join("plugs.db")).unwrap();
        s.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@acme.test".into() }).unwrap();
        for i in 0..300 {
            s.repo::<Contact>().create(&json!({ "first_name": format!("Grace{i}"), "last_name": "Hopper", "notes": "met at the Zanzibar harbour" })).unwrap();
        }
        s.attach_file(&text_file("n.txt", "Marginalia-Quokka", None), b"Marginalia-Quokka").unwrap();
        assert!(!s.is_encrypted());
        dir
    };
    let dir = make("plain");
    let crashed = root.path().join("crashed");
    // The same clear store, copied before its first start with this version.
    std::fs::create_dir_all(crashed.join("media")).unwrap();
    for e in every_file(&dir) {
        let rel = e.strip_prefix(&dir).unwrap();
        std::fs::copy(&e, crashed.join(rel)).unwrap();
    }
    let db = dir.join("plugs.db");
    assert!(plugs_core::vault::is_plaintext(&db) && !readable(&dir, "Zanzibar harbour").is_empty(), "in clear before");
    let want = rows(&Store::open_unencrypted(&db).unwrap());

    let s = Store::open_dir(&dir).unwrap();
    assert!(s.is_encrypted() && !plugs_core::vault::is_plaintext(&db));
    assert_eq!(rows(&s), want, "every row is kept");
    let m = s.repo::<plugs_core::tables::media::Media>().list(&ListQuery::default()).unwrap().items.remove(0);
    assert_eq!(s.media_bytes(m.id).unwrap().1, b"Marginalia-Quokka");
    s.check_integrity().unwrap();
    drop(s);
    for secret in ["Zanzibar harbour", "Grace1", "Marginalia-Quokka", "SQLite format 3"] {
        assert!(readable(&dir, secret).is_empty(), "'{secret}' is still readable: {:?}", readable(&dir, secret));
    }
    assert!(!dir.join("plugs.db.encrypting").exists());

    // The crash: the key file was written and the encrypted copy half made when the power went.
    std::fs::copy(dir.join("plugs.db.key"), crashed.join("plugs.db.key")).unwrap();
    std::fs::write(crashed.join("plugs.db.encrypting"), vec![0x5a; 40_000]).unwrap();
    let s = Store::open_dir(&crashed).unwrap();
    assert!(s.is_encrypted());
    assert_eq!(rows(&s), want, "the store opens whole and is encrypted now");
    drop(s);
    assert!(readable(&crashed, "Zanzibar harbour").is_empty() && readable(&crashed, "Marginalia-Quokka").is_empty());
    assert!(!crashed.join("plugs.db.encrypting").exists());
}

fn plugs(dir: &Path, env: &[(String, String)]) -> Command {
    let mut c = Command::cargo_bin("plugs").unwrap();
    c.arg("--data-dir").arg(dir).env_remove("PLUGS_STORE_PASSPHRASE").env_remove("PLUGS_STORE_PASSPHRASE_FILE").envs(env.iter().map(|(a, b)| (a, b)));
    c
}

/// On a desktop the key is in the OS keychain (a real Secret Service here); it never touches the
/// disk. Another keychain (the key lost) cannot open the store: the CLI says so with exit code 15,
/// and `plugs repair --fresh` starts again, keeping the locked store aside. A passphrase added
/// with `plugs store-passphrase` opens it where there is no keychain.
#[test]
fn the_key_lives_in_the_keychain_or_behind_a_passphrase() {
    let keys = SecretService::start();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    plugs(dir, &keys.env).args(["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@acme.test"]).assert().success();
    plugs(dir, &keys.env).args(["contact", "add", "--first-name", "Grace", "--last-name", "Hopper", "--email", "grace@navy.test"]).assert().success();
    let info: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("plugs.db.key")).unwrap()).unwrap();
    assert_eq!(info["keychain"], json!(true), "{info}");
    assert!(info.get("passphrase").is_none(), "no passphrase was given: {info}");
    let id = info["id"].as_str().unwrap();
    // The key, in the real keychain (read with Debian's secret-tool), is nowhere on disk.
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "com.theplugs.app", "username", &format!("store-key-{id}")])
        .envs(keys.env.iter().map(|(a, b)| (a, b)))
        .output()
        .expect("secret-tool (Debian package libsecret-tools)");
    let hex = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(hex.len(), 64, "a 256-bit key in the keychain: {}", String::from_utf8_lossy(&out.stderr));
    assert!(readable(dir, &hex).is_empty() && readable(dir, &hex.to_uppercase()).is_empty(), "the key is nowhere on disk");
    let listed = plugs(dir, &keys.env).args(["contact", "list"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&listed).contains("Hopper"));
    let status = plugs(dir, &keys.env).args(["status"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&status).contains("key in the OS keychain"), "{}", String::from_utf8_lossy(&status));
    assert!(readable(dir, "Hopper").is_empty() && readable(dir, "grace@navy.test").is_empty());

    // Another keychain does not have the key.
    let other = SecretService::start();
    let out = plugs(dir, &other.env).args(["contact", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(15), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("no longer in the keychain") && err.contains("plugs repair --fresh"), "{err}");

    // A passphrase, added beside the keychain, opens it over SSH (no keychain at all).
    plugs(dir, &keys.env).args(["store-passphrase", "--passphrase-stdin"]).write_stdin("an SSH passphrase\n").assert().success();
    let file = data.path().join("pass.txt");
    std::fs::write(&file, "an SSH passphrase\n").unwrap();
    let out = plugs(dir, &[("PLUGS_STORE_PASSPHRASE_FILE".into(), file.display().to_string())]).env_remove("DBUS_SESSION_BUS_ADDRESS").args(["contact", "list"]).output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Hopper"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(readable(dir, "an SSH passphrase").iter().all(|p| p.ends_with("pass.txt")), "the passphrase is kept nowhere but the file given");

    // The key lost for good: start again; the locked store is kept aside, untouched.
    let before = std::fs::read(dir.join("plugs.db")).unwrap();
    let out = plugs(dir, &other.env).args(["--json", "repair", "--fresh"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kept = PathBuf::from(said["kept"].as_str().unwrap());
    assert_eq!(std::fs::read(kept.join("plugs.db")).unwrap(), before, "the locked store is kept as it was");
    assert!(kept.join("plugs.db.key").exists());
    let out = plugs(dir, &other.env).args(["status"]).output().unwrap();
    assert!(out.status.success(), "a new, empty store opens: {}", String::from_utf8_lossy(&out.stderr));
}
