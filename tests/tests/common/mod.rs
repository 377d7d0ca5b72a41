//! A real server on a fresh PostgreSQL database, and devices each with their own SQLite file.

#![allow(dead_code)]

use plugs_core::sync::{Memory, Remote, SyncReport, Syncer};
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use plugs_server::{Application, Config};
use plugs_testkit::TestDb;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "correct horse battery";

/// The central server.
pub struct Cloud {
    pub db: TestDb,
    pub addr: SocketAddr,
    config: Config,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Cloud {
    pub async fn start() -> Cloud {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tune: impl FnOnce(&mut Config)) -> Cloud {
        let db = TestDb::new().await;
        plugs_server::db::migrate(&db.admin).await.expect("migrations apply");
        let mut config = Config::new(db.app.clone(), db.admin.clone());
        config.database_role = db.role.clone();
        tune(&mut config);
        let app = Application::build(config.clone()).await.expect("server starts");
        let addr = app.local_addr();
        config.bind = addr;
        let task = tokio::spawn(app.run_until(std::future::pending()));
        Cloud { db, addr, config, task: Some(task) }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Another instance of the server over the same database (as behind a load balancer).
    pub async fn another_instance(&self) -> Instance {
        let mut config = self.config.clone();
        config.bind = "127.0.0.1:0".parse().unwrap();
        let app = Application::build(config).await.expect("second instance starts");
        let addr = app.local_addr();
        Instance { addr, task: tokio::spawn(app.run_until(std::future::pending())) }
    }

    /// Kills the server at once (requests in flight are cut) and starts it again on the same port.
    pub async fn restart(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
        let mut tries = 0;
        let app = loop {
            match Application::build(self.config.clone()).await {
                Ok(a) => break a,
                Err(_) if tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(e) => panic!("restart: {e}"),
            }
        };
        self.task = Some(tokio::spawn(app.run_until(std::future::pending())));
    }

    /// Stops the server (until `restart`).
    pub async fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }

    pub async fn sql_count(&self, sql: &str) -> i64 {
        self.db.admin_client().await.query_one(sql, &[]).await.unwrap().get(0)
    }
}

/// A further server instance; stopped when dropped.
pub struct Instance {
    pub addr: SocketAddr,
    task: JoinHandle<std::io::Result<()>>,
}

impl Instance {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One laptop: its own data dir and SQLite file, syncing with the cloud.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub syncer: Syncer,
    pub credentials: Arc<Memory>,
}

impl Device {
    /// A device with nothing on it yet.
    pub fn blank(server: &str) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).unwrap();
        let credentials = Arc::new(Memory::default());
        let syncer = Syncer::new(Remote::new(server).unwrap(), credentials.clone());
        Device { dir, store, syncer, credentials }
    }

    /// A device with an offline workspace (created with no server).
    pub fn offline(server: &str, org: &str, email: &str) -> Device {
        let d = Device::blank(server);
        d.store.init_workspace(&NewWorkspace { organization_name: org.into(), first_name: "Ada".into(), last_name: "Admin".into(), email: email.into() }).unwrap();
        d
    }

    pub async fn sync(&self) -> SyncReport {
        self.syncer.sync_once(&self.store, |_| {}).await.unwrap_or_else(|e| panic!("sync failed: {e}"))
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.store.path().to_owned()
    }
}

/// Registers an organization on the cloud through a first device, returns it signed in.
pub async fn first_device(cloud: &Cloud, org: &str, email: &str) -> Device {
    let d = Device::offline(&cloud.url(), org, email);
    d.syncer.register(&d.store, PASSWORD).await.unwrap();
    d
}

/// Adds a member (not an admin) to the admin device's organization through the server's account
/// API; returns the new user's id.
pub async fn add_member(cloud: &Cloud, admin: &Device, email: &str, first_name: &str) -> uuid::Uuid {
    use plugs_core::sync::Credentials;
    let token = admin.credentials.load().unwrap().unwrap().access_token;
    let r = reqwest::Client::new()
        .post(format!("{}/v1/users", cloud.url()))
        .bearer_auth(token)
        .json(&serde_json::json!({ "email": email, "password": PASSWORD, "first_name": first_name, "last_name": "Member" }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "adding {email}: {}", r.status());
    let made: serde_json::Value = r.json().await.unwrap();
    uuid::Uuid::parse_str(made["id"].as_str().unwrap()).unwrap()
}

/// Another device signing in to the same account.
pub async fn second_device(cloud: &Cloud, email: &str) -> Device {
    let d = Device::blank(&cloud.url());
    d.syncer.login(&d.store, email, PASSWORD).await.unwrap();
    d
}
