//! `event_agenda_items`.

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

table! {
    /// One row of `event_agenda_items`.
    pub struct EventAgendaItem in "event_agenda_items" typed NewEventAgendaItem, EventAgendaItemPatch, EventAgendaItemId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        event_id: Uuid = Kind::Uuid { references: Some("events") }, false, None, CreateOnly;
        created_by: Uuid = Kind::Uuid { references: Some("users") }, false, None, System;
        title: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Write;
        description: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        start_time: Timestamp = Kind::Timestamp, false, None, Write;
        end_time: Timestamp = Kind::Timestamp, false, None, Write;
        agenda_type: AgendaType = Kind::Enum(AgendaType::VALUES), true, Some(Default::Json(r#""presentation""#)), Write;
        location: Option<String> = Kind::Text { max: Some(255), format: Format::Plain }, true, None, Write;
        speaker_id: Option<Uuid> = Kind::Uuid { references: Some("users") }, true, None, Write;
        sort_order: i32 = Kind::Int { min: i32::MIN as i64, max: i32::MAX as i64 }, true, Some(Default::Json("0")), Write;
        status: AgendaStatus = Kind::Enum(AgendaStatus::VALUES), true, Some(Default::Json(r#""scheduled""#)), Write;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["sort_order", "start_time", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[&["start_time", "end_time"]] },
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
