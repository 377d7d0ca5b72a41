//! Spawns the real server on a random port against a fresh database of its own.

#![allow(dead_code)]

use plugs_server::{Application, Config};
use plugs_testkit::TestDb;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;

pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub db: TestDb,
}

pub const PASSWORD: &str = "correct horse battery";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tune: impl FnOnce(&mut Config)) -> TestApp {
    spawn_until(tune, std::future::pending()).await.0
}

/// A server that stops when the returned sender fires (or is dropped); its task ends when it has.
pub async fn spawn_stoppable(tune: impl FnOnce(&mut Config)) -> (TestApp, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (app, task) = spawn_until(tune, async move {
        let _ = stopped.await;
    })
    .await;
    (app, stop, task)
}

/// A server on a fresh database, running until `shutdown` completes.
async fn spawn_until(tune: impl FnOnce(&mut Config), shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> (TestApp, tokio::task::JoinHandle<std::io::Result<()>>) {
    let db = TestDb::new().await;
    plugs_server::db::migrate(&db.admin).await.expect("migrations apply");
    let mut config = Config::new(db.app.clone(), db.admin.clone());
    config.database_role = db.role.clone();
    tune(&mut config);
    let app = Application::build(config).await.expect("the server starts");
    let addr = app.local_addr();
    let task = tokio::spawn(app.run_until(shutdown));
    (TestApp { addr, http: reqwest::Client::new(), db }, task)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut r = self.http.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request sent")
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut r = self.http.request(method, self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.expect("request sent")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, token, Some(body)).await
    }

    /// Registers an organization; returns the sign-in answer.
    pub async fn register(&self, org: &str, email: &str) -> Value {
        let r = self.post("/v1/register", None, json!({ "organization_name": org, "first_name": "Ada", "last_name": "Admin", "email": email, "password": PASSWORD })).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post("/v1/auth/login", None, json!({ "email": email, "password": password })).await
    }

    /// Adds a user as `admin_token`; returns the user.
    pub async fn add_user(&self, admin_token: &str, email: &str, admin: bool) -> Value {
        let r = self.post("/v1/users", Some(admin_token), json!({ "email": email, "password": PASSWORD, "first_name": "U", "last_name": "Ser", "is_admin": admin })).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{:?}", r.text().await);
        r.json().await.unwrap()
    }
}

pub fn token(signed_in: &Value) -> String {
    signed_in["access_token"].as_str().expect("an access token").to_owned()
}
