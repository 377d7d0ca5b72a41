//! A fault-injecting HTTP proxy for sync tests: between devices and the server it drops requests,
//! drops responses after the server has acted on the request, duplicates requests, delays them, and
//! partitions the network on demand. One request per connection (clients are built without
//! connection reuse), decisions drawn from a seeded generator so a run can be replayed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Fault probabilities (0..1) and the longest added delay.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    pub drop_request: f64,
    pub drop_response: f64,
    pub duplicate: f64,
    pub max_delay: Duration,
    /// When above 0: every request with a body is cut after this fraction of it (the connection
    /// closes mid-body, as a network failing during an upload).
    pub cut_body_at: f64,
}

/// What the proxy did, for the test's report.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub dropped_responses: AtomicU64,
    pub duplicated: AtomicU64,
    pub refused_partitioned: AtomicU64,
    pub cut_bodies: AtomicU64,
}

struct State {
    upstream: SocketAddr,
    faults: Mutex<Faults>,
    partitioned: AtomicBool,
    rng: Mutex<StdRng>,
    stats: Stats,
}

/// A running proxy.
pub struct FaultProxy {
    pub addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free local port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr, seed: u64, faults: Faults) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port for the proxy");
        let addr = listener.local_addr().expect("bound");
        let state =
            Arc::new(State { upstream, faults: Mutex::new(faults), partitioned: AtomicBool::new(false), rng: Mutex::new(StdRng::seed_from_u64(seed)), stats: Stats::default() });
        let s = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = handle(s, conn).await;
                });
            }
        });
        FaultProxy { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_faults(&self, f: Faults) {
        *self.state.faults.lock().unwrap() = f;
    }

    /// Cuts (true) or restores (false) the network between devices and server.
    pub fn partition(&self, cut: bool) {
        self.state.partitioned.store(cut, Ordering::SeqCst);
    }

    pub fn stats(&self) -> &Stats {
        &self.state.stats
    }

    /// An HTTP client that opens a connection per request, as this proxy needs.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(30)).build().expect("an HTTP client")
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_request(conn: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let len: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while buf.len() < header_end + len {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    // Ask the server to close after answering, so a response ends when the connection does.
    let head = String::from_utf8_lossy(&buf[..header_end - 2]).to_string();
    let mut out: String = head.lines().filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).map(|l| format!("{l}\r\n")).collect();
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&buf[header_end..]);
    Ok(bytes)
}

async fn exchange(upstream: SocketAddr, req: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(req).await?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).await?;
    Ok(resp)
}

async fn handle(s: Arc<State>, mut conn: TcpStream) -> std::io::Result<()> {
    if s.partitioned.load(Ordering::SeqCst) {
        s.stats.refused_partitioned.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    let req = read_request(&mut conn).await?;
    s.stats.requests.fetch_add(1, Ordering::Relaxed);
    let f = *s.faults.lock().unwrap();
    let (drop_req, drop_resp, dup, delay) = {
        let mut rng = s.rng.lock().unwrap();
        let delay = if f.max_delay.is_zero() { Duration::ZERO } else { Duration::from_millis(rng.gen_range(0..=f.max_delay.as_millis() as u64)) };
        (rng.gen_bool(f.drop_request), rng.gen_bool(f.drop_response), rng.gen_bool(f.duplicate), delay)
    };
    tokio::time::sleep(delay).await;
    if drop_req {
        s.stats.dropped_requests.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    if f.cut_body_at > 0.0 {
        if let Some(end) = req.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4) {
            let body = req.len() - end;
            if body > 0 {
                s.stats.cut_bodies.fetch_add(1, Ordering::Relaxed);
                let keep = end + (body as f64 * f.cut_body_at.min(1.0)) as usize;
                let mut up = TcpStream::connect(s.upstream).await?;
                up.write_all(&req[..keep]).await?;
                up.flush().await?;
                // The server reads what came, then the connection ends mid-body.
                tokio::time::sleep(Duration::from_millis(200)).await;
                return Ok(());
            }
        }
    }
    if dup {
        s.stats.duplicated.fetch_add(1, Ordering::Relaxed);
        let (up, copy) = (s.upstream, req.clone());
        tokio::spawn(async move {
            let _ = exchange(up, &copy).await;
        });
    }
    let resp = exchange(s.upstream, &req).await?;
    if drop_resp {
        s.stats.dropped_responses.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    conn.write_all(&resp).await?;
    conn.shutdown().await
}
