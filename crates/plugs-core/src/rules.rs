//! Rules that span more than one column or row, dispatched by table. The rules themselves live in
//! each table's module; this is the one place the write path calls them from.

use crate::error::{Error, Result};
use crate::repo::{Ctx, Op, Record};
use crate::schema::TableSpec;
use crate::tables;
use crate::types::Timestamp;
use serde_json::Value;
use uuid::Uuid;

/// Checks (and may complete) a row before it is written. An error here means nothing is written.
pub(crate) fn before_write(ctx: &Ctx, spec: &TableSpec, op: Op, old: Option<&Record>, new: &mut Record) -> Result<()> {
    match spec.name {
        "organizations" => tables::organizations::before_write(ctx, op, new),
        "users" => tables::users::before_write(ctx, op, old, new),
        "contact_interactions" => tables::contact_interactions::before_write(ctx, op, new),
        "events" => tables::events::before_write(ctx, op, new),
        "event_attendees" => tables::event_attendees::before_write(ctx, op, old, new),
        "event_agenda_items" => tables::event_agenda_items::before_write(ctx, new),
        "expenses" => tables::expenses::before_write(op, old, new),
        "integrations" => tables::integrations::before_write(ctx, op, new),
        "integration_logs" => tables::integration_logs::before_write(new),
        "analytics_events" => tables::analytics_events::before_write(ctx, op, new),
        _ => Ok(()),
    }
}

/// Keeps derived values current after a row is written (in the same transaction).
pub(crate) fn after_write(ctx: &Ctx, spec: &TableSpec, op: Op, old: Option<&Record>, new: &Record) -> Result<()> {
    match spec.name {
        "contact_interactions" => tables::contact_interactions::after_write(ctx, old, new),
        "event_attendees" => tables::event_attendees::after_write(ctx, op, new),
        _ => Ok(()),
    }
}

/// A text field of a record.
pub(crate) fn text<'r>(r: &'r Record, k: &str) -> Option<&'r str> {
    r.get(k).and_then(Value::as_str)
}

/// A time field of a record.
pub(crate) fn time(r: &Record, k: &str) -> Option<Timestamp> {
    text(r, k).and_then(|s| Timestamp::parse(s).ok())
}

/// A UUID field of a record.
pub(crate) fn uuid(r: &Record, k: &str) -> Option<Uuid> {
    text(r, k).and_then(|s| Uuid::parse_str(s).ok())
}

/// Whether a record is a tombstone.
pub(crate) fn deleted(r: &Record) -> bool {
    r.get("is_deleted").and_then(Value::as_bool).unwrap_or(false)
}

/// Refuses unless the signed-in user is an admin.
pub(crate) fn require_admin(ctx: &Ctx, what: &str) -> Result<()> {
    if ctx.actor.is_admin {
        Ok(())
    } else {
        Err(Error::Forbidden(format!("only an admin can {what}")))
    }
}
