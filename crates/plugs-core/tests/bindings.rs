//! `ui/src/bindings.ts` is generated from the Rust types; this fails when it is stale.
//! Regenerate with `UPDATE_BINDINGS=1 cargo test -p plugs-core --test bindings`.

#[test]
fn typescript_bindings_are_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
    let fresh = plugs_core::bindings::typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == fresh, "ui/src/bindings.ts is stale: run UPDATE_BINDINGS=1 cargo test -p plugs-core --test bindings");
    assert!(fresh.contains("export type Contact = {") && fresh.contains("lead_score: number"));
    assert!(fresh.contains(r#"export type ContactType = "target" | "contact" | "plug";"#), "enums are the CHECK value lists");
}
