//! Accounts in PostgreSQL: organizations and their users, sessions, and the login throttle. All SQL
//! for these lives here; the HTTP layer calls these functions and never writes SQL itself.

use crate::db::begin_org;
use crate::error::StoreError;
use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;
use std::time::Duration;
use tokio_postgres::Row;
use utoipa::ToSchema;
use uuid::Uuid;

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct UserView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub job_title: Option<String>,
    pub is_active: bool,
    pub is_verified: bool,
    pub is_admin: bool,
    pub is_deleted: bool,
    pub last_login: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

const USER_COLS: &str = "id, organization_id, email, first_name, last_name, job_title, COALESCE(is_active, false), COALESCE(is_verified, false), COALESCE(is_admin, false), COALESCE(is_deleted, false), last_login, created_at, updated_at";

fn user(r: &Row) -> UserView {
    UserView {
        id: r.get(0),
        organization_id: r.get(1),
        email: r.get(2),
        first_name: r.get(3),
        last_name: r.get(4),
        job_title: r.get(5),
        is_active: r.get(6),
        is_verified: r.get(7),
        is_admin: r.get(8),
        is_deleted: r.get(9),
        last_login: r.get(10),
        created_at: r.get(11),
        updated_at: r.get(12),
    }
}

/// An organization as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct OrganizationView {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub subscription_plan: Option<String>,
    pub is_active: bool,
    pub created_at: Option<DateTime<Utc>>,
}

/// A new organization and its first admin.
pub struct NewOrganization {
    /// Ids born on a device whose offline workspace becomes this organization.
    pub ids: Option<(Uuid, Uuid)>,
    pub name: String,
    pub domain: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password_hash: String,
}

/// A new user of an organization.
pub struct NewUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub is_verified: bool,
}

/// Fields an admin may change on a user.
#[derive(Default)]
pub struct UserPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_admin: Option<bool>,
    pub is_active: Option<bool>,
    pub is_verified: Option<bool>,
}

/// An account that a login's email names.
pub struct Candidate {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub password_hash: String,
    pub is_active: bool,
    pub is_verified: bool,
    pub is_deleted: bool,
    pub org_active: bool,
}

/// Who a valid access token speaks for.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub is_admin: bool,
    pub expires_at: DateTime<Utc>,
}

/// Tokens handed to a client (the only time they exist in clear).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
}

/// Why a refresh was refused.
pub enum RefreshOutcome {
    Issued(IssuedTokens, Uuid, Uuid),
    Invalid,
    Expired,
    /// An already-rotated refresh token came back: the session is revoked, as it may be stolen.
    Reused,
}

/// Token lifetimes.
#[derive(Clone, Copy)]
pub struct Lifetimes {
    pub access: Duration,
    pub refresh: Duration,
    /// See [`crate::config::Config::refresh_grace`].
    pub grace: Duration,
}

fn unique_violation(e: &tokio_postgres::Error, constraint: &str) -> bool {
    e.as_db_error().is_some_and(|d| d.code() == &tokio_postgres::error::SqlState::UNIQUE_VIOLATION && d.constraint() == Some(constraint))
}

async fn audit(tx: &impl GenericClient, org: Uuid, actor: Uuid, table: &str, record: Uuid, action: &str, old: serde_json::Value, new: serde_json::Value) -> Result<(), StoreError> {
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO audit_logs (id, organization_id, user_id, table_name, record_id, action, old_values, new_values, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{\"source\": \"server\"}')",
        &[&id, &org, &actor, &table, &record, &action, &(!old.is_null()).then_some(&old), &(!new.is_null()).then_some(&new)],
    )
    .await?;
    // Audit rows reach devices by sync like every other row.
    crate::sync::ensure_org_state(tx, org).await?;
    crate::sync::touch(tx, org, "audit_logs", id, &Default::default(), false).await?;
    Ok(())
}

/// Creates an organization and its first admin (verified: they created the organization).
pub async fn register(pool: &Pool, n: NewOrganization) -> Result<(OrganizationView, UserView), StoreError> {
    let mut client = pool.get().await?;
    let (org_id, user_id) = n.ids.unwrap_or_else(|| (Uuid::now_v7(), Uuid::now_v7()));
    let tx = begin_org(&mut client, org_id).await?;
    let org = tx
        .query_one(
            "INSERT INTO organizations (id, name, domain) VALUES ($1, $2, $3) RETURNING id, name, domain, subscription_plan, COALESCE(is_active, false), created_at",
            &[&org_id, &n.name, &n.domain],
        )
        .await
        .map_err(|e| {
            if unique_violation(&e, "organizations_domain_key") {
                StoreError::Conflict { field: "organization_domain", message: "an organization with this domain exists already".into() }
            } else if unique_violation(&e, "organizations_pkey") {
                StoreError::Conflict { field: "organization_id", message: "this workspace is registered already; sign in instead".into() }
            } else {
                e.into()
            }
        })?;
    let org = OrganizationView { id: org.get(0), name: org.get(1), domain: org.get(2), subscription_plan: org.get(3), is_active: org.get(4), created_at: org.get(5) };
    let u = tx
        .query_one(
            &format!("INSERT INTO users (id, organization_id, email, password_hash, first_name, last_name, is_admin, is_verified, verified_at, created_by, updated_by) VALUES ($1, $2, $3, $4, $5, $6, true, true, NOW(), $1, $1) RETURNING {USER_COLS}"),
            &[&user_id, &org_id, &n.email, &n.password_hash, &n.first_name, &n.last_name],
        )
        .await
        .map_err(|e| {
            if unique_violation(&e, "users_pkey") {
                StoreError::Conflict { field: "user_id", message: "this user id is taken; sign in instead, or register without ids".into() }
            } else {
                e.into()
            }
        })?;
    let u = user(&u);
    audit(&tx, org_id, user_id, "organizations", org_id, "create", serde_json::Value::Null, serde_json::to_value(&org).unwrap_or_default()).await?;
    audit(&tx, org_id, user_id, "users", user_id, "create", serde_json::Value::Null, serde_json::to_value(&u).unwrap_or_default()).await?;
    // Both rows reach devices by sync. No field versions: a device's own edits of them win.
    crate::sync::ensure_org_state(&tx, org_id).await?;
    crate::sync::touch(&tx, org_id, "organizations", org_id, &Default::default(), false).await?;
    crate::sync::touch(&tx, org_id, "users", user_id, &Default::default(), false).await?;
    tx.commit().await?;
    Ok((org, u))
}

/// Every account with this email, in any organization.
pub async fn login_candidates(pool: &Pool, email: &str) -> Result<Vec<Candidate>, StoreError> {
    let client = pool.get().await?;
    let rows = client.query("SELECT * FROM plugs_login_candidates($1)", &[&email]).await?;
    Ok(rows
        .iter()
        .map(|r| Candidate {
            user_id: r.get(0),
            organization_id: r.get(1),
            password_hash: r.get(2),
            is_active: r.get(3),
            is_verified: r.get(4),
            is_deleted: r.get(5),
            org_active: r.get(6),
        })
        .collect())
}

/// Opens a session for a user who just proved their password.
pub async fn open_session(pool: &Pool, org: Uuid, user_id: Uuid, life: Lifetimes, user_agent: Option<&str>) -> Result<IssuedTokens, StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, org).await?;
    let (access, access_hash) = crate::tokens::generate("pa_");
    let (refresh, refresh_hash) = crate::tokens::generate("pr_");
    tx.execute(
        "INSERT INTO auth_sessions (id, organization_id, user_id, access_hash, access_expires_at, refresh_hash, refresh_expires_at, user_agent)
         VALUES ($1, $2, $3, $4, NOW() + make_interval(secs => $5), $6, NOW() + make_interval(secs => $7), $8)",
        &[&Uuid::now_v7(), &org, &user_id, &access_hash, &(life.access.as_secs() as f64), &refresh_hash, &(life.refresh.as_secs() as f64), &user_agent],
    )
    .await?;
    // last_login is the server's bookkeeping: devices do not receive it, so it does not re-sync the user.
    tx.execute("UPDATE users SET last_login = NOW() WHERE id = $1", &[&user_id]).await?;
    tx.commit().await?;
    Ok(IssuedTokens { access_token: access, refresh_token: refresh, token_type: "Bearer", expires_in: life.access.as_secs(), refresh_expires_in: life.refresh.as_secs() })
}

/// The session an access token belongs to, if the token is live and its user may sign in.
pub async fn session_by_access(pool: &Pool, token: &str) -> Result<Option<Session>, StoreError> {
    let client = pool.get().await?;
    let row = client.query_opt("SELECT * FROM plugs_session_by_access($1)", &[&crate::tokens::hash(token)]).await?;
    Ok(row.map(|r| Session { session_id: r.get(0), user_id: r.get(1), organization_id: r.get(2), is_admin: r.get(3), expires_at: r.get(4) }))
}

/// Swaps a refresh token for a new pair (the old refresh token stops working). Within the grace
/// ([`Lifetimes::grace`]) of its rotation, the same token gets the same new pair again; a token of the
/// session's family presented later ends the session.
pub async fn refresh(pool: &Pool, token: &str, life: Lifetimes) -> Result<RefreshOutcome, StoreError> {
    let hash = crate::tokens::hash(token);
    let mut client = pool.get().await?;
    let Some(found) = client.query_opt("SELECT * FROM plugs_refresh_lookup($1)", &[&hash]).await? else { return Ok(RefreshOutcome::Invalid) };
    let (session_id, user_id, org): (Uuid, Uuid, Uuid) = (found.get(0), found.get(1), found.get(2));
    let (expires, revoked, current): (DateTime<Utc>, bool, bool) = (found.get(3), found.get(4), found.get(5));
    if revoked {
        return Ok(RefreshOutcome::Invalid);
    }
    if !current {
        return again(pool, token, session_id, org, user_id, found.get(6), found.get(7), life).await;
    }
    if expires <= Utc::now() {
        return Ok(RefreshOutcome::Expired);
    }
    let tx = begin_org(&mut client, org).await?;
    // One rotation at a time per session: a second refresh with the same token waits here, then
    // finds it used and gets the pair this one issues (within the grace).
    let now_current: Option<Vec<u8>> =
        tx.query_opt("SELECT refresh_hash FROM auth_sessions WHERE id = $1 AND revoked_at IS NULL FOR UPDATE", &[&session_id]).await?.map(|r| r.get(0));
    if now_current.as_deref() != Some(hash.as_slice()) {
        drop(tx);
        drop(client);
        return Box::pin(refresh(pool, token, life)).await;
    }
    let alive: bool =
        tx.query_one("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND COALESCE(is_active, false) AND NOT COALESCE(is_deleted, false))", &[&user_id]).await?.get(0);
    if !alive {
        return Ok(RefreshOutcome::Invalid);
    }
    let (access, access_hash) = crate::tokens::generate("pa_");
    let (refresh, refresh_hash) = crate::tokens::generate("pr_");
    tx.execute(
        "UPDATE auth_sessions SET access_hash = $2, access_expires_at = NOW() + make_interval(secs => $3), previous_refresh_hash = refresh_hash,
             refresh_hash = $4, refresh_expires_at = NOW() + make_interval(secs => $5), last_refreshed_at = NOW()
         WHERE id = $1",
        &[&session_id, &access_hash, &(life.access.as_secs() as f64), &refresh_hash, &(life.refresh.as_secs() as f64)],
    )
    .await?;
    let sealed = crate::tokens::seal(token, &format!("{access}\n{refresh}"));
    // Only the newest rotation keeps a pair to give again.
    tx.execute("UPDATE auth_refresh_used SET sealed_pair = NULL WHERE session_id = $1 AND sealed_pair IS NOT NULL", &[&session_id]).await?;
    tx.execute("INSERT INTO auth_refresh_used (refresh_hash, session_id, organization_id, sealed_pair) VALUES ($1, $2, $3, $4)", &[&hash, &session_id, &org, &sealed]).await?;
    tx.commit().await?;
    Ok(RefreshOutcome::Issued(
        IssuedTokens { access_token: access, refresh_token: refresh, token_type: "Bearer", expires_in: life.access.as_secs(), refresh_expires_in: life.refresh.as_secs() },
        user_id,
        org,
    ))
}

/// A used refresh token came back: the same pair within the grace of the newest rotation, otherwise
/// the end of the session (the token may have been stolen).
async fn again(
    pool: &Pool,
    token: &str,
    session_id: Uuid,
    org: Uuid,
    user_id: Uuid,
    rotated_at: Option<DateTime<Utc>>,
    sealed: Option<Vec<u8>>,
    life: Lifetimes,
) -> Result<RefreshOutcome, StoreError> {
    let fresh = rotated_at.is_some_and(|t| Utc::now() - t < chrono::Duration::from_std(life.grace).unwrap_or_default());
    if let (true, Some(sealed)) = (fresh, sealed) {
        if let Some((access, refresh)) = crate::tokens::open(token, &sealed).as_deref().and_then(|p| p.split_once('\n')) {
            // Still the session's pair (not rotated again since)?
            let client = pool.get().await?;
            let live = client.query_opt("SELECT current FROM plugs_refresh_lookup($1)", &[&crate::tokens::hash(refresh)]).await?.is_some_and(|r| r.get::<_, bool>(0));
            if live {
                let left = |total: Duration| total.saturating_sub((Utc::now() - rotated_at.unwrap_or_else(Utc::now)).to_std().unwrap_or_default()).as_secs();
                return Ok(RefreshOutcome::Issued(
                    IssuedTokens {
                        access_token: access.to_owned(),
                        refresh_token: refresh.to_owned(),
                        token_type: "Bearer",
                        expires_in: left(life.access),
                        refresh_expires_in: left(life.refresh),
                    },
                    user_id,
                    org,
                ));
            }
        }
    }
    revoke_session(pool, org, session_id).await?;
    Ok(RefreshOutcome::Reused)
}

/// Ends a session (logout).
pub async fn revoke_session(pool: &Pool, org: Uuid, session_id: Uuid) -> Result<(), StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, org).await?;
    tx.execute("UPDATE auth_sessions SET revoked_at = NOW() WHERE id = $1 AND revoked_at IS NULL", &[&session_id]).await?;
    tx.commit().await?;
    Ok(())
}

/// One user of the organization.
pub async fn get_user(pool: &Pool, org: Uuid, id: Uuid) -> Result<UserView, StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, org).await?;
    let row = tx.query_opt(&format!("SELECT {USER_COLS} FROM users WHERE id = $1 AND organization_id = $2"), &[&id, &org]).await?;
    tx.commit().await?;
    row.map(|r| user(&r)).ok_or(StoreError::NotFound)
}

/// The organization's users, deleted ones left out.
pub async fn list_users(pool: &Pool, org: Uuid) -> Result<Vec<UserView>, StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, org).await?;
    let rows =
        tx.query(&format!("SELECT {USER_COLS} FROM users WHERE organization_id = $1 AND NOT COALESCE(is_deleted, false) ORDER BY last_name, first_name, id"), &[&org]).await?;
    tx.commit().await?;
    Ok(rows.iter().map(user).collect())
}

/// The organization itself.
pub async fn get_organization(pool: &Pool, org: Uuid) -> Result<OrganizationView, StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, org).await?;
    let r = tx
        .query_opt("SELECT id, name, domain, subscription_plan, COALESCE(is_active, false), created_at FROM organizations WHERE id = $1", &[&org])
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(OrganizationView { id: r.get(0), name: r.get(1), domain: r.get(2), subscription_plan: r.get(3), is_active: r.get(4), created_at: r.get(5) })
}

/// Adds a user to the organization.
pub async fn create_user(pool: &Pool, org: Uuid, actor: Uuid, n: NewUser) -> Result<UserView, StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, org).await?;
    let taken: bool = tx.query_one("SELECT EXISTS (SELECT 1 FROM users WHERE organization_id = $1 AND lower(email) = lower($2))", &[&org, &n.email]).await?.get(0);
    if taken {
        return Err(StoreError::Conflict { field: "email", message: "a user with this email exists in the organization".into() });
    }
    let id = Uuid::now_v7();
    let r = tx
        .query_one(
            &format!(
                "INSERT INTO users (id, organization_id, email, password_hash, first_name, last_name, is_admin, is_verified, verified_at, created_by, updated_by)
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8 THEN NOW() END, $9, $9) RETURNING {USER_COLS}"
            ),
            &[&id, &org, &n.email, &n.password_hash, &n.first_name, &n.last_name, &n.is_admin, &n.is_verified, &actor],
        )
        .await
        .map_err(|e| {
            if unique_violation(&e, "users_unique_email_per_org") {
                StoreError::Conflict { field: "email", message: "a user with this email exists in the organization".into() }
            } else {
                e.into()
            }
        })?;
    let u = user(&r);
    audit(&tx, org, actor, "users", id, "create", serde_json::Value::Null, serde_json::to_value(&u).unwrap_or_default()).await?;
    crate::sync::ensure_org_state(&tx, org).await?;
    crate::sync::touch(&tx, org, "users", id, &Default::default(), false).await?;
    tx.commit().await?;
    Ok(u)
}

/// Changes a user; deactivating one ends their sessions.
pub async fn update_user(pool: &Pool, org: Uuid, actor: Uuid, id: Uuid, p: UserPatch) -> Result<UserView, StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, org).await?;
    let old = tx.query_opt(&format!("SELECT {USER_COLS} FROM users WHERE id = $1 AND organization_id = $2 AND NOT COALESCE(is_deleted, false) FOR UPDATE"), &[&id, &org]).await?;
    let old = user(&old.ok_or(StoreError::NotFound)?);
    let r = tx
        .query_one(
            &format!(
                "UPDATE users SET first_name = COALESCE($3, first_name), last_name = COALESCE($4, last_name), is_admin = COALESCE($5, is_admin),
                          is_active = COALESCE($6, is_active), is_verified = COALESCE($7, is_verified),
                          verified_at = CASE WHEN $7 AND NOT COALESCE(is_verified, false) THEN NOW() ELSE verified_at END,
                          updated_at = NOW(), updated_by = $8
                      WHERE id = $1 AND organization_id = $2 RETURNING {USER_COLS}"
            ),
            &[&id, &org, &p.first_name, &p.last_name, &p.is_admin, &p.is_active, &p.is_verified, &actor],
        )
        .await?;
    let new = user(&r);
    if !new.is_active {
        tx.execute("UPDATE auth_sessions SET revoked_at = NOW() WHERE user_id = $1 AND revoked_at IS NULL", &[&id]).await?;
    }
    audit(&tx, org, actor, "users", id, "update", serde_json::to_value(&old).unwrap_or_default(), serde_json::to_value(&new).unwrap_or_default()).await?;
    let changed = [
        ("first_name", p.first_name.is_some()),
        ("last_name", p.last_name.is_some()),
        ("is_admin", p.is_admin.is_some()),
        ("is_active", p.is_active.is_some()),
        ("is_verified", p.is_verified.is_some()),
    ];
    crate::sync::ensure_org_state(&tx, org).await?;
    crate::sync::touch(&tx, org, "users", id, &crate::sync::server_versions(changed.iter().filter(|(_, c)| *c).map(|(f, _)| *f)), false).await?;
    tx.commit().await?;
    Ok(new)
}

/// Soft-deletes a user and ends their sessions.
pub async fn delete_user(pool: &Pool, org: Uuid, actor: Uuid, id: Uuid) -> Result<(), StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, org).await?;
    let n = tx
        .execute("UPDATE users SET is_deleted = true, deleted_at = NOW(), updated_at = NOW(), updated_by = $3 WHERE id = $1 AND organization_id = $2 AND NOT COALESCE(is_deleted, false)", &[&id, &org, &actor])
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    tx.execute("UPDATE auth_sessions SET revoked_at = NOW() WHERE user_id = $1 AND revoked_at IS NULL", &[&id]).await?;
    audit(&tx, org, actor, "users", id, "delete", serde_json::json!({ "is_deleted": false }), serde_json::json!({ "is_deleted": true })).await?;
    crate::sync::ensure_org_state(&tx, org).await?;
    crate::sync::touch(&tx, org, "users", id, &crate::sync::server_versions(["is_deleted", "deleted_at"]), false).await?;
    tx.commit().await?;
    Ok(())
}

/// Seconds to wait if any of these throttle keys is locked now.
pub async fn throttle_wait(pool: &Pool, keys: &[String]) -> Result<Option<u64>, StoreError> {
    let client = pool.get().await?;
    let row =
        client.query_one("SELECT CEIL(EXTRACT(EPOCH FROM MAX(locked_until) - NOW()))::bigint FROM login_throttle WHERE key = ANY($1) AND locked_until > NOW()", &[&keys]).await?;
    Ok(row.get::<_, Option<i64>>(0).map(|s| s.max(1) as u64))
}

/// Counts a failed login against each key; a key reaching its limit is locked for the window.
pub async fn throttle_fail(pool: &Pool, keys: &[(String, i32)], window: Duration) -> Result<(), StoreError> {
    let client = pool.get().await?;
    let secs = window.as_secs() as f64;
    for (key, limit) in keys {
        client
            .execute(
                "INSERT INTO login_throttle AS t (key, failures, window_started_at) VALUES ($1, 1, NOW())
                 ON CONFLICT (key) DO UPDATE SET
                     failures = CASE WHEN t.window_started_at < NOW() - make_interval(secs => $2) THEN 1 ELSE t.failures + 1 END,
                     window_started_at = CASE WHEN t.window_started_at < NOW() - make_interval(secs => $2) THEN NOW() ELSE t.window_started_at END",
                &[key, &secs],
            )
            .await?;
        client.execute("UPDATE login_throttle SET locked_until = NOW() + make_interval(secs => $2) WHERE key = $1 AND failures >= $3", &[key, &secs, limit]).await?;
    }
    Ok(())
}

/// Forgets the failures of a key (after a successful login).
pub async fn throttle_clear(pool: &Pool, key: &str) -> Result<(), StoreError> {
    pool.get().await?.execute("DELETE FROM login_throttle WHERE key = $1", &[&key]).await?;
    Ok(())
}
