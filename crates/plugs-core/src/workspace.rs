//! The first launch: an organization and its first (admin) user, created on this device with no
//! server, so the app works offline from minute one. Their ids are UUID v7 born here; when the
//! device later connects, sync pushes them like any other rows.

use crate::error::{Error, Result};
use crate::repo::{self, Origin, Record};
use crate::store::{Actor, Store};
use crate::tables::{organizations::Organization, users::User};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

/// What onboarding asks for.
#[derive(Debug, Clone, Deserialize, serde::Serialize, ts_rs::TS)]
pub struct NewWorkspace {
    pub organization_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

impl Store {
    /// Creates the local workspace and signs its admin in. Refused if one exists already.
    pub fn init_workspace(&self, w: &NewWorkspace) -> Result<(Organization, User)> {
        if self.is_initialized() {
            return Err(Error::conflict(None, "already_initialized", "this device already has a workspace"));
        }
        let actor = Actor { user_id: Uuid::now_v7(), organization_id: Uuid::now_v7(), is_admin: true };
        let (org, user) = self.write_as(&actor, |ctx| {
            // The organization's audit row names its first user, who is written just after.
            ctx.conn.execute_batch("PRAGMA defer_foreign_keys = ON")?;
            let mut o = Record::new();
            o.insert("id".into(), Value::String(actor.organization_id.to_string()));
            o.insert("name".into(), Value::String(w.organization_name.clone()));
            let org = repo::create(ctx, &crate::tables::organizations::SPEC, o, Origin::System)?;
            let mut u = Record::new();
            u.insert("id".into(), Value::String(actor.user_id.to_string()));
            u.insert("first_name".into(), Value::String(w.first_name.clone()));
            u.insert("last_name".into(), Value::String(w.last_name.clone()));
            u.insert("email".into(), Value::String(w.email.clone()));
            u.insert("is_admin".into(), Value::Bool(true));
            let user = repo::create(ctx, &crate::tables::users::SPEC, u, Origin::System)?;
            Ok((org, user))
        })?;
        self.set_current_user(actor.user_id)?;
        let org = serde_json::from_value(Value::Object(org)).map_err(|e| Error::invalid("organization", "corrupt_row", e.to_string()))?;
        let user = serde_json::from_value(Value::Object(user)).map_err(|e| Error::invalid("user", "corrupt_row", e.to_string()))?;
        Ok((org, user))
    }
}

/// Whether a workspace exists on this device, and who works in it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
pub struct WorkspaceStatus {
    pub initialized: bool,
    pub user: Option<User>,
    pub organization: Option<Organization>,
    pub is_admin: bool,
    pub pending_changes: i64,
}

impl Store {
    /// The workspace and its signed-in user (password hash left out).
    pub fn workspace_status(&self) -> Result<WorkspaceStatus> {
        let Ok(a) = self.actor() else {
            return Ok(WorkspaceStatus { initialized: false, user: None, organization: None, is_admin: false, pending_changes: self.pending_changes()? });
        };
        let mut user: User = self.repo::<User>().get(a.user_id)?;
        user.password_hash = String::new();
        let organization: Organization = self.repo::<Organization>().get(a.organization_id)?;
        Ok(WorkspaceStatus { initialized: true, user: Some(user), organization: Some(organization), is_admin: a.is_admin, pending_changes: self.pending_changes()? })
    }
}
