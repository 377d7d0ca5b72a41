//! The OS keychain for real: tokens and integration credentials round-trip through gnome-keyring's
//! Secret Service on a private D-Bus session (the backend used in CI and on Linux desktops).

use plugs_core::integrations::{KeychainSecrets, SecretStore};
use plugs_core::sync::{Credentials, Keychain, Tokens};
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use plugs_testkit::SecretService;

#[test]
fn tokens_and_integration_credentials_round_trip_through_the_keychain() {
    let keys = SecretService::start();
    // This test binary runs this one test: pointing the process at the private bus is safe here.
    for (k, v) in &keys.env {
        std::env::set_var(k, v);
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let chain = Keychain::new(store.device_id(), "http://plugs.example").unwrap();
    assert_eq!(chain.load().unwrap(), None);
    let t = Tokens { access_token: "pa_example".into(), refresh_token: "pr_example".into() };
    chain.save(&t).unwrap();
    assert_eq!(chain.load().unwrap(), Some(t));
    chain.clear().unwrap();
    assert_eq!(chain.load().unwrap(), None);
    chain.clear().unwrap();

    store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "A".into(), last_name: "B".into(), email: "a@acme.test".into() }).unwrap();
    let i = store.connect_integration(&KeychainSecrets, "hubspot", "crm", "zoom-secret-123").unwrap();
    assert_eq!(store.integration_secret(&KeychainSecrets, i.id).unwrap().as_deref(), Some("zoom-secret-123"));
    // Connecting the same provider again (a new credential) keeps the one connection with the new
    // credential, and the old one leaves the keychain.
    let old = i.credentials["keychain_ref"].as_str().unwrap().to_owned();
    let again = store.connect_integration(&KeychainSecrets, "hubspot", "crm", "other-secret").unwrap();
    assert_eq!(again.id, i.id);
    assert_eq!(store.integration_secret(&KeychainSecrets, i.id).unwrap().as_deref(), Some("other-secret"));
    assert_eq!(KeychainSecrets.get(&old).unwrap(), None);
    let key = again.credentials["keychain_ref"].as_str().unwrap().to_owned();
    KeychainSecrets.delete(&key).unwrap();
    assert_eq!(KeychainSecrets.get(&key).unwrap(), None);

    // A multi-line credential (a PEM key) read from standard input by the CLI is kept whole.
    let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
    let mut cli = assert_cmd::Command::cargo_bin("plugs").expect("the plugs binary is built by `cargo test --workspace`");
    cli.arg("--data-dir").arg(dir.path()).args(["integration", "connect", "--provider", "zoom", "--account-id", "acct", "--client-id", "client", "--secret-stdin"]);
    for (k, v) in &keys.env {
        cli.env(k, v);
    }
    cli.write_stdin(format!("{pem}\n")).assert().success();
    let zoom = store
        .table("integrations")
        .unwrap()
        .list(&plugs_core::ListQuery { limit: Some(10), ..Default::default() })
        .unwrap()
        .items
        .into_iter()
        .find(|r| r["provider"] == "zoom")
        .unwrap();
    let id = uuid::Uuid::parse_str(zoom["id"].as_str().unwrap()).unwrap();
    assert_eq!(store.integration_secret(&KeychainSecrets, id).unwrap().as_deref(), Some(pem), "every line of the key");
}
