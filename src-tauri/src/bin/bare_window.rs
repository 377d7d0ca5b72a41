//! A bare Tauri window on an empty page (`ui/public/blank.html`): the baseline the desktop benchmark compares the app's
//! memory with (same Tauri, same WebKitGTK, same window size, nothing of The Plugs inside).

fn main() {
    let mut context = tauri::generate_context!("../tauri.conf.json");
    context.config_mut().app.windows.clear();
    tauri::Builder::default()
        .setup(|app| {
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("blank.html".into())).title("bare").inner_size(1280.0, 820.0).build()?;
            Ok(())
        })
        .run(context)
        .expect("the bare window runs");
}
