//! Files travel with their rows: a receipt attached offline reaches the approver's device with
//! its bytes and thumbnail; a private file reaches its owner's other device and nobody else; a
//! large file downloads when opened; a 50 MB upload cut at 90% by the network goes on from there.

mod common;

use common::{add_member, first_device, second_device, Cloud, Device};
use plugs_core::files::Upload;
use plugs_core::sync::{Credentials, Remote, Syncer};
use plugs_core::tables::media::Media;
use plugs_testkit::proxy::{FaultProxy, Faults};
use serde_json::json;
use std::sync::Arc;

fn photo(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x as u8).wrapping_mul(seed), (y as u8).wrapping_add(seed), seed]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
    out
}

fn upload(name: &str, expense: Option<uuid::Uuid>) -> Upload {
    Upload { file_name: name.into(), mime_type: "image/jpeg".into(), expense_id: expense, ..Default::default() }
}

async fn files(d: &Device) -> plugs_core::sync::FilesReport {
    d.syncer.transfer_files(&d.store, |_| {}).await.unwrap_or_else(|e| panic!("file transfer failed: {e}"))
}

fn media(d: &Device, id: uuid::Uuid) -> Option<Media> {
    d.store.repo::<Media>().get(id).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_added_offline_reaches_the_approver_with_its_bytes() {
    let blobs = tempfile::tempdir().unwrap();
    let dir = blobs.path().to_string_lossy().into_owned();
    let cloud = Cloud::start_with(move |c| c.blobs = plugs_server::blobs::Blobs::open(&dir).unwrap()).await;
    let admin = first_device(&cloud, "Acme", "ada@acme.test").await;
    add_member(&cloud, &admin, "bo@acme.test", "Bo").await;
    let bo = second_device(&cloud, "bo@acme.test").await;

    // Offline on Bo's laptop: an expense and its receipt.
    let x = bo
        .store
        .table("expenses")
        .unwrap()
        .create(json!({ "title": "Taxi", "amount": "42.00", "currency": "EUR", "expense_type": "travel", "expense_date": "2026-11-20" }).as_object().unwrap().clone())
        .unwrap();
    let xid: uuid::Uuid = x["id"].as_str().unwrap().parse().unwrap();
    let receipt = photo(1200, 800, 3);
    let m = bo.store.attach_file(&upload("taxi.jpg", Some(xid)), &receipt).unwrap();
    assert_eq!(m.status.as_str(), "processing");
    assert_eq!(plugs_core::sync::files::upload_queue(&bo.store).unwrap(), (1, receipt.len() as i64));

    // Online: the row, then the bytes.
    bo.sync().await;
    let up = files(&bo).await;
    assert_eq!((up.uploaded, up.failed), (1, 0));
    bo.sync().await;
    assert_eq!(media(&bo, m.id).unwrap().status.as_str(), "ready", "the server said the bytes are there");
    assert_eq!(plugs_core::sync::files::upload_queue(&bo.store).unwrap(), (0, 0));

    // The admin's laptop: the row, its receipt and thumbnail arrive; the bytes are Bo's.
    admin.sync().await;
    let down = files(&admin).await;
    assert_eq!(down.downloaded, 2, "the receipt and its thumbnail");
    let seen = media(&admin, m.id).unwrap();
    assert_eq!(seen.file_url.as_deref(), Some(format!("{}/v1/media/{}/content", cloud.url(), m.id).as_str()));
    assert_eq!(admin.store.media_bytes(m.id).unwrap().1, receipt);
    assert!(admin.store.media_data_url(m.id).unwrap().starts_with("data:image/jpeg;base64,"));
    let x2 = admin.store.table("expenses").unwrap().get(xid).unwrap();
    assert_eq!(x2["metadata"]["receipt_media_id"], json!(m.id));

    // The cache's bound: downloaded files go, least recently used first; thumbnails stay; an
    // evicted file comes back when opened.
    admin.store.set_app_setting("media_cache_mb", "0").unwrap();
    assert_eq!(admin.store.set_app_setting("media_cache_mb", "-1").unwrap_err().to_payload().field.as_deref(), Some("media_cache_mb"));
    assert_eq!(admin.store.trim_file_cache().unwrap(), receipt.len() as u64);
    assert!(admin.store.media_bytes(m.id).is_err());
    assert!(admin.store.media_data_url(m.id).is_ok(), "the thumbnail stays");
    admin.syncer.fetch_file(&admin.store, m.id, |_| {}).await.unwrap();
    assert_eq!(admin.store.media_bytes(m.id).unwrap().1, receipt);
    admin.store.set_app_setting("media_cache_mb", "1024").unwrap();
    // Files added here and not uploaded yet are never evicted.
    let waiting = photo(500, 400, 11);
    let wm = admin.store.attach_file(&upload("waiting.jpg", None), &waiting).unwrap();
    admin.store.set_app_setting("media_cache_mb", "0").unwrap();
    admin.store.trim_file_cache().unwrap();
    assert_eq!(admin.store.media_bytes(wm.id).unwrap().1, waiting);
    admin.store.set_app_setting("media_cache_mb", "1024").unwrap();

    // A large file: its row and thumbnail come at once, its bytes when opened.
    let big = photo(3000, 2200, 7);
    let mut big_padded = big.clone();
    big_padded.resize(6 * 1024 * 1024, 0);
    let bm = bo.store.attach_file(&upload("booth.jpg", None), &big_padded).unwrap();
    bo.sync().await;
    files(&bo).await;
    admin.sync().await;
    files(&admin).await;
    let err = admin.store.media_bytes(bm.id).unwrap_err().to_payload();
    assert_eq!(err.code, "not_on_this_device");
    assert!(err.message.contains("on the server"), "{}", err.message);
    // A download cut earlier goes on from what arrived (a `.part` with the first 3 MB)...
    let big_sha = bm.metadata["sha256"].as_str().unwrap().to_owned();
    let part = admin.store.leave_cut_download(&big_sha, &big_padded[..3 * 1024 * 1024]).unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let path = admin.syncer.fetch_file(&admin.store, bm.id, move |p| s2.lock().unwrap().push(p.done)).await.unwrap();
    assert!(plugs_core::vault::is_sealed(&path), "kept sealed");
    assert_eq!(admin.store.read_blob(&big_sha).unwrap(), big_padded);
    assert!(seen.lock().unwrap().iter().all(|d| *d >= 3 * 1024 * 1024), "resumed, not restarted: {:?}", seen.lock().unwrap());
    assert!(!part.exists());
    // ...and one whose kept bytes are wrong never becomes the file: it is fetched again whole.
    std::fs::remove_file(&path).unwrap();
    admin.store.leave_cut_download(&big_sha, &vec![0u8; 1024 * 1024]).unwrap();
    let err = admin.syncer.fetch_file(&admin.store, bm.id, |_| {}).await.unwrap_err().to_payload();
    assert_eq!(err.code, "damaged");
    assert!(!path.exists() && !part.exists());
    let path = admin.syncer.fetch_file(&admin.store, bm.id, |_| {}).await.unwrap();
    assert_eq!(admin.store.read_blob(&big_sha).unwrap(), big_padded);
    assert!(path.exists());

    // Private: Bo's other laptop gets row and bytes; the admin neither.
    let secret = photo(300, 200, 9);
    let mut u = upload("mine.jpg", None);
    u.title = Some("Mine".into());
    let pm = bo.store.attach_file(&u, &secret).unwrap();
    bo.store.repo::<Media>().update(pm.id, &json!({ "access_level": "private" })).unwrap();
    bo.sync().await;
    files(&bo).await;
    let bo2 = second_device(&cloud, "bo@acme.test").await;
    files(&bo2).await;
    assert_eq!(bo2.store.media_bytes(pm.id).unwrap().1, secret);
    admin.sync().await;
    files(&admin).await;
    assert!(media(&admin, pm.id).is_none(), "a teammate does not get the private row");
    let tok = admin.credentials.load().unwrap().unwrap().access_token;
    let r = reqwest::Client::new().get(format!("{}/v1/media/{}/content", cloud.url(), pm.id)).bearer_auth(tok).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404, "nor its bytes");

    // Deleted everywhere: the bytes leave this device at the next round.
    bo.store.repo::<Media>().delete(m.id).unwrap();
    bo.sync().await;
    admin.sync().await;
    files(&admin).await;
    assert!(admin.store.blob_path(m.metadata["sha256"].as_str().unwrap()).exists(), "a tombstone keeps its bytes until it is purged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_upload_cut_at_90_percent_goes_on_from_there() {
    let blobs = tempfile::tempdir().unwrap();
    let dir = blobs.path().to_string_lossy().into_owned();
    let cloud = Cloud::start_with(move |c| c.blobs = plugs_server::blobs::Blobs::open(&dir).unwrap()).await;
    let proxy = FaultProxy::start(cloud.addr, 7, Faults::default()).await;
    let first = first_device(&cloud, "Acme", "ada@acme.test").await;
    let tokens = first.credentials.load().unwrap().unwrap();
    // The same account, its traffic through the faulty network.
    let creds = Arc::new(plugs_core::sync::Memory::default());
    creds.save(&tokens).unwrap();
    let syncer = Syncer::new(Remote::with_client(&proxy.url(), FaultProxy::client).unwrap(), creds.clone());

    let mut video = photo(64, 64, 1);
    video.resize(50 * 1024 * 1024 - 1, 0x5a);
    let m = first.store.attach_file(&Upload { file_name: "keynote.mp4".into(), mime_type: "video/mp4".into(), ..Default::default() }, &video).unwrap();
    first.sync().await;

    proxy.set_faults(Faults { cut_body_at: 0.9, ..Default::default() });
    let cut = syncer.transfer_files(&first.store, |_| {}).await;
    assert!(cut.is_err(), "the network failed during the upload");
    assert_eq!(proxy.stats().cut_bodies.load(std::sync::atomic::Ordering::Relaxed), 1);
    let remote = Remote::new(&cloud.url()).unwrap();
    let tok = creds.load().unwrap().unwrap().access_token;
    let mut kept = 0;
    for _ in 0..50 {
        kept = remote.upload_state(&tok, m.id).await.unwrap().received;
        if kept > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(kept as f64 >= video.len() as f64 * 0.85 && kept < video.len() as u64, "kept {kept} of {} bytes", video.len());

    proxy.set_faults(Faults::default());
    let sent = Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let s2 = sent.clone();
    let done = syncer.transfer_files(&first.store, move |p| s2.lock().unwrap().push(p.done)).await.unwrap();
    assert_eq!(done.uploaded, 1);
    let st = remote.upload_state(&tok, m.id).await.unwrap();
    assert_eq!((st.status.as_str(), st.received), ("ready", video.len() as u64));
    // It went on from what the server had: no progress report below the kept bytes.
    assert!(sent.lock().unwrap().iter().all(|d| *d as u64 >= kept), "{:?}", sent.lock().unwrap());
    let got = reqwest::Client::new().get(format!("{}/v1/media/{}/content", cloud.url(), m.id)).bearer_auth(&tok).send().await.unwrap().bytes().await.unwrap();
    assert!(got.as_ref() == video.as_slice(), "the bytes on the server are the file's");
}
