//! Errors as the API returns them: a status and `{code, field, message}`.

use crate::error::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code.
    pub code: String,
    /// The request field concerned, when there is one.
    pub field: Option<String>,
    /// Human text.
    pub message: String,
}

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        Self { status, body: ErrorBody { code: code.into(), field: field.map(Into::into), message: message.into() }, retry_after: None }
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some(field), message)
    }
    pub fn unauthorized(code: &str, message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, None, message)
    }
    pub fn forbidden(message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", None, message)
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", None, "no such resource")
    }
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None, "something went wrong on the server; it has been logged")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body)).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict { field, message } => ApiError::new(StatusCode::CONFLICT, "conflict", Some(field), message),
            StoreError::Pool(_) => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", None, "the database is unavailable; try again shortly")
            }
            StoreError::ShuttingDown => {
                let mut e = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting_down", None, "this server is stopping; ask again (another instance answers)");
                e.retry_after = Some(1);
                e
            }
            StoreError::Db(db) => {
                // What PostgreSQL said, by its code, table, column and constraint: never its message
                // or detail, which can quote the values of a row.
                match db.as_db_error() {
                    Some(d) => tracing::error!(
                        code = d.code().code(),
                        table = d.table().unwrap_or_default(),
                        column = d.column().unwrap_or_default(),
                        constraint = d.constraint().unwrap_or_default(),
                        "database error"
                    ),
                    None => tracing::error!(error = %db, "database failure"),
                }
                ApiError::internal()
            }
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal()
            }
        }
    }
}
