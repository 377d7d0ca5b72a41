//! The sync endpoints: push a batch of changes, pull the changes after a cursor (long-polling).

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::AppState;
use crate::sync::{self, PullQuery};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use plugs_domain::wire::{PullResponse, PushRequest, PushResponse};
use serde::Deserialize;
use std::time::Duration;
use utoipa::IntoParams;

/// The most changes one push may carry.
pub const MAX_PUSH: usize = 1000;

fn caller(c: &Caller) -> sync::Caller {
    sync::Caller { org: c.0.organization_id, user: c.0.user_id, is_admin: c.0.is_admin }
}

/// Applies a batch of changes: each is applied, partly applied, superseded by newer writes, or
/// rejected with a reason. Retrying a batch applies nothing twice.
#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", security(("bearer" = [])),
    request_body(content = PushRequest, description = "A batch of changes (see docs/sync.md)"),
    responses((status = 200, description = "One result per change, in the batch's order", body = PushResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn push(State(s): State<AppState>, c: Caller, ApiJson(req): ApiJson<PushRequest>) -> Result<Json<PushResponse>, ApiError> {
    if req.changes.len() > MAX_PUSH {
        return Err(ApiError::invalid("changes", format!("at most {MAX_PUSH} changes per push")));
    }
    let res = sync::push(&s.pool, &s.watchers, caller(&c), req).await?;
    for r in &res.results {
        let outcome = serde_json::to_value(r.outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_else(|| "other".into());
        s.metrics.pushed.with_label_values(&[&outcome]).inc();
    }
    Ok(Json(res))
}

/// Where to pull from.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    /// The cursor of the last page applied (0 for everything).
    #[serde(default)]
    pub cursor: i64,
    /// Page size, 1..=5000 (default 1000).
    pub limit: Option<i64>,
    /// Seconds to wait for changes when there are none (0..=30; long-poll).
    #[serde(default)]
    pub wait: u64,
    /// Also count every row after the cursor (for progress).
    #[serde(default)]
    pub total: bool,
}

/// The changes after a cursor, in commit order, as this user may see them.
#[utoipa::path(get, path = "/v1/sync/pull", tag = "sync", security(("bearer" = [])), params(PullParams),
    responses((status = 200, description = "The changes after the cursor", body = PullResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn pull(State(s): State<AppState>, c: Caller, q: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>) -> Result<Json<sync::ServedPage>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", None, e.body_text()))?;
    let limit = q.limit.unwrap_or(1000);
    if !(1..=5000).contains(&limit) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", Some("limit"), "must be between 1 and 5000"));
    }
    if q.wait > 30 {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", Some("wait"), "must be at most 30 seconds"));
    }
    if q.cursor < 0 {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", Some("cursor"), "must not be negative"));
    }
    let wait = Duration::from_secs(q.wait).min(s.config.long_poll_cap);
    struct Open<'a>(&'a prometheus::IntGauge);
    impl Drop for Open<'_> {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
    let _open = (!wait.is_zero()).then(|| {
        s.metrics.long_polls.inc();
        Open(&s.metrics.long_polls)
    });
    let page = sync::pull(&s.pool, &s.watchers, caller(&c), PullQuery { cursor: q.cursor, limit, wait, total: q.total }).await?;
    s.metrics.pulled.inc_by(page.rows.len() as u64);
    if let Some(last) = page.rows.last() {
        s.metrics.lag.observe((last.seq - q.cursor) as f64);
    }
    Ok(Json(page))
}
