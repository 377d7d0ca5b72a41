//! `events`.

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

/// One row of `events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Event {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub event_type: EventType,
    pub status: EventStatus,
    pub start_date: Timestamp,
    pub end_date: Timestamp,
    pub timezone: String,
    pub location: Option<String>,
    pub venue: Option<String>,
    pub venue_details: Value,
    pub budget: Money,
    pub currency: String,
    pub max_attendees: Option<i32>,
    pub current_attendees: i32,
    pub registration_url: Option<String>,
    pub settings: Value,
    pub metadata: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
    pub updated_by: Option<Uuid>,
}

/// Columns, rules and capabilities of `events`.
pub static SPEC: TableSpec = TableSpec {
    name: "events",
    rules: crate::rules::TableRules { needs, before_write, together: &[&["start_date", "end_date"]] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "created_by", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::System },
        Column { name: "title", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "description", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "event_type", kind: Kind::Enum(EventType::VALUES), nullable: true, default: Some(Default::Json(r#""networking""#)), access: Access::Write },
        Column { name: "status", kind: Kind::Enum(EventStatus::VALUES), nullable: true, default: Some(Default::Json(r#""draft""#)), access: Access::Write },
        Column { name: "start_date", kind: Kind::Timestamp, nullable: false, default: None, access: Access::Write },
        Column { name: "end_date", kind: Kind::Timestamp, nullable: false, default: None, access: Access::Write },
        Column { name: "timezone", kind: Kind::Text { max: Some(50), format: Format::TimeZone }, nullable: true, default: Some(Default::Json(r#""UTC""#)), access: Access::Write },
        Column { name: "location", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "venue", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "venue_details", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "budget", kind: Kind::Money, nullable: true, default: Some(Default::Json(r#""0.00""#)), access: Access::Write },
        Column { name: "currency", kind: Kind::Text { max: Some(3), format: Format::Currency }, nullable: true, default: Some(Default::Json(r#""USD""#)), access: Access::Write },
        Column { name: "max_attendees", kind: Kind::Int { min: 0, max: i32::MAX as i64 }, nullable: true, default: None, access: Access::Write },
        Column { name: "current_attendees", kind: Kind::Int { min: 0, max: i32::MAX as i64 }, nullable: true, default: Some(Default::Json("0")), access: Access::Derived },
        Column { name: "registration_url", kind: Kind::Text { max: Some(500), format: Format::Url }, nullable: true, default: None, access: Access::Write },
        Column { name: "settings", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
        Column { name: "updated_by", kind: Kind::Uuid { references: Some("users") }, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["start_date", "end_date", "title", "created_at", "updated_at"],
};

impl Entity for Event {
    const SPEC: &'static TableSpec = &SPEC;
}

fn dates_changed(old: Option<&Record>, new: &Record) -> bool {
    old.is_some() && (changed(old, new, "start_date") || changed(old, new, "end_date"))
}

fn needs(_: &WriteCtx, old: Option<&Record>, new: &Record) -> Vec<Need> {
    if dates_changed(old, new) { vec![Need::Children { table: "event_agenda_items", fk: "event_id" }] } else { vec![] }
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
