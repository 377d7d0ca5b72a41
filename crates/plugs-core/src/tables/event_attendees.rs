//! `event_attendees`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// Whether an attendance takes a place at the event.
pub(crate) fn takes_place(r: &crate::repo::Record) -> bool {
    !crate::rules::deleted(r) && crate::rules::text(r, "status") != Some("cancelled")
}

pub(crate) fn before_write(
    ctx: &crate::repo::Ctx,
    op: crate::repo::Op,
    old: Option<&crate::repo::Record>,
    new: &mut crate::repo::Record,
) -> crate::error::Result<()> {
    use crate::error::Error;
    use crate::rules::{text, time};
    if op == crate::repo::Op::Create {
        let existing: Option<bool> = ctx.conn.query_row(
            "SELECT is_deleted FROM event_attendees WHERE event_id = ?1 AND user_id = ?2",
            rusqlite::params![text(new, "event_id"), text(new, "user_id")],
            |r| r.get(0),
        ).ok();
        if let Some(was_deleted) = existing {
            let hint = if was_deleted { " (the registration was removed: restore it instead)" } else { "" };
            return Err(Error::conflict(Some("user_id"), "duplicate", format!("this person is already registered for the event{hint}")));
        }
    }
    match (time(new, "check_in_time"), time(new, "check_out_time")) {
        (None, Some(_)) => return Err(Error::invalid("check_out_time", "check_in_required", "cannot check out before checking in")),
        (Some(i), Some(o)) if o < i => return Err(Error::invalid("check_out_time", "before_check_in", format!("must not be before the check-in ({i})"))),
        _ => {}
    }
    if takes_place(new) && !old.is_some_and(takes_place) {
        let event_id = text(new, "event_id").unwrap_or_default().to_owned();
        let (current, max, title): (i64, Option<i64>, String) = ctx.conn.query_row(
            "SELECT current_attendees, max_attendees, title FROM events WHERE id = ?1",
            [&event_id],
            |r| Ok((r.get::<_, Option<i64>>(0)?.unwrap_or(0), r.get(1)?, r.get(2)?)),
        )?;
        if let Some(max) = max {
            if current >= max {
                return Err(Error::conflict(Some("event_id"), "event_full", format!("'{title}' is full ({current} of {max} places taken)")));
            }
        }
    }
    Ok(())
}

/// `events.current_attendees` follows the attendances that take a place.
pub(crate) fn after_write(ctx: &crate::repo::Ctx, _op: crate::repo::Op, new: &crate::repo::Record) -> crate::error::Result<()> {
    let Some(event_id) = crate::rules::uuid(new, "event_id") else { return Ok(()) };
    let spec = &crate::tables::events::SPEC;
    let Some(event) = crate::repo::find(ctx.conn, ctx.actor, spec, event_id)? else { return Ok(()) };
    if crate::rules::deleted(&event) {
        return Ok(());
    }
    let n: i64 = ctx.conn.prepare_cached(
        "SELECT COUNT(*) FROM event_attendees WHERE event_id = ?1 AND NOT is_deleted AND status <> 'cancelled'",
    )?.query_row([event_id.to_string()], |r| r.get(0))?;
    if event.get("current_attendees").and_then(Value::as_i64) != Some(n) {
        let mut patch = crate::repo::Record::new();
        patch.insert("current_attendees".into(), Value::from(n));
        crate::repo::system_update(ctx, spec, event_id, patch)?;
    }
    Ok(())
}
