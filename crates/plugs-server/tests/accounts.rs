//! Accounts against a real PostgreSQL: registration, sign-in, tokens, administration, throttling.

mod common;

use common::{spawn_app, spawn_app_with, token, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn register_login_me_refresh_logout() {
    let app = spawn_app().await;
    let reg = app.register("Acme", "ada@acme.test").await;
    assert!(reg["access_token"].as_str().unwrap().starts_with("pa_"));
    assert_eq!(reg["user"]["is_admin"], true);
    assert!(reg["user"].get("password_hash").is_none(), "never shown");
    let me: Value = app.get("/v1/me", Some(&token(&reg))).await.json().await.unwrap();
    assert_eq!(me["user"]["email"], "ada@acme.test");
    assert_eq!(me["organization"]["name"], "Acme");

    let ok = app.login("ADA@acme.test", PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK, "emails match without case");
    let session: Value = ok.json().await.unwrap();
    assert!(session["user"]["last_login"].is_string());

    let wrong_pw = app.login("ada@acme.test", "not the password").await;
    let no_such = app.login("nobody@acme.test", "not the password").await;
    assert_eq!(wrong_pw.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(no_such.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_pw.text().await.unwrap(), no_such.text().await.unwrap(), "a wrong email and a wrong password look the same");

    // Refresh rotates; the same token again within the grace (a lost answer) gets the same pair;
    // a token of an earlier rotation coming back ends the session.
    let r1 = session["refresh_token"].as_str().unwrap();
    let first: Value = app.post("/v1/auth/refresh", None, json!({ "refresh_token": r1 })).await.json().await.unwrap();
    assert_ne!(first["access_token"], session["access_token"]);
    assert_eq!(app.get("/v1/me", Some(&token(&session))).await.status(), StatusCode::UNAUTHORIZED, "the old access token is replaced");
    let again: Value = app.post("/v1/auth/refresh", None, json!({ "refresh_token": r1 })).await.json().await.unwrap();
    assert_eq!((&again["access_token"], &again["refresh_token"]), (&first["access_token"], &first["refresh_token"]), "{again}");
    let fresh: Value = app.post("/v1/auth/refresh", None, json!({ "refresh_token": first["refresh_token"] })).await.json().await.unwrap();
    assert_eq!(app.get("/v1/me", Some(&token(&fresh))).await.status(), StatusCode::OK);
    let reuse = app.post("/v1/auth/refresh", None, json!({ "refresh_token": r1 })).await;
    assert_eq!(reuse.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(reuse.json::<Value>().await.unwrap()["code"], "token_reused");
    assert_eq!(app.get("/v1/me", Some(&token(&fresh))).await.status(), StatusCode::UNAUTHORIZED, "reuse revoked the whole session");

    // Logout revokes.
    let s2: Value = app.login("ada@acme.test", PASSWORD).await.json().await.unwrap();
    assert_eq!(app.post("/v1/auth/logout", Some(&token(&s2)), json!({})).await.status(), StatusCode::NO_CONTENT);
    let after = app.get("/v1/me", Some(&token(&s2))).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(after.headers()["www-authenticate"], "Bearer");
    let refresh_after_logout = app.post("/v1/auth/refresh", None, json!({ "refresh_token": s2["refresh_token"] })).await;
    assert_eq!(refresh_after_logout.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/v1/me", None).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/v1/me", Some("pa_forged")).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_expire() {
    let app = spawn_app_with(|c| {
        c.access_token_ttl = Duration::from_secs(1);
        c.refresh_token_ttl = Duration::from_secs(2);
    })
    .await;
    let reg = app.register("Acme", "ada@acme.test").await;
    assert_eq!(reg["expires_in"], 1);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let r = app.get("/v1/me", Some(&token(&reg))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "token_expired");
    let fresh = app.post("/v1/auth/refresh", None, json!({ "refresh_token": reg["refresh_token"] })).await;
    assert_eq!(fresh.status(), StatusCode::OK, "the refresh token outlives the access token");
    let fresh: Value = fresh.json().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let late = app.post("/v1/auth/refresh", None, json!({ "refresh_token": fresh["refresh_token"] })).await;
    assert_eq!(late.json::<Value>().await.unwrap()["code"], "token_expired");
}

#[tokio::test]
async fn admins_manage_users_and_inactive_users_cannot_sign_in() {
    let app = spawn_app_with(|c| c.require_verified = true).await;
    let admin = token(&app.register("Acme", "ada@acme.test").await);
    let bob = app.add_user(&admin, "bob@acme.test", false).await;
    let bob_id = bob["id"].as_str().unwrap();
    assert_eq!(bob["is_verified"], false);
    // Verification required: Bob cannot sign in until an admin vouches for him.
    let r = app.login("bob@acme.test", PASSWORD).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["code"].clone()), (StatusCode::FORBIDDEN, json!("unverified")));
    let v = app.send(Method::PATCH, &format!("/v1/users/{bob_id}"), Some(&admin), Some(json!({ "is_verified": true }))).await;
    assert_eq!(v.status(), StatusCode::OK);
    let bob_session: Value = app.login("bob@acme.test", PASSWORD).await.json().await.unwrap();
    let bob_token = token(&bob_session);
    // A member cannot administer.
    let r = app.post("/v1/users", Some(&bob_token), json!({ "email": "eve@acme.test", "password": PASSWORD, "first_name": "E", "last_name": "V" })).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.send(Method::PATCH, &format!("/v1/users/{bob_id}"), Some(&bob_token), Some(json!({ "is_admin": true }))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/v1/users", Some(&bob_token)).await.json::<Vec<Value>>().await.unwrap().len(), 2, "members see their colleagues");
    // Promotion takes effect.
    app.send(Method::PATCH, &format!("/v1/users/{bob_id}"), Some(&admin), Some(json!({ "is_admin": true }))).await;
    assert_eq!(
        app.post("/v1/users", Some(&bob_token), json!({ "email": "eve@acme.test", "password": PASSWORD, "first_name": "E", "last_name": "V" })).await.status(),
        StatusCode::CREATED
    );
    let dup = app.post("/v1/users", Some(&admin), json!({ "email": "EVE@acme.test", "password": PASSWORD, "first_name": "E", "last_name": "V" })).await;
    assert_eq!((dup.status(), dup.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::CONFLICT, json!("email")));
    // Deactivation ends sessions and blocks sign-in.
    let me_id = app.get("/v1/me", Some(&admin)).await.json::<Value>().await.unwrap()["user"]["id"].as_str().unwrap().to_owned();
    let selfie = app.send(Method::PATCH, &format!("/v1/users/{me_id}"), Some(&admin), Some(json!({ "is_active": false }))).await;
    assert_eq!(selfie.status(), StatusCode::CONFLICT, "no self-deactivation");
    app.send(Method::PATCH, &format!("/v1/users/{bob_id}"), Some(&admin), Some(json!({ "is_active": false }))).await;
    assert_eq!(app.get("/v1/me", Some(&bob_token)).await.status(), StatusCode::UNAUTHORIZED);
    let r = app.login("bob@acme.test", PASSWORD).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["code"].clone()), (StatusCode::FORBIDDEN, json!("account_inactive")));
    let wrong = app.login("bob@acme.test", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "without the password, inactive looks like any failure");
    // Deleted users are gone for sign-in too.
    app.send(Method::PATCH, &format!("/v1/users/{bob_id}"), Some(&admin), Some(json!({ "is_active": true }))).await;
    assert_eq!(app.send(Method::DELETE, &format!("/v1/users/{bob_id}"), Some(&admin), None).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.login("bob@acme.test", PASSWORD).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/v1/users/{bob_id}"), Some(&admin)).await.json::<Value>().await.unwrap()["is_deleted"], true);
    // Every change is in the audit trail.
    let c = app.db.admin_client().await;
    let n: i64 = c.query_one("SELECT COUNT(*) FROM audit_logs WHERE record_id = $1::text::uuid", &[&bob_id]).await.unwrap().get(0);
    assert!(n >= 5, "create, verify, promote, deactivate, reactivate, delete audited ({n})");
}

#[tokio::test]
async fn the_same_email_in_two_organizations() {
    let app = spawn_app().await;
    let a = app.register("Acme", "ada@shared.test").await;
    let b = app.register("Globex", "ada@shared.test").await;
    // Same password in both: the caller must say which organization.
    let r = app.login("ada@shared.test", PASSWORD).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::CONFLICT, json!("organization_id")));
    let r = app.post("/v1/auth/login", None, json!({ "email": "ada@shared.test", "password": PASSWORD, "organization_id": b["organization"]["id"] })).await;
    assert_eq!(r.json::<Value>().await.unwrap()["organization"]["name"], "Globex");
    assert_ne!(a["organization"]["id"], b["organization"]["id"]);
}

#[tokio::test]
async fn repeated_failures_are_refused_with_retry_after() {
    let app = spawn_app().await;
    app.register("Acme", "ada@acme.test").await;
    for _ in 0..5 {
        assert_eq!(app.login("ada@acme.test", "wrong password!").await.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.login("ada@acme.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "locked even with the right password");
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait));
    // An unknown email is throttled exactly the same way (no hint that it does not exist).
    for _ in 0..5 {
        assert_eq!(app.login("ghost@acme.test", "wrong password!").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.login("ghost@acme.test", "wrong password!").await.status(), StatusCode::TOO_MANY_REQUESTS);
    // Many accounts from one address hit the address limit (4 × 5).
    for i in 0..10 {
        app.login(&format!("spray{i}@acme.test"), "wrong password!").await;
    }
    assert_eq!(app.login("fresh@acme.test", "wrong password!").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn registration_validates_every_field() {
    let app = spawn_app().await;
    let base = json!({ "organization_name": "Acme", "first_name": "Ada", "last_name": "L", "email": "ada@acme.test", "password": PASSWORD });
    for (field, value, status) in [
        ("organization_name", json!("  "), 422),
        ("email", json!("not-an-email"), 422),
        ("password", json!("short"), 422),
        ("first_name", json!("x".repeat(51)), 422),
        ("email", json!(5), 422),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let r = app.post("/v1/register", None, body).await;
        assert_eq!(r.status().as_u16(), status, "{field}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], field);
    }
    let mut with_domain = base.clone();
    with_domain["organization_domain"] = json!("acme.test");
    assert_eq!(app.post("/v1/register", None, with_domain.clone()).await.status(), StatusCode::CREATED);
    let r = app.post("/v1/register", None, with_domain).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::CONFLICT, json!("organization_domain")));
}

/// Two refreshes of one device at the same moment, or one whose answer was lost, keep the session:
/// they get the same pair. After the grace, a used token ends the session, whichever rotation it
/// came from.
#[tokio::test]
async fn concurrent_and_repeated_refreshes_keep_the_session_and_old_tokens_end_it() {
    let app = spawn_app_with(|c| c.refresh_grace = Duration::from_secs(2)).await;
    let session = app.register("Acme", "ada@acme.test").await;
    let r1 = session["refresh_token"].as_str().unwrap().to_owned();
    let answers = futures::future::join_all((0..6).map(|_| app.post("/v1/auth/refresh", None, json!({ "refresh_token": r1 })))).await;
    let mut pairs = vec![];
    for a in answers {
        assert_eq!(a.status(), StatusCode::OK);
        let v: Value = a.json().await.unwrap();
        pairs.push((v["access_token"].as_str().unwrap().to_owned(), v["refresh_token"].as_str().unwrap().to_owned()));
    }
    pairs.dedup();
    assert_eq!(pairs.len(), 1, "every concurrent refresh got the same pair: {pairs:?}");
    let (access, r2) = pairs.remove(0);
    assert_eq!(app.get("/v1/me", Some(&access)).await.status(), StatusCode::OK);
    // A lost answer: r2 is used, its answer never arrives, r2 is sent again.
    let lost: Value = app.post("/v1/auth/refresh", None, json!({ "refresh_token": r2 })).await.json().await.unwrap();
    let retried: Value = app.post("/v1/auth/refresh", None, json!({ "refresh_token": r2 })).await.json().await.unwrap();
    assert_eq!(lost["refresh_token"], retried["refresh_token"]);
    let live = retried["access_token"].as_str().unwrap().to_owned();
    // After the grace, an old token (two rotations back) ends the whole session.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let replay = app.post("/v1/auth/refresh", None, json!({ "refresh_token": r1 })).await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(replay.json::<Value>().await.unwrap()["code"], "token_reused");
    assert_eq!(app.get("/v1/me", Some(&live)).await.status(), StatusCode::UNAUTHORIZED, "the session ended");
    let newest = app.post("/v1/auth/refresh", None, json!({ "refresh_token": retried["refresh_token"] })).await;
    assert_eq!(newest.status(), StatusCode::UNAUTHORIZED, "its newest token too");
}
