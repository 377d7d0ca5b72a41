//! Calling a provider's API: paced under its rate limit, a 429 honoured (`Retry-After`, or the
//! provider's rate-limit window), 5xx answers and dropped connections retried with backoff, and
//! every answer read as JSON or refused in words. Secrets go in headers only, never in an error.

use serde_json::Value;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Why a call did not give an answer to use.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The provider cannot be reached (no network): the run waits; it is not a failure.
    Offline(String),
    /// The provider refused the credential (401/403): reconnect.
    Unauthorized(String),
    /// The provider refused the request (another 4xx), with its message.
    Rejected { status: u16, message: String, body: Value },
    /// The provider failed (5xx) on every try.
    Server { status: u16, message: String },
    /// The answer was not the JSON expected (cut short, or another shape).
    Malformed(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Offline(m) => write!(f, "cannot reach the provider: {m}"),
            CallError::Unauthorized(m) => write!(f, "the provider refused the credential: reconnect ({m})"),
            CallError::Rejected { status, message, .. } => write!(f, "the provider refused the request ({status}): {message}"),
            CallError::Server { status, message } => write!(f, "the provider failed ({status}) on every try: {message}"),
            CallError::Malformed(m) => write!(f, "the provider's answer could not be read: {m}"),
        }
    }
}

/// How a provider names its rate limit in its answers' headers.
#[derive(Debug, Clone, Copy)]
pub struct RateHeaders {
    /// Requests allowed per window.
    pub max: &'static str,
    /// The window, in milliseconds.
    pub interval_ms: &'static str,
}

/// Tries and waits.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Tries of a request the provider failed (5xx) or that did not arrive.
    pub tries: u32,
    /// The first wait between tries (then doubled).
    pub backoff: Duration,
    /// The most 429s in a row before giving up.
    pub max_throttled: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { tries: 4, backoff: Duration::from_millis(250), max_throttled: 20 }
    }
}

/// A client for one provider: its pace (a rolling window of requests, as providers count them)
/// and what it has seen.
pub struct Caller {
    http: reqwest::Client,
    headers: Option<RateHeaders>,
    policy: Policy,
    max: usize,
    interval: Duration,
    sent: VecDeque<Instant>,
    /// Requests sent, and 429s received.
    pub requests: u64,
    pub throttled: u64,
}

impl Caller {
    /// A caller allowing itself `max` requests per `interval` (the provider's documented limit;
    /// the provider's headers adjust it).
    pub fn new(http: reqwest::Client, max: usize, interval: Duration, headers: Option<RateHeaders>, policy: Policy) -> Caller {
        Caller { http, headers, policy, max: max.max(1), interval, sent: VecDeque::new(), requests: 0, throttled: 0 }
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Waits until one more request fits in the rolling window.
    async fn pace(&mut self) {
        loop {
            let now = Instant::now();
            while self.sent.front().is_some_and(|t| now.duration_since(*t) >= self.interval) {
                self.sent.pop_front();
            }
            if self.sent.len() < self.max {
                self.sent.push_back(now);
                return;
            }
            let oldest = *self.sent.front().expect("a full window has a first request");
            tokio::time::sleep(self.interval.saturating_sub(now.duration_since(oldest)) + Duration::from_millis(5)).await;
        }
    }

    fn learn(&mut self, h: &reqwest::header::HeaderMap) {
        let Some(names) = self.headers else { return };
        let num = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<u64>().ok());
        if let (Some(max), Some(ms)) = (num(names.max), num(names.interval_ms)) {
            if max > 0 && ms > 0 {
                self.max = max as usize;
                self.interval = Duration::from_millis(ms);
            }
        }
    }

    /// Sends the request `build` makes (again on each try) and reads its JSON answer: the status
    /// (2xx, including 207) and the body (null for a 204, which has none).
    pub async fn json(&mut self, build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder) -> Result<(u16, Value), CallError> {
        let (status, body) = self.bytes(build).await?;
        if status == 204 {
            return Ok((status, Value::Null));
        }
        serde_json::from_slice(&body).map(|v| (status, v)).map_err(|e| CallError::Malformed(format!("{e} (after {} bytes)", body.len())))
    }

    /// The same, for an answer that is not JSON (a file): the status and the bytes.
    pub async fn bytes(&mut self, build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder) -> Result<(u16, bytes::Bytes), CallError> {
        let mut failures = 0u32;
        let mut throttled = 0u32;
        let mut wait = self.policy.backoff;
        loop {
            self.pace().await;
            self.requests += 1;
            let sent = build(&self.http).send().await;
            let r = match sent {
                Ok(r) => r,
                Err(e) => {
                    failures += 1;
                    if failures >= self.policy.tries {
                        // Without the URL: it may carry a key.
                        return Err(CallError::Offline(e.without_url().to_string()));
                    }
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    continue;
                }
            };
            let status = r.status().as_u16();
            self.learn(r.headers());
            if status == 429 {
                self.throttled += 1;
                throttled += 1;
                let after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<f64>().ok()).map(Duration::from_secs_f64);
                if throttled > self.policy.max_throttled {
                    return Err(CallError::Rejected { status, message: "the provider kept refusing: too many requests".into(), body: Value::Null });
                }
                // Retry-After, or a whole window of the provider's limit.
                let pause = after.unwrap_or(self.interval).min(Duration::from_secs(120));
                self.sent.clear();
                tokio::time::sleep(pause).await;
                continue;
            }
            let body = r.bytes().await.map_err(|e| CallError::Malformed(e.without_url().to_string()));
            if (500..600).contains(&status) {
                failures += 1;
                if failures >= self.policy.tries {
                    return Err(CallError::Server { status, message: body.ok().map(|t| message_of(&String::from_utf8_lossy(&t))).unwrap_or_default() });
                }
                tokio::time::sleep(wait).await;
                wait *= 2;
                continue;
            }
            let body = body?;
            if status == 401 || status == 403 {
                return Err(CallError::Unauthorized(message_of(&String::from_utf8_lossy(&body))));
            }
            if !(200..300).contains(&status) {
                let text = String::from_utf8_lossy(&body);
                return Err(CallError::Rejected { status, message: message_of(&text), body: serde_json::from_str(&text).unwrap_or(Value::Null) });
            }
            return Ok((status, body));
        }
    }
}

/// The message of a provider's error body (`message`, as HubSpot, Mailchimp's `detail`, Graph's
/// `error.message`), or the start of the text.
fn message_of(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    for p in ["/message", "/detail", "/error/message", "/error_description", "/reason"] {
        if let Some(m) = v.pointer(p).and_then(Value::as_str) {
            return m.to_owned();
        }
    }
    text.chars().take(200).collect()
}
