//! The CLI and the core share one database: what one writes, the other reads, with the same rules.

use assert_cmd::Command;
use plugs_core::tables::contacts::Contact;
use plugs_core::{ListQuery, Store};
use serde_json::{json, Value};

fn plugs(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("plugs").expect("the plugs binary is built by `cargo test --workspace`");
    c.arg("--data-dir").arg(dir).arg("--json");
    c
}

#[test]
fn what_the_cli_writes_the_core_reads_and_back() {
    let dir = tempfile::tempdir().unwrap();
    plugs(dir.path()).args(["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"]).assert().success();
    plugs(dir.path()).args(["contact", "add", "--first-name", "Grace", "--last-name", "Hopper", "--lead-score", "42"]).assert().success();
    {
        let store = Store::open_dir(dir.path()).unwrap();
        let page = store.repo::<Contact>().list(&ListQuery::default()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].lead_score, 42);
        store.repo::<Contact>().create(&json!({ "first_name": "Alan", "last_name": "Turing" })).unwrap();
    }
    let out = plugs(dir.path()).args(["contact", "search", "tur"]).assert().success().get_output().stdout.clone();
    let found: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(found[0]["last_name"], "Turing");
    let out = plugs(dir.path()).args(["audit", "list", "--table-name", "contacts"]).assert().success().get_output().stdout.clone();
    assert_eq!(serde_json::from_slice::<Value>(&out).unwrap().as_array().unwrap().len(), 2, "both writes were audited, whichever door they came through");
}
