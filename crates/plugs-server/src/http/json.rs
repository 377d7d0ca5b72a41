//! The JSON body extractor: a clear 4xx naming the problem (and the field) for every bad body.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// A JSON request body of type `T`.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        if !json_type {
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None, "the body must be JSON (Content-Type: application/json)"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", None, "the body is larger than this server accepts")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", None, format!("the body could not be read: {e}"))
            }
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                let field = (path != ".").then_some(path.as_str());
                let (status, code) = if inner.is_syntax() || inner.is_eof() { (StatusCode::BAD_REQUEST, "malformed_json") } else { (StatusCode::UNPROCESSABLE_ENTITY, "invalid") };
                let message = inner.to_string();
                // An unknown field is named by serde in the message, not the path.
                // serde names a missing field in its message; the path then points at its parent.
                let named =
                    message.strip_prefix("missing field `").and_then(|r| r.split('`').next()).map(|name| if path == "." { name.to_owned() } else { format!("{path}.{name}") });
                Err(ApiError::new(status, code, named.as_deref().or(field), message))
            }
        }
    }
}

/// An id taken from the path, refused with a JSON error when it is not a UUID.
pub struct IdPath(pub uuid::Uuid);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state).await.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", Some("id"), e.body_text()))?;
        uuid::Uuid::parse_str(&raw).map(IdPath).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", Some("id"), format!("'{raw}' is not a UUID")))
    }
}
