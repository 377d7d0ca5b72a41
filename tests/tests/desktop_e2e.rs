//! The desktop app end to end, in its real webview: tauri-driver drives the built app through
//! Debian's WebKitWebDriver under Xvfb. Onboarding, quick capture, a validation error shown and
//! fixed, search; each step leaves a screenshot in target/e2e/.

use base64::Engine as _;
use plugs_core::tables::contacts::Contact;
use plugs_core::{ListQuery, Store};
use plugs_testkit::VirtualDisplay;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    base: String,
    http: reqwest::blocking::Client,
    session: String,
}

fn tauri_driver() -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    let local = format!("{home}/.cargo/bin/tauri-driver");
    if std::path::Path::new(&local).exists() {
        local
    } else {
        "tauri-driver".into()
    }
}

impl Driver {
    fn start(display: &str, data_dir: &std::path::Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let native = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DISPLAY", display)
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
        let app = assert_cmd::cargo::cargo_bin("plugs-desktop");
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

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self.http.request(method, format!("{}/session/{}{}", self.base, self.session, path));
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().unwrap().json().unwrap()
    }

    fn find(&self, css: &str) -> Option<String> {
        let v = self.call(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css })));
        v["value"][ELEMENT].as_str().map(str::to_owned)
    }

    fn wait(&self, css: &str) -> String {
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

    fn wait_text(&self, css: &str, want: &str) -> String {
        let start = Instant::now();
        loop {
            let t = self.find(css).map(|e| self.text(&e)).unwrap_or_default();
            if t.contains(want) {
                return t;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "{css} never showed {want:?} (last: {t:?})");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn text(&self, e: &str) -> String {
        self.call(reqwest::Method::GET, &format!("/element/{e}/text"), None)["value"].as_str().unwrap_or_default().to_owned()
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.wait(css);
        self.call(reqwest::Method::POST, &format!("/element/{e}/value"), Some(json!({ "text": text })));
    }

    fn click(&self, css: &str) {
        let e = self.wait(css);
        self.call(reqwest::Method::POST, &format!("/element/{e}/click"), Some(json!({})));
    }

    fn screenshot(&self, name: &str) {
        let v = self.call(reqwest::Method::GET, "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD.decode(v["value"].as_str().unwrap_or_default()).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
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

#[test]
fn onboarding_quick_capture_validation_and_search_in_the_real_window() {
    let screen = VirtualDisplay::start();
    let data = tempfile::tempdir().unwrap();
    {
        let d = Driver::start(&screen.display, data.path());
        // Onboarding: a workspace with no server.
        d.type_into("#org-name", "Acme Events");
        d.type_into("#first-name", "Ada");
        d.type_into("#last-name", "Lovelace");
        d.type_into("#email", "ada@acme.test");
        d.screenshot("onboarding");
        d.click("#create-workspace");
        d.wait("#cap-first");
        d.wait_text("#sync-status", "Offline workspace");
        // Quick capture, offline.
        d.type_into("#cap-first", "Grace");
        d.type_into("#cap-last", "Hopper");
        d.type_into("#cap-company", "Navy");
        d.click("#cap-save");
        d.wait_text("#cap-saved", "Saved Grace Hopper");
        // A bad email: the error names the field, and what was typed stays.
        d.type_into("#cap-first", "Alan");
        d.type_into("#cap-last", "Turing");
        d.type_into("#cap-email", "not-an-email");
        d.click("#cap-save");
        let err = d.wait_text("#cap-error", "email");
        assert!(err.contains("not an email address"), "{err}");
        d.screenshot("validation-error");
        let first = d.wait("#cap-first");
        let kept = d.call(reqwest::Method::GET, &format!("/element/{first}/property/value"), None);
        assert_eq!(kept["value"], "Alan", "nothing typed is lost");
        d.click("#cap-email");
        let email = d.wait("#cap-email");
        d.call(reqwest::Method::POST, &format!("/element/{email}/clear"), Some(json!({})));
        d.type_into("#cap-email", "alan@bletchley.test");
        d.click("#cap-save");
        d.wait_text("#cap-saved", "Saved Alan Turing");
        // Search as you type.
        d.type_into("#search", "gra");
        let list = d.wait_text("#contacts", "Grace Hopper");
        assert!(!list.contains("Turing"), "{list}");
        d.screenshot("search");
    }
    // What the window saved is in the app's database, through the core.
    let store = Store::open_dir(data.path()).unwrap();
    let names: Vec<String> = store.repo::<Contact>().list(&ListQuery::default()).unwrap().items.into_iter().map(|c| c.last_name).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}
