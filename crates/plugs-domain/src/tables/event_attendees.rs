//! `event_attendees`.

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
    /// The values the `event_attendees` CHECK allows.
    pub enum AttendeeStatus {
        Registered = "registered",
        Confirmed = "confirmed",
        Attended = "attended",
        NoShow = "no_show",
        Cancelled = "cancelled",
    }
}

table! {
    /// One row of `event_attendees`.
    pub struct EventAttendee in "event_attendees" typed NewEventAttendee, EventAttendeePatch, EventAttendeeId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        event_id: Uuid = Kind::Uuid { references: Some("events") }, false, None, CreateOnly;
        user_id: Uuid = Kind::Uuid { references: Some("users") }, false, None, CreateOnly;
        status: AttendeeStatus = Kind::Enum(AttendeeStatus::VALUES), true, Some(Default::Json(r#""registered""#)), Write;
        registration_date: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        check_in_time: Option<Timestamp> = Kind::Timestamp, true, None, System;
        check_out_time: Option<Timestamp> = Kind::Timestamp, true, None, System;
        notes: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["registration_date", "check_in_time", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
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
