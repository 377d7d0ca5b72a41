//! Reminders delivered for real: `plugs remind --watch` against Debian's notification-daemon on a
//! private D-Bus session under Xvfb, observed on the bus; then a restart that must not repeat it.
//! And exactly once per device across a sync round-trip.

mod common;

use assert_cmd::Command;
use common::{first_device, second_device, Cloud};
use plugs_core::reminders::{fire_due, Notifier, Reminder, ReminderAction, ReminderSettings};
use plugs_core::tables::contact_interactions::ContactInteraction;
use plugs_core::tables::contacts::Contact;
use plugs_core::Timestamp;
use plugs_testkit::NotificationServer;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

fn plugs(dir: &Path, env: &[(String, String)]) -> Command {
    let mut c = Command::cargo_bin("plugs").unwrap();
    c.arg("--data-dir").arg(dir).envs(env.iter().map(|(k, v)| (k, v)));
    c
}

fn plugs_bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("plugs")
}

/// A workspace with one follow-up (a call with Grace Hopper) due a second from now; its id.
fn follow_up_one_second_ahead(d: &Path, env: &[(String, String)]) -> String {
    plugs(d, env).args(["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"]).assert().success();
    let out = plugs(d, env).args(["--json", "contact", "add", "--first-name", "Grace", "--last-name", "Hopper"]).assert().success().get_output().stdout.clone();
    let contact: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let at = Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::seconds(1)).to_string();
    let out = plugs(d, env)
        .args([
            "--json",
            "interaction",
            "add",
            "--contact-id",
            contact["id"].as_str().unwrap(),
            "--interaction-type",
            "call",
            "--status",
            "scheduled",
            "--subject",
            "Demo call",
            "--interaction-date",
            &at,
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice::<serde_json::Value>(&out).unwrap()["id"].as_str().unwrap().to_owned()
}

/// `plugs remind --watch` with no lead time, on that desktop.
fn remind_watch(d: &Path, env: &[(String, String)]) -> std::process::Child {
    std::process::Command::new(plugs_bin())
        .arg("--data-dir")
        .arg(d)
        .args(["remind", "--watch", "--lead", "0"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_follow_up_one_second_ahead_pops_up_once_on_the_desktop() {
    let desk = NotificationServer::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    follow_up_one_second_ahead(d, &desk.env);
    let watch = || remind_watch(d, &desk.env);
    let mut first = watch();
    let start = Instant::now();
    while desk.notifications().is_empty() && start.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = first.kill();
    let _ = first.wait();
    let seen = desk.notifications();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "Follow up with Grace Hopper");
    assert!(seen[0].1.contains("Demo call"), "{:?}", seen[0]);
    // The scheduler restarts: the reminder does not fire again.
    let mut second = watch();
    std::thread::sleep(Duration::from_secs(3));
    let _ = second.kill();
    let _ = second.wait();
    assert_eq!(desk.notifications().len(), 1, "fired exactly once across a restart");
}

#[derive(Default)]
struct Count(std::cell::Cell<usize>);

impl Notifier for Count {
    fn show(&self, _: &Reminder, _: std::sync::mpsc::Sender<(Reminder, ReminderAction)>) -> plugs_core::Result<()> {
        self.0.set(self.0.get() + 1);
        Ok(())
    }
}

#[tokio::test]
async fn exactly_once_per_device_across_a_sync_round_trip() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = a.store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper" })).unwrap();
    a.store
        .repo::<ContactInteraction>()
        .create(&json!({ "contact_id": c.id, "interaction_type": "call", "interaction_date": "2026-12-01T10:00:00Z", "status": "scheduled" }))
        .unwrap();
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    let now = Timestamp::parse("2026-12-01T09:55:00Z").unwrap();
    let s = ReminderSettings::default();
    let (tx, _rx) = std::sync::mpsc::channel();
    let (on_a, on_b) = (Count::default(), Count::default());
    fire_due(&a.store, &on_a, now, &s, &tx).unwrap();
    a.sync().await;
    b.sync().await;
    fire_due(&b.store, &on_b, now, &s, &tx).unwrap();
    b.sync().await;
    a.sync().await;
    fire_due(&a.store, &on_a, now, &s, &tx).unwrap();
    fire_due(&b.store, &on_b, now, &s, &tx).unwrap();
    assert_eq!((on_a.0.get(), on_b.0.get()), (1, 1), "once on each device, not again when the rows come back by sync");
    assert_eq!(
        cloud.sql_count("SELECT COUNT(*) FROM notifications WHERE notification_type = 'reminder'").await,
        1,
        "one notification row for the user, whichever device fired first"
    );
}

#[test]
fn mark_done_on_the_desktop_notification_completes_the_follow_up() {
    let desk = NotificationServer::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let interaction = follow_up_one_second_ahead(d, &desk.env);
    let mut watch = remind_watch(d, &desk.env);
    let start = Instant::now();
    while desk.notifications().is_empty() && start.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(desk.notifications().len(), 1);
    // The user presses "Mark done" on the notification (the service's ActionInvoked signal for
    // the first notification it showed), repeated until the scheduler, listening just after it
    // showed it, has taken it.
    let status = || {
        let out = plugs(d, &desk.env).args(["--json", "interaction", "show", &interaction]).assert().success().get_output().stdout.clone();
        serde_json::from_slice::<serde_json::Value>(&out).unwrap()["status"].as_str().unwrap_or_default().to_owned()
    };
    let start = Instant::now();
    while status() != "completed" {
        assert!(start.elapsed() < Duration::from_secs(15), "the follow-up was not marked done");
        std::process::Command::new("dbus-send")
            .args(["--session", "--type=signal", "/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", "uint32:1", "string:done"])
            .envs(desk.env.iter().map(|(k, v)| (k, v)))
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
    }
    let _ = watch.kill();
    let _ = watch.wait();
}

/// Keep in touch on the real desktop: a contact last met a day ago less two seconds, with a daily
/// cadence, pops up once when its next touch passes ("Keep in touch with Grace Hopper"), not again
/// after a restart; the losing-touch list has the contact; a touch logged takes it off.
#[test]
fn a_next_touch_that_passes_pops_up_once_on_the_desktop() {
    let desk = NotificationServer::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = &desk.env;
    let json = |args: &[&str]| -> serde_json::Value {
        let out = plugs(d, env).arg("--json").args(args).assert().success().get_output().stdout.clone();
        serde_json::from_slice(&out).unwrap()
    };
    plugs(d, env).args(["init", "--organization-name", "Acme", "--first-name", "Ada", "--last-name", "L", "--email", "ada@acme.test"]).assert().success();
    let id = json(&["contact", "add", "--first-name", "Grace", "--last-name", "Hopper"])["id"].as_str().unwrap().to_owned();
    let met = Timestamp::from_datetime(chrono::Utc::now() - chrono::Duration::days(1) + chrono::Duration::seconds(2)).to_string();
    json(&["interaction", "add", "--contact-id", &id, "--interaction-type", "meeting", "--status", "completed", "--interaction-date", &met]);
    let touch = json(&["contact", "keep-in-touch", "1d", &id]);
    assert_eq!(touch["cadence"], json!({ "every": 1, "unit": "days" }));
    let mut watch = remind_watch(d, env);
    let start = Instant::now();
    while desk.notifications().is_empty() && start.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let seen = desk.notifications();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "Keep in touch with Grace Hopper");
    assert!(seen[0].1.contains("every day"), "{:?}", seen[0]);
    let mut again = remind_watch(d, env);
    std::thread::sleep(Duration::from_secs(3));
    let _ = again.kill();
    let _ = again.wait();
    assert_eq!(desk.notifications().len(), 1, "fired exactly once across a restart");
    let losing = json(&["contact", "losing-touch"]);
    assert_eq!(losing[0]["first_name"], "Grace");
    json(&["contact", "touched", &id]);
    assert_eq!(json(&["contact", "losing-touch"]), json!([]));
}
