//! The server is the referee: a device with a valid token that pushes what the app would never
//! send is refused, and what is stored afterwards (read as the database owner) is what the team's
//! rules allow.

mod common;

use common::{spawn_app, token, TestApp, PASSWORD};
use plugs_domain::schema::Kind;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// An organization with its admin and two members, each signed in.
struct Team {
    org: Uuid,
    admin: (Uuid, String),
    m1: (Uuid, String),
    m2: (Uuid, String),
}

async fn team(app: &TestApp, name: &str) -> Team {
    let lower = name.to_lowercase();
    let a = app.register(name, &format!("ada@{lower}.test")).await;
    let at = token(&a);
    let mut members = vec![];
    for n in ["m1", "m2"] {
        let email = format!("{n}@{lower}.test");
        let u = app.add_user(&at, &email, false).await;
        let s: Value = app.login(&email, PASSWORD).await.json().await.unwrap();
        members.push((id(&u["id"]), token(&s)));
    }
    let m2 = members.pop().unwrap();
    let m1 = members.pop().unwrap();
    Team { org: id(&a["organization"]["id"]), admin: (id(&a["user"]["id"]), at), m1, m2 }
}

fn id(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().expect("an id")).unwrap()
}

fn now() -> String {
    plugs_domain::Timestamp::now().to_string()
}

/// A change creating or editing a row: every given field counts as written now.
fn change(table: &str, row: Value, fields: &[&str]) -> Value {
    let rid = row["id"].clone();
    let t = now();
    let f: Map<String, Value> = fields.iter().map(|f| ((*f).to_owned(), Value::String(t.clone()))).collect();
    json!({ "mutation_id": Uuid::now_v7(), "table": table, "record_id": rid, "kind": "upsert", "fields": f, "row": row })
}

/// A new row: its every given column is a written field.
fn create(table: &str, row: Value) -> Value {
    let fields: Vec<String> = row.as_object().unwrap().keys().filter(|k| *k != "id" && *k != "organization_id").cloned().collect();
    let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    change(table, row, &refs)
}

/// Pushes changes as the token's user; returns each change's result.
async fn push(app: &TestApp, token: &str, changes: Vec<Value>) -> Vec<Value> {
    let r = app.post("/v1/sync/push", Some(token), json!({ "device_id": Uuid::now_v7(), "client_time": now(), "changes": changes })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["results"].as_array().unwrap().clone()
}

async fn push_one(app: &TestApp, token: &str, ch: Value) -> Value {
    push(app, token, vec![ch]).await.remove(0)
}

/// `(outcome, reason code, reason field)` of a result.
fn verdict(r: &Value) -> (String, Option<String>, Option<String>) {
    (r["outcome"].as_str().unwrap().to_owned(), r["reason"]["code"].as_str().map(Into::into), r["reason"]["field"].as_str().map(Into::into))
}

fn refused(code: &str, field: &str) -> (String, Option<String>, Option<String>) {
    ("rejected".into(), Some(code.into()), Some(field.into()))
}

fn applied() -> (String, Option<String>, Option<String>) {
    ("applied".into(), None, None)
}

/// One value of a row, read as the database owner (RLS does not apply), as text.
async fn stored(app: &TestApp, table: &str, row: Uuid, col: &str) -> Option<String> {
    let c = app.db.admin_client().await;
    c.query_opt(&format!("SELECT {col}::text FROM {table} WHERE id = $1"), &[&row]).await.unwrap().and_then(|r| r.get(0))
}

async fn exists(app: &TestApp, table: &str, row: Uuid) -> bool {
    let c = app.db.admin_client().await;
    c.query_opt(&format!("SELECT 1 FROM {table} WHERE id = $1"), &[&row]).await.unwrap().is_some()
}

fn expense(t: &Team, amount: &str) -> Value {
    json!({ "id": Uuid::now_v7(), "organization_id": t.org, "title": "Taxi", "amount": amount, "currency": "EUR", "expense_date": "2026-12-01" })
}

#[tokio::test]
async fn approvals_are_an_admins_and_approved_amounts_are_frozen() {
    let app = spawn_app().await;
    let t = team(&app, "Acme").await;
    let e = expense(&t, "10.00");
    let eid = id(&e["id"]);
    assert_eq!(verdict(&push_one(&app, &t.m1.1, create("expenses", e.clone())).await), applied());

    // A member approving is refused. A new expense that arrives approved from a member (an offline
    // workspace's admin who joined as a member, or a forged row) is kept as a request: the approval
    // is refused with its reason, the rest of the expense stands, pending, for an admin to decide.
    let mut approve = e.clone();
    approve["status"] = json!("approved");
    assert_eq!(verdict(&push_one(&app, &t.m1.1, change("expenses", approve.clone(), &["status"])).await), refused("forbidden", "status"));
    let partial = |code: &str, field: &str| ("partial".to_owned(), Some(code.to_owned()), Some(field.to_owned()));
    let mut forged = expense(&t, "50.00");
    forged["approved_by"] = json!(t.admin.0);
    forged["approved_at"] = json!(now());
    assert_eq!(verdict(&push_one(&app, &t.m1.1, create("expenses", forged.clone())).await), partial("forbidden", "approved_by"));
    let fid = id(&forged["id"]);
    assert_eq!(stored(&app, "expenses", fid, "status").await.as_deref(), Some("pending"), "a forged approval grants nothing");
    assert_eq!(stored(&app, "expenses", fid, "approved_by").await, None);
    assert_eq!(stored(&app, "expenses", fid, "approved_at").await, None);
    assert_eq!(stored(&app, "expenses", fid, "amount").await.as_deref(), Some("50.00"), "the request itself stands");
    let mut forged_status = expense(&t, "50.00");
    forged_status["status"] = json!("approved");
    let sid = id(&forged_status["id"]);
    assert_eq!(verdict(&push_one(&app, &t.m1.1, create("expenses", forged_status)).await), partial("forbidden", "status"));
    assert_eq!(stored(&app, "expenses", sid, "status").await.as_deref(), Some("pending"));
    assert_eq!(stored(&app, "expenses", eid, "status").await.as_deref(), Some("pending"));

    // The admin approves: who and when come from the token and the server's clock, whatever the row says.
    approve["approved_by"] = json!(t.m1.0);
    approve["approved_at"] = json!("2020-01-01T00:00:00Z");
    assert_eq!(verdict(&push_one(&app, &t.admin.1, change("expenses", approve, &["status", "approved_by", "approved_at"])).await), applied());
    assert_eq!(stored(&app, "expenses", eid, "status").await.as_deref(), Some("approved"));
    assert_eq!(stored(&app, "expenses", eid, "approved_by").await, Some(t.admin.0.to_string()));
    assert!(stored(&app, "expenses", eid, "approved_at").await.unwrap().as_str() > "2026");

    // Approved amounts are frozen: raising one is refused and nothing changes.
    let mut raised = e.clone();
    raised["amount"] = json!("999.00");
    assert_eq!(verdict(&push_one(&app, &t.m1.1, change("expenses", raised, &["amount"])).await), refused("settled", "amount"));
    assert_eq!(stored(&app, "expenses", eid, "amount").await.as_deref(), Some("10.00"));
    // A paid expense stays at its amount: paying is the admin's, from approved only.
    let mut paid = e.clone();
    paid["status"] = json!("paid");
    assert_eq!(verdict(&push_one(&app, &t.m2.1, change("expenses", paid.clone(), &["status"])).await), refused("forbidden", "status"));
    assert_eq!(verdict(&push_one(&app, &t.admin.1, change("expenses", paid, &["status"])).await), applied());
    assert_eq!(stored(&app, "expenses", eid, "amount").await.as_deref(), Some("10.00"));
}

#[tokio::test]
async fn an_offline_edit_and_an_approval_never_settle_an_amount_nobody_approved() {
    let app = spawn_app().await;
    let t = team(&app, "Acme").await;
    // Order 1: the approval arrives first; the member's offline edit of the amount is refused.
    let e = expense(&t, "20.00");
    let eid = id(&e["id"]);
    push_one(&app, &t.m1.1, create("expenses", e.clone())).await;
    let mut seen = e.clone();
    seen["status"] = json!("approved");
    assert_eq!(verdict(&push_one(&app, &t.admin.1, change("expenses", seen, &["status"])).await), applied());
    let mut edit = e.clone();
    edit["amount"] = json!("25.00");
    assert_eq!(verdict(&push_one(&app, &t.m1.1, change("expenses", edit, &["amount"])).await), refused("settled", "amount"));
    assert_eq!((stored(&app, "expenses", eid, "status").await.as_deref(), stored(&app, "expenses", eid, "amount").await.as_deref()), (Some("approved"), Some("20.00")));

    // Order 2: the edit arrives first; the approval of the old amount is refused, the admin looks again.
    let e = expense(&t, "30.00");
    let eid = id(&e["id"]);
    push_one(&app, &t.m1.1, create("expenses", e.clone())).await;
    let mut edit = e.clone();
    edit["amount"] = json!("35.00");
    assert_eq!(verdict(&push_one(&app, &t.m1.1, change("expenses", edit.clone(), &["amount"])).await), applied());
    let mut approval_of_30 = e.clone();
    approval_of_30["status"] = json!("approved");
    assert_eq!(verdict(&push_one(&app, &t.admin.1, change("expenses", approval_of_30, &["status"])).await), refused("amount_changed", "amount"));
    assert_eq!((stored(&app, "expenses", eid, "status").await.as_deref(), stored(&app, "expenses", eid, "amount").await.as_deref()), (Some("pending"), Some("35.00")));
    let mut approval_of_35 = edit;
    approval_of_35["status"] = json!("approved");
    assert_eq!(verdict(&push_one(&app, &t.admin.1, change("expenses", approval_of_35, &["status"])).await), applied());
    assert_eq!(stored(&app, "expenses", eid, "status").await.as_deref(), Some("approved"));
}

#[tokio::test]
async fn secrets_authorship_audit_and_the_plan_are_not_a_devices_to_set() {
    let app = spawn_app().await;
    let t = team(&app, "Acme").await;
    // A plaintext credential is never stored.
    let integ = json!({ "id": Uuid::now_v7(), "organization_id": t.org, "provider": "hubspot", "integration_type": "crm", "credentials": { "api_key": "pat-na1-secret" } });
    assert_eq!(verdict(&push_one(&app, &t.admin.1, create("integrations", integ.clone())).await), refused("secret_in_row", "credentials"));
    assert!(!exists(&app, "integrations", id(&integ["id"])).await);
    let c = app.db.admin_client().await;
    let leaked: i64 = c.query_one("SELECT COUNT(*) FROM integrations WHERE credentials::text LIKE '%pat-na1%'", &[]).await.unwrap().get(0);
    assert_eq!(leaked, 0);

    // Rows are created in the caller's name, and their author never changes.
    let contact = json!({ "id": Uuid::now_v7(), "organization_id": t.org, "first_name": "Grace", "last_name": "Hopper", "created_by": t.admin.0 });
    let cid = id(&contact["id"]);
    assert_eq!(verdict(&push_one(&app, &t.m1.1, create("contacts", contact.clone())).await), applied());
    assert_eq!(stored(&app, "contacts", cid, "created_by").await, Some(t.m1.0.to_string()), "the author comes from the token");
    let mut rewrite = contact.clone();
    rewrite["created_by"] = json!(t.m2.0);
    assert_eq!(verdict(&push_one(&app, &t.m1.1, change("contacts", rewrite, &["created_by"])).await), refused("read_only", "created_by"));
    assert_eq!(stored(&app, "contacts", cid, "created_by").await, Some(t.m1.0.to_string()));

    // Audit rows speak for the caller only: never nobody, never someone else.
    for user in [Value::Null, json!(t.admin.0)] {
        let a = json!({ "id": Uuid::now_v7(), "organization_id": t.org, "user_id": user, "table_name": "contacts", "record_id": cid, "action": "update", "old_values": {}, "new_values": { "first_name": "Forged" } });
        assert_eq!(verdict(&push_one(&app, &t.m1.1, create("audit_logs", a.clone())).await), refused("forbidden", "user_id"));
        assert!(!exists(&app, "audit_logs", id(&a["id"])).await);
    }

    // The billing plan is the server's, even for an admin.
    let org = json!({ "id": t.org, "name": "Acme", "subscription_plan": "enterprise" });
    assert_eq!(verdict(&push_one(&app, &t.admin.1, change("organizations", org, &["subscription_plan"])).await), refused("read_only", "subscription_plan"));
    assert_eq!(stored(&app, "organizations", t.org, "subscription_plan").await.as_deref(), Some("free"));
}

#[tokio::test]
async fn private_media_and_notifications_belong_to_their_owner() {
    let app = spawn_app().await;
    let t = team(&app, "Acme").await;
    let media = json!({ "id": Uuid::now_v7(), "organization_id": t.org, "title": "Passport scan", "file_name": "p.jpg", "file_path": "/p.jpg", "media_type": "image", "mime_type": "image/jpeg", "file_size": 10, "access_level": "private" });
    let mid = id(&media["id"]);
    assert_eq!(verdict(&push_one(&app, &t.m1.1, create("media", media.clone())).await), applied());
    let mut open = media.clone();
    open["access_level"] = json!("organization");
    let theirs = push_one(&app, &t.m2.1, change("media", open.clone(), &["access_level"])).await;
    assert_eq!(verdict(&theirs).1.as_deref(), Some("not_found"));
    assert!(theirs["current"].is_null(), "nothing of the private row is shown");
    assert_eq!(stored(&app, "media", mid, "access_level").await.as_deref(), Some("private"));
    // Nor does a pull show it to the other member.
    let pulled: Value = app.get("/v1/sync/pull?cursor=0&limit=1000", Some(&t.m2.1)).await.json().await.unwrap();
    assert!(!pulled["rows"].as_array().unwrap().iter().any(|r| r["record_id"] == json!(mid) && r["row"].is_object()));
    // The uploader may open it up.
    assert_eq!(verdict(&push_one(&app, &t.m1.1, change("media", open, &["access_level"])).await), applied());

    let n = json!({ "id": Uuid::now_v7(), "organization_id": t.org, "user_id": t.m1.0, "title": "Call Grace", "message": "today" });
    let nid = id(&n["id"]);
    assert_eq!(verdict(&push_one(&app, &t.admin.1, create("notifications", n.clone())).await), applied());
    let mut taken = n.clone();
    taken["user_id"] = json!(t.m2.0);
    assert_eq!(verdict(&push_one(&app, &t.m2.1, change("notifications", taken.clone(), &["user_id"])).await).1.as_deref(), Some("not_found"));
    assert_eq!(verdict(&push_one(&app, &t.m1.1, change("notifications", taken, &["user_id"])).await), refused("read_only", "user_id"));
    let mut read = n.clone();
    read["is_read"] = json!(true);
    assert_eq!(verdict(&push_one(&app, &t.m2.1, change("notifications", read.clone(), &["is_read"])).await).1.as_deref(), Some("not_found"));
    assert_eq!(stored(&app, "notifications", nid, "user_id").await, Some(t.m1.0.to_string()));
    assert_eq!(stored(&app, "notifications", nid, "is_read").await.as_deref(), Some("false"));
    assert_eq!(verdict(&push_one(&app, &t.m1.1, change("notifications", read, &["is_read"])).await), applied());
}

/// A row of `table` with its required columns, its references pointing at `refs` (by target table).
fn minimal(table: &str, org: Uuid, refs: &Map<String, Value>) -> Value {
    let r = |t: &str| refs[t].clone();
    let mut row = match table {
        "contact_interactions" => json!({ "contact_id": r("contacts"), "user_id": r("users"), "interaction_type": "call", "interaction_date": "2026-12-01T10:00:00Z" }),
        "event_attendees" => json!({ "event_id": r("events"), "user_id": r("users") }),
        "event_agenda_items" => {
            json!({ "event_id": r("events"), "title": "Talk", "start_time": "2026-12-01T10:00:00Z", "end_time": "2026-12-01T11:00:00Z", "speaker_id": r("users") })
        }
        "expenses" => json!({ "title": "Taxi", "amount": "5.00", "expense_date": "2026-12-01", "event_id": r("events") }),
        "media" => {
            json!({ "title": "P", "file_name": "p", "file_path": "/p", "media_type": "image", "mime_type": "image/png", "file_size": 1, "related_contact": r("contacts"), "related_event": r("events") })
        }
        "media_collection_items" => json!({ "collection_id": r("media_collections"), "media_id": r("media") }),
        "notifications" => json!({ "user_id": r("users"), "title": "T", "message": "M" }),
        "integration_logs" => json!({ "integration_id": r("integrations"), "operation": "sync", "status": "success", "started_at": "2026-12-01T10:00:00Z" }),
        other => panic!("no minimal row for {other}"),
    };
    row["id"] = json!(Uuid::now_v7());
    if table != "media_collection_items" {
        row["organization_id"] = json!(org);
    }
    row
}

/// The parents a team's admin creates, by table.
async fn parents(app: &TestApp, t: &Team, with_integration: bool) -> Map<String, Value> {
    let mut refs = Map::new();
    refs.insert("users".into(), json!(t.m1.0));
    let rows = [
        ("contacts", json!({ "first_name": "P", "last_name": "P" })),
        ("events", json!({ "title": "Summit", "start_date": "2026-12-01T09:00:00Z", "end_date": "2026-12-02T18:00:00Z" })),
        ("media", json!({ "title": "P", "file_name": "p", "file_path": "/p", "media_type": "image", "mime_type": "image/png", "file_size": 1 })),
        ("media_collections", json!({ "name": "Booth" })),
        ("integrations", json!({ "provider": "zoom", "integration_type": "video", "credentials": { "keychain_ref": "zoom" } })),
    ];
    for (table, mut row) in rows {
        if table == "integrations" && !with_integration {
            continue; // one per provider
        }
        row["id"] = json!(Uuid::now_v7());
        row["organization_id"] = json!(t.org);
        assert_eq!(verdict(&push_one(app, &t.admin.1, create(table, row.clone())).await), applied(), "{table}");
        refs.insert(table.into(), row["id"].clone());
    }
    refs
}

#[tokio::test]
async fn no_reference_crosses_organizations_and_none_tells_whether_an_id_exists() {
    let app = spawn_app().await;
    let a = team(&app, "Acme").await;
    let b = team(&app, "Globex").await;
    let mine = parents(&app, &a, true).await;
    let theirs = parents(&app, &b, true).await;
    let mut tried = 0;
    for spec in plugs_domain::tables::ALL {
        for col in spec.columns {
            let Kind::Uuid { references: Some(target) } = col.kind else { continue };
            if !mine.contains_key(target) || !matches!(col.access, plugs_domain::schema::Access::Write | plugs_domain::schema::Access::CreateOnly) {
                continue;
            }
            let mut answers = vec![];
            for other in [theirs[target].clone(), json!(Uuid::now_v7())] {
                let mut refs = mine.clone();
                refs.insert(target.into(), other.clone());
                let row = minimal(spec.name, a.org, &refs);
                let r = push_one(&app, &a.admin.1, create(spec.name, row.clone())).await;
                assert_eq!(verdict(&r), refused("missing_parent", col.name), "{}.{} -> {target}", spec.name, col.name);
                assert!(!exists(&app, spec.name, id(&row["id"])).await, "{}.{} stored nothing", spec.name, col.name);
                answers.push(r["reason"]["message"].as_str().unwrap().replace(other.as_str().unwrap(), "<id>"));
            }
            assert_eq!(answers[0], answers[1], "{}.{}: another tenant's id and a made-up one get one answer", spec.name, col.name);
            // The same row pointing at the caller's own parent applies (fresh parents where a
            // pair is unique: one registration per person, one entry per file in a collection).
            let mut own = if matches!(spec.name, "event_attendees" | "media_collection_items") { parents(&app, &a, false).await } else { mine.clone() };
            if spec.name == "event_attendees" && col.name == "user_id" {
                own.insert("users".into(), json!(a.m2.0));
            }
            let row = minimal(spec.name, a.org, &own);
            assert_eq!(verdict(&push_one(&app, &a.admin.1, create(spec.name, row)).await), applied(), "{}.{} with own parents", spec.name, col.name);
            tried += 1;
        }
    }
    assert_eq!(tried, 13, "every reference a device writes was tried");
    // An edit that moves an existing row onto another tenant's parent is refused too.
    let e = minimal("expenses", a.org, &mine);
    push_one(&app, &a.admin.1, create("expenses", e.clone())).await;
    let mut moved = e.clone();
    moved["event_id"] = theirs["events"].clone();
    assert_eq!(verdict(&push_one(&app, &a.admin.1, change("expenses", moved, &["event_id"])).await), refused("missing_parent", "event_id"));
    assert_eq!(stored(&app, "expenses", id(&e["id"]), "event_id").await, mine["events"].as_str().map(String::from));
    // So Globex's hard deletes never reach Acme's rows.
    let c = app.db.admin_client().await;
    let crossing: i64 = c
        .query_one(
            "SELECT (SELECT COUNT(*) FROM contact_interactions i JOIN contacts p ON p.id = i.contact_id WHERE i.organization_id <> p.organization_id)
                  + (SELECT COUNT(*) FROM event_attendees x JOIN events p ON p.id = x.event_id WHERE x.organization_id <> p.organization_id)
                  + (SELECT COUNT(*) FROM media_collection_items x JOIN media p ON p.id = x.media_id JOIN media_collections k ON k.id = x.collection_id WHERE k.organization_id <> p.organization_id)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(crossing, 0);
}

#[tokio::test]
async fn unstorable_text_is_a_422_naming_the_field_and_taken_ids_a_409() {
    let app = spawn_app().await;
    let r =
        app.post("/v1/register", None, json!({ "organization_name": "Ac\u{0}me", "first_name": "Ada", "last_name": "L", "email": "ada@acme.test", "password": PASSWORD })).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("organization_name")));
    let r =
        app.post("/v1/register", None, json!({ "organization_name": "Acme", "first_name": "A\u{0}da", "last_name": "L", "email": "ada@acme.test", "password": PASSWORD })).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("first_name")));
    let t = team(&app, "Acme").await;
    let r = app.post("/v1/auth/login", None, json!({ "email": "ada@acme.test\u{0}", "password": PASSWORD })).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("email")));
    let r = app.post("/v1/users", Some(&t.admin.1), json!({ "email": "x@acme.test", "password": PASSWORD, "first_name": "X\u{0}", "last_name": "Y" })).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("first_name")));
    let r = app.send(reqwest::Method::PATCH, &format!("/v1/users/{}", t.m1.0), Some(&t.admin.1), Some(json!({ "last_name": "\u{0}" }))).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("last_name")));
    // In a push, at the same rule the device applies.
    let contact = json!({ "id": Uuid::now_v7(), "organization_id": t.org, "first_name": "Gr\u{0}ace", "last_name": "H" });
    assert_eq!(verdict(&push_one(&app, &t.m1.1, create("contacts", contact)).await), refused("unstorable_text", "first_name"));
    let contact = json!({ "id": Uuid::now_v7(), "organization_id": t.org, "first_name": "Grace", "last_name": "H", "metadata": { "note": "a\u{0}b" } });
    assert_eq!(verdict(&push_one(&app, &t.m1.1, create("contacts", contact)).await), refused("unstorable_text", "metadata"));
    // Registering ids that are taken: 409, not 500.
    let r = app.post("/v1/register", None, json!({ "organization_name": "Other", "first_name": "O", "last_name": "O", "email": "o@other.test", "password": PASSWORD, "organization_id": Uuid::now_v7(), "user_id": t.m1.0 })).await;
    assert_eq!((r.status(), r.json::<Value>().await.unwrap()["field"].clone()), (StatusCode::CONFLICT, json!("user_id")));
    let r = app.post("/v1/register", None, json!({ "organization_name": "Other", "first_name": "O", "last_name": "O", "email": "o@other.test", "password": PASSWORD, "organization_id": t.org, "user_id": Uuid::now_v7() })).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn deactivating_a_user_through_sync_ends_their_sessions() {
    let app = spawn_app().await;
    let t = team(&app, "Acme").await;
    assert_eq!(app.get("/v1/me", Some(&t.m1.1)).await.status(), StatusCode::OK);
    let me: Value = app.get(&format!("/v1/users/{}", t.m1.0), Some(&t.admin.1)).await.json().await.unwrap();
    let row = json!({ "id": t.m1.0, "organization_id": t.org, "email": me["email"], "first_name": "U", "last_name": "Ser", "is_active": false });
    // A member cannot do it to another member; the admin can.
    assert_eq!(verdict(&push_one(&app, &t.m2.1, change("users", row.clone(), &["is_active"])).await).0, "rejected");
    assert_eq!(app.get("/v1/me", Some(&t.m1.1)).await.status(), StatusCode::OK);
    assert_eq!(verdict(&push_one(&app, &t.admin.1, change("users", row, &["is_active"])).await), applied());
    assert_eq!(app.get("/v1/me", Some(&t.m1.1)).await.status(), StatusCode::UNAUTHORIZED);
}
