//! Who writes and inside which transaction: the signed-in user, and the context every write of
//! the one write path receives.

use crate::types::Timestamp;
use plugs_domain::rules::Caller;
use rusqlite::Connection;
use uuid::Uuid;

/// Who is acting: the signed-in local user, in their organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub is_admin: bool,
}

impl Actor {
    /// The actor as the domain's rules know a caller.
    pub fn caller(&self) -> Caller {
        Caller { org: self.organization_id, user: self.user_id, is_admin: self.is_admin }
    }
}

/// Everything a write needs: the connection (inside the open transaction), who acts, and when.
pub(crate) struct Ctx<'a> {
    pub conn: &'a Connection,
    pub actor: &'a Actor,
    pub now: Timestamp,
}
