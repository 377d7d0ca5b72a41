//! `event_agenda_items`.

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
    /// The values the `event_agenda_items` CHECK allows.
    pub enum AgendaType {
        Presentation = "presentation",
        Break = "break",
        Networking = "networking",
        Workshop = "workshop",
    }
}

string_enum! {
    /// The values the `event_agenda_items` CHECK allows.
    pub enum AgendaStatus {
        Scheduled = "scheduled",
        Ongoing = "ongoing",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

/// One row of `event_agenda_items`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct EventAgendaItem {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub event_id: Uuid,
    pub created_by: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    pub agenda_type: AgendaType,
    pub location: Option<String>,
    pub speaker_id: Option<Uuid>,
    pub sort_order: i32,
    pub status: AgendaStatus,
    pub metadata: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `event_agenda_items`.
pub static SPEC: TableSpec = TableSpec {
    name: "event_agenda_items",
    rules: crate::rules::TableRules { needs, before_write, together: &[&["start_time", "end_time"]] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "event_id", kind: Kind::Uuid { references: Some("events") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "created_by", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::System },
        Column { name: "title", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "description", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "start_time", kind: Kind::Timestamp, nullable: false, default: None, access: Access::Write },
        Column { name: "end_time", kind: Kind::Timestamp, nullable: false, default: None, access: Access::Write },
        Column { name: "agenda_type", kind: Kind::Enum(AgendaType::VALUES), nullable: true, default: Some(Default::Json(r#""presentation""#)), access: Access::Write },
        Column { name: "location", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "speaker_id", kind: Kind::Uuid { references: Some("users") }, nullable: true, default: None, access: Access::Write },
        Column { name: "sort_order", kind: Kind::Int { min: i32::MIN as i64, max: i32::MAX as i64 }, nullable: true, default: Some(Default::Json("0")), access: Access::Write },
        Column { name: "status", kind: Kind::Enum(AgendaStatus::VALUES), nullable: true, default: Some(Default::Json(r#""scheduled""#)), access: Access::Write },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["sort_order", "start_time", "created_at", "updated_at"],
};

impl Entity for EventAgendaItem {
    const SPEC: &'static TableSpec = &SPEC;
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![Need::Parent("event_id")]
}

/// An agenda item starts before it ends and stays inside its event.
fn before_write(_ctx: &WriteCtx, facts: &Facts, old: Option<&Record>, new: &mut Record) -> Result<()> {
    let (Some(start), Some(end)) = (time(new, "start_time"), time(new, "end_time")) else { return Ok(()) };
    if end <= start {
        return Err(DomainError::invalid("end_time", "time_range", format!("must be after start_time ({start})")));
    }
    // Moving or removing an item never makes it outside; only times that change are checked.
    if deleted(new) || !(changed(old, new, "start_time") || changed(old, new, "end_time") || changed(old, new, "event_id") || old.is_some_and(deleted)) {
        return Ok(());
    }
    if let Some(event) = facts.parents.get("event_id") {
        if let (Some(es), Some(ee)) = (time(event, "start_date"), time(event, "end_date")) {
            if start < es {
                return Err(DomainError::invalid("start_time", "outside_event", format!("must not be before the event starts ({es})")));
            }
            if end > ee {
                return Err(DomainError::invalid("end_time", "outside_event", format!("must not be after the event ends ({ee})")));
            }
        }
    }
    Ok(())
}
