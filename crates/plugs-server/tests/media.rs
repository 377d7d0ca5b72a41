//! Files' bytes through the server, against a local folder and against a real S3-protocol server
//! (moto, installed by the test command): upload in one go and resumed after a cut, download with
//! ranges, one copy of the same bytes, the quota, a checksum that does not match, a program named
//! `.jpg`, private files, other organizations, thumbnails and garbage collection.

mod common;

use common::{spawn_app_with, token, TestApp, PASSWORD};
use plugs_server::blobs::Blobs;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn id(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().expect("an id")).unwrap()
}

fn sha(b: &[u8]) -> String {
    format!("{:x}", Sha256::digest(b))
}

/// Bytes that look like a JPEG, `n` long, different for each `seed`.
fn jpeg(n: usize, seed: u8) -> Vec<u8> {
    let mut v: Vec<u8> = (0..n).map(|i| (i as u32).wrapping_mul(2654435761).rotate_left(seed as u32) as u8).collect();
    v[..11].copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0]);
    v
}

async fn push_media(app: &TestApp, tok: &str, org: Uuid, bytes: &[u8], extra: Value) -> (Uuid, Value) {
    let mid = Uuid::now_v7();
    let mut row = json!({ "id": mid, "organization_id": org, "title": "Receipt", "file_name": "receipt.jpg", "file_path": format!("media/{mid}.jpg"),
        "media_type": "image", "mime_type": "image/jpeg", "file_size": bytes.len(), "metadata": { "sha256": sha(bytes) }, "status": "ready" });
    for (k, v) in extra.as_object().unwrap() {
        row[k] = v.clone();
    }
    let t = plugs_domain::Timestamp::now().to_string();
    let fields: Map<String, Value> = row.as_object().unwrap().keys().filter(|k| *k != "id" && *k != "organization_id").map(|k| (k.clone(), Value::String(t.clone()))).collect();
    let ch = json!({ "mutation_id": Uuid::now_v7(), "table": "media", "record_id": mid, "kind": "upsert", "fields": fields, "row": row });
    let r = app.post("/v1/sync/push", Some(tok), json!({ "device_id": Uuid::now_v7(), "client_time": t, "changes": [ch] })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    (mid, body["results"][0].clone())
}

async fn state(app: &TestApp, tok: &str, mid: Uuid) -> (StatusCode, Value) {
    let r = app.get(&format!("/v1/media/{mid}/upload"), Some(tok)).await;
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn send(app: &TestApp, tok: &str, mid: Uuid, offset: usize, body: reqwest::Body) -> (StatusCode, Value) {
    let r = app
        .http
        .patch(app.url(&format!("/v1/media/{mid}/upload")))
        .bearer_auth(tok)
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .send()
        .await;
    match r {
        Ok(r) => (r.status(), r.json().await.unwrap_or(Value::Null)),
        Err(_) => (StatusCode::BAD_REQUEST, Value::Null),
    }
}

async fn download(app: &TestApp, tok: &str, mid: Uuid, range: Option<&str>) -> reqwest::Response {
    let mut r = app.http.get(app.url(&format!("/v1/media/{mid}/content"))).bearer_auth(tok);
    if let Some(range) = range {
        r = r.header("Range", range);
    }
    r.send().await.unwrap()
}

async fn stored(app: &TestApp, mid: Uuid, col: &str) -> Option<String> {
    let c = app.db.admin_client().await;
    c.query_opt(&format!("SELECT {col}::text FROM media WHERE id = $1"), &[&mid]).await.unwrap().and_then(|r| r.get(0))
}

async fn blob_rows(app: &TestApp) -> i64 {
    app.db.admin_client().await.query_one("SELECT count(*) FROM media_blobs", &[]).await.unwrap().get(0)
}

async fn exercise(app: TestApp, blobs: Blobs) {
    let a = app.register("Acme", "ada@acme.test").await;
    let (org, admin) = (id(&a["organization"]["id"]), token(&a));
    app.add_user(&admin, "bo@acme.test", false).await;
    let bo: Value = app.login("bo@acme.test", PASSWORD).await.json().await.unwrap();
    let bo = token(&bo);
    let other = app.register("Other", "eve@other.test").await;
    let eve = token(&other);

    // One go: the device's "ready" is not believed; the bytes make it ready.
    let receipt = jpeg(3 * 1024 * 1024 + 17, 1);
    let (mid, r) = push_media(&app, &admin, org, &receipt, json!({})).await;
    assert_eq!(r["outcome"], "applied", "{r}");
    assert_eq!(stored(&app, mid, "status").await.as_deref(), Some("processing"));
    let (s, st) = state(&app, &admin, mid).await;
    assert_eq!((s, st["received"].as_u64(), st["status"].as_str()), (StatusCode::OK, Some(0), Some("processing")));
    assert_eq!(download(&app, &admin, mid, None).await.status(), StatusCode::NOT_FOUND, "no bytes yet");
    let (s, st) = send(&app, &admin, mid, 0, receipt.clone().into()).await;
    assert_eq!((s, st["status"].as_str()), (StatusCode::OK, Some("ready")), "{st}");
    assert_eq!(stored(&app, mid, "status").await.as_deref(), Some("ready"));
    assert_eq!(stored(&app, mid, "file_url").await, Some(format!("http://{}/v1/media/{mid}/content", app.addr)));
    let r = download(&app, &bo, mid, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("inline"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), receipt.as_slice(), "a teammate gets the bytes");
    let r = download(&app, &bo, mid, Some("bytes=100-199")).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-range"], format!("bytes 100-199/{}", receipt.len()).as_str());
    assert_eq!(r.bytes().await.unwrap().as_ref(), &receipt[100..200]);
    assert_eq!(download(&app, &bo, mid, Some("bytes=99999999-")).await.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    // Another organization: the same answer as for a file that does not exist.
    let (s1, b1) = (download(&app, &eve, mid, None).await.status(), state(&app, &eve, mid).await.0);
    let (s2, _) = (download(&app, &eve, Uuid::now_v7(), None).await.status(), ());
    assert_eq!((s1, b1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(send(&app, &eve, mid, 0, vec![1u8; 10].into()).await.0, StatusCode::NOT_FOUND);

    // The same bytes again (another row the caller can see): ready at once, stored once.
    let (twin, _) = push_media(&app, &admin, org, &receipt, json!({ "title": "Receipt again" })).await;
    let (_, st) = state(&app, &admin, twin).await;
    assert_eq!(st["status"], "ready", "{st}");
    assert_eq!(blob_rows(&app).await, 1);

    // Cut at 90%: what arrived is kept; the rest follows from there; the whole is checked.
    let big = jpeg(12 * 1024 * 1024, 2);
    let (cut, _) = push_media(&app, &admin, org, &big, json!({ "file_name": "big.jpg" })).await;
    let cut_at = big.len() * 9 / 10;
    let head = big[..cut_at].to_vec();
    let failing = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(head)), Err(std::io::Error::other("the network went away"))]);
    let (s, _) = send(&app, &admin, cut, 0, reqwest::Body::wrap_stream(failing)).await;
    assert_ne!(s, StatusCode::OK);
    let mut received = 0;
    for _ in 0..50 {
        received = state(&app, &admin, cut).await.1["received"].as_u64().unwrap() as usize;
        if received > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(received > big.len() / 2 && received <= cut_at, "kept {received} of {cut_at} sent");
    let (s, st) = send(&app, &admin, cut, 0, big[..1024].to_vec().into()).await;
    assert_eq!((s, st["code"].as_str()), (StatusCode::CONFLICT, Some("offset_mismatch")), "an offset not received is refused");
    let (s, st) = send(&app, &admin, cut, received, big[received..].to_vec().into()).await;
    assert_eq!((s, st["status"].as_str()), (StatusCode::OK, Some("ready")), "{st}");
    assert_eq!(download(&app, &admin, cut, None).await.bytes().await.unwrap().as_ref(), big.as_slice());

    // Bytes that are not the declared ones: refused, nothing kept, never ready.
    let (bad, _) = push_media(&app, &admin, org, &jpeg(1000, 3), json!({ "file_name": "x.jpg" })).await;
    let (s, st) = send(&app, &admin, bad, 0, jpeg(1000, 4).into()).await;
    assert_eq!((s, st["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("checksum_mismatch")), "{st}");
    assert_eq!(state(&app, &admin, bad).await.1["received"], 0);
    assert_eq!(stored(&app, bad, "status").await.as_deref(), Some("processing"));
    let (s, st) = send(&app, &admin, bad, 0, jpeg(1200, 3).into()).await;
    assert_eq!((s, st["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_long")), "more than the declared size: {st}");

    // A program named .jpg: kept as a download, never previewed.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.resize(4096, 7);
    let (prog, _) = push_media(&app, &admin, org, &exe, json!({ "file_name": "../../holiday.jpg" })).await;
    assert_eq!(stored(&app, prog, "file_name").await.as_deref(), Some("holiday.jpg"), "names are made safe");
    assert_eq!(send(&app, &admin, prog, 0, exe.clone().into()).await.1["status"], "ready");
    assert_eq!(stored(&app, prog, "media_type").await.as_deref(), Some("document"));
    assert_eq!(stored(&app, prog, "mime_type").await.as_deref(), Some("application/octet-stream"));
    assert!(stored(&app, prog, "metadata").await.unwrap().contains("program"));
    let r = download(&app, &bo, prog, None).await;
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"holiday.jpg\""));

    // Private: the uploader's other sessions get it; a teammate gets neither row nor bytes.
    let secret = jpeg(2048, 5);
    let (private, _) = push_media(&app, &bo, org, &secret, json!({ "access_level": "private" })).await;
    assert_eq!(send(&app, &bo, private, 0, secret.clone().into()).await.1["status"], "ready");
    let bo_again: Value = app.login("bo@acme.test", PASSWORD).await.json().await.unwrap();
    assert_eq!(download(&app, &token(&bo_again), private, None).await.bytes().await.unwrap().as_ref(), secret.as_slice());
    assert_eq!(download(&app, &admin, private, None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(state(&app, &admin, private).await.0, StatusCode::NOT_FOUND);
    // Nor can the teammate claim the private bytes by declaring their checksum.
    let (claim, _) = push_media(&app, &admin, org, &secret, json!({})).await;
    assert_eq!(state(&app, &admin, claim).await.1["status"], "processing", "the same checksum alone does not give the bytes");

    // Thumbnails: an image whose checksum the row declares.
    let thumb = jpeg(4000, 6);
    let (with_thumb, _) = push_media(&app, &admin, org, &receipt, json!({ "metadata": { "sha256": sha(&receipt), "thumbnail": { "sha256": sha(&thumb) } } })).await;
    let put = |body: Vec<u8>| app.http.put(app.url(&format!("/v1/media/{with_thumb}/thumbnail"))).bearer_auth(&admin).body(body).send();
    assert_eq!(put(jpeg(4000, 9)).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(put(b"not an image".repeat(10)).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(put(thumb.clone()).await.unwrap().status(), StatusCode::NO_CONTENT);
    let r = app.http.get(app.url(&format!("/v1/media/{with_thumb}/thumbnail"))).bearer_auth(&bo).send().await.unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), thumb.as_slice());

    // A file over 50 MB is refused by the rule before any byte is sent.
    let (_, r) = push_media(&app, &admin, org, &receipt, json!({ "file_size": 60 * 1024 * 1024 })).await;
    assert_eq!((r["outcome"].as_str(), r["reason"]["field"].as_str()), (Some("rejected"), Some("file_size")), "{r}");

    // Garbage collection: bytes stay while a row (even a tombstone) names them, go when none does.
    let pool = app_pool(&app);
    let gc = |grace: u64| plugs_server::media::collect_garbage(&pool, &blobs, std::time::Duration::from_secs(grace), std::time::Duration::from_secs(3600));
    let (removed, _) = gc(0).await.unwrap();
    assert_eq!(removed, 0, "every blob is named by a row");
    let c = app.db.admin_client().await;
    c.execute("UPDATE media SET is_deleted = true, deleted_at = NOW() WHERE id = ANY($1)", &[&vec![mid, twin, with_thumb]]).await.unwrap();
    assert_eq!(gc(0).await.unwrap().0, 0, "tombstones keep their bytes until the purge");
    c.execute("DELETE FROM media WHERE id = ANY($1)", &[&vec![mid, twin]]).await.unwrap();
    assert_eq!(gc(0).await.unwrap().0, 0, "another row (a tombstone) still names the receipt");
    c.execute("DELETE FROM media WHERE id = $1", &[&with_thumb]).await.unwrap();
    assert_eq!(gc(3600).await.unwrap().0, 0, "within the grace nothing goes");
    assert_eq!(gc(0).await.unwrap().0, 2, "the receipt and its thumbnail go");
    assert_eq!(blobs.size(org, &sha(&receipt)).await.unwrap(), None);
    assert!(blobs.size(org, &sha(&big)).await.unwrap().is_some(), "live files keep their bytes");
    // An abandoned upload (its row gone) is removed too.
    let halved = jpeg(2 * 1024 * 1024, 8);
    let (half, _) = push_media(&app, &admin, org, &halved, json!({})).await;
    let part = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(halved[..1024 * 1024].to_vec())), Err(std::io::Error::other("gone"))]);
    send(&app, &admin, half, 0, reqwest::Body::wrap_stream(part)).await;
    for _ in 0..50 {
        if state(&app, &admin, half).await.1["received"].as_u64() > Some(0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    c.execute("DELETE FROM media WHERE id = $1", &[&half]).await.unwrap();
    assert!(state(&app, &admin, half).await.0 == StatusCode::NOT_FOUND);
    let (_, abandoned) = gc(0).await.unwrap();
    assert_eq!(abandoned, 1, "the upload whose row is gone");
}

fn app_pool(app: &TestApp) -> deadpool_postgres::Pool {
    let mut config = plugs_server::Config::new(app.db.app.clone(), app.db.admin.clone());
    config.database_role = app.db.role.clone();
    plugs_server::db::pool(&config).unwrap()
}

#[tokio::test]
async fn files_travel_through_a_local_folder() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::open(&dir.path().to_string_lossy()).unwrap();
    let b = blobs.clone();
    let app = spawn_app_with(move |c| c.blobs = b).await;
    exercise(app, blobs).await;
}

/// The quota (4 MB here): an organization's files may not take more than it allows; a file
/// that does not fit waits, with the reason, until there is room.
async fn quota_scenario(app: TestApp) {
    let a = app.register("Acme", "ada@acme.test").await;
    let (org, admin) = (id(&a["organization"]["id"]), token(&a));
    let first = jpeg(3 * 1024 * 1024, 1);
    let (m1, _) = push_media(&app, &admin, org, &first, json!({})).await;
    assert_eq!(send(&app, &admin, m1, 0, first.clone().into()).await.1["status"], "ready");
    let second = jpeg(2 * 1024 * 1024, 2);
    let (m2, _) = push_media(&app, &admin, org, &second, json!({})).await;
    let (s, st) = send(&app, &admin, m2, 0, second.clone().into()).await;
    assert_eq!((s, st["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("quota_exceeded")), "{st}");
    assert_eq!(st["message"], "the organization's files would take 5 MB of its 4 MB");
    assert_eq!(stored(&app, m2, "status").await.as_deref(), Some("processing"));
    // The device asks first, and is told why it should wait rather than send 2 MB for nothing.
    let (_, st) = state(&app, &admin, m2).await;
    assert_eq!((st["status"].as_str(), st["failure"].as_str()), (Some("processing"), Some("waiting for room: the organization's files would take 5 MB of its 4 MB")));
    // Room made (the first file purged, its blob collected): the file goes up.
    let c = app.db.admin_client().await;
    c.execute("DELETE FROM media WHERE id = $1", &[&m1]).await.unwrap();
    c.execute("DELETE FROM media_blobs", &[]).await.unwrap();
    let (_, st) = state(&app, &admin, m2).await;
    assert_eq!(st["failure"], Value::Null);
    assert_eq!(send(&app, &admin, m2, 0, second.clone().into()).await.1["status"], "ready");
}

#[tokio::test]
async fn the_quota_is_enforced_with_a_clear_error() {
    quota_scenario(spawn_app_with(|c| c.org_quota_bytes = 4 * 1024 * 1024).await).await;
}

/// moto's S3 server, started for the test on a free port.
struct Moto(std::process::Child, String);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn moto() -> Option<Moto> {
    let bin = std::env::var("PLUGS_MOTO_SERVER").ok().filter(|p| std::path::Path::new(p).exists()).or_else(|| which("moto_server"));
    let Some(bin) = bin else {
        assert!(std::env::var_os("CI").is_none(), "moto_server is not installed; the test command installs it (PLUGS_MOTO_SERVER)");
        eprintln!("skipped: moto_server not installed (./scripts/test installs it)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child =
        std::process::Command::new(bin).args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let moto = Moto(child, format!("http://127.0.0.1:{port}"));
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(moto);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("moto_server did not start");
}

fn which(name: &str) -> Option<String> {
    std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|f| f.exists())).map(|f| f.to_string_lossy().into_owned())
}

/// A bucket on moto, opened the way the server opens `PLUGS_BLOBS=s3://bucket/prefix`.
async fn s3(moto: &Moto, bucket: &str) -> Blobs {
    reqwest::Client::new().put(format!("{}/{bucket}", moto.1)).send().await.unwrap().error_for_status().unwrap();
    // The same values from every test of this binary: the store reads them as it is built.
    for (k, v) in [("AWS_ENDPOINT", moto.1.as_str()), ("AWS_ALLOW_HTTP", "true"), ("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"), ("AWS_REGION", "us-east-1")] {
        std::env::set_var(k, v);
    }
    Blobs::open(&format!("s3://{bucket}/team")).unwrap()
}

#[tokio::test]
async fn the_quota_holds_on_s3_too() {
    let Some(moto) = moto() else { return };
    let blobs = s3(&moto, "plugs-quota").await;
    quota_scenario(
        spawn_app_with(move |c| {
            c.blobs = blobs;
            c.org_quota_bytes = 4 * 1024 * 1024;
        })
        .await,
    )
    .await;
}

#[tokio::test]
async fn files_travel_through_s3() {
    let Some(moto) = moto() else { return };
    let blobs = s3(&moto, "plugs-files").await;
    let b = blobs.clone();
    let app = spawn_app_with(move |c| c.blobs = b).await;
    exercise(app, blobs).await;
    // The bytes are really in the bucket, under the prefix.
    let listing = reqwest::Client::new().get(format!("{}/plugs-files?list-type=2&prefix=team/", moto.1)).send().await.unwrap().text().await.unwrap();
    assert!(listing.contains("/blobs/"), "{listing}");
}
