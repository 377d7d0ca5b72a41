//! `expenses`.

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
    /// The values the `expenses` CHECK allows.
    pub enum ExpenseType {
        Travel = "travel",
        Accommodation = "accommodation",
        Catering = "catering",
        Venue = "venue",
        Marketing = "marketing",
        Other = "other",
    }
}

string_enum! {
    /// The values the `expenses` CHECK allows.
    pub enum ExpenseStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Paid = "paid",
    }
}

table! {
    /// One row of `expenses`.
    pub struct Expense in "expenses" typed NewExpense, ExpensePatch, ExpenseId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        created_by: Uuid = Kind::Uuid { references: Some("users") }, false, None, System;
        event_id: Option<Uuid> = Kind::Uuid { references: Some("events") }, true, None, Write;
        title: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Write;
        description: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        amount: Money = Kind::Money, false, None, Write;
        currency: String = Kind::Text { max: Some(3), format: Format::Currency }, true, Some(Default::Json(r#""USD""#)), Write;
        category: Option<String> = Kind::Text { max: Some(50), format: Format::Plain }, true, None, Write;
        expense_type: ExpenseType = Kind::Enum(ExpenseType::VALUES), true, Some(Default::Json(r#""other""#)), Write;
        expense_date: NaiveDate = Kind::Date, false, None, Write;
        status: ExpenseStatus = Kind::Enum(ExpenseStatus::VALUES), true, Some(Default::Json(r#""pending""#)), System;
        receipt_url: Option<String> = Kind::Text { max: Some(500), format: Format::Url }, true, None, Write;
        notes: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        approved_by: Option<Uuid> = Kind::Uuid { references: Some("users") }, true, None, System;
        approved_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["expense_date", "amount", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![]
}

/// Which status a settlement moves from.
fn may_settle(from: &str, to: &str) -> bool {
    matches!((from, to), ("pending" | "rejected", "approved") | ("pending" | "approved", "rejected") | ("approved", "paid"))
}

/// Money is strict. Amounts are never negative. Approving, rejecting and paying are an admin's
/// change of `status`, and nothing else's: who and when are recorded by the store from the
/// caller, never taken from a device. An approved or paid expense keeps its amount and currency.
/// An approval is of the amount the approver saw: if the amount changed meanwhile (an offline
/// edit that reached the server first), the approval is refused and the approver looks again.
fn before_write(ctx: &WriteCtx, _facts: &Facts, old: Option<&Record>, new: &mut Record) -> Result<()> {
    if let Some(a) = text(new, "amount") {
        if a.starts_with('-') {
            return Err(DomainError::invalid("amount", "out_of_range", "must not be negative"));
        }
    }
    let status = text(new, "status").unwrap_or("pending").to_owned();
    let before = old.map(|o| text(o, "status").unwrap_or("pending").to_owned());
    let settling = match &before {
        None => status != "pending",
        Some(b) => *b != status,
    };
    if settling {
        require_admin(ctx, Some("status"), "approve, reject or pay expenses")?;
        if let Some(b) = &before {
            if !may_settle(b, &status) {
                return Err(DomainError::conflict(Some("status"), "invalid_transition", format!("a {b} expense cannot be {status}")));
            }
        }
        if status != "paid" {
            new.insert("approved_by".into(), Value::String(ctx.caller.user.to_string()));
            new.insert("approved_at".into(), Value::String(ctx.now.to_string()));
        }
    } else {
        // Nobody records an approval by hand: these follow the status change only.
        for f in ["approved_by", "approved_at"] {
            let was = old.and_then(|o| o.get(f)).cloned().unwrap_or(Value::Null);
            if new.get(f).cloned().unwrap_or(Value::Null) != was {
                return Err(DomainError::forbidden(Some(f), "is recorded when an admin approves or rejects the expense"));
            }
        }
    }
    if let Some(old) = old {
        let settled = matches!(before.as_deref(), Some("approved" | "paid"));
        for f in ["amount", "currency"] {
            if old.get(f) != new.get(f) && settled && !settling {
                return Err(DomainError::conflict(Some(f), "settled", "an approved or paid expense keeps its amount; reject it first to change it"));
            }
            let seen = ctx.seen.and_then(|r| r.get(f));
            if settling && status == "approved" && seen.is_some_and(|v| Some(v) != new.get(f)) {
                let now = new.get(f).and_then(Value::as_str).unwrap_or("?");
                return Err(DomainError::conflict(Some(f), "amount_changed", format!("the {f} changed to {now} before the approval arrived; review the expense again")));
            }
        }
    }
    Ok(())
}
