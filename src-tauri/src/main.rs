//! The Plugs desktop shell: a window over the web UI whose commands are thin adapters over
//! plugs-core. Nothing here validates or decides; the core does, and its errors reach the UI as
//! `{code, field, message}`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

fn main() {
    let dir = plugs_core::default_data_dir().expect("an app data dir on this platform");
    let store = plugs_core::Store::open_dir(&dir).expect("the local database opens");
    tauri::Builder::default()
        .manage(commands::AppStore(std::sync::Mutex::new(store)))
        .invoke_handler(tauri::generate_handler![
            commands::workspace_status,
            commands::init_workspace,
            commands::create_record,
            commands::update_record,
            commands::delete_record,
            commands::restore_record,
            commands::get_record,
            commands::list_records,
            commands::search_contacts,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("the app runs");
}
