//! The installable package, installed for real: `apt-get install ./the-plugs_….deb` on this
//! machine, the installed app started under Xvfb and driven through WebDriver to capture a
//! contact, the installed `plugs` reading it back, then `dpkg -r` removing every file it brought.
//! It changes the machine (root, apt), so it runs only from `./scripts/test-package`, which builds
//! the package first and passes its path in PLUGS_PACKAGE_DEB.

use plugs_testkit::webdriver::Driver;
use plugs_testkit::VirtualDisplay;
use std::path::Path;
use std::process::Command;

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("{cmd}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd} {args:?} failed: {text}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "installs a package on this machine: run by ./scripts/test-package"]
fn the_deb_installs_runs_captures_and_uninstalls_cleanly() {
    let deb = std::env::var("PLUGS_PACKAGE_DEB").expect("PLUGS_PACKAGE_DEB names the .deb to install");
    let deb = std::fs::canonicalize(&deb).unwrap();
    let size = std::fs::metadata(&deb).unwrap().len();
    println!("package: {} ({:.1} MB)", deb.display(), size as f64 / 1e6);
    assert!(size <= 15 * 1024 * 1024, "the .deb is {size} bytes, over 15 MB");

    // What the package declares.
    let fields = run("dpkg-deb", &["-f", deb.to_str().unwrap(), "Package", "Version", "Depends", "Recommends"]);
    assert!(fields.contains("Package: the-plugs"), "{fields}");
    assert!(fields.contains(&format!("Version: {}", env!("CARGO_PKG_VERSION"))), "the workspace's version: {fields}");
    for dep in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libdbus-1-3", "libtesseract5"] {
        assert!(fields.contains(dep), "depends on {dep}: {fields}");
    }
    for rec in ["gnome-keyring", "notification-daemon"] {
        assert!(fields.contains(rec), "recommends {rec}: {fields}");
    }

    let _ = Command::new("dpkg").args(["-r", "the-plugs"]).output();
    run("apt-get", &["install", "-y", "-qq", "--no-install-recommends", deb.to_str().unwrap()]);
    let files = run("dpkg", &["-L", "the-plugs"]);
    let installed: Vec<&str> = files.lines().filter(|l| Path::new(l).is_file()).collect();
    println!("{} files installed", installed.len());
    for f in [
        "/usr/bin/plugs-desktop",
        "/usr/bin/plugs",
        "/usr/share/man/man1/plugs.1.gz",
        "/usr/share/man/man1/plugs-contact.1.gz",
        "/usr/share/icons/hicolor/256x256/apps/plugs-desktop.png",
    ] {
        assert!(files.lines().any(|l| l == f) && Path::new(f).exists(), "{f} installed: {files}");
    }
    assert!(!files.contains("bare-window"), "no benchmark binary in the package");
    let desktop = files.lines().find(|l| l.starts_with("/usr/share/applications/") && l.ends_with(".desktop")).expect("a desktop entry");
    let entry = std::fs::read_to_string(desktop).unwrap();
    assert!(entry.contains("Exec=plugs-desktop") && entry.contains("Name=The Plugs") && entry.contains("Icon=plugs-desktop"), "{entry}");
    // The CLI's manual and version.
    assert!(run("/usr/bin/plugs", &["--version"]).contains(env!("CARGO_PKG_VERSION")));
    let page = run("sh", &["-c", "zcat /usr/share/man/man1/plugs.1.gz"]);
    assert!(page.contains(".TH plugs") && page.contains("plugs\\-contact(1)"), "{}", &page[..page.len().min(400)]);

    // The installed app, in its window: onboarding and one capture.
    let screen = VirtualDisplay::start();
    let data = tempfile::tempdir().unwrap();
    {
        let d = Driver::start_app(Path::new("/usr/bin/plugs-desktop"), &[("DISPLAY".into(), screen.display.clone())], data.path());
        d.type_into("#org-name", "Acme Events");
        d.type_into("#first-name", "Ada");
        d.type_into("#last-name", "Lovelace");
        d.type_into("#email", "ada@acme.test");
        d.click("#create-workspace");
        d.wait("#cap-first");
        d.type_into("#cap-first", "Grace");
        d.type_into("#cap-last", "Hopper");
        d.type_into("#cap-email", "grace@navy.test");
        d.click("#cap-save");
        d.wait_text("#cap-saved", "Saved Grace Hopper");
        d.screenshot("installed-app");
    }
    // The installed CLI reads what the installed app wrote.
    let listed = run("/usr/bin/plugs", &["--data-dir", data.path().to_str().unwrap(), "--json", "contact", "list"]);
    let v: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(v[0]["email"], "grace@navy.test");

    // Removed: every file the package brought is gone; the user's data stays.
    run("dpkg", &["-r", "the-plugs"]);
    assert!(installed.len() >= 10, "{installed:?}");
    for f in &installed {
        assert!(!Path::new(f).exists(), "{f} left behind after dpkg -r");
    }
    let status = Command::new("dpkg").args(["-s", "the-plugs"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&status.stdout).contains("Status: install ok installed"));
    assert!(data.path().join("plugs.db").exists(), "the user's data is never removed with the app");
}
