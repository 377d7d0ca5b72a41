//! The system's save dialog (GTK's file chooser, or the desktop portal's where GTK hands it over),
//! opened on the main thread while the command waits off it.

/// Asks where to save a file, proposing `name` in the Downloads folder; None when cancelled.
pub async fn ask(app: &tauri::AppHandle, name: &str) -> Option<std::path::PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let name = name.to_owned();
    app.run_on_main_thread(move || {
        use gtk::prelude::*;
        let dialog = gtk::FileChooserNative::new(Some("Export"), None::<&gtk::Window>, gtk::FileChooserAction::Save, Some("Save"), Some("Cancel"));
        dialog.set_do_overwrite_confirmation(true);
        dialog.set_current_name(&name);
        if let Some(dir) = dirs::download_dir().or_else(dirs::home_dir) {
            let _ = dialog.set_current_folder(dir);
        }
        let path = if dialog.run() == gtk::ResponseType::Accept { dialog.filename() } else { None };
        dialog.destroy();
        let _ = tx.send(path);
    })
    .ok()?;
    rx.await.ok().flatten()
}
