//! The HTTP API: routes, shared state, metrics, and JSON errors for everything that goes wrong.

pub mod accounts;
pub mod auth;
pub mod error;
pub mod json;
pub mod media;
pub mod ops;
pub mod sync;

use crate::config::Config;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use deadpool_postgres::Pool;
use error::ApiError;
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};
use std::sync::Arc;
use std::time::Instant;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Request metrics, one registry per server.
#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Pushed changes by outcome (applied, partial, superseded, rejected).
    pub pushed: IntCounterVec,
    /// Rows served by pulls.
    pub pulled: prometheus::IntCounter,
    /// Long-polls waiting now.
    pub long_polls: prometheus::IntGauge,
    /// How far behind the organization's newest change a pull started (changes).
    pub lag: prometheus::Histogram,
    /// Tombstone purge runs by result (purged, skipped: another instance held the lock, failed).
    pub purges: IntCounterVec,
    /// Database connections by state (in use, idle), read at each scrape.
    pub pool: prometheus::IntGaugeVec,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(Opts::new("http_requests_total", "HTTP requests by method, route and status"), &["method", "route", "status"]).expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by method, route and status")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        registry.register(Box::new(requests.clone())).expect("registers once");
        registry.register(Box::new(latency.clone())).expect("registers once");
        let pushed = IntCounterVec::new(Opts::new("plugs_sync_pushed_changes_total", "Pushed changes by outcome"), &["outcome"]).expect("valid metric");
        let pulled = prometheus::IntCounter::new("plugs_sync_pulled_rows_total", "Rows served by pulls").expect("valid metric");
        let long_polls = prometheus::IntGauge::new("plugs_sync_long_polls_open", "Pulls waiting for a change now").expect("valid metric");
        let lag = prometheus::Histogram::with_opts(
            HistogramOpts::new("plugs_sync_pull_lag_changes", "How many changes behind the organization a pull started")
                .buckets(vec![0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0]),
        )
        .expect("valid metric");
        let purges = IntCounterVec::new(Opts::new("plugs_purge_runs_total", "Tombstone purge runs by result"), &["result"]).expect("valid metric");
        let pool = prometheus::IntGaugeVec::new(Opts::new("plugs_db_pool_connections", "Database connections by state"), &["state"]).expect("valid metric");
        for m in [
            Box::new(pushed.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(pulled.clone()),
            Box::new(long_polls.clone()),
            Box::new(lag.clone()),
            Box::new(purges.clone()),
            Box::new(pool.clone()),
        ] {
            registry.register(m).expect("registers once");
        }
        Self { registry, requests, latency, pushed, pulled, long_polls, lag, purges, pool }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub metrics: Metrics,
    pub openapi: Arc<String>,
    pub watchers: Arc<crate::sync::Watchers>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

#[derive(OpenApi)]
#[openapi(info(title = "The Plugs API", description = "The central server of The Plugs: accounts, organizations and (with sync) their shared data."), modifiers(&BearerAuth))]
struct ApiDoc;

/// Every route with its OpenAPI description, from one list so the two cannot drift apart.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .routes(routes!(ops::openapi))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::refresh))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::organization))
        .routes(routes!(accounts::list_users, accounts::create_user))
        .routes(routes!(accounts::get_user, accounts::update_user, accounts::delete_user))
        .routes(routes!(sync::push))
        .routes(routes!(sync::pull))
        .routes(routes!(media::upload_state, media::upload))
        .routes(routes!(media::content))
        .routes(routes!(media::put_thumbnail, media::thumbnail))
        .split_for_parts();
    let mut doc = doc;
    document_errors(&mut doc);
    (router, doc)
}

/// Adds to every operation the error answers the shared layers can give it, so the document lists
/// every status a route answers: a malformed path, query or body (400); no or a bad token (401,
/// secured routes); an id that is not there (404, routes with an id); a body too large (413), not
/// JSON (415) or with a field refused (422, routes with a body); the database unavailable (503,
/// routes that use it).
fn document_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let error = |what: &str| -> RefOr<utoipa::openapi::Response> {
        RefOr::T(ResponseBuilder::new().description(what).content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build()).build())
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let without_db = matches!(path.as_str(), "/healthz" | "/metrics" | "/openapi.json");
        for op in [&mut item.get, &mut item.post, &mut item.patch, &mut item.delete, &mut item.put].into_iter().flatten() {
            let mut add = |status: &str, what: &str| {
                op.responses.responses.entry(status.to_owned()).or_insert_with(|| error(what));
            };
            add("400", "malformed request: a path id, a query parameter or the JSON body cannot be read");
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add("401", "no token, or one that is expired or revoked");
            }
            if path.contains('{') {
                add("404", "no such resource in the caller's organization");
            }
            if op.request_body.is_some() {
                add("413", "the body is larger than the server accepts");
                add("415", "the body is not JSON");
                add("422", "a field is missing, unknown, of the wrong type or refused by its rule");
            }
            if !without_db {
                add("503", "the database is unavailable; try again shortly");
            }
        }
    }
}

async fn record(State(m): State<Metrics>, req: Request, next: Next) -> Response {
    // Label values stay bounded: a made-up method is counted as OTHER, an unknown path as unmatched.
    let method = match *req.method() {
        Method::GET | Method::POST | Method::PUT | Method::PATCH | Method::DELETE | Method::HEAD | Method::OPTIONS => req.method().as_str().to_owned(),
        _ => "OTHER".to_owned(),
    };
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    m.requests.with_label_values(&[&method, &route, &status]).inc();
    m.latency.with_label_values(&[&method, &route, &status]).observe(start.elapsed().as_secs_f64());
    res
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", None, "no such route")
}

async fn method_not_allowed(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() == StatusCode::METHOD_NOT_ALLOWED {
        return ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", None, "this route does not take that method").into_response();
    }
    res
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::internal().into_response()
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy (a client cannot forge the part of the
/// header its proxies appended).
pub fn client_ip(peer: std::net::SocketAddr, headers: &axum::http::HeaderMap, trusted: &[ipnet::IpNet]) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer.ip()) {
        return peer.ip();
    }
    let hops: Vec<std::net::IpAddr> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).filter_map(|h| h.trim().parse().ok()).collect();
    hops.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer.ip())
}

/// The whole application.
pub fn router(pool: Pool, config: Config, watchers: Arc<crate::sync::Watchers>, metrics: Metrics) -> Router {
    let (routes, doc) = api();
    let max_body = config.max_body_bytes;
    let state = AppState { pool, config: Arc::new(config), metrics: metrics.clone(), openapi: Arc::new(doc.to_json().unwrap_or_default()), watchers };
    routes
        .fallback(not_found)
        .layer(axum::middleware::from_fn(method_not_allowed))
        .layer(axum::middleware::from_fn_with_state(metrics, record))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(
            // JSON only: files are served as they are (most are compressed already, and ranges must stay exact).
            tower_http::compression::CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest).compress_when(
                |_: StatusCode, _: axum::http::Version, h: &axum::http::HeaderMap, _: &axum::http::Extensions| {
                    h.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/"))
                },
            ),
        )
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

#[cfg(test)]
mod client_ip_tests {
    use super::client_ip;
    use axum::http::HeaderMap;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let trusted = crate::config::proxies("10.0.0.5, 192.168.0.0/16").unwrap();
        let proxy = "10.0.0.5:443".parse().unwrap();
        let stranger = "203.0.113.9:5000".parse().unwrap();
        // A direct client cannot pick its address.
        assert_eq!(client_ip(stranger, &headers("1.2.3.4"), &trusted).to_string(), "203.0.113.9");
        // Through a trusted proxy: the address it saw.
        assert_eq!(client_ip(proxy, &headers("198.51.100.7"), &trusted).to_string(), "198.51.100.7");
        // A forged first entry does not count: the nearest untrusted hop does.
        assert_eq!(client_ip(proxy, &headers("1.2.3.4, 198.51.100.7, 192.168.3.3"), &trusted).to_string(), "198.51.100.7");
        // No header, or nothing but proxies: the peer.
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted).to_string(), "10.0.0.5");
        assert!(crate::config::proxies("10.0.0.5, not-an-address").is_err());
    }
}
