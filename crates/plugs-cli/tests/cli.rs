//! `plugs` end to end: the real binary on a real data dir.

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use std::path::Path;

fn plugs(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("plugs").unwrap();
    c.arg("--data-dir").arg(dir).env_remove("PLUGS_DATA_DIR");
    c
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = plugs(dir).arg("--json").args(args).assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out)))
}

fn init(dir: &Path) -> Value {
    json(dir, &["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@acme.test"])
}

#[test]
fn before_init_commands_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    plugs(dir.path()).args(["contact", "list"]).assert().code(7).stderr(contains("plugs init"));
}

#[test]
fn contact_lifecycle_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let admin = ws["user"]["id"].as_str().unwrap().to_owned();
    let c = json(dir.path(), &["contact", "add", "--first-name", "Grace", "--last-name", "Hopper", "--company", "Navy", "--lead-score", "80", "--contact-type", "plug"]);
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["lead_score"], 80);
    assert_eq!(c["created_by"], admin.as_str());
    assert_eq!(c["status"], "cold_lead", "the seed's default");
    let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys[..4], ["id", "organization_id", "created_by", "first_name"], "keyed by column name, in column order");
    let u = json(dir.path(), &["contact", "update", &id, "--status", "hot_lead", "--company", ""]);
    assert_eq!((u["status"].as_str(), u["company"].is_null(), u["first_name"].as_str()), (Some("hot_lead"), true, Some("Grace")));
    let found = json(dir.path(), &["contact", "search", "gra", "hop"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    let listed = json(dir.path(), &["contact", "list", "--status", "hot_lead", "--sort", "lead_score", "--desc"]);
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(json(dir.path(), &["contact", "list", "--status", "cold_lead"]).as_array().unwrap().is_empty());
    json(dir.path(), &["contact", "delete", &id]);
    assert!(json(dir.path(), &["contact", "list"]).as_array().unwrap().is_empty());
    assert_eq!(json(dir.path(), &["contact", "show", &id])["is_deleted"], true);
    json(dir.path(), &["contact", "restore", &id]);
    assert_eq!(json(dir.path(), &["contact", "list"]).as_array().unwrap().len(), 1);
    let audit = json(dir.path(), &["audit", "list", "--record-id", &id, "--limit", "10"]);
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "update", "delete", "restore"]);
    // Human output shows a table.
    plugs(dir.path()).args(["contact", "list"]).assert().success().stdout(contains("FIRST_NAME")).stdout(contains("Grace"));
}

#[test]
fn errors_name_the_field_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    plugs(dir.path())
        .args(["contact", "add", "--first-name", "A", "--last-name", "B", "--lead-score", "150"])
        .assert()
        .code(3)
        .stderr(contains("lead_score"))
        .stderr(contains("between 0 and 100"));
    let out = plugs(dir.path()).args(["--json", "contact", "add", "--last-name", "B"]).assert().code(3).get_output().stderr.clone();
    let e: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("required"), Some("first_name")));
    plugs(dir.path()).args(["contact", "add", "--first-name", "A", "--last-name", "B", "--lead-score", "lots"]).assert().code(3).stderr(contains("lead_score"));
    plugs(dir.path()).args(["contact", "show", "not-a-uuid"]).assert().code(3).stderr(contains("id"));
    plugs(dir.path()).args(["contact", "show", "01900000-0000-7000-8000-000000000000"]).assert().code(4);
    plugs(dir.path()).args(["contact", "add", "--shoe-size", "44"]).assert().code(2);
    assert!(json(dir.path(), &["contact", "list"]).as_array().unwrap().is_empty(), "nothing was written");
}

#[test]
fn events_attendees_agenda_expenses_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let admin = ws["user"]["id"].as_str().unwrap().to_owned();
    let ev = json(
        dir.path(),
        &["event", "add", "--title", "Summit", "--start-date", "2026-12-01T09:00:00Z", "--end-date", "2026-12-01T18:00:00Z", "--max-attendees", "1", "--budget", "1000.50"],
    );
    let ev_id = ev["id"].as_str().unwrap().to_owned();
    assert_eq!(ev["budget"], "1000.50");
    let bob = json(dir.path(), &["user", "add", "--email", "bob@acme.test", "--first-name", "Bob", "--last-name", "B"]);
    let a = json(dir.path(), &["attendee", "add", "--event-id", &ev_id, "--user-id", &admin]);
    let a_id = a["id"].as_str().unwrap().to_owned();
    plugs(dir.path()).args(["attendee", "add", "--event-id", &ev_id, "--user-id", bob["id"].as_str().unwrap()]).assert().code(5).stderr(contains("full"));
    assert_eq!(json(dir.path(), &["event", "show", &ev_id])["current_attendees"], 1);
    plugs(dir.path()).args(["attendee", "check-out", &a_id]).assert().code(3).stderr(contains("check_out_time"));
    assert_eq!(json(dir.path(), &["attendee", "check-in", &a_id])["status"], "attended");
    assert!(json(dir.path(), &["attendee", "check-out", &a_id])["check_out_time"].is_string());
    assert_eq!(json(dir.path(), &["attendee", "list", "--event-id", &ev_id]).as_array().unwrap().len(), 1);
    json(dir.path(), &["agenda", "add", "--event-id", &ev_id, "--title", "Keynote", "--start-time", "2026-12-01T09:30:00Z", "--end-time", "2026-12-01T10:30:00Z"]);
    plugs(dir.path())
        .args(["agenda", "add", "--event-id", &ev_id, "--title", "Late", "--start-time", "2026-12-01T17:30:00Z", "--end-time", "2026-12-01T19:00:00Z"])
        .assert()
        .code(3)
        .stderr(contains("end_time"));
    assert_eq!(json(dir.path(), &["agenda", "list", "--event-id", &ev_id]).as_array().unwrap().len(), 1);
    let x = json(dir.path(), &["expense", "add", "--title", "Taxi", "--amount", "0.10", "--expense-date", "2026-12-01", "--event-id", &ev_id]);
    json(dir.path(), &["expense", "add", "--title", "Coffee", "--amount", "0.20", "--expense-date", "2026-12-01", "--event-id", &ev_id]);
    let ap = json(dir.path(), &["expense", "approve", x["id"].as_str().unwrap()]);
    assert_eq!((ap["status"].as_str(), ap["approved_by"].as_str()), (Some("approved"), Some(admin.as_str())));
    assert_eq!(json(dir.path(), &["expense", "list", "--status", "pending"]).as_array().unwrap().len(), 1);
    let report = json(dir.path(), &["report", "events"]);
    assert_eq!(report[0]["total_expenses"], "0.30");
    let c = json(dir.path(), &["contact", "add", "--first-name", "Grace", "--last-name", "Hopper"]);
    json(dir.path(), &["interaction", "add", "--contact-id", c["id"].as_str().unwrap(), "--interaction-type", "call", "--interaction-date", "2026-11-20T10:00:00Z"]);
    assert_eq!(json(dir.path(), &["interaction", "list", "--contact-id", c["id"].as_str().unwrap()]).as_array().unwrap().len(), 1);
    assert_eq!(json(dir.path(), &["contact", "show", c["id"].as_str().unwrap()])["last_interaction"], "2026-11-20T10:00:00.000000Z");
    let perf = json(dir.path(), &["report", "contacts"]);
    assert_eq!(perf[0]["total_interactions"], 1);
    json(dir.path(), &["notification", "add", "--user-id", &admin, "--title", "Call Grace", "--message", "today"]);
    assert_eq!(json(dir.path(), &["notification", "read", "--all"])["marked_read"], 1);
    assert_eq!(json(dir.path(), &["notification", "list", "--is-read", "true"]).as_array().unwrap().len(), 1);
}

#[test]
fn list_pages_with_cursors_and_all() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    for i in 0..7 {
        json(dir.path(), &["contact", "add", "--first-name", &format!("P{i}"), "--last-name", "X"]);
    }
    let out = plugs(dir.path()).args(["--json", "contact", "list", "--limit", "3", "--sort", "first_name"]).assert().success().get_output().clone();
    let first: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(first.as_array().unwrap().len(), 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let cursor = stderr.trim().strip_prefix("more: --cursor ").expect("a cursor for the next page");
    let second = json(dir.path(), &["contact", "list", "--limit", "3", "--sort", "first_name", "--cursor", cursor]);
    assert_eq!(second[0]["first_name"], "P3");
    assert_eq!(json(dir.path(), &["contact", "list", "--limit", "2", "--all"]).as_array().unwrap().len(), 7);
}

#[test]
fn the_data_dir_comes_from_the_environment_too() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("plugs")
        .unwrap()
        .env("PLUGS_DATA_DIR", dir.path())
        .args(["init", "--organization-name", "A", "--first-name", "A", "--last-name", "B", "--email", "a@b.io"])
        .assert()
        .success();
    assert!(dir.path().join("plugs.db").exists());
    Command::cargo_bin("plugs").unwrap().env("PLUGS_DATA_DIR", dir.path()).args(["status"]).assert().success().stdout(contains("pending changes: 2"));
}

#[test]
fn a_reference_to_a_row_not_on_this_device_is_a_field_error_not_a_database_error() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let me = ws["user"]["id"].as_str().unwrap().to_owned();
    let elsewhere = "01a23400-0000-7000-8000-000000000000";
    plugs(dir.path())
        .args(["attendee", "add", "--event-id", elsewhere, "--user-id", &me])
        .assert()
        .code(3)
        .stderr(contains(format!("event_id: no event with id {elsewhere} in this workspace")));
}
