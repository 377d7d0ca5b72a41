//! Who is calling: the bearer token resolved to its session. The organization of every request
//! comes from here, never from the body or the path.

use super::error::ApiError;
use super::AppState;
use crate::accounts::{self, Session};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use chrono::Utc;

/// The signed-in caller.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Session);

impl Caller {
    /// Refuses unless the caller is an admin of their organization.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.0.is_admin {
            Ok(())
        } else {
            Err(ApiError::forbidden("only an admin of the organization can do this"))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("unauthenticated", "sign in first: send Authorization: Bearer <access token>"))?;
        let session = accounts::session_by_access(&state.pool, token)
            .await?
            .ok_or_else(|| ApiError::unauthorized("invalid_token", "this access token is not valid (signed out, revoked or unknown)"))?;
        if session.expires_at <= Utc::now() {
            return Err(ApiError::unauthorized("token_expired", "this access token has expired; refresh it"));
        }
        Ok(Caller(session))
    }
}
