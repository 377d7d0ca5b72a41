//! Tenant isolation, both walls: the API takes the organization from the token only, and
//! row-level security hides other tenants even from a query that forgets to filter.

mod common;

use common::{spawn_app, token};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn every_authenticated_route_refuses_another_organizations_ids() {
    let app = spawn_app().await;
    let a = app.register("Acme", "ada@acme.test").await;
    let b = app.register("Globex", "hank@globex.test").await;
    let (ta, tb) = (token(&a), token(&b));
    let b_member = app.add_user(&tb, "secret-member@globex.test", false).await;
    let b_ids = [b["user"]["id"].as_str().unwrap().to_owned(), b_member["id"].as_str().unwrap().to_owned(), b["organization"]["id"].as_str().unwrap().to_owned()];
    let b_secrets = ["hank@globex.test", "secret-member@globex.test", "Globex"];
    let doc: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() || path == "/v1/auth/logout" {
                continue;
            }
            for target in &b_ids {
                let url = path.replace("{id}", target);
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let body = match (method.as_str(), path.as_str()) {
                    ("patch", _) => Some(json!({ "first_name": "Pwned", "is_admin": true })),
                    ("post", "/v1/users") => Some(json!({ "email": format!("x{tried}@acme.test"), "password": "long enough pw", "first_name": "X", "last_name": "Y" })),
                    _ => None,
                };
                let r = app.send(m, &url, Some(&ta), body).await;
                let status = r.status();
                let text = r.text().await.unwrap();
                for s in b_ids.iter().map(String::as_str).chain(b_secrets) {
                    assert!(!text.contains(s), "{method} {url} with Acme's token leaked Globex data: {text}");
                }
                if path.contains("{id}") {
                    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{method} {url} gave {status}");
                }
                tried += 1;
            }
        }
    }
    assert!(tried >= 15, "every authenticated route was tried ({tried})");
    // Nothing of Globex changed.
    let member: Value = app.get(&format!("/v1/users/{}", b_ids[1]), Some(&tb)).await.json().await.unwrap();
    assert_eq!((member["first_name"].as_str(), member["is_admin"].as_bool(), member["is_deleted"].as_bool()), (Some("U"), Some(false), Some(false)));
    // A body or path naming another organization changes nothing about whose data is served.
    let org: Value = app.get("/v1/organization", Some(&ta)).await.json().await.unwrap();
    assert_eq!(org["name"], "Acme");
    let r =
        app.post("/v1/users", Some(&ta), json!({ "email": "z@acme.test", "password": "long enough pw", "first_name": "Z", "last_name": "Z", "organization_id": b_ids[2] })).await;
    assert_eq!(
        (r.status(), r.json::<Value>().await.unwrap()["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("organization_id")),
        "organization_id is not a field a client may send"
    );
}

#[tokio::test]
async fn row_level_security_hides_other_tenants_from_an_unfiltered_query() {
    let app = spawn_app().await;
    let a = app.register("Acme", "ada@acme.test").await;
    let b = app.register("Globex", "hank@globex.test").await;
    let (org_a, org_b) = (a["organization"]["id"].as_str().unwrap().to_owned(), b["organization"]["id"].as_str().unwrap().to_owned());
    let admin = app.db.admin_client().await;
    // Some shared data in both tenants, written by the owner.
    for (org, user) in [(&org_a, &a["user"]["id"]), (&org_b, &b["user"]["id"])] {
        admin
            .execute(
                "INSERT INTO contacts (organization_id, created_by, first_name, last_name) VALUES ($1::text::uuid, $2::text::uuid, 'Con', 'Tact')",
                &[org, &user.as_str().unwrap()],
            )
            .await
            .unwrap();
    }
    // The API's role.
    let mut app_client = plugs_testkit::connect(&app.db.app).await;
    if let Some(role) = &app.db.role {
        app_client.batch_execute(&format!("SET ROLE {role}")).await.unwrap();
    }
    let (sup, bypass): (bool, bool) = {
        let r = app_client.query_one("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", &[]).await.unwrap();
        (r.get(0), r.get(1))
    };
    assert!(!sup && !bypass, "the API's role neither is a superuser nor bypasses RLS");
    // No organization set: nothing at all.
    let n: i64 = app_client.query_one("SELECT COUNT(*) FROM users", &[]).await.unwrap().get(0);
    assert_eq!(n, 0);
    // Organization A set, and a query that forgets its WHERE clause.
    let tx = app_client.transaction().await.unwrap();
    tx.execute("SELECT set_config('plugs.org_id', $1, true)", &[&org_a]).await.unwrap();
    let emails: Vec<String> = tx.query("SELECT email FROM users", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(emails, ["ada@acme.test"]);
    let orgs: i64 = tx.query_one("SELECT COUNT(*) FROM organizations", &[]).await.unwrap().get(0);
    assert_eq!(orgs, 1);
    let contacts: i64 = tx.query_one("SELECT COUNT(*) FROM contacts", &[]).await.unwrap().get(0);
    assert_eq!(contacts, 1);
    let through_view: i64 = tx.query_one("SELECT COALESCE(SUM(total_contacts), 0)::bigint FROM contact_performance_summary", &[]).await.unwrap().get(0);
    assert_eq!(through_view, 1, "the views see only the tenant's rows");
    let stolen = tx.execute("UPDATE contacts SET first_name = 'Pwned' WHERE organization_id = $1::text::uuid", &[&org_b]).await.unwrap();
    assert_eq!(stolen, 0, "another tenant's rows cannot be changed");
    let smuggled = tx
        .execute(
            "INSERT INTO contacts (organization_id, created_by, first_name, last_name) VALUES ($1::text::uuid, $2::text::uuid, 'Smug', 'Gled')",
            &[&org_b, &b["user"]["id"].as_str().unwrap()],
        )
        .await;
    let err = smuggled.expect_err("writing into another tenant is refused");
    assert!(err.to_string().contains("row-level security") || err.as_db_error().is_some_and(|d| d.message().contains("row-level security")), "{err}");
    drop(tx);
    // Every table with an organization_id has a policy.
    let unprotected: Vec<String> = admin
        .query(
            "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id'
             WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace AND (NOT c.relrowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(unprotected.is_empty(), "tables without RLS: {unprotected:?}");
}
