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

/// Tags and keep-in-touch from the CLI: tag and untag, the tags in use, `#tag` in a search, a
/// cadence of a contact and of a tag, a touch logged, the losing-touch list.
#[test]
fn the_cli_tags_and_keeps_in_touch() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| -> Value {
        let out = plugs(dir.path()).args(args).assert().success().get_output().stdout.clone();
        serde_json::from_slice(&out).unwrap()
    };
    run(&["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"]);
    let grace = run(&["contact", "add", "--first-name", "Grace", "--last-name", "Hopper"])["id"].as_str().unwrap().to_owned();
    let alan = run(&["contact", "add", "--first-name", "Alan", "--last-name", "Turing"])["id"].as_str().unwrap().to_owned();
    let r = run(&["contact", "tag", "--tag", "#Investor", "Speaker", "--", &grace, &alan]);
    assert_eq!(r["changed"], 2);
    run(&["contact", "untag", "--tag", "speaker", "--", &alan]);
    assert_eq!(run(&["contact", "tags"]), json!([{ "tag": "investor", "count": 2 }, { "tag": "speaker", "count": 1 }]));
    let found = run(&["contact", "search", "#speaker"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["first_name"], "Grace");
    let bad = plugs(dir.path()).args(["contact", "tag", "--tag", "a,b", "--", &grace]).assert().failure().get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&bad).contains("tags"), "{}", String::from_utf8_lossy(&bad));
    let t = run(&["contact", "keep-in-touch", "2w", &grace]);
    assert_eq!(t["cadence"], json!({ "every": 2, "unit": "weeks" }));
    run(&["contact", "keep-in-touch", "--tag", "investor", "1m"]);
    let t = run(&["contact", "touched", &alan, "--type", "meeting"]);
    assert_eq!((t["cadence"]["unit"].as_str(), t["from_tag"].as_str()), (Some("months"), Some("investor")));
    assert_eq!(run(&["contact", "losing-touch"]), json!([]), "nobody overdue yet");
    plugs(dir.path()).args(["contact", "keep-in-touch", "2 fortnights", &grace]).assert().failure();
}

/// Duplicates, merge and unmerge from the CLI.
#[test]
fn the_cli_merges_duplicates_and_undoes_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| -> Value {
        let out = plugs(dir.path()).args(args).assert().success().get_output().stdout.clone();
        serde_json::from_slice(&out).unwrap()
    };
    run(&["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"]);
    let a = run(&["contact", "add", "--first-name", "Grace", "--last-name", "Hopper", "--email", "grace@navy.test"])["id"].as_str().unwrap().to_owned();
    let b =
        run(&["contact", "add", "--first-name", "Grace", "--last-name", "Hopper", "--email", "GRACE@navy.test", "--phone", "+1 202 555 0100"])["id"].as_str().unwrap().to_owned();
    let dups = run(&["contact", "duplicates"]);
    assert_eq!(dups[0]["why"], "same email");
    let r = run(&["contact", "merge", &a, &b, "--take", &format!("phone={b}")]);
    let merge_id = r["merge_id"].as_str().unwrap().to_owned();
    assert_eq!(run(&["contact", "show", &a])["phone"], "+1 202 555 0100");
    assert_eq!(run(&["contact", "duplicates"]), json!([]));
    run(&["contact", "unmerge", &merge_id]);
    assert_eq!(run(&["contact", "show", &b])["is_deleted"], false);
    assert_eq!(run(&["contact", "show", &a])["phone"], Value::Null);
}
