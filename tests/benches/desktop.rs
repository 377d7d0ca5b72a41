//! The desktop app, measured in its real webview under Xvfb, with 100k contacts:
//!
//! - cold start: from spawning the process to the first screen answering input (the window
//!   reports it through the `ui_ready` command; the app's own clock and the bench's agree);
//! - idle memory: PSS summed over the app and every WebKit process it started, against a bare
//!   Tauri window on an empty page (`plugs-bare-window`, in the app's WebKit rendering mode)
//!   measured in the same run;
//! - search: from a keystroke in the search box to its results on screen, in the page's own
//!   clock (WebDriver only starts the run).
//!
//! Run: `./scripts/bench-desktop` (builds the release app, then `cargo bench -p plugs-tests --bench desktop`).

use plugs_core::interop::ImportOptions;
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use plugs_testkit::webdriver::Driver;
use plugs_testkit::VirtualDisplay;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIRST: &[&str] = &[
    "Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "John", "Radia", "Tim", "Hedy", "Zoë", "Mateo", "Amara", "Priya", "Omar", "Chen", "Ingrid",
];
const LAST: &[&str] =
    &["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Müller", "García", "Okafor", "Patel", "Tanaka", "Dubois", "Larsen", "Rossi"];
const CO: &[&str] =
    &["Blue Labs", "North Systems", "Bright Partners", "Iron Logistics", "Silver Media", "Green Capital", "Rapid Health", "Quantum Robotics", "Solar Foods", "Harbor Energy"];

fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's path");
    // target/release/deps/desktop-… → target/release/
    exe.parent().and_then(Path::parent).expect("a target dir").join(name)
}

fn seed(dir: &Path, n: usize) {
    let store = Store::open_dir(dir).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Bench Events".into(), first_name: "Ada".into(), last_name: "Admin".into(), email: "ada@bench.test".into() }).unwrap();
    let mut csv = String::from("First Name,Last Name,Email,Company,Title\n");
    for i in 0..n {
        let (f, l, c) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()], CO[(i / 7) % CO.len()]);
        csv.push_str(&format!("{f},{l},{}.{}{i}@{}.example,{c},Head of Sales\n", f.to_lowercase(), l.to_lowercase(), c.to_lowercase().replace(' ', "")));
    }
    let r = store.import_contacts(csv.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
    assert_eq!(r.created, n);
}

/// Every process started by `root`, and itself.
fn tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The command name is in parentheses and may hold spaces: the fields after ')' are fixed.
        let after = &stat[stat.rfind(')').map(|i| i + 2).unwrap_or(0)..];
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// PSS of a process tree, in MB, and the processes counted.
fn pss(root: u32) -> (f64, Vec<String>) {
    let mut kb = 0u64;
    let mut names = Vec::new();
    for pid in tree(root) {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else { continue };
        let k: u64 = text.lines().find(|l| l.starts_with("Pss:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0);
        kb += k;
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned();
        names.push(format!("{name} {:.0} MB", k as f64 / 1024.0));
    }
    (kb as f64 / 1024.0, names)
}

fn spawn(program: &Path, display: &str, data: &Path, ready: Option<&Path>) -> Child {
    let mut c = Command::new(program);
    c.env("DISPLAY", display).env("PLUGS_DATA_DIR", data).stdout(Stdio::null()).stderr(Stdio::null());
    if let Some(r) = ready {
        c.env("PLUGS_READY_FILE", r);
    }
    c.spawn().unwrap_or_else(|e| panic!("{}: {e} (build it with ./scripts/bench-desktop)", program.display()))
}

fn stop(mut c: Child) {
    let _ = c.kill();
    let _ = c.wait();
    std::thread::sleep(Duration::from_millis(500));
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn pct(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    if std::env::var_os(plugs_core::vault::PASSPHRASE_ENV).is_none() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // No keychain here: the store's key is wrapped with a passphrase, as on a server (the app,
        // started from here, gets it too).
        std::env::set_var(plugs_core::vault::PASSPHRASE_ENV, "a passphrase for the benchmark");
    }
    let n: usize = std::env::var("PLUGS_BENCH_CONTACTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let (app, bare) = (bin("plugs-desktop"), bin("plugs-bare-window"));
    let screen = VirtualDisplay::start();
    let data = tempfile::tempdir().unwrap();
    let t = Instant::now();
    seed(data.path(), n);
    println!("seeded {n} contacts in {:.1} s", t.elapsed().as_secs_f64());
    let idle = Duration::from_secs(8);

    // Cold start and idle memory, the app and the bare window taking turns.
    let (mut starts, mut app_mb, mut bare_mb) = (Vec::new(), Vec::new(), Vec::new());
    let mut detail = (Vec::new(), Vec::new());
    for round in 0..3 {
        let ready = data.path().join(format!("ready-{round}"));
        let t0 = Instant::now();
        let child = spawn(&app, &screen.display, data.path(), Some(&ready));
        while !ready.exists() {
            assert!(t0.elapsed() < Duration::from_secs(60), "the window never reported ready");
            std::thread::sleep(Duration::from_millis(2));
        }
        let wall = t0.elapsed().as_secs_f64() * 1000.0;
        let own: f64 = std::fs::read_to_string(&ready).unwrap().trim().parse().unwrap_or(f64::NAN);
        starts.push(wall);
        println!("start {round}: {wall:.0} ms from spawn to the first interactive screen (the app's clock: {own:.0} ms since main)");
        std::thread::sleep(idle);
        let (mb, names) = pss(child.id());
        app_mb.push(mb);
        detail.0 = names;
        stop(child);

        // The same WebKit rendering mode as the app (which turns the GL compositor off).
        let child = {
            let mut c = Command::new(&bare);
            c.env("DISPLAY", &screen.display).env("WEBKIT_DISABLE_COMPOSITING_MODE", "1").stdout(Stdio::null()).stderr(Stdio::null());
            c.spawn().unwrap_or_else(|e| panic!("{}: {e} (build it with ./scripts/bench-desktop)", bare.display()))
        };
        std::thread::sleep(idle + Duration::from_secs(1));
        let (mb, names) = pss(child.id());
        bare_mb.push(mb);
        detail.1 = names;
        stop(child);
    }

    // Search as you type, in the real window.
    let d = Driver::start_app(&app, &[("DISPLAY".into(), screen.display.clone())], data.path());
    d.wait("#search");
    d.call(reqwest::Method::POST, "/timeouts", Some(json!({ "script": 30_000 })));
    let words = ["gra", "hop", "lov", "mül", "oka", "tan", "blue", "quant", "hea", "ada lo", "zoë du", "pri pa"];
    let queries: Vec<String> = words.iter().flat_map(|w| (1..=w.chars().count()).map(move |k| w.chars().take(k).collect::<String>())).collect();
    // One keystroke per script run: set the box's text as typing does, then wait in the page for
    // the results of exactly that text to be on screen (and painted: one more frame).
    let script = r#"
        const [q, done] = [arguments[0], arguments[arguments.length - 1]];
        const input = document.querySelector('#search');
        const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
        (async () => {
          const t0 = performance.now();
          input.value = q;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          for (;;) {
            const box = document.querySelector('#contacts-box');
            if (box && box.dataset.shown === q.trim()) break;
            if (performance.now() - t0 > 10000) return done({ ms: -1, shown: box ? box.dataset.shown : null });
            await frame();
          }
          await frame();
          done({ ms: performance.now() - t0, rows: document.querySelectorAll('#contacts .contact-row').length });
        })();
    "#;
    let mut times = Vec::new();
    for q in &queries {
        let v = d.call(reqwest::Method::POST, "/execute/async", Some(json!({ "script": script, "args": [q] })));
        let ms = v["value"]["ms"].as_f64().unwrap_or_else(|| panic!("{q}: {v}"));
        assert!(ms >= 0.0, "the results of {q:?} never showed: {v}");
        times.push(ms);
        std::thread::sleep(Duration::from_millis(40));
    }
    d.screenshot("bench-search");
    drop(d);

    let mut slow: Vec<(f64, &String)> = times.iter().cloned().zip(queries.iter()).collect();
    slow.sort_by(|x, y| y.0.total_cmp(&x.0));
    let slowest: Vec<String> = slow.iter().take(5).map(|(t, q)| format!("{q:?} {t:.0} ms")).collect();
    let (a, b) = (median(app_mb), median(bare_mb));
    println!();
    println!("{n} contacts, Xvfb, release build");
    println!("cold start to first interactive screen: median {:.0} ms, max {:.0} ms (goal < 1500 ms)", median(starts.clone()), starts.iter().cloned().fold(0.0, f64::max));
    println!("idle memory (PSS, app + WebKit processes): {a:.0} MB; bare Tauri window: {b:.0} MB; ratio {:.2}x (goal <= 1.3x)", a / b);
    println!("  app:  {}", detail.0.join(", "));
    println!("  bare: {}", detail.1.join(", "));
    println!(
        "search, keystroke to results on screen, {} keystrokes: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms (goal < 100 ms)",
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.95),
        times.iter().cloned().fold(0.0, f64::max)
    );
    println!("  slowest: {}", slowest.join(", "));
}
