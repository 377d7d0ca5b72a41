//! `events`.

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
    /// The values the `events` CHECK allows.
    pub enum EventType {
        Conference = "conference",
        Workshop = "workshop",
        Networking = "networking",
        Meeting = "meeting",
    }
}

string_enum! {
    /// The values the `events` CHECK allows.
    pub enum EventStatus {
        Draft = "draft",
        Published = "published",
        Ongoing = "ongoing",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

table! {
    /// One row of `events`.
    pub struct Event in "events" typed NewEvent, EventPatch, EventId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        created_by: Uuid = Kind::Uuid { references: Some("users") }, false, None, System;
        title: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Write;
        description: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        event_type: EventType = Kind::Enum(EventType::VALUES), true, Some(Default::Json(r#""networking""#)), Write;
        status: EventStatus = Kind::Enum(EventStatus::VALUES), true, Some(Default::Json(r#""draft""#)), Write;
        start_date: Timestamp = Kind::Timestamp, false, None, Write;
        end_date: Timestamp = Kind::Timestamp, false, None, Write;
        timezone: String = Kind::Text { max: Some(50), format: Format::TimeZone }, true, Some(Default::Json(r#""UTC""#)), Write;
        location: Option<String> = Kind::Text { max: Some(255), format: Format::Plain }, true, None, Write;
        venue: Option<String> = Kind::Text { max: Some(255), format: Format::Plain }, true, None, Write;
        venue_details: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        budget: Money = Kind::Money, true, Some(Default::Json(r#""0.00""#)), Write;
        currency: String = Kind::Text { max: Some(3), format: Format::Currency }, true, Some(Default::Json(r#""USD""#)), Write;
        max_attendees: Option<i32> = Kind::Int { min: 0, max: i32::MAX as i64 }, true, None, Write;
        current_attendees: i32 = Kind::Int { min: 0, max: i32::MAX as i64 }, true, Some(Default::Json("0")), Derived;
        registration_url: Option<String> = Kind::Text { max: Some(500), format: Format::Url }, true, None, Write;
        settings: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
        updated_by: Option<Uuid> = Kind::Uuid { references: Some("users") }, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["start_date", "end_date", "title", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[&["start_date", "end_date"]] },
    derived: [
        // The registrations that take a place.
        Derived { column: "current_attendees", from: "event_attendees", fk: "event_id", aggregate: Aggregate::Count, only: None, except: Some(("status", "cancelled")) },
    ],
}

fn dates_changed(old: Option<&Record>, new: &Record) -> bool {
    old.is_some() && (changed(old, new, "start_date") || changed(old, new, "end_date"))
}

fn needs(_: &WriteCtx, old: Option<&Record>, new: &Record) -> Vec<Need> {
    if dates_changed(old, new) {
        vec![Need::Children { table: "event_agenda_items", fk: "event_id" }]
    } else {
        vec![]
    }
}

/// Dates in order; the limit never below the registrations; a change of dates keeps every agenda
/// item inside the event (the dates are refused, not the rest of the change). Only the fields a
/// write changes are checked against other rows, so an event is always editable.
fn before_write(_ctx: &WriteCtx, facts: &Facts, old: Option<&Record>, new: &mut Record) -> Result<()> {
    let (start, end) = (time(new, "start_date"), time(new, "end_date"));
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            let field = if changed(old, new, "end_date") || !changed(old, new, "start_date") { "end_date" } else { "start_date" };
            return Err(DomainError::invalid(field, "date_range", format!("the event must end after it starts ({s})")));
        }
    }
    if changed(old, new, "max_attendees") {
        let current = new.get("current_attendees").and_then(Value::as_i64).unwrap_or(0);
        if let Some(max) = new.get("max_attendees").and_then(Value::as_i64) {
            if current > max {
                return Err(DomainError::conflict(Some("max_attendees"), "capacity_below_registrations", format!("{current} people are registered; the limit cannot be {max}")));
            }
        }
    }
    if dates_changed(old, new) {
        let (Some(s), Some(e)) = (start, end) else { return Ok(()) };
        for item in facts.children.get("event_agenda_items").into_iter().flatten() {
            let (Some(is), Some(ie)) = (time(item, "start_time"), time(item, "end_time")) else { continue };
            if is < s || ie > e {
                let title = text(item, "title").unwrap_or("an item");
                let field = if is < s { "start_date" } else { "end_date" };
                return Err(DomainError::conflict(Some(field), "agenda_outside", format!("the agenda item '{title}' would fall outside the event; move it first")));
            }
        }
    }
    Ok(())
}
