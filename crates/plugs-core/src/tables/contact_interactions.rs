//! `contact_interactions`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

string_enum! {
    /// The values the `contact_interactions` CHECK allows.
    pub enum InteractionType {
        Meeting = "meeting",
        Call = "call",
        Email = "email",
        Linkedin = "linkedin",
        Event = "event",
        FollowUp = "follow_up",
    }
}

string_enum! {
    /// The values the `contact_interactions` CHECK allows.
    pub enum InteractionStatus {
        Completed = "completed",
        Scheduled = "scheduled",
        Cancelled = "cancelled",
    }
}

/// One row of `contact_interactions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ContactInteraction {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub contact_id: Uuid,
    pub user_id: Uuid,
    pub interaction_type: InteractionType,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub outcome: Option<String>,
    pub interaction_date: Timestamp,
    pub status: InteractionStatus,
    pub metadata: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `contact_interactions`.
pub static SPEC: TableSpec = TableSpec {
    name: "contact_interactions",
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "contact_id", kind: Kind::Uuid { references: Some("contacts") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "user_id", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "interaction_type", kind: Kind::Enum(InteractionType::VALUES), nullable: false, default: None, access: Access::Write },
        Column { name: "subject", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "description", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "outcome", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "interaction_date", kind: Kind::Timestamp, nullable: false, default: None, access: Access::Write },
        Column { name: "status", kind: Kind::Enum(InteractionStatus::VALUES), nullable: true, default: Some(Default::Json(r#""completed""#)), access: Access::Write },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["interaction_date", "created_at", "updated_at"],
};

impl Entity for ContactInteraction {
    const SPEC: &'static TableSpec = &SPEC;
}

pub(crate) fn before_write(ctx: &crate::repo::Ctx, op: crate::repo::Op, new: &mut crate::repo::Record) -> crate::error::Result<()> {
    if op == crate::repo::Op::Create && new.get("user_id").is_none_or(Value::is_null) {
        new.insert("user_id".into(), Value::String(ctx.actor.user_id.to_string()));
    }
    Ok(())
}

/// `contacts.last_interaction` follows the latest completed, non-deleted interaction (a scheduled
/// follow-up has not happened yet, a cancelled one never will).
pub(crate) fn after_write(ctx: &crate::repo::Ctx, old: Option<&crate::repo::Record>, new: &crate::repo::Record) -> crate::error::Result<()> {
    let mut contacts: Vec<Uuid> = vec![];
    for r in [old, Some(new)].into_iter().flatten() {
        if let Some(c) = crate::rules::uuid(r, "contact_id") {
            if !contacts.contains(&c) {
                contacts.push(c);
            }
        }
    }
    for contact_id in contacts {
        refresh_last_interaction(ctx, contact_id)?;
    }
    Ok(())
}

pub(crate) fn refresh_last_interaction(ctx: &crate::repo::Ctx, contact_id: Uuid) -> crate::error::Result<()> {
    let spec = &crate::tables::contacts::SPEC;
    let Some(contact) = crate::repo::find(ctx.conn, ctx.actor, spec, contact_id)? else { return Ok(()) };
    if crate::rules::deleted(&contact) {
        return Ok(());
    }
    let latest: Option<String> = ctx.conn.prepare_cached(
        "SELECT MAX(interaction_date) FROM contact_interactions WHERE contact_id = ?1 AND NOT is_deleted AND status = 'completed'",
    )?.query_row([contact_id.to_string()], |r| r.get(0))?;
    let latest = latest.map(Value::String).unwrap_or(Value::Null);
    if contact.get("last_interaction") != Some(&latest) {
        let mut patch = crate::repo::Record::new();
        patch.insert("last_interaction".into(), latest);
        crate::repo::system_update(ctx, spec, contact_id, patch)?;
    }
    Ok(())
}
