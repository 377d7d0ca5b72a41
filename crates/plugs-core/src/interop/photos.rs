//! Photos linked by address (a vCard `PHOTO` holding an http(s) URL). They are downloaded before
//! the import writes anything, so that they become media items of their contact like embedded
//! photos, with the address kept as the item's `file_url`. A photo that cannot be fetched (no
//! network at the venue, a dead link, not an image, too large) does not stop the import: the
//! contact keeps the address as its avatar link and the report says why.
//!
//! Limits: a few downloads at a time; a host that cannot be reached is not tried again in the
//! same import (so a file of 10 000 links to an unreachable host costs one timeout, not 10 000);
//! each photo at most [`MAX_BYTES`]; all downloads together at most [`BUDGET`].

use super::{Draft, ImportNote, Photo};
use std::collections::HashSet;
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The largest photo downloaded.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// How long all the downloads of one import may take together.
pub const BUDGET: Duration = Duration::from_secs(120);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(4);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
const WORKERS: usize = 4;

/// Downloads every linked photo of `drafts`, turning each one fetched into [`Photo::Fetched`]. One
/// that cannot be fetched stays a [`Photo::Link`] and gets a warning in `warnings`.
pub(crate) fn fetch_linked(drafts: &mut [Draft], warnings: &mut Vec<ImportNote>) {
    let jobs: Vec<(usize, String)> = drafts
        .iter()
        .enumerate()
        .filter_map(|(i, d)| match &d.photo {
            Some(Photo::Link(url)) => Some((i, url.clone())),
            _ => None,
        })
        .collect();
    if jobs.is_empty() {
        return;
    }
    let queue = Mutex::new(jobs.into_iter());
    let dead_hosts = Mutex::new(HashSet::<String>::new());
    let results = Mutex::new(Vec::<(usize, Result<(Vec<u8>, String), String>)>::new());
    let deadline = Instant::now() + BUDGET;
    // Plain threads: the blocking client must not run on an async runtime's thread, and the
    // caller may be one.
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                let client = reqwest::blocking::Client::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .timeout(REQUEST_TIMEOUT)
                    .user_agent(concat!("ThePlugs/", env!("CARGO_PKG_VERSION")))
                    .build();
                loop {
                    let Some((i, url)) = queue.lock().expect("queue").next() else { break };
                    let host = reqwest::Url::parse(&url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
                    let r = if Instant::now() >= deadline {
                        Err(format!("not downloaded: the import's {} s for photo downloads ran out", BUDGET.as_secs()))
                    } else if dead_hosts.lock().expect("hosts").contains(&host) {
                        Err(format!("not downloaded: {host} could not be reached earlier in this import"))
                    } else {
                        match &client {
                            Ok(c) => fetch(c, &url, deadline).map_err(|(e, unreachable)| {
                                if unreachable {
                                    dead_hosts.lock().expect("hosts").insert(host.clone());
                                }
                                e
                            }),
                            Err(e) => Err(format!("not downloaded: {e}")),
                        }
                    };
                    results.lock().expect("results").push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(i, _)| *i);
    for (i, r) in results {
        let d = &mut drafts[i];
        let Some(Photo::Link(url)) = d.photo.take() else { continue };
        d.photo = Some(match r {
            Ok((bytes, mime)) => Photo::Fetched { bytes, mime, url },
            Err(reason) => {
                warnings.push(ImportNote { location: d.location.clone(), reason: format!("PHOTO {url}: {reason}; kept as the contact's avatar link") });
                Photo::Link(url)
            }
        });
    }
}

/// One download. The error says whether the host itself could not be reached.
fn fetch(client: &reqwest::blocking::Client, url: &str, deadline: Instant) -> Result<(Vec<u8>, String), (String, bool)> {
    let left = deadline.saturating_duration_since(Instant::now()).min(REQUEST_TIMEOUT);
    let resp = client.get(url).timeout(left).send().map_err(|e| {
        let unreachable = e.is_connect() || e.is_timeout();
        (format!("not downloaded: {}", if unreachable { "the host could not be reached".to_owned() } else { e.without_url().to_string() }), unreachable)
    })?;
    if !resp.status().is_success() {
        return Err((format!("not downloaded: the server answered {}", resp.status()), false));
    }
    let mime = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !mime.starts_with("image/") {
        let shown = if mime.is_empty() { "none".to_owned() } else { mime };
        return Err((format!("not an image (content type {shown})"), false));
    }
    if resp.content_length().is_some_and(|n| n > MAX_BYTES) {
        return Err((format!("larger than {} MiB", MAX_BYTES / 1024 / 1024), false));
    }
    let mut bytes = Vec::new();
    resp.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(|e| (format!("not downloaded: {e}"), false))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err((format!("larger than {} MiB", MAX_BYTES / 1024 / 1024), false));
    }
    if bytes.is_empty() {
        return Err(("the server sent an empty file".to_owned(), false));
    }
    Ok((bytes, mime))
}
