//! `expenses`.

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

/// One row of `expenses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Expense {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Uuid,
    pub event_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    pub amount: Money,
    pub currency: String,
    pub category: Option<String>,
    pub expense_type: ExpenseType,
    pub expense_date: NaiveDate,
    pub status: ExpenseStatus,
    pub receipt_url: Option<String>,
    pub notes: Option<String>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<Timestamp>,
    pub metadata: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `expenses`.
pub static SPEC: TableSpec = TableSpec {
    name: "expenses",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "created_by", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::System },
        Column { name: "event_id", kind: Kind::Uuid { references: Some("events") }, nullable: true, default: None, access: Access::Write },
        Column { name: "title", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "description", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "amount", kind: Kind::Money, nullable: false, default: None, access: Access::Write },
        Column { name: "currency", kind: Kind::Text { max: Some(3), format: Format::Currency }, nullable: true, default: Some(Default::Json(r#""USD""#)), access: Access::Write },
        Column { name: "category", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "expense_type", kind: Kind::Enum(ExpenseType::VALUES), nullable: true, default: Some(Default::Json(r#""other""#)), access: Access::Write },
        Column { name: "expense_date", kind: Kind::Date, nullable: false, default: None, access: Access::Write },
        Column { name: "status", kind: Kind::Enum(ExpenseStatus::VALUES), nullable: true, default: Some(Default::Json(r#""pending""#)), access: Access::System },
        Column { name: "receipt_url", kind: Kind::Text { max: Some(500), format: Format::Url }, nullable: true, default: None, access: Access::Write },
        Column { name: "notes", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "approved_by", kind: Kind::Uuid { references: Some("users") }, nullable: true, default: None, access: Access::System },
        Column { name: "approved_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["expense_date", "amount", "created_at", "updated_at"],
};

impl Entity for Expense {
    const SPEC: &'static TableSpec = &SPEC;
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
            if old.get(f) != new.get(f) {
                if settled && !settling {
                    return Err(DomainError::conflict(Some(f), "settled", "an approved or paid expense keeps its amount; reject it first to change it"));
                }
            }
            let seen = ctx.seen.and_then(|r| r.get(f));
            if settling && status == "approved" && seen.is_some_and(|v| Some(v) != new.get(f)) {
                {
                    return Err(DomainError::conflict(Some(f), "amount_changed", format!("the {f} changed to {} before the approval arrived; review the expense again", new.get(f).and_then(Value::as_str).unwrap_or("?"))));
                }
            }
        }
    }
    Ok(())
}
