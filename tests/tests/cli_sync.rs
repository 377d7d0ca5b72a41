//! `plugs register | login | sync | status | logout` end to end: the real binary, the real server on
//! PostgreSQL, tokens in a real Secret Service keychain — and never in the database files.

mod common;

use assert_cmd::Command;
use common::Cloud;
use plugs_testkit::SecretService;
use std::path::Path;

fn files_contain(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if let Ok(bytes) = std::fs::read(&p) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
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
                assert!(!logs.contains(needle), "{needle} in the logs");
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
