//! Test harness for everything that needs PostgreSQL.
//!
//! With `DATABASE_URL` set, tests use that server (its user must be allowed to create databases and
//! roles). Without it, the first test to ask starts a throwaway cluster with the system's `initdb`
//! and `pg_ctl` on a free port, as an unprivileged system user when running as root (PostgreSQL
//! refuses to run as root). A small shell keeper owns the cluster: it waits on a pipe from the test
//! process and, when that process exits for any reason, stops the server and deletes its files.
//! Each test gets a database of its own.

pub mod graph;
pub mod hubspot;
pub mod mailchimp;
pub mod proxy;
pub mod webdriver;
pub mod zoom;

use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use tokio_postgres::{Config, NoTls};

/// The unprivileged system user the throwaway cluster runs as when tests run as root.
pub const PG_USER: &str = "plugs-pg";

/// The role the API server connects as (created by the server's migrations).
pub const APP_ROLE: &str = "plugs_app";

struct Cluster {
    /// Superuser connection settings, without a database name.
    admin: Config,
    /// Whether the cluster is ours (trust authentication for every role).
    owned: bool,
    _keeper: Option<Mutex<ChildStdin>>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free local port")
}

fn pg_bindir() -> String {
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql); or set DATABASE_URL")
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop().expect("initdb in /usr/lib/postgresql/*/bin").display().to_string()
}

const KEEPER: &str = r#"
set -eu
BIN="$1"; DIR="$2"; PORT="$3"; RUNAS="$4"
as_pg() { if [ -n "$RUNAS" ]; then runuser -u "$RUNAS" -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
if [ -n "$RUNAS" ]; then
    id "$RUNAS" >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin "$RUNAS"
    chown "$RUNAS" "$DIR"
fi
as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1
as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
echo ready
# Hold the cluster until the test process closes our stdin (it exits), then clean up.
cat >/dev/null || true
"#;

fn start_cluster() -> Cluster {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let mut admin: Config = url.parse().expect("DATABASE_URL is a PostgreSQL connection URL");
        admin.dbname("postgres");
        return Cluster { admin, owned: false, _keeper: None };
    }
    let dir = std::env::temp_dir().join(format!("plugs-pg-{}-{}", std::process::id(), uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("a temporary directory for the cluster");
    let port = free_port();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc_geteuid() } == 0;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(KEEPER)
        .arg("keeper")
        .arg(pg_bindir())
        .arg(&dir)
        .arg(port.to_string())
        .arg(if root { PG_USER } else { "" })
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("sh to start the PostgreSQL keeper");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut line).expect("the keeper's answer");
    if line.trim() != "ready" {
        let log = std::fs::read_to_string(dir.join("initdb.log")).unwrap_or_default() + &std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        panic!("the throwaway PostgreSQL cluster did not start:\n{log}");
    }
    let mut admin = Config::new();
    admin.host("127.0.0.1").port(port).user("postgres").dbname("postgres");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let _ = stdin.flush();
    // The child is deliberately not waited on: it outlives every test and ends when we exit.
    std::mem::forget(child);
    Cluster { admin, owned: true, _keeper: Some(Mutex::new(stdin)) }
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

/// A database of one's own, on the shared test cluster.
pub struct TestDb {
    /// Connection settings of the database's owner (a superuser): for migrations and inspection.
    pub admin: Config,
    /// Connection settings for the API server: the `plugs_app` role where the cluster lets us log in
    /// as it, else the admin's (then `role` says which role to SET).
    pub app: Config,
    /// The role to `SET ROLE` to after connecting with `app`, when `app` is not that role itself.
    pub role: Option<String>,
    pub name: String,
}

impl TestDb {
    /// Creates an empty database.
    pub async fn new() -> TestDb {
        let cluster = CLUSTER.get_or_init(start_cluster);
        let name = format!("plugs_test_{}", uuid::Uuid::now_v7().simple());
        let client = connect(&cluster.admin).await;
        client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("CREATE DATABASE");
        let mut admin = cluster.admin.clone();
        admin.dbname(&name);
        let (app, role) = if cluster.owned {
            let mut app = admin.clone();
            app.user(APP_ROLE);
            (app, None)
        } else {
            (admin.clone(), Some(APP_ROLE.to_owned()))
        };
        TestDb { admin, app, role, name }
    }

    /// A connection as the owner.
    pub async fn admin_client(&self) -> tokio_postgres::Client {
        connect(&self.admin).await
    }

    /// The admin settings as a URL-ish connection string (for child processes).
    pub fn admin_url(&self) -> String {
        config_to_url(&self.admin)
    }

    /// The app settings as a connection URL (for child processes).
    pub fn app_url(&self) -> String {
        config_to_url(&self.app)
    }
}

fn config_to_url(c: &Config) -> String {
    let host = match c.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".into(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432);
    let user = c.get_user().unwrap_or("postgres");
    let pass = c.get_password().map(|p| format!(":{}", String::from_utf8_lossy(p))).unwrap_or_default();
    format!("postgres://{user}{pass}@{host}:{port}/{}", c.get_dbname().unwrap_or("postgres"))
}

/// Connects and drives the connection on the current runtime.
pub async fn connect(config: &Config) -> tokio_postgres::Client {
    let (client, conn) = config.connect(NoTls).await.expect("connect to the test PostgreSQL");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// A private D-Bus session bus: the daemon and its address.
fn session_bus() -> (std::process::Child, String) {
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon (Debian package dbus) to start a session bus");
    let mut address = String::new();
    BufReader::new(bus.stdout.take().expect("piped")).read_line(&mut address).expect("the bus address");
    (bus, address.trim().to_owned())
}

/// A private D-Bus session with Debian's gnome-keyring serving the Secret Service, as on a desktop:
/// the real OS keychain for tests, in a throwaway keyring. Processes given `env` use it.
pub struct SecretService {
    pub env: Vec<(String, String)>,
    bus: std::process::Child,
    _home: tempfile::TempDir,
}

impl SecretService {
    /// Starts the bus and an unlocked keyring on it.
    pub fn start() -> SecretService {
        let home = tempfile::tempdir().expect("a temporary keyring home");
        let (bus, address) = session_bus();
        let env = vec![
            ("DBUS_SESSION_BUS_ADDRESS".to_owned(), address),
            ("XDG_DATA_HOME".to_owned(), home.path().join("data").display().to_string()),
            ("XDG_RUNTIME_DIR".to_owned(), home.path().join("run").display().to_string()),
        ];
        for d in ["data", "run"] {
            std::fs::create_dir_all(home.path().join(d)).expect("keyring dirs");
        }
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (Debian package gnome-keyring)");
        keyring.stdin.take().expect("piped").write_all(b"test-keyring-password").expect("unlock password");
        let _ = keyring.wait();
        SecretService { env, bus, _home: home }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        // The keyring daemon leaves with its bus.
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// An X display number in `range` no X server holds: no lock file, or one left by a server that
/// is gone (whose lock and socket are then cleared, so that waiting for the socket waits for the
/// new server).
pub fn free_display(range: std::ops::Range<u32>) -> u32 {
    // Tests starting at the same moment (in this process or another) look from different places.
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let len = range.end - range.start;
    let from = (std::process::id().wrapping_mul(7) + CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) * 13) % len;
    let n = (0..len)
        .map(|i| range.start + (from + i) % len)
        .find(|n| match std::fs::read_to_string(format!("/tmp/.X{n}-lock")) {
            Err(_) => true,
            Ok(pid) => pid.trim().parse::<u32>().is_ok_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()),
        })
        .expect("a free X display");
    forget_display(n);
    n
}

/// Removes what an X server on display `n` leaves behind when it is killed.
fn forget_display(n: u32) {
    let _ = std::fs::remove_file(format!("/tmp/.X{n}-lock"));
    let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
}

/// A desktop session for notification tests: Xvfb, a D-Bus session bus, Debian's
/// notification-daemon serving org.freedesktop.Notifications, and dbus-monitor recording every
/// Notify call. Processes given `env` send their notifications there.
pub struct NotificationServer {
    pub env: Vec<(String, String)>,
    display: u32,
    children: Vec<std::process::Child>,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl NotificationServer {
    pub fn start() -> NotificationServer {
        let dir = tempfile::tempdir().expect("a temporary dir");
        let display = free_display(90..200);
        let mut children = vec![];
        children.push(
            Command::new("Xvfb")
                .arg(format!(":{display}"))
                .args(["-screen", "0", "1440x900x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb (Debian package xvfb)"),
        );
        let (bus, address) = session_bus();
        children.push(bus);
        let env = vec![("DBUS_SESSION_BUS_ADDRESS".to_owned(), address), ("DISPLAY".to_owned(), format!(":{display}"))];
        for _ in 0..100 {
            if std::path::Path::new(&format!("/tmp/.X11-unix/X{display}")).exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        children.push(
            Command::new("/usr/lib/notification-daemon/notification-daemon")
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("notification-daemon (Debian package notification-daemon)"),
        );
        let log = dir.path().join("monitor.log");
        let out = std::fs::File::create(&log).expect("a monitor log");
        children.push(
            Command::new("dbus-monitor")
                .arg("interface=org.freedesktop.Notifications,member=Notify")
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdout(out)
                .stderr(Stdio::null())
                .spawn()
                .expect("dbus-monitor (Debian package dbus)"),
        );
        // Wait until the notification service has taken its name on the bus.
        for _ in 0..100 {
            let owned = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.Notifications",
                ])
                .envs(env.iter().map(|(k, v)| (k, v)))
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
                .unwrap_or(false);
            if owned {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        NotificationServer { env, display, children, log, _dir: dir }
    }

    /// The (summary, body) of every Notify call seen on the bus so far.
    pub fn notifications(&self) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut out = vec![];
        let mut strings: Option<Vec<String>> = None;
        for line in text.lines() {
            if line.starts_with("method call") {
                if let Some(s) = strings.take() {
                    if s.len() >= 4 {
                        out.push((s[2].clone(), s[3].clone()));
                    }
                }
                if line.contains("member=Notify") {
                    strings = Some(vec![]);
                }
            } else if let (Some(s), Some(v)) = (strings.as_mut(), line.trim().strip_prefix("string \"")) {
                if s.len() < 4 {
                    s.push(v.trim_end_matches('"').to_owned());
                }
            }
        }
        if let Some(s) = strings {
            if s.len() >= 4 {
                out.push((s[2].clone(), s[3].clone()));
            }
        }
        out
    }
}

impl Drop for NotificationServer {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
        forget_display(self.display);
    }
}

/// An X display of its own (Xvfb) for tests of windows.
pub struct VirtualDisplay {
    pub display: String,
    number: u32,
    child: std::process::Child,
}

impl VirtualDisplay {
    pub fn start() -> VirtualDisplay {
        let n = free_display(100..300);
        let child = Command::new("Xvfb")
            .arg(format!(":{n}"))
            .args(["-screen", "0", "1440x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (Debian package xvfb)");
        for _ in 0..100 {
            if std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        VirtualDisplay { display: format!(":{n}"), number: n, child }
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        forget_display(self.number);
    }
}
