//! File benchmarks, each against a baseline measured in the same run.
//!
//! (1) Upload then download of a 50 MB file through the server on loopback (the device's real
//!     client: streamed from disk, checked, kept in the blob folder; then fetched into the cache
//!     and checked), against the same bytes posted to and fetched from a plain HTTP server in
//!     this process. Goal: ≤ 2×.
//! (2) The server's memory while 10 devices upload 50 MB each at once: the process's resident
//!     size sampled during the uploads, against its size before (bodies are generated as they
//!     are sent, so the growth is the server's).
//! (3) A thumbnail of a 12-megapixel JPEG, as made when a photo is added. Goal: ≤ 300 ms.
//!
//! Run: `cargo bench -p plugs-tests --bench files`

use axum::body::Body;
use plugs_core::files::Upload;
use plugs_core::sync::{Credentials, Memory, Remote, Syncer};
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use plugs_server::{Application, Config};
use plugs_testkit::TestDb;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";
const MB: usize = 1024 * 1024;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status").ok().and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())).unwrap_or(0)
}

/// A plain HTTP server: POST consumes a body, GET serves the given bytes.
async fn plain_server(bytes: bytes::Bytes) -> std::net::SocketAddr {
    use axum::routing::{get, post};
    let app = axum::Router::new()
        .route(
            "/up",
            post(|body: Body| async move {
                let mut s = body.into_data_stream();
                let mut n = 0usize;
                while let Some(c) = futures::StreamExt::next(&mut s).await {
                    n += c.map(|c| c.len()).unwrap_or(0);
                }
                n.to_string()
            }),
        )
        .route("/down", get(move || async move { bytes.clone() }));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    addr
}

fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u32).wrapping_mul(2654435761).rotate_left(seed as u32) as u8).collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::var_os(plugs_core::vault::PASSPHRASE_ENV).is_none() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // No keychain here: the stores' keys are wrapped with a passphrase, as on a server.
        plugs_core::vault::set_passphrase(Some("a passphrase for the benchmark"));
    }
    let db = TestDb::new().await;
    plugs_server::db::migrate(&db.admin).await.unwrap();
    let blobs = tempfile::tempdir().unwrap();
    let mut config = Config::new(db.app.clone(), db.admin.clone());
    config.database_role = db.role.clone();
    config.blobs = plugs_server::blobs::Blobs::open(&blobs.path().to_string_lossy()).unwrap();
    let app = Application::build(config).await.unwrap();
    let url = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));

    // A device signed in, with a 50 MB file added.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Admin".into(), email: "ada@acme.test".into() }).unwrap();
    let creds = Arc::new(Memory::default());
    let syncer = Syncer::new(Remote::new(&url).unwrap(), creds.clone());
    syncer.register(&store, PASSWORD).await.unwrap();

    // (1) Upload + download, against a plain HTTP transfer of the same bytes.
    let file = pattern(50 * MB, 1);
    let plain = plain_server(bytes::Bytes::from(file.clone())).await;
    let http = reqwest::Client::new();
    let (mut ours, mut base) = (vec![], vec![]);
    for round in 0..3 {
        let t = Instant::now();
        let n: usize = http.post(format!("http://{plain}/up")).body(file.clone()).send().await.unwrap().text().await.unwrap().parse().unwrap();
        let back = http.get(format!("http://{plain}/down")).send().await.unwrap().bytes().await.unwrap();
        assert_eq!((n, back.len()), (file.len(), file.len()));
        base.push(t.elapsed());

        let mut f = file.clone();
        f[0] = round as u8; // new bytes each round: nothing is deduplicated
        let m = store.attach_file(&Upload { file_name: format!("talk-{round}.mp4"), mime_type: "video/mp4".into(), ..Default::default() }, &f).unwrap();
        syncer.sync_once(&store, |_| {}).await.unwrap();
        let sha = m.metadata["sha256"].as_str().unwrap().to_owned();
        let t = Instant::now();
        let up = syncer.transfer_files(&store, |_| {}).await.unwrap();
        assert_eq!(up.uploaded, 1);
        let up_time = t.elapsed();
        // The download side: the bytes leave this device, then come back through the server.
        std::fs::remove_file(store.blob_path(&sha)).unwrap();
        syncer.sync_once(&store, |_| {}).await.unwrap();
        let t = Instant::now();
        let p = syncer.fetch_file(&store, m.id, |_| {}).await.unwrap();
        let down_time = t.elapsed();
        assert_eq!(std::fs::metadata(p).unwrap().len() as usize, f.len());
        ours.push(up_time + down_time);
        println!(
            "    round {round}: upload {:>6.0} ms, download {:>6.0} ms; plain HTTP both ways {:>6.0} ms",
            up_time.as_secs_f64() * 1e3,
            down_time.as_secs_f64() * 1e3,
            base[round].as_secs_f64() * 1e3
        );
    }
    ours.sort();
    base.sort();
    let (o, b) = (ours[1].as_secs_f64(), base[1].as_secs_f64());
    println!("(1) 50 MB up and down through the server: median {:.0} ms; plain HTTP on loopback {:.0} ms; ratio {:.2}× (goal ≤ 2×)", o * 1e3, b * 1e3, o / b);

    // (2) Ten devices upload 50 MB each at once; the process's memory meanwhile.
    let token = creds.load().unwrap().unwrap().access_token;
    let mut ids = vec![];
    for i in 0..10u8 {
        let bytes = pattern(50 * MB, i + 10);
        let m = store.attach_file(&Upload { file_name: format!("device-{i}.bin"), mime_type: "application/octet-stream".into(), ..Default::default() }, &bytes).unwrap();
        std::fs::remove_file(store.blob_path(m.metadata["sha256"].as_str().unwrap())).unwrap();
        ids.push((m.id, i + 10));
    }
    syncer.sync_once(&store, |_| {}).await.unwrap();
    let before = rss_kb();
    let peak = Arc::new(AtomicU64::new(before));
    let p2 = peak.clone();
    let sampler = tokio::spawn(async move {
        loop {
            p2.fetch_max(rss_kb(), Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let t = Instant::now();
    let mut tasks = vec![];
    for (id, seed) in ids {
        let (url, token) = (url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            // The body is made 1 MB at a time as it is sent: the client holds no whole file.
            let chunks = futures::stream::iter((0..50).map(move |k| {
                let all = pattern(50 * MB, seed);
                Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(&all[k * MB..(k + 1) * MB]))
            }));
            let r = reqwest::Client::new()
                .patch(format!("{url}/v1/media/{id}/upload"))
                .bearer_auth(token)
                .header("Upload-Offset", "0")
                .header("Content-Length", (50 * MB).to_string())
                .body(reqwest::Body::wrap_stream(chunks))
                .send()
                .await
                .unwrap();
            let v: serde_json::Value = r.json().await.unwrap();
            assert_eq!(v["status"], "ready", "{v}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    sampler.abort();
    let peak = peak.load(Ordering::Relaxed);
    println!(
        "(2) 10 devices × 50 MB at once in {:.1} s: resident memory {} MB before, peak {} MB during (+{} MB for 500 MB received)",
        t.elapsed().as_secs_f64(),
        before / 1024,
        peak / 1024,
        (peak.saturating_sub(before)) / 1024
    );
    println!("    (the client side here regenerates each 50 MB pattern per chunk, so part of the growth is the client's)");

    // (3) A thumbnail of a 12 MP photo.
    // Gradients with sensor-like noise, so the JPEG is as large as a phone's (several MB).
    let mut seed = 0x2545F491u32;
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = (seed % 48) as u8;
        image::Rgb([((x / 16) as u8).wrapping_add(n), ((y / 12) as u8).wrapping_add(n / 2), (((x + y) / 28) as u8).wrapping_add(n / 3)])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg).unwrap();
    let mut times = vec![];
    for _ in 0..7 {
        let t = Instant::now();
        let (thumb, w, h) = plugs_core::files::thumbnail(&jpeg).unwrap();
        times.push(t.elapsed());
        assert!(w <= 320 && h <= 320 && !thumb.is_empty());
    }
    times.sort();
    println!(
        "(3) thumbnail of a 12 MP JPEG ({:.1} MB): median {:.0} ms, max {:.0} ms (goal ≤ 300 ms)",
        jpeg.len() as f64 / MB as f64,
        times[3].as_secs_f64() * 1e3,
        times[6].as_secs_f64() * 1e3
    );
}
