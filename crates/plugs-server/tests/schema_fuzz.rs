//! A schema-driven fuzzer (schemathesis) against the published OpenAPI document, signed in: no
//! answer is a 5xx, and every status answered is one the document lists for its route.

mod common;

use common::{spawn_app_with, token};
use std::path::PathBuf;

/// The schemathesis CLI the test command installs (`PLUGS_SCHEMATHESIS`), or one on the PATH.
fn schemathesis() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PLUGS_SCHEMATHESIS").map(PathBuf::from).filter(|p| p.exists()) {
        return Some(p);
    }
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|d| d.join("st")).find(|p| p.exists()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_driven_fuzzer_finds_no_server_error_and_no_undocumented_status() {
    let Some(st) = schemathesis() else {
        assert!(std::env::var_os("CI").is_none(), "schemathesis is not installed (the test command installs it; PLUGS_SCHEMATHESIS)");
        eprintln!("schemathesis not installed: skipped (./scripts/test installs it)");
        return;
    };
    // Long-polls end at once, so a generated `wait` does not stall the run.
    let app = spawn_app_with(|c| c.long_poll_cap = std::time::Duration::from_millis(200)).await;
    let signed = app.register("Acme", "ada@acme.test").await;
    let bearer = format!("Authorization: Bearer {}", token(&signed));
    // The two checks this test holds the server to; PLUGS_SCHEMATHESIS_CHECKS=all runs every check.
    let checks = std::env::var("PLUGS_SCHEMATHESIS_CHECKS").unwrap_or_else(|_| "not_a_server_error,status_code_conformance".into());
    let out = tokio::process::Command::new(st)
        .args(["--no-color", "run", &app.url("/openapi.json"), "--checks", &checks, "--header", &bearer])
        .args(["--max-examples", "20", "--seed", "1", "--request-timeout", "20", "--exclude-path", "/v1/auth/logout"])
        .output()
        .await
        .expect("schemathesis runs");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "schemathesis found problems:\n{text}");
    assert!(text.contains("passed") || text.contains("Passed"), "schemathesis ran its cases:\n{text}");
}
