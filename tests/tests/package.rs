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
        d.create_workspace();
        d.capture("Grace", "Hopper", "grace@navy.test");
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

#[test]
#[ignore = "runs a package built by ./scripts/package: run by ./scripts/test-package"]
fn the_appimage_runs_captures_and_its_cli_reads_it() {
    let image = std::env::var("PLUGS_PACKAGE_APPIMAGE").expect("PLUGS_PACKAGE_APPIMAGE names the AppImage to run");
    let image = std::fs::canonicalize(&image).unwrap();
    let size = std::fs::metadata(&image).unwrap().len();
    println!("AppImage: {} ({:.1} MB)", image.display(), size as f64 / 1e6);
    // An AppImage: the runtime (an ELF executable) with the app's file system after it.
    let head = std::fs::read(&image).unwrap();
    assert_eq!(&head[..4], b"\x7fELF", "an executable");
    assert_eq!(&head[8..11], b"AI\x02", "the AppImage type 2 magic");
    // What is inside: the app, the CLI, the desktop entry and icon, Tesseract and its English data.
    let unpacked = tempfile::tempdir().unwrap();
    let out = Command::new(&image).arg("--appimage-extract").current_dir(unpacked.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let root = unpacked.path().join("squashfs-root");
    for f in
        ["AppRun", "plugs-desktop.desktop", ".DirIcon", "usr/bin/plugs-desktop", "usr/bin/plugs", "usr/lib/libtesseract.so.5", "usr/share/tesseract-ocr/5/tessdata/eng.traineddata"]
    {
        assert!(root.join(f).exists(), "{f} in the AppImage");
    }
    let entry = std::fs::read_to_string(root.join("plugs-desktop.desktop")).unwrap();
    assert!(entry.contains("Exec=plugs-desktop") && entry.contains("Name=The Plugs"), "{entry}");
    // No FUSE here (as in containers): the runtime extracts itself and runs from there.
    let fuse = [("APPIMAGE_EXTRACT_AND_RUN".to_owned(), "1".to_owned())];
    let cli = |args: &[&str]| {
        let out = Command::new(&image).envs(fuse.iter().cloned()).arg("cli").args(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{args:?}: {text}{}", String::from_utf8_lossy(&out.stderr));
        text
    };
    assert!(cli(&["--version"]).contains(env!("CARGO_PKG_VERSION")));

    let screen = VirtualDisplay::start();
    let data = tempfile::tempdir().unwrap();
    {
        let mut env = vec![("DISPLAY".to_owned(), screen.display.clone())];
        env.extend(fuse.iter().cloned());
        let d = Driver::start_app(&image, &env, data.path());
        d.create_workspace();
        d.capture("Katherine", "Johnson", "katherine@nasa.test");
        d.screenshot("appimage-app");
    }
    // The AppImage's command line reads what its app wrote.
    let listed = cli(&["--data-dir", data.path().to_str().unwrap(), "--json", "contact", "list"]);
    let v: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(v[0]["email"], "katherine@nasa.test");
}
