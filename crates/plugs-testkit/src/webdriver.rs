//! A small WebDriver client for the desktop app: tauri-driver starts the built `plugs-desktop`
//! through Debian's WebKitWebDriver; requests follow the W3C WebDriver protocol.

use base64::Engine as _;
use serde_json::{json, Value};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session on the built desktop app, through tauri-driver and WebKitWebDriver.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::blocking::Client,
    pub session: String,
    /// Where tauri-driver, WebKitWebDriver and the app write their output.
    log: std::path::PathBuf,
    /// The last error WebDriver answered with, for the message of a wait that gives up.
    last_error: std::cell::RefCell<Option<String>>,
}

/// The start of the panic message when the webview stopped answering WebDriver (a hung or crashed
/// web process), as distinct from a page that answers but never shows what a test waits for.
pub const UNRESPONSIVE: &str = "the webview stopped answering";

/// Runs a window test; when it fails only because the webview stopped answering WebDriver (the
/// web process hung or died, which the app's own code cannot cause or cure), it is run once more
/// with a new window and data dir and says so. Any other failure fails at once.
pub fn once_more_if_unresponsive(test: impl Fn()) {
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&test));
    let Err(payload) = first else { return };
    let message = payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned())).unwrap_or_default();
    if !message.contains(UNRESPONSIVE) {
        std::panic::resume_unwind(payload);
    }
    eprintln!("RUN AGAIN: {message}");
    test();
}

pub fn tauri_driver() -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    let local = format!("{home}/.cargo/bin/tauri-driver");
    if std::path::Path::new(&local).exists() {
        local
    } else {
        "tauri-driver".into()
    }
}

impl Driver {
    pub fn start(display: &str, data_dir: &std::path::Path) -> Driver {
        Driver::start_with(&[("DISPLAY".into(), display.into())], data_dir)
    }

    /// Starts the app with this environment (a display, and maybe a session bus).
    pub fn start_with(env: &[(String, String)], data_dir: &std::path::Path) -> Driver {
        Driver::start_app(&assert_cmd::cargo::cargo_bin("plugs-desktop"), env, data_dir)
    }

    /// Starts this build of the app.
    pub fn start_app(app: &std::path::Path, env: &[(String, String)], data_dir: &std::path::Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let native = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let logs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e/logs");
        std::fs::create_dir_all(&logs).unwrap();
        let log = logs.join(format!("window-{port}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("PLUGS_DATA_DIR", data_dir)
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            // Its own process group, so that WebKitWebDriver behind it ends with it.
            .process_group(0)
            .spawn()
            .expect("tauri-driver (installed by ./scripts/test with cargo install tauri-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "tauri-driver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        // tauri-driver answers before WebKitWebDriver behind it does: retry the first request.
        let res: Value = loop {
            let r = http.post(format!("{base}/session")).json(&json!({ "capabilities": { "alwaysMatch": { "tauri:options": { "application": app } } } })).send();
            match r.and_then(|r| r.json()) {
                Ok(v) => break v,
                Err(e) if start.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        let session = res["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {res}")).to_owned();
        Driver { child, base, http, session, log, last_error: std::cell::RefCell::new(None) }
    }

    pub fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self.http.request(method, format!("{}/session/{}{}", self.base, self.session, path));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let v: Value = match r.send().and_then(|r| r.json()) {
            Ok(v) => v,
            Err(e) => panic!("{UNRESPONSIVE} ({path}: {e}); {}", self.log_tail()),
        };
        *self.last_error.borrow_mut() = v["value"]["error"].as_str().map(|error| format!("{error}: {}", v["value"]["message"].as_str().unwrap_or_default()));
        v
    }

    /// Why a wait gave up: the webview's last error when it stopped answering, with the tail of the
    /// app's output; nothing when the page answered all along.
    fn gave_up(&self) -> String {
        let Some(error) = self.last_error.borrow_mut().take() else { return String::new() };
        // A script or command that timed out, or a window that is gone: the web process hung or died.
        let hung = ["timeout", "no such window", "unknown error", "session not created", "invalid session id"].iter().any(|k| error.contains(k));
        if hung {
            format!("; {UNRESPONSIVE} (last WebDriver error: {error}); {}", self.log_tail())
        } else {
            format!("; last WebDriver error: {error}")
        }
    }

    /// The last lines the app, tauri-driver and WebKitWebDriver wrote.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!("the window's output ({}):\n{}", self.log.display(), lines[lines.len().saturating_sub(30)..].join("\n"))
    }

    pub fn find(&self, css: &str) -> Option<String> {
        let v = self.call(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css })));
        v["value"][ELEMENT].as_str().map(str::to_owned)
    }

    pub fn wait(&self, css: &str) -> String {
        let start = Instant::now();
        loop {
            if let Some(e) = self.find(css) {
                return e;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let why = self.gave_up();
                if !why.contains(UNRESPONSIVE) {
                    self.screenshot("failure");
                }
                let src = self.call(reqwest::Method::GET, "/source", None);
                panic!("{css} never appeared{why}; the page: {}", src["value"]);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_text(&self, css: &str, want: &str) -> String {
        let start = Instant::now();
        loop {
            let t = self.text_content(css);
            if t.contains(want) {
                return t;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let why = self.gave_up();
                if !why.contains(UNRESPONSIVE) {
                    self.screenshot("failure");
                }
                panic!("{css} never showed {want:?} (last: {t:?}){why}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The text of the first element matching `css`, as the DOM holds it (rendered or clipped).
    pub fn text_content(&self, css: &str) -> String {
        let v = self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", "args": [css] })),
        );
        v["value"].as_str().unwrap_or_default().to_owned()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.wait(css);
        self.call(reqwest::Method::POST, &format!("/element/{e}/value"), Some(json!({ "text": text })));
    }

    /// Onboarding as a person does it: a workspace with no server ("Acme Events", Ada Lovelace),
    /// then the capture form.
    pub fn create_workspace(&self) {
        self.type_into("#org-name", "Acme Events");
        self.type_into("#first-name", "Ada");
        self.type_into("#last-name", "Lovelace");
        self.type_into("#email", "ada@acme.test");
        self.click("#create-workspace");
        self.wait("#cap-first");
    }

    /// Captures one person in the quick capture form and waits for "Saved <first> <last>".
    pub fn capture(&self, first: &str, last: &str, email: &str) {
        self.type_into("#cap-first", first);
        self.type_into("#cap-last", last);
        self.type_into("#cap-email", email);
        self.click("#cap-save");
        self.wait_text("#cap-saved", &format!("Saved {first} {last}"));
    }

    /// Clicks the element: a click WebDriver refuses (another element over it, such as a list of
    /// suggestions that just opened, or the element not yet interactable) is tried again, and one
    /// still refused after 20 s fails the test by its reason rather than passing unseen.
    pub fn click(&self, css: &str) {
        let start = Instant::now();
        loop {
            let e = self.wait(css);
            let v = self.call(reqwest::Method::POST, &format!("/element/{e}/click"), Some(json!({})));
            let Some(error) = v["value"]["error"].as_str() else { return };
            if start.elapsed() > Duration::from_secs(20) {
                panic!("{css} could not be clicked: {error}: {}", v["value"]["message"]);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn clear_and_type(&self, css: &str, text: &str) {
        let e = self.wait(css);
        self.call(reqwest::Method::POST, &format!("/element/{e}/clear"), Some(json!({})));
        self.call(reqwest::Method::POST, &format!("/element/{e}/value"), Some(json!({ "text": text })));
    }

    pub fn value(&self, css: &str) -> String {
        let e = self.wait(css);
        self.call(reqwest::Method::GET, &format!("/element/{e}/property/value"), None)["value"].as_str().unwrap_or_default().to_owned()
    }

    pub fn count(&self, css: &str) -> usize {
        let v = self.call(reqwest::Method::POST, "/elements", Some(json!({ "using": "css selector", "value": css })));
        v["value"].as_array().map(Vec::len).unwrap_or(0)
    }

    pub fn wait_count(&self, css: &str, n: usize) {
        let start = Instant::now();
        while self.count(css) != n {
            if start.elapsed() > Duration::from_secs(20) {
                let why = self.gave_up();
                if !why.contains(UNRESPONSIVE) {
                    self.screenshot("failure");
                }
                panic!("never {n} of {css} (now {}){why}", self.count(css));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a screenshot under target/e2e. A picture is a record, not a check: one the webview
    /// does not deliver in time is reported and the test goes on to its assertions.
    pub fn screenshot(&self, name: &str) {
        let shot = self.http.get(format!("{}/session/{}/screenshot", self.base, self.session)).timeout(Duration::from_secs(15)).send().and_then(|r| r.json::<Value>());
        let v = match shot {
            Ok(v) => v,
            Err(e) => {
                eprintln!("screenshot {name}: not taken ({e})");
                return;
            }
        };
        let png = base64::engine::general_purpose::STANDARD.decode(v["value"].as_str().unwrap_or_default()).unwrap_or_default();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send();
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
