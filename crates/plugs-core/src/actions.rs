//! Actions with rules of their own, beyond editing fields: checking attendees in and out, settling
//! expenses, reading notifications. Each is one transaction through the common write path.

use crate::error::{Error, Result};
use crate::query::typed;
use crate::repo::{self, Record};
use crate::rules::text;
use crate::store::Store;
use crate::tables::{event_attendees::EventAttendee, expenses::Expense, notifications::Notification};
use serde_json::Value;
use uuid::Uuid;

fn patch(pairs: &[(&str, Value)]) -> Record {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

impl Store {
    /// Checks an attendee in now (status becomes `attended`).
    pub fn check_in(&self, attendee_id: Uuid) -> Result<EventAttendee> {
        let spec = &crate::tables::event_attendees::SPEC;
        self.write(|ctx| {
            let a = repo::get(ctx.conn, ctx.actor, spec, attendee_id)?;
            if let Some(t) = text(&a, "check_in_time") {
                return Err(Error::conflict(Some("check_in_time"), "already_checked_in", format!("already checked in at {t}")));
            }
            if text(&a, "status") == Some("cancelled") {
                return Err(Error::conflict(Some("status"), "cancelled", "this registration is cancelled"));
            }
            let now = Value::String(ctx.now.to_string());
            typed(repo::system_update(ctx, spec, attendee_id, patch(&[("check_in_time", now), ("status", "attended".into())]))?)
        })
    }

    /// Checks an attendee out now; they must have checked in.
    pub fn check_out(&self, attendee_id: Uuid) -> Result<EventAttendee> {
        let spec = &crate::tables::event_attendees::SPEC;
        self.write(|ctx| {
            let a = repo::get(ctx.conn, ctx.actor, spec, attendee_id)?;
            if text(&a, "check_in_time").is_none() {
                return Err(Error::invalid("check_out_time", "check_in_required", "this attendee has not checked in yet"));
            }
            if let Some(t) = text(&a, "check_out_time") {
                return Err(Error::conflict(Some("check_out_time"), "already_checked_out", format!("already checked out at {t}")));
            }
            let now = Value::String(ctx.now.to_string());
            typed(repo::system_update(ctx, spec, attendee_id, patch(&[("check_out_time", now)]))?)
        })
    }

    /// Changes an expense's status: the domain's rule checks the caller is an admin and the
    /// transition, and records who and when (the same rule the server runs on a push).
    fn settle_expense(&self, id: Uuid, to: &str) -> Result<Expense> {
        let spec = &crate::tables::expenses::SPEC;
        self.write(|ctx| typed(repo::system_update(ctx, spec, id, patch(&[("status", to.into())]))?))
    }

    /// Approves an expense (admins only); records who and when.
    pub fn approve_expense(&self, id: Uuid) -> Result<Expense> {
        self.settle_expense(id, "approved")
    }

    /// Rejects an expense (admins only); records who and when.
    pub fn reject_expense(&self, id: Uuid) -> Result<Expense> {
        self.settle_expense(id, "rejected")
    }

    /// Marks an approved expense paid (admins only).
    pub fn mark_expense_paid(&self, id: Uuid) -> Result<Expense> {
        self.settle_expense(id, "paid")
    }

    /// Marks one of the signed-in user's notifications read (sets `read_at`).
    pub fn mark_notification_read(&self, id: Uuid) -> Result<Notification> {
        let spec = &crate::tables::notifications::SPEC;
        self.write(|ctx| {
            let n = repo::get(ctx.conn, ctx.actor, spec, id)?;
            if text(&n, "user_id") != Some(ctx.actor.user_id.to_string().as_str()) {
                return Err(Error::NotFound { entity: "notifications", id: id.to_string() });
            }
            if n.get("is_read") == Some(&Value::Bool(true)) {
                return typed(n);
            }
            typed(repo::system_update(ctx, spec, id, patch(&[("is_read", true.into()), ("read_at", Value::String(ctx.now.to_string()))]))?)
        })
    }

    /// Marks every unread notification of the signed-in user read; returns how many.
    pub fn mark_all_notifications_read(&self) -> Result<usize> {
        let spec = &crate::tables::notifications::SPEC;
        self.write(|ctx| {
            let ids: Vec<String> = ctx
                .conn
                .prepare("SELECT id FROM notifications WHERE organization_id = ?1 AND user_id = ?2 AND NOT is_deleted AND NOT is_read")?
                .query_map([ctx.actor.organization_id.to_string(), ctx.actor.user_id.to_string()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in &ids {
                let id = Uuid::parse_str(id).map_err(|_| Error::invalid("id", "corrupt_row", "bad id"))?;
                repo::system_update(ctx, spec, id, patch(&[("is_read", true.into()), ("read_at", Value::String(ctx.now.to_string()))]))?;
            }
            Ok(ids.len())
        })
    }
}
