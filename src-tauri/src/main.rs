//! The Plugs desktop shell: a window over the web UI whose commands are thin adapters over
//! plugs-core. Nothing here validates or decides; the core does, and its errors reach the UI as
//! `{code, field, message}`. Sync and reminders keep running in the background, with a tray icon
//! (open / sync now / quit) while the window is closed.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod background;
mod commands;
mod save_dialog;
#[cfg(test)]
mod typescript;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{Manager, WindowEvent};

/// When the process started (for the start-up timing the window reports).
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// glibc gives each thread that allocates a heap ("arena") of its own and keeps what was freed
/// there; an app with a dozen mostly idle threads holds memory it no longer uses. Two arenas are
/// plenty here, and for the WebKit processes the app starts (they read the variable at start).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fewer_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // Still one thread: nothing else reads the environment yet.
        std::env::set_var("MALLOC_ARENA_MAX", "2");
    }
    // SAFETY: mallopt only changes allocator tuning; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

// Imports and pulls allocate many small values: mimalloc keeps that cheap (see the import bench).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Web, mail and phone links leave the window: the desktop's browser, mail or phone app opens them
/// (`xdg-open` on Linux, through the `open` crate) and the window stays on the app. The app's own
/// pages (its custom protocol, or the dev server on localhost) load as usual.
fn external_links<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("external-links")
        .on_navigation(|_, url| {
            if !leaves_the_app(url) {
                return true;
            }
            if let Err(e) = open::that_detached(url.as_str()) {
                tracing::warn!(error = %e, scheme = url.scheme(), "no app on this desktop opens the link");
            }
            false
        })
        .build()
}

fn leaves_the_app(url: &tauri::Url) -> bool {
    match url.scheme() {
        "mailto" | "tel" => true,
        "http" | "https" => !matches!(url.host_str(), Some("localhost" | "tauri.localhost" | "127.0.0.1")),
        _ => false,
    }
}

fn main() {
    // Card scans' OCR runs single-threaded (see plugs_scan::single_threaded_ocr): the launchers
    // set the limit; a start without it starts again with it, before anything else.
    plugs_scan::single_threaded_ocr();
    STARTED.get_or_init(std::time::Instant::now);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fewer_malloc_arenas();
    // WebKitGTK paints this app's pages (lists, forms, no 3D or video) without its GL compositor:
    // a smaller web process and quicker updates, and no blank window on drivers where the
    // compositor fails. PLUGS_GPU_COMPOSITING=1 keeps WebKit's default.
    #[cfg(target_os = "linux")]
    if std::env::var_os("PLUGS_GPU_COMPOSITING").is_none() && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // Still one thread: nothing else reads the environment yet.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).try_init();
    }
    let dir = plugs_core::default_data_dir().expect("an app data dir on this platform");
    let store = match plugs_core::Store::open_dir(&dir).or_else(|e| match e {
        // The key is lost: the team's data is on the server; offer to start again from it.
        plugs_core::Error::Locked(why) if start_over_offered(&why) => plugs_core::Store::start_over_dir(&dir).and_then(|_| plugs_core::Store::open_dir(&dir)),
        other => Err(other),
    }) {
        Ok(s) => s,
        Err(e) => {
            // No window without a usable store: the message (which file, what to do) goes to the
            // desktop and to stderr, and the exit code is the CLI's for the same error.
            let message = e.to_string();
            eprintln!("The Plugs cannot open its data: {message}");
            problem("The Plugs cannot open its data", &message);
            std::process::exit(match e.code() {
                "store_unusable" => 12,
                "store_damaged" => 13,
                "store_read_only" => 14,
                "store_locked" => 15,
                _ => 1,
            });
        }
    };
    let db = store.path().to_owned();
    let sync = background::Sync::start(&db);
    tauri::Builder::default()
        .plugin(external_links())
        .manage(commands::AppStore(std::sync::Mutex::new(store)))
        .manage(sync)
        .setup(move |app| {
            app.manage(commands::AppHandleState(app.handle().clone()));
            let status = MenuItem::with_id(app, "status", "Starting…", false, None::<&str>)?;
            let open = MenuItem::with_id(app, "open", "Open The Plugs", true, None::<&str>)?;
            let sync_now = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
            let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
            let menu = Menu::with_items(app, &[&status, &open, &sync_now, &quit])?;
            let mut tray = TrayIconBuilder::with_id("plugs").tooltip("The Plugs").menu(&menu).on_menu_event(|app, event| match event.id.as_ref() {
                "open" => {
                    if let Some(w) = app.get_webview_window("main") {
                        let _ = w.show();
                        let _ = w.set_focus();
                    }
                }
                "status" => background::open_screen(app, "home", None),
                "sync" => app.state::<background::Sync>().nudge(),
                "quit" => app.exit(0),
                _ => {}
            });
            if let Some(icon) = app.default_window_icon() {
                tray = tray.icon(icon.clone());
            }
            // A desktop without a tray host still gets the window; reminders keep running either way.
            if let Err(e) = tray.build(app) {
                tracing::warn!(error = %e, "no tray icon");
            }
            background::reminders(db.clone(), app.handle().clone(), status);
            background::integrity(db.clone(), app.handle().clone());
            background::backups(db.clone());
            background::integrations(db.clone());
            // A single-document app: WebKit's lightest cache model (no page cache, small memory
            // caches) keeps the web process small.
            #[cfg(target_os = "linux")]
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.with_webview(|wv| {
                    use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
                    if let Some(ctx) = wv.inner().context() {
                        ctx.set_cache_model(CacheModel::DocumentViewer);
                    }
                });
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps reminders and sync running behind the tray, unless the user
            // turned that off.
            if let WindowEvent::CloseRequested { api, .. } = event {
                let keep = window.state::<commands::AppStore>().0.lock().map(|s| commands::keep_running(&s)).unwrap_or(false);
                if keep {
                    let _ = window.hide();
                    api.prevent_close();
                }
            }
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("the app runs");
}

/// A problem the user must see even without a window: a desktop notification.
/// Says that the store cannot be opened (its key lost) and offers to start again from the server,
/// on the desktop's notification with its two buttons; true when the person chose to.
fn start_over_offered(why: &str) -> bool {
    eprintln!("The Plugs cannot open its data: {why}");
    let shown = notify_rust::Notification::new()
        .appname("The Plugs")
        .summary("The Plugs cannot open this device's data")
        .body(&format!("{why}\n\nStarting again keeps the locked data aside; sign in to get the team's data back from the server."))
        .icon("dialog-password")
        .action("start-over", "Start again from the server")
        .action("quit", "Quit")
        .timeout(notify_rust::Timeout::Never)
        .show();
    let mut chosen = false;
    if let Ok(handle) = shown {
        handle.wait_for_action(|action| chosen = action == "start-over");
    }
    chosen
}

pub(crate) fn problem(summary: &str, body: &str) {
    let _ = notify_rust::Notification::new().appname("The Plugs").summary(summary).body(body).icon("dialog-error").timeout(notify_rust::Timeout::Never).show();
}

#[cfg(test)]
mod tests {
    use super::leaves_the_app;

    #[test]
    fn web_mail_and_phone_links_leave_the_app_and_its_own_pages_do_not() {
        let url = |s: &str| tauri::Url::parse(s).unwrap();
        assert!(leaves_the_app(&url("https://www.linkedin.com/in/grace")));
        assert!(leaves_the_app(&url("http://example.test/receipt.pdf")));
        assert!(leaves_the_app(&url("mailto:grace@navy.test")));
        assert!(leaves_the_app(&url("tel:+12025550100")));
        assert!(!leaves_the_app(&url("tauri://localhost/index.html#/contacts")));
        assert!(!leaves_the_app(&url("http://tauri.localhost/#/contacts")));
        assert!(!leaves_the_app(&url("http://localhost:1420/#/home")));
        assert!(!leaves_the_app(&url("file:///etc/passwd")));
        assert!(!leaves_the_app(&url("javascript:alert(1)")));
    }
}
