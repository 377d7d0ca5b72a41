//! `plugs register | login | sync | status | logout` end to end: the real binary, the real server on
//! PostgreSQL, tokens in a real Secret Service keychain — and never in the database files.

mod common;

use assert_cmd::Command;
use common::Cloud;
use plugs_testkit::SecretService;
use std::path::Path;

/// Whether `bytes` hold `needle`; a token prefix (`pa_`, `pr_`) counts only when a whole token
/// follows it (43 URL-safe base64 characters), since three bytes alone turn up by chance in the
/// encrypted store's random-looking pages.
fn holds(bytes: &[u8], needle: &[u8]) -> bool {
    let token = needle == b"pa_" || needle == b"pr_";
    let tail = if token { 43 } else { 0 };
    bytes.windows(needle.len() + tail).any(|w| w.starts_with(needle) && w[needle.len()..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_'))
}

fn files_contain(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if let Ok(bytes) = std::fs::read(&p) {
            if holds(&bytes, needle) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_login_sync_and_logout_from_the_command_line() {
    let cloud = Cloud::start().await;
    let keys = SecretService::start();
    let url = cloud.url();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (a.path().to_owned(), b.path().to_owned());
    let keys_ref = &keys;
    tokio::task::spawn_blocking({
        let (a, b, url) = (a.clone(), b.clone(), url.clone());
        let env = keys_ref.env.clone();
        move || {
            let keys = KeysEnv(env);
            let k = &keys;
            run(k, &a, &["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"]);
            run(k, &a, &["contact", "add", "--first-name", "Grace", "--last-name", "Hopper"]);
            let status = text(k, &a, &["status"]);
            assert!(status.contains("offline workspace"), "{status}");
            keep_log(cmd(k, &a).args(["register", "--server", &url, "--password-stdin"]).write_stdin("correct horse battery\n").assert().success().get_output());
            let status = text(k, &a, &["status"]);
            assert!(status.contains(&url) && status.contains("pending changes: 0"), "{status}");
            keep_log(
                cmd(k, &b).args(["login", "--server", &url, "--email", "ada@acme.test", "--password-stdin"]).write_stdin("correct horse battery\n").assert().success().get_output(),
            );
            // An integration set-up: the credential goes to the keychain, the row only points at it.
            let out = cmd(k, &b)
                .args(["--json", "integration", "connect", "--provider", "hubspot", "--integration-type", "crm", "--secret-stdin"])
                .write_stdin("sk-live-TOPSECRET-42\n")
                .assert()
                .success()
                .get_output()
                .clone();
            keep_log(&out);
            let integ: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(integ["credentials"]["keychain_ref"].as_str().unwrap().starts_with("integration/"));
            assert_eq!(integ["status"], "connected");
            let listed = text(k, &b, &["contact", "list"]);
            assert!(listed.contains("Grace"), "{listed}");
            run(k, &b, &["contact", "add", "--first-name", "Alan", "--last-name", "Turing"]);
            let synced = text(k, &b, &["sync"]);
            assert!(synced.contains("applied") && synced.contains("0 rejected"), "{synced}");
            run(k, &a, &["sync"]);
            assert!(text(k, &a, &["contact", "list"]).contains("Turing"));
            // A file attached from the command line on B travels to A, bytes and all.
            let png = base64::Engine::decode(
                &base64::engine::general_purpose::STANDARD,
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
            )
            .unwrap();
            let file = b.join("lunch receipt.png");
            std::fs::write(&file, &png).unwrap();
            let out = cmd(k, &b).args(["--json", "media", "attach"]).arg(&file).args(["--title", "Lunch"]).assert().success().get_output().clone();
            let row: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!((row["file_name"].as_str(), row["media_type"].as_str(), row["status"].as_str()), (Some("lunch receipt.png"), Some("image"), Some("processing")));
            let id = row["id"].as_str().unwrap().to_owned();
            let status = text(k, &b, &["status"]);
            assert!(status.contains("files to upload: 1"), "{status}");
            let synced = text(k, &b, &["sync"]);
            assert!(synced.contains("files: 1 uploaded"), "{synced}");
            assert!(!text(k, &b, &["status"]).contains("files to upload"));
            let synced = text(k, &a, &["sync"]);
            assert!(synced.contains("2 downloaded"), "the file and its thumbnail: {synced}");
            let got = a.join("got.png");
            let said = text(k, &a, &["media", "get", &id, "--out", got.to_str().unwrap()]);
            assert!(said.contains("wrote lunch receipt.png (70 bytes)"), "{said}");
            assert_eq!(std::fs::read(&got).unwrap(), png);
            cmd(k, &a).args(["media", "attach", "/nonexistent/file.pdf"]).assert().failure().stderr(predicates::str::contains("cannot read /nonexistent/file.pdf"));
            // A wrong password is refused and changes nothing.
            cmd(k, &b).args(["login", "--server", &url, "--email", "ada@acme.test", "--password-stdin"]).write_stdin("wrong password!\n").assert().failure();
            run(k, &b, &["sync"]);
            run(k, &a, &["sync"]);
            // No token, credential or password in the database files (WAL included) or the logs.
            let logs = LOGS.lock().unwrap().clone();
            assert!(logs.contains("tokens stored in the keychain") && logs.contains("credential stored in the keychain"), "debug logs were written");
            for needle in ["pa_", "pr_", "TOPSECRET", "correct horse battery"] {
                for dir in [&a, &b] {
                    let hits = files_contain(dir, needle.as_bytes());
                    assert!(hits.is_empty(), "{needle} in {hits:?}");
                }
                assert!(!holds(logs.as_bytes(), needle.as_bytes()), "{needle} in the logs");
            }
            run(k, &b, &["logout"]);
            let err = cmd(k, &b).args(["sync"]).assert().failure().get_output().stderr.clone();
            assert!(String::from_utf8_lossy(&err).contains("sign"), "{}", String::from_utf8_lossy(&err));
        }
    })
    .await
    .unwrap();
    drop(keys);
}

struct KeysEnv(Vec<(String, String)>);

static LOGS: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

fn cmd(k: &KeysEnv, dir: &Path) -> Command {
    let mut c = Command::cargo_bin("plugs").unwrap();
    c.arg("--data-dir").arg(dir).env("RUST_LOG", "debug").envs(k.0.iter().map(|(a, b)| (a, b)));
    c
}

fn keep_log(out: &std::process::Output) {
    LOGS.lock().unwrap().push_str(&String::from_utf8_lossy(&out.stderr));
}

fn run(k: &KeysEnv, dir: &Path, args: &[&str]) {
    keep_log(cmd(k, dir).args(args).assert().success().get_output());
}

fn text(k: &KeysEnv, dir: &Path, args: &[&str]) -> String {
    let a = cmd(k, dir).args(args).assert().success();
    keep_log(a.get_output());
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

/// Overwrites a leaf page of the contacts table with garbage, as a failing disk would.
fn damage_contacts(db: &Path) {
    let page: i64 = plugs_core::vault::open_connection(db)
        .unwrap()
        .query_row("SELECT pageno FROM dbstat WHERE name = 'contacts' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3", [], |r| r.get(0))
        .unwrap();
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start((page as u64 - 1) * 4096)).unwrap();
    f.write_all(&[0xA5; 4096]).unwrap();
}

fn contacts(dir: &Path) -> Vec<String> {
    let store = plugs_core::Store::open_dir(dir).unwrap();
    let mut names: Vec<String> = store
        .connection()
        .prepare("SELECT first_name || ' ' || last_name FROM contacts WHERE NOT is_deleted")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names.sort();
    names
}

/// `plugs repair` on a device that syncs: the damaged store is rebuilt from what can be read, the
/// change made offline and never pushed survives, and the rest (the lost page's contacts, a
/// teammate's new contact) comes back from the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repair_rebuilds_from_the_server_and_keeps_what_was_not_synced() {
    let cloud = Cloud::start().await;
    let keys = SecretService::start();
    let url = cloud.url();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (a.path().to_owned(), b.path().to_owned());
    let env = keys.env.clone();
    tokio::task::spawn_blocking(move || {
        let keys = KeysEnv(env);
        let k = &keys;
        run(k, &a, &["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"]);
        let file = a.join("people.csv");
        let mut csv = String::from("First Name,Last Name,E-mail Address\n");
        for i in 0..2000 {
            csv.push_str(&format!("Person{i},Family{i},p{i}@example.test\n"));
        }
        std::fs::write(&file, csv).unwrap();
        run(k, &a, &["import", file.to_str().unwrap()]);
        std::fs::remove_file(&file).unwrap();
        keep_log(cmd(k, &a).args(["register", "--server", &url, "--password-stdin"]).write_stdin("correct horse battery\n").assert().success().get_output());
        keep_log(
            cmd(k, &b).args(["login", "--server", &url, "--email", "ada@acme.test", "--password-stdin"]).write_stdin("correct horse battery\n").assert().success().get_output(),
        );
        run(k, &b, &["contact", "add", "--first-name", "Teammate", "--last-name", "New"]);
        run(k, &b, &["sync"]);
        // Offline on device A: a contact that never reaches the server before the damage.
        run(k, &a, &["contact", "add", "--first-name", "Offline", "--last-name", "Only"]);
        let before = contacts(&a);
        assert_eq!(before.len(), 2001);
        damage_contacts(&a.join("plugs.db"));
        let err = cmd(k, &a).args(["status"]).assert().code(13).get_output().stderr.clone();
        assert!(String::from_utf8_lossy(&err).contains("plugs repair"));

        let out = cmd(k, &a).args(["--json", "repair"]).assert().success().get_output().clone();
        keep_log(&out);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["repair"]["resync"], true, "{report}");
        assert!(report["sync"]["resynced"] == true && report["sync"]["pushed"].as_i64() >= Some(1), "{report}");
        let after = contacts(&a);
        let mut expected = before.clone();
        expected.push("Teammate New".into());
        expected.sort();
        assert_eq!(after, expected, "the lost page's contacts came back from the server, the unsynced one was kept, the teammate's arrived");
        run(k, &b, &["sync"]);
        assert!(contacts(&b).contains(&"Offline Only".to_owned()), "the change kept by the repair reached the server");
        assert!(text(k, &a, &["status"]).contains("pending changes: 0"));
    })
    .await
    .unwrap();
    drop(keys);
}
