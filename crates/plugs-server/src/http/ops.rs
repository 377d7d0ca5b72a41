//! Operations: liveness, readiness, metrics and the API description.

use super::error::ErrorBody;
use super::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A probe's answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok", problem: None })
}

/// The database answers and carries every migration this server needs.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<Health>) {
    match crate::db::readiness(&s.pool).await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ready", problem: None })),
        Err(problem) => (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "not_ready", problem: Some(problem) })),
    }
}

/// Request counts and latencies by route and status, in Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    let pool = s.pool.status();
    s.metrics.pool.with_label_values(&["in_use"]).set((pool.size - pool.available) as i64);
    s.metrics.pool.with_label_values(&["idle"]).set(pool.available as i64);
    let body = prometheus::TextEncoder::new().encode_to_string(&s.metrics.registry.gather()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// This API, described in OpenAPI 3.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "the OpenAPI document")))]
pub async fn openapi(State(s): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], s.openapi.as_ref().clone())
}

#[allow(dead_code)]
fn _schemas(_: ErrorBody) {}
