//! `contact_interactions`.

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

table! {
    /// One row of `contact_interactions`.
    pub struct ContactInteraction in "contact_interactions" typed NewContactInteraction, ContactInteractionPatch, ContactInteractionId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        contact_id: Uuid = Kind::Uuid { references: Some("contacts") }, false, None, CreateOnly;
        user_id: Uuid = Kind::Uuid { references: Some("users") }, false, None, CreateOnly;
        interaction_type: InteractionType = Kind::Enum(InteractionType::VALUES), false, None, Write;
        subject: Option<String> = Kind::Text { max: Some(255), format: Format::Plain }, true, None, Write;
        description: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        outcome: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        interaction_date: Timestamp = Kind::Timestamp, false, None, Write;
        status: InteractionStatus = Kind::Enum(InteractionStatus::VALUES), true, Some(Default::Json(r#""completed""#)), Write;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["interaction_date", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
}

fn needs(ctx: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    // A new interaction with a contact merged away meanwhile goes to the one it became.
    if ctx.op == Op::Create {
        vec![Need::Parent("contact_id")]
    } else {
        vec![]
    }
}

/// An interaction is logged by the signed-in user unless it names another; one written against a
/// contact merged away meanwhile goes to the contact it became (`crate::merge`).
fn before_write(ctx: &WriteCtx, facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    if ctx.op == Op::Create && new.get("user_id").is_none_or(Value::is_null) {
        new.insert("user_id".into(), Value::String(ctx.caller.user.to_string()));
    }
    if ctx.op == Op::Create {
        crate::merge::forward(facts, new, "contact_id");
    }
    Ok(())
}
