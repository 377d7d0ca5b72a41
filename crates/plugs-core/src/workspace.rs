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
#[derive(Debug, Clone, Deserialize)]
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
