//! Architecture invariants about dependencies, read from cargo's own resolution of the workspace.

use std::process::Command;

/// The crates a package depends on to build (normal dependencies, transitively), by name.
fn tree(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "--locked", "-p", package, "-e", "normal", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.split_whitespace().next()).map(str::to_owned).collect()
}

#[test]
fn the_server_runs_the_domain_rules_without_the_device_store() {
    let deps = tree("plugs-server");
    assert!(deps.iter().any(|d| d == "plugs-domain"), "the server runs the domain's rules");
    for banned in ["plugs-core", "rusqlite", "libsqlite3-sys"] {
        assert!(!deps.iter().any(|d| d == banned), "plugs-server depends on {banned}");
    }
}

#[test]
fn the_domain_has_no_database_and_no_async_runtime() {
    let deps = tree("plugs-domain");
    assert!(deps.iter().any(|d| d == "serde"), "the tree was read: {deps:?}");
    for banned in ["rusqlite", "libsqlite3-sys", "tokio-postgres", "postgres-types", "tokio", "reqwest", "plugs-core"] {
        assert!(!deps.iter().any(|d| d == banned), "plugs-domain depends on {banned}");
    }
}
