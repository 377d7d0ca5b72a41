//! Operations and robustness: migrations, probes, metrics, the OpenAPI document, bad input.

mod common;

use common::{spawn_app, token};
use plugs_server::{Application, Config};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_are_idempotent() {
    let db = plugs_testkit::TestDb::new().await;
    let first = plugs_server::db::migrate(&db.admin).await.unwrap();
    assert_eq!(first as i64, plugs_server::db::latest_migration());
    assert_eq!(plugs_server::db::migrate(&db.admin).await.unwrap(), 0, "a second run applies nothing");
    let c = db.admin_client().await;
    let seed = [
        "organizations",
        "users",
        "contacts",
        "contact_interactions",
        "events",
        "event_attendees",
        "event_agenda_items",
        "expenses",
        "media",
        "media_collections",
        "media_collection_items",
        "notifications",
        "integrations",
        "integration_logs",
        "analytics_events",
        "audit_logs",
    ];
    let n: i64 = c.query_one("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)", &[&seed.to_vec()]).await.unwrap().get(0);
    assert_eq!(n, 16);
    let views: i64 = c.query_one("SELECT COUNT(*) FROM information_schema.views WHERE table_name IN ('contact_performance_summary', 'event_analytics')", &[]).await.unwrap().get(0);
    assert_eq!(views, 2);
    let idx: i64 =
        c.query_one("SELECT COUNT(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%' AND tablename = ANY($1)", &[&seed.to_vec()]).await.unwrap().get(0);
    assert_eq!(idx, 59, "every index of the seed");
}

#[tokio::test]
async fn probes_tell_up_from_ready() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "ready");
    // A server pointed at a database without the migrations is up but not ready.
    let bare = plugs_testkit::TestDb::new().await;
    let server = Application::build(Config::new(bare.admin.clone(), bare.admin.clone())).await.unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run_until(std::future::pending()));
    assert_eq!(reqwest::get(format!("http://{addr}/healthz")).await.unwrap().status(), StatusCode::OK);
    let r = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.json::<Value>().await.unwrap()["problem"].as_str().unwrap().contains("migration"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.get("/healthz", None).await;
    app.get("/healthz", None).await;
    app.get("/v1/me", None).await;
    app.get(&format!("/v1/users/{}", uuid::Uuid::now_v7()), None).await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 2"#), "{text}");
    assert!(text.contains(r#"http_requests_total{method="GET",route="/v1/me",status="401"} 1"#));
    assert!(text.contains(r#"route="/v1/users/{id}""#), "routes are labelled by template, not by id");
    assert!(text.contains("http_request_duration_seconds_bucket"));
    // Made-up methods and paths do not add label values: they collapse into one each.
    for m in ["RANDOM123", "RANDOM456", "BREW"] {
        app.send(reqwest::Method::from_bytes(m.as_bytes()).unwrap(), "/healthz", None, None).await;
        app.send(reqwest::Method::from_bytes(m.as_bytes()).unwrap(), &format!("/nowhere/{m}"), None, None).await;
    }
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(!text.contains("RANDOM") && !text.contains("BREW") && !text.contains("nowhere"), "{text}");
    assert!(text.contains(r#"method="OTHER",route="/healthz""#) && text.contains(r#"method="OTHER",route="unmatched""#), "{text}");
}

#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let app = spawn_app().await;
    let doc: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<String> = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    let mut expected = vec![
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /openapi.json",
        "POST /v1/register",
        "POST /v1/auth/login",
        "POST /v1/auth/refresh",
        "POST /v1/auth/logout",
        "GET /v1/me",
        "GET /v1/organization",
        "GET /v1/users",
        "POST /v1/users",
        "GET /v1/users/{id}",
        "PATCH /v1/users/{id}",
        "DELETE /v1/users/{id}",
        "POST /v1/sync/push",
        "GET /v1/sync/pull",
        "GET /v1/media/{id}/upload",
        "PATCH /v1/media/{id}/upload",
        "GET /v1/media/{id}/content",
        "PUT /v1/media/{id}/thumbnail",
        "GET /v1/media/{id}/thumbnail",
    ];
    expected.sort();
    assert_eq!(documented, expected);
    // Each documented route is really served (no "no such route" answer).
    for entry in &documented {
        let (m, p) = entry.split_once(' ').unwrap();
        let r = app.send(Method::from_bytes(m.as_bytes()).unwrap(), &p.replace("{id}", &uuid::Uuid::now_v7().to_string()), None, None).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(!body.contains("no such route") && status != StatusCode::METHOD_NOT_ALLOWED, "{entry}: {status} {body}");
    }
    // And a route that is not documented is not served.
    assert_eq!(app.get("/v1/secret-admin", None).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_never_a_500() {
    let app = spawn_app_with_small_body().await;
    let admin = token(&app.register("Acme", "ada@acme.test").await);
    let raw = |body: &'static str, ctype: &'static str| {
        let http = app.http.clone();
        let url = app.url("/v1/auth/login");
        async move { http.post(url).header("content-type", ctype).body(body).send().await.unwrap() }
    };
    let check = |r: reqwest::Response, status: u16, code: &'static str, field: Option<&'static str>| async move {
        assert_eq!(r.status().as_u16(), status);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["code"], code, "{v}");
        if let Some(f) = field {
            assert_eq!(v["field"], f, "{v}");
        }
        assert!(!v["message"].as_str().unwrap().is_empty());
    };
    check(raw("{\"email\": ", "application/json").await, 400, "malformed_json", None).await;
    check(raw("not json at all", "application/json").await, 400, "malformed_json", None).await;
    check(raw(r#"{"email": 5, "password": "x"}"#, "application/json").await, 422, "invalid", Some("email")).await;
    check(raw(r#"{"email": "a@b.io"}"#, "application/json").await, 422, "invalid", Some("password")).await;
    check(raw(r#"{"email": "a@b.io", "password": "x", "remember_me": true}"#, "application/json").await, 422, "invalid", Some("remember_me")).await;
    check(raw(r#"[1, 2]"#, "application/json").await, 422, "invalid", None).await;
    check(raw(r#"{"email": "a@b.io", "password": "x"}"#, "text/plain").await, 415, "unsupported_media_type", None).await;
    let huge = format!(r#"{{"email": "a@b.io", "password": "{}"}}"#, "x".repeat(20_000));
    let r = app.http.post(app.url("/v1/auth/login")).header("content-type", "application/json").body(huge).send().await.unwrap();
    check(r, 413, "body_too_large", None).await;
    check(app.get("/v1/users/not-a-uuid", Some(&admin)).await, 400, "invalid_path", Some("id")).await;
    check(app.get("/nowhere", None).await, 404, "not_found", None).await;
    check(app.send(Method::PUT, "/v1/me", Some(&admin), None).await, 405, "method_not_allowed", None).await;
    check(app.send(Method::PATCH, &format!("/v1/users/{}", uuid::Uuid::now_v7()), Some(&admin), Some(json!({ "is_admin": "yes" }))).await, 422, "invalid", Some("is_admin")).await;
    check(app.post("/v1/users", Some(&admin), json!({ "email": "x@acme.test", "password": "short", "first_name": "X", "last_name": "Y" })).await, 422, "invalid", Some("password"))
        .await;
    check(app.post("/v1/auth/refresh", None, json!({ "refresh_token": 12 })).await, 422, "invalid", Some("refresh_token")).await;
    check(app.get("/v1/me", Some("garbage token")).await, 401, "invalid_token", None).await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(!text.contains("status=\"500\""), "no request ended in a 500");
}

async fn spawn_app_with_small_body() -> common::TestApp {
    common::spawn_app_with(|c| c.max_body_bytes = 16 * 1024).await
}

/// On shutdown a long-poll ends at once, telling the device to ask again; the server stops within
/// its grace.
#[tokio::test]
async fn shutdown_ends_long_polls_at_once_and_stops_within_the_grace() {
    let (app, stop, task) = common::spawn_stoppable(|c| c.shutdown_grace = std::time::Duration::from_secs(2)).await;
    let session = app.register("Acme", "ada@acme.test").await;
    let t = common::token(&session);
    let head: Value = app.get("/v1/sync/pull?cursor=0&limit=5000", Some(&t)).await.json().await.unwrap();
    let cursor = head["cursor"].as_i64().unwrap();
    let url = app.url(&format!("/v1/sync/pull?cursor={cursor}&wait=25"));
    let http = app.http.clone();
    let poll = tokio::spawn(async move {
        let r = http.get(url).bearer_auth(t).send().await.unwrap();
        (std::time::Instant::now(), r.status(), r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()), r.text().await.unwrap())
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let asked = std::time::Instant::now();
    stop.send(()).unwrap();
    let (ended, status, retry, body) = poll.await.unwrap();
    assert!(ended.duration_since(asked) < std::time::Duration::from_secs(1), "the long-poll ended at once");
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry.as_deref(), Some("1"));
    assert!(body.contains("shutting_down"), "{body}");
    tokio::time::timeout(std::time::Duration::from_secs(4), task).await.expect("stopped within the grace").unwrap().unwrap();
}

/// The sync side of `/metrics`: pushed changes by outcome, pulled rows, pulls waiting, how far behind
/// pulls start, purge runs, and the connection pool.
#[tokio::test]
async fn metrics_show_sync_pool_and_purge() {
    let app = spawn_app().await;
    let session = app.register("Acme", "ada@acme.test").await;
    let t = token(&session);
    let row = json!({ "id": uuid::Uuid::now_v7(), "organization_id": session["organization"]["id"], "first_name": "Grace", "last_name": "Hopper" });
    let at = plugs_domain::Timestamp::now().to_string();
    let change = json!({ "mutation_id": uuid::Uuid::now_v7(), "table": "contacts", "record_id": row["id"], "kind": "upsert",
        "fields": { "first_name": at, "last_name": at }, "row": row });
    let r = app.post("/v1/sync/push", Some(&t), json!({ "device_id": uuid::Uuid::now_v7(), "client_time": at, "changes": [change] })).await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let page: Value = app.get("/v1/sync/pull?cursor=0", Some(&t)).await.json().await.unwrap();
    let served = page["rows"].as_array().unwrap().len();
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(text.contains(r#"plugs_sync_pushed_changes_total{outcome="applied"} 1"#), "{text}");
    assert!(text.contains(&format!("plugs_sync_pulled_rows_total {served}")), "{text}");
    assert!(text.contains("plugs_sync_long_polls_open 0"), "{text}");
    assert!(text.contains("plugs_sync_pull_lag_changes_count 1"), "{text}");
    assert!(text.contains(r#"plugs_purge_runs_total{result="purged"} 1"#), "the purge at start: {text}");
    assert!(text.contains(r#"plugs_db_pool_connections{state="idle"}"#) && text.contains(r#"plugs_db_pool_connections{state="in_use"}"#), "{text}");
}
