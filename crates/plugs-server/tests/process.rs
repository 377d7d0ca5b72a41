//! The `plugs-server` binary as operators run it: configuration errors, migrate, create-org,
//! JSON logs without secrets, and a graceful shutdown on SIGTERM that finishes requests in flight.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_plugs-server");

fn server(db: &plugs_testkit::TestDb) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("DATABASE_URL", db.app_url()).env("PLUGS_MIGRATION_DATABASE_URL", db.admin_url());
    if let Some(role) = &db.role {
        c.env("PLUGS_DATABASE_ROLE", role);
    }
    c
}

#[test]
fn configuration_errors_name_the_variable() {
    let out = Command::new(BIN).env_clear().arg("serve").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(BIN).env_clear().env("DATABASE_URL", "postgres://x@127.0.0.1/db").env("PLUGS_BIND", "everywhere").arg("serve").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("PLUGS_BIND"));
    let out = Command::new(BIN).env_clear().env("DATABASE_URL", "postgres://x@127.0.0.1/db").env("PLUGS_LOG_FORMAT", "xml").arg("serve").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("PLUGS_LOG_FORMAT"));
    let out = Command::new(BIN).env_clear().env("DATABASE_URL", "not a url at all ::").arg("migrate").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));
}

fn wait_ready(port: u16) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if out.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not become ready");
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_create_org_serve_and_shut_down_gracefully() {
    let db = plugs_testkit::TestDb::new().await;
    let out = server(&db).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied"));
    let again = server(&db).arg("migrate").output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("0 migrations applied"));

    let mut create = server(&db)
        .args(["create-org", "--name", "Acme", "--email", "ada@acme.test", "--first-name", "Ada", "--last-name", "L"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    create.stdin.take().unwrap().write_all(b"a long admin password\n").unwrap();
    let out = create.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child =
        server(&db).arg("serve").env("PLUGS_BIND", format!("127.0.0.1:{port}")).env("PLUGS_LOG_FORMAT", "json").env("RUST_LOG", "debug").stderr(Stdio::piped()).spawn().unwrap();
    let logs = child.stderr.take().unwrap();
    let log_lines = std::thread::spawn(move || BufReader::new(logs).lines().map_while(Result::ok).collect::<Vec<String>>());
    tokio::task::spawn_blocking(move || wait_ready(port)).await.unwrap();

    // The admin made on the shell signs in; the token must not reach the logs.
    let login = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/v1/auth/login"))
        .json(&serde_json::json!({ "email": "ada@acme.test", "password": "a long admin password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let signed_in: Value = login.json().await.unwrap();
    let access = signed_in["access_token"].as_str().unwrap().to_owned();

    // A request in flight: headers and half the body sent before SIGTERM.
    let body = br#"{"email": "ada@acme.test", "password": "a long admin password"}"#;
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
    s.write_all(&body[..20]).unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    std::thread::sleep(Duration::from_millis(300));
    // New connections are no longer accepted while the old one finishes.
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "the listener is closed once shutdown starts");
    s.write_all(&body[20..]).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "the in-flight request completed: {answer}");
    let status = child.wait().unwrap();
    assert!(status.success(), "exits cleanly after draining: {status}");

    let lines = log_lines.join().unwrap();
    assert!(!lines.is_empty());
    for l in &lines {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}"));
        assert!(v.get("level").is_some() && v.get("timestamp").is_some(), "{l}");
        assert!(!l.contains(&access) && !l.contains("pa_") && !l.contains("pr_"), "a token reached the logs: {l}");
        assert!(!l.contains("a long admin password"), "a password reached the logs: {l}");
    }
    assert!(lines.iter().any(|l| l.contains("shutting down")));
}
