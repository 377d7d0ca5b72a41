//! Registration, sign-in, sessions and user administration.

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::json::{ApiJson, IdPath};
use super::AppState;
use crate::accounts::{self, Candidate, IssuedTokens, Lifetimes, NewOrganization, NewUser, OrganizationView, RefreshOutcome, UserPatch, UserView};
use crate::password;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::str::FromStr;
use utoipa::ToSchema;
use uuid::Uuid;

fn text(field: &str, v: &str, max: usize) -> Result<String, ApiError> {
    storable(field, v)?;
    let t = v.trim();
    if t.is_empty() {
        return Err(ApiError::invalid(field, "is required and cannot be empty"));
    }
    if t.chars().count() > max {
        return Err(ApiError::invalid(field, format!("must be at most {max} characters")));
    }
    Ok(t.to_owned())
}

/// Text PostgreSQL cannot store (NUL) is a 422 naming the field, by the domain's one rule.
fn storable(field: &str, v: &str) -> Result<(), ApiError> {
    plugs_domain::schema::check_storable(field, v).map_err(|e| ApiError::invalid(field, e.to_payload().message))
}

fn email(field: &str, v: &str) -> Result<String, ApiError> {
    let t = text(field, v, 255)?;
    email_address::EmailAddress::from_str(&t).map_err(|_| ApiError::invalid(field, format!("'{t}' is not an email address")))?;
    Ok(t)
}

fn new_password(field: &str, v: &str) -> Result<(), ApiError> {
    password::check_new(v).map_err(|m| ApiError::invalid(field, m))
}

fn lifetimes(s: &AppState) -> Lifetimes {
    Lifetimes { access: s.config.access_token_ttl, refresh: s.config.refresh_token_ttl, grace: s.config.refresh_grace }
}

/// A new organization and its first admin.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub organization_name: String,
    pub organization_domain: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    /// With `user_id`: the ids of a device's offline workspace, which becomes this organization.
    pub organization_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
}

/// A session's tokens with who they belong to.
#[derive(Serialize, ToSchema)]
pub struct SignedIn {
    #[serde(flatten)]
    pub tokens: IssuedTokens,
    pub user: UserView,
    pub organization: OrganizationView,
}

/// Registers an organization with its first admin and signs them in.
#[utoipa::path(post, path = "/v1/register", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = SignedIn), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(State(s): State<AppState>, headers: HeaderMap, ApiJson(r): ApiJson<RegisterRequest>) -> Result<(StatusCode, Json<SignedIn>), ApiError> {
    let name = text("organization_name", &r.organization_name, 255)?;
    let domain = match r.organization_domain.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(text("organization_domain", &d.to_ascii_lowercase(), 255)?),
        None => None,
    };
    let first = text("first_name", &r.first_name, 50)?;
    let last = text("last_name", &r.last_name, 50)?;
    let mail = email("email", &r.email)?;
    new_password("password", &r.password)?;
    let hash = password::hash(r.password).await;
    let ids = match (r.organization_id, r.user_id) {
        (Some(o), Some(u)) => Some((o, u)),
        (None, None) => None,
        (None, _) => return Err(ApiError::invalid("organization_id", "is required with user_id")),
        (_, None) => return Err(ApiError::invalid("user_id", "is required with organization_id")),
    };
    let (org, user) = accounts::register(&s.pool, NewOrganization { ids, name, domain, first_name: first, last_name: last, email: mail, password_hash: hash }).await?;
    let tokens = accounts::open_session(&s.pool, org.id, user.id, lifetimes(&s), user_agent(&headers)).await?;
    tracing::info!(organization_id = %org.id, user_id = %user.id, "organization registered");
    Ok((StatusCode::CREATED, Json(SignedIn { tokens, user, organization: org })))
}

fn user_agent(h: &HeaderMap) -> Option<&str> {
    h.get(header::USER_AGENT).and_then(|v| v.to_str().ok())
}

/// Email and password; the organization only when the same email has accounts in several.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    pub organization_id: Option<Uuid>,
}

fn throttled(secs: u64) -> ApiError {
    let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", None, format!("too many failed sign-ins; try again in {secs} seconds"));
    e.retry_after = Some(secs);
    e
}

/// Signs in with email and password. A wrong email and a wrong password get the same answer.
#[utoipa::path(post, path = "/v1/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = SignedIn), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(r): ApiJson<LoginRequest>,
) -> Result<Json<SignedIn>, ApiError> {
    storable("email", &r.email)?;
    let mail = r.email.trim().to_ascii_lowercase();
    if mail.is_empty() || r.password.is_empty() {
        return Err(ApiError::invalid(if mail.is_empty() { "email" } else { "password" }, "is required"));
    }
    let email_key = format!("email:{mail}");
    let ip_key = format!("ip:{}", super::client_ip(peer, &headers, &s.config.trusted_proxies));
    if let Some(wait) = accounts::throttle_wait(&s.pool, &[email_key.clone(), ip_key.clone()]).await? {
        return Err(throttled(wait));
    }
    if r.password.chars().count() > password::MAX_LEN {
        return Err(ApiError::invalid("password", format!("must be at most {} characters", password::MAX_LEN)));
    }
    let candidates: Vec<Candidate> = accounts::login_candidates(&s.pool, &mail).await?.into_iter().filter(|c| r.organization_id.is_none_or(|o| o == c.organization_id)).collect();
    let mut matched = vec![];
    if candidates.is_empty() {
        password::verify_nothing(r.password.clone()).await;
    }
    for c in candidates {
        if password::verify(r.password.clone(), c.password_hash.clone()).await {
            matched.push(c);
        }
    }
    let max = s.config.login_max_failures;
    let Some(c) = matched.first() else {
        accounts::throttle_fail(&s.pool, &[(email_key, max), (ip_key, max * 4)], s.config.login_window).await?;
        return Err(ApiError::unauthorized("invalid_credentials", "the email or the password is wrong"));
    };
    if matched.len() > 1 {
        return Err(ApiError::new(StatusCode::CONFLICT, "organization_required", Some("organization_id"), "this email signs in to several organizations: say which"));
    }
    if c.is_deleted || !c.is_active || !c.org_active {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "account_inactive", None, "this account is deactivated; ask an admin of your organization"));
    }
    if s.config.require_verified && !c.is_verified {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "unverified", None, "this account's email is not verified yet"));
    }
    accounts::throttle_clear(&s.pool, &email_key).await?;
    let tokens = accounts::open_session(&s.pool, c.organization_id, c.user_id, lifetimes(&s), user_agent(&headers)).await?;
    let user = accounts::get_user(&s.pool, c.organization_id, c.user_id).await?;
    let organization = accounts::get_organization(&s.pool, c.organization_id).await?;
    tracing::info!(user_id = %user.id, organization_id = %organization.id, "signed in");
    Ok(Json(SignedIn { tokens, user, organization }))
}

/// A refresh token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Swaps a refresh token for a new pair; the old refresh token stops working. Presented again within
/// the grace (`PLUGS_REFRESH_GRACE_SECS`, 30 s: a lost answer, two syncs at once) it gets the same
/// pair; any used token of the session presented later ends the session.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "accounts", request_body = RefreshRequest,
    responses((status = 200, body = IssuedTokens), (status = 401, body = ErrorBody)))]
pub async fn refresh(State(s): State<AppState>, ApiJson(r): ApiJson<RefreshRequest>) -> Result<Json<IssuedTokens>, ApiError> {
    match accounts::refresh(&s.pool, r.refresh_token.trim(), lifetimes(&s)).await? {
        RefreshOutcome::Issued(t, _, _) => Ok(Json(t)),
        RefreshOutcome::Invalid => Err(ApiError::unauthorized("invalid_token", "this refresh token is not valid; sign in again")),
        RefreshOutcome::Expired => Err(ApiError::unauthorized("token_expired", "this refresh token has expired; sign in again")),
        RefreshOutcome::Reused => {
            tracing::warn!("a rotated refresh token was presented again; session revoked");
            Err(ApiError::unauthorized("token_reused", "this refresh token was already used; the session has been ended for safety"))
        }
    }
}

/// Signs out: the session's tokens stop working.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(s): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    accounts::revoke_session(&s.pool, caller.0.organization_id, caller.0.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller and their organization.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: UserView,
    pub organization: OrganizationView,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(s): State<AppState>, caller: Caller) -> Result<Json<Me>, ApiError> {
    let user = accounts::get_user(&s.pool, caller.0.organization_id, caller.0.user_id).await?;
    let organization = accounts::get_organization(&s.pool, caller.0.organization_id).await?;
    Ok(Json(Me { user, organization }))
}

/// The caller's organization.
#[utoipa::path(get, path = "/v1/organization", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = OrganizationView), (status = 401, body = ErrorBody)))]
pub async fn organization(State(s): State<AppState>, caller: Caller) -> Result<Json<OrganizationView>, ApiError> {
    Ok(Json(accounts::get_organization(&s.pool, caller.0.organization_id).await?))
}

/// The users of the caller's organization.
#[utoipa::path(get, path = "/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 401, body = ErrorBody)))]
pub async fn list_users(State(s): State<AppState>, caller: Caller) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(accounts::list_users(&s.pool, caller.0.organization_id).await?))
}

/// A new user (admins only).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub is_admin: bool,
    #[serde(default)]
    pub is_verified: bool,
}

/// Adds a user to the caller's organization (admins only).
#[utoipa::path(post, path = "/v1/users", tag = "users", security(("bearer" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = UserView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(State(s): State<AppState>, caller: Caller, ApiJson(r): ApiJson<CreateUserRequest>) -> Result<(StatusCode, Json<UserView>), ApiError> {
    caller.require_admin()?;
    let n = NewUser {
        email: email("email", &r.email)?,
        first_name: text("first_name", &r.first_name, 50)?,
        last_name: text("last_name", &r.last_name, 50)?,
        password_hash: {
            new_password("password", &r.password)?;
            password::hash(r.password).await
        },
        is_admin: r.is_admin,
        is_verified: r.is_verified,
    };
    let u = accounts::create_user(&s.pool, caller.0.organization_id, caller.0.user_id, n).await?;
    Ok((StatusCode::CREATED, Json(u)))
}

/// One user of the caller's organization.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn get_user(State(s): State<AppState>, caller: Caller, IdPath(id): IdPath) -> Result<Json<UserView>, ApiError> {
    Ok(Json(accounts::get_user(&s.pool, caller.0.organization_id, id).await?))
}

/// What an admin may change on a user.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_admin: Option<bool>,
    pub is_active: Option<bool>,
    pub is_verified: Option<bool>,
}

/// Promotes, demotes, deactivates, reactivates or renames a user (admins only).
#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateUserRequest,
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "an admin cannot demote or deactivate themself; the email is taken", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(State(s): State<AppState>, caller: Caller, IdPath(id): IdPath, ApiJson(r): ApiJson<UpdateUserRequest>) -> Result<Json<UserView>, ApiError> {
    caller.require_admin()?;
    if id == caller.0.user_id && (r.is_admin == Some(false) || r.is_active == Some(false)) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "self",
            Some(if r.is_admin == Some(false) { "is_admin" } else { "is_active" }),
            "you cannot demote or deactivate yourself",
        ));
    }
    let patch = UserPatch {
        first_name: r.first_name.as_deref().map(|v| text("first_name", v, 50)).transpose()?,
        last_name: r.last_name.as_deref().map(|v| text("last_name", v, 50)).transpose()?,
        is_admin: r.is_admin,
        is_active: r.is_active,
        is_verified: r.is_verified,
    };
    Ok(Json(accounts::update_user(&s.pool, caller.0.organization_id, caller.0.user_id, id, patch).await?))
}

/// Removes a user (soft delete; admins only).
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "an admin cannot remove themself", body = ErrorBody)))]
pub async fn delete_user(State(s): State<AppState>, caller: Caller, IdPath(id): IdPath) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    if id == caller.0.user_id {
        return Err(ApiError::new(StatusCode::CONFLICT, "self", None, "you cannot remove yourself"));
    }
    accounts::delete_user(&s.pool, caller.0.organization_id, caller.0.user_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
