//! A small WebDriver client for the desktop app: tauri-driver starts the built `plugs-desktop`
//! through Debian's WebKitWebDriver; requests follow the W3C WebDriver protocol.

use base64::Engine as _;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session on the built desktop app, through tauri-driver and WebKitWebDriver.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::blocking::Client,
    pub session: String,
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
        let child = Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("PLUGS_DATA_DIR", data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
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
        Driver { child, base, http, session }
    }

    pub fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self.http.request(method, format!("{}/session/{}{}", self.base, self.session, path));
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().unwrap().json().unwrap()
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
                self.screenshot("failure");
                let src = self.call(reqwest::Method::GET, "/source", None);
                panic!("{css} never appeared; the page: {}", src["value"]);
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
                self.screenshot("failure");
                panic!("{css} never showed {want:?} (last: {t:?})");
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

    pub fn click(&self, css: &str) {
        let e = self.wait(css);
        self.call(reqwest::Method::POST, &format!("/element/{e}/click"), Some(json!({})));
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
                self.screenshot("failure");
                panic!("never {n} of {css} (now {})", self.count(css));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a screenshot under target/e2e. A picture is a record, not a check: one the webview
    /// does not deliver in time is reported and the test goes on to its assertions.
    pub fn screenshot(&self, name: &str) {
        let shot = self.http.get(format!("{}/session/{}/screenshot", self.base, self.session)).send().and_then(|r| r.json::<Value>());
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
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
