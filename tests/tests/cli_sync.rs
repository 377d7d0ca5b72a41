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
            cmd(k, &a).args(["register", "--server", &url, "--password-stdin"]).write_stdin("correct horse battery\n").assert().success();
            let status = text(k, &a, &["status"]);
            assert!(status.contains(&url) && status.contains("pending changes: 0"), "{status}");
            cmd(k, &b).args(["login", "--server", &url, "--email", "ada@acme.test", "--password-stdin"]).write_stdin("correct horse battery\n").assert().success();
            let listed = text(k, &b, &["contact", "list"]);
            assert!(listed.contains("Grace"), "{listed}");
            run(k, &b, &["contact", "add", "--first-name", "Alan", "--last-name", "Turing"]);
            let synced = text(k, &b, &["sync"]);
            assert!(synced.contains("1 applied"), "{synced}");
            run(k, &a, &["sync"]);
            assert!(text(k, &a, &["contact", "list"]).contains("Turing"));
            // A wrong password is refused and changes nothing.
            cmd(k, &b).args(["login", "--server", &url, "--email", "ada@acme.test", "--password-stdin"]).write_stdin("wrong password!\n").assert().failure();
            // Tokens never reach the database files (WAL included).
            for dir in [&a, &b] {
                for needle in [b"pa_".as_slice(), b"pr_".as_slice()] {
                    let hits = files_contain(dir, needle);
                    assert!(hits.is_empty(), "a token prefix in {hits:?}");
                }
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

fn cmd(k: &KeysEnv, dir: &Path) -> Command {
    let mut c = Command::cargo_bin("plugs").unwrap();
    c.arg("--data-dir").arg(dir).envs(k.0.iter().map(|(a, b)| (a, b)));
    c
}

fn run(k: &KeysEnv, dir: &Path, args: &[&str]) {
    cmd(k, dir).args(args).assert().success();
}

fn text(k: &KeysEnv, dir: &Path, args: &[&str]) -> String {
    String::from_utf8(cmd(k, dir).args(args).assert().success().get_output().stdout.clone()).unwrap()
}
