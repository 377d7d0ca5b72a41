//! `event_attendees`.

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

string_enum! {
    /// The values the `event_attendees` CHECK allows.
    pub enum AttendeeStatus {
        Registered = "registered",
        Confirmed = "confirmed",
        Attended = "attended",
        NoShow = "no_show",
        Cancelled = "cancelled",
    }
}

/// One row of `event_attendees`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct EventAttendee {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub event_id: Uuid,
    pub user_id: Uuid,
    pub status: AttendeeStatus,
    pub registration_date: Timestamp,
    pub check_in_time: Option<Timestamp>,
    pub check_out_time: Option<Timestamp>,
    pub notes: Option<String>,
    pub metadata: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `event_attendees`.
pub static SPEC: TableSpec = TableSpec {
    name: "event_attendees",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "event_id", kind: Kind::Uuid { references: Some("events") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "user_id", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "status", kind: Kind::Enum(AttendeeStatus::VALUES), nullable: true, default: Some(Default::Json(r#""registered""#)), access: Access::Write },
        Column { name: "registration_date", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "check_in_time", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
        Column { name: "check_out_time", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
        Column { name: "notes", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["registration_date", "check_in_time", "created_at", "updated_at"],
};

impl Entity for EventAttendee {
    const SPEC: &'static TableSpec = &SPEC;
}

/// Whether an attendance takes a place at the event (not removed, not cancelled).
pub fn takes_place(r: &Record) -> bool {
    !deleted(r) && text(r, "status") != Some("cancelled")
}

fn needs(ctx: &WriteCtx, old: Option<&Record>, new: &Record) -> Vec<Need> {
    let mut n = vec![];
    if ctx.op == Op::Create {
        n.push(Need::Twin { columns: &["event_id", "user_id"] });
    }
    if takes_place(new) && !old.is_some_and(takes_place) {
        n.push(Need::Parent("event_id"));
    }
    n
}

/// No second registration; check-out after check-in; a place only while the event has one.
fn before_write(_ctx: &WriteCtx, facts: &Facts, old: Option<&Record>, new: &mut Record) -> Result<()> {
    if let Some(twin) = &facts.twin {
        let hint = if deleted(twin) { " (the registration was removed: restore it instead)" } else { "" };
        return Err(DomainError::conflict(Some("user_id"), "duplicate", format!("this person is already registered for the event{hint}")));
    }
    if old.is_some_and(|o| text(o, "check_in_time").is_some()) && changed(old, new, "check_in_time") {
        let t = old.and_then(|o| text(o, "check_in_time")).unwrap_or_default();
        return Err(DomainError::conflict(Some("check_in_time"), "already_checked_in", format!("already checked in at {t}")));
    }
    match (time(new, "check_in_time"), time(new, "check_out_time")) {
        (None, Some(_)) => return Err(DomainError::invalid("check_out_time", "check_in_required", "cannot check out before checking in")),
        (Some(i), Some(o)) if o < i => {
            let field = if changed(old, new, "check_out_time") { "check_out_time" } else { "check_in_time" };
            return Err(DomainError::invalid(field, "before_check_in", format!("a check-out ({o}) must not be before the check-in ({i})")));
        }
        _ => {}
    }
    if takes_place(new) && !old.is_some_and(takes_place) {
        if let Some(event) = facts.parents.get("event_id") {
            let current = event.get("current_attendees").and_then(Value::as_i64).unwrap_or(0);
            if let Some(max) = event.get("max_attendees").and_then(Value::as_i64) {
                if current >= max {
                    let title = text(event, "title").unwrap_or("the event");
                    return Err(DomainError::conflict(Some("event_id"), "event_full", format!("'{title}' is full ({current} of {max} places taken)")));
                }
            }
        }
    }
    Ok(())
}
