//! `users`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use chrono::NaiveDate;
#[allow(unused_imports)]
use serde_json::Value;
use uuid::Uuid;

#[allow(unused_imports)]
use crate::error::{DomainError, Result};
#[allow(unused_imports)]
use crate::rules::{changed, deleted, require_admin, text, time, uuid, Facts, Need, Op, Record, WriteCtx};

table! {
    /// One row of `users`.
    pub struct User in "users" typed NewUser, UserPatch, UserId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        email: String = Kind::Text { max: Some(255), format: Format::Email }, false, None, Write;
        password_hash: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Server;
        first_name: String = Kind::Text { max: Some(50), format: Format::Plain }, false, None, Write;
        last_name: String = Kind::Text { max: Some(50), format: Format::Plain }, false, None, Write;
        phone: Option<String> = Kind::Text { max: Some(20), format: Format::Phone }, true, None, Write;
        bio: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        avatar_url: Option<String> = Kind::Text { max: Some(500), format: Format::Url }, true, None, Write;
        job_title: Option<String> = Kind::Text { max: Some(100), format: Format::Plain }, true, None, Write;
        company: Option<String> = Kind::Text { max: Some(100), format: Format::Plain }, true, None, Write;
        linkedin_url: Option<String> = Kind::Text { max: Some(255), format: Format::Url }, true, None, Write;
        is_active: bool = Kind::Bool, true, Some(Default::Json("true")), Write;
        is_verified: bool = Kind::Bool, true, Some(Default::Json("false")), Server;
        is_admin: bool = Kind::Bool, true, Some(Default::Json("false")), Write;
        verified_at: Option<Timestamp> = Kind::Timestamp, true, None, Server;
        last_login: Option<Timestamp> = Kind::Timestamp, true, None, Server;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
        created_by: Option<Uuid> = Kind::Uuid { references: Some("users") }, true, None, System;
        updated_by: Option<Uuid> = Kind::Uuid { references: Some("users") }, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["last_name", "first_name", "email", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
}

/// The password hash of a user who has no local password: sign-in happens against the server, which
/// keeps the real (argon2id) hash; this value matches no password.
pub const NO_LOCAL_PASSWORD: &str = "!";

fn needs(_: &WriteCtx, old: Option<&Record>, new: &Record) -> Vec<Need> {
    if changed(old, new, "email") {
        vec![Need::Twin { columns: &["email"] }]
    } else {
        vec![]
    }
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
