//! `users`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[allow(unused_imports)]
use crate::error::{DomainError, Result};
#[allow(unused_imports)]
use crate::rules::{changed, deleted, require_admin, text, time, uuid, Facts, Need, Op, Record, WriteCtx};

/// One row of `users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct User {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub job_title: Option<String>,
    pub company: Option<String>,
    pub linkedin_url: Option<String>,
    pub is_active: bool,
    pub is_verified: bool,
    pub is_admin: bool,
    pub verified_at: Option<Timestamp>,
    pub last_login: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
}

/// Columns, rules and capabilities of `users`.
pub static SPEC: TableSpec = TableSpec {
    name: "users",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "email", kind: Kind::Text { max: Some(255), format: Format::Email }, nullable: false, default: None, access: Access::Write },
        Column { name: "password_hash", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Server },
        Column { name: "first_name", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "last_name", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "phone", kind: Kind::Text { max: Some(20), format: Format::Phone }, nullable: true, default: None, access: Access::Write },
        Column { name: "bio", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "avatar_url", kind: Kind::Text { max: Some(500), format: Format::Url }, nullable: true, default: None, access: Access::Write },
        Column { name: "job_title", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "company", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "linkedin_url", kind: Kind::Text { max: Some(255), format: Format::Url }, nullable: true, default: None, access: Access::Write },
        Column { name: "is_active", kind: Kind::Bool, nullable: true, default: Some(Default::Json("true")), access: Access::Write },
        Column { name: "is_verified", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::Server },
        Column { name: "is_admin", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::Write },
        Column { name: "verified_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::Server },
        Column { name: "last_login", kind: Kind::Timestamp, nullable: true, default: None, access: Access::Server },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
        Column { name: "created_by", kind: Kind::Uuid { references: Some("users") }, nullable: true, default: None, access: Access::System },
        Column { name: "updated_by", kind: Kind::Uuid { references: Some("users") }, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["last_name", "first_name", "email", "created_at", "updated_at"],
};

impl Entity for User {
    const SPEC: &'static TableSpec = &SPEC;
}

/// The password hash of a user who has no local password: sign-in happens against the server, which
/// keeps the real (argon2id) hash; this value matches no password.
pub const NO_LOCAL_PASSWORD: &str = "!";


fn needs(_: &WriteCtx, old: Option<&Record>, new: &Record) -> Vec<Need> {
    if changed(old, new, "email") { vec![Need::Twin { columns: &["email"] }] } else { vec![] }
}

fn before_write(ctx: &WriteCtx, facts: &Facts, old: Option<&Record>, new: &mut Record) -> Result<()> {
    let is_self = uuid(new, "id") == Some(ctx.caller.user);
    match ctx.op {
        Op::Create => {
            require_admin(ctx, None, "add users")?;
            new.insert("password_hash".into(), Value::String(NO_LOCAL_PASSWORD.into()));
        }
        Op::Update => {
            for f in ["is_admin", "is_active"] {
                if changed(old, new, f) {
                    require_admin(ctx, Some(f), "change who is an admin or active")?;
                    if is_self && new.get(f) == Some(&Value::Bool(false)) {
                        return Err(DomainError::conflict(Some(f), "self", "you cannot remove your own admin rights or deactivate yourself"));
                    }
                }
            }
            if !is_self {
                require_admin(ctx, None, "edit other users")?;
            }
            if changed(old, new, "email") {
                require_admin(ctx, Some("email"), "change a sign-in email")?;
            }
        }
        Op::Delete | Op::Restore => {
            require_admin(ctx, None, "remove or restore users")?;
            if is_self {
                return Err(DomainError::conflict(None, "self", "you cannot remove yourself"));
            }
        }
    }
    if let (Some(email), Some(_)) = (text(new, "email"), &facts.twin) {
        return Err(DomainError::conflict(Some("email"), "duplicate", format!("a user with the email {email} already exists")));
    }
    Ok(())
}
