fn main() {
    // tauri.conf.json lives at the repository root; paths inside it are relative to the root.
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=../ui/dist");
    std::env::set_current_dir("..").expect("the repository root");
    tauri_build::build();
}
