//! `expenses`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

pub(crate) fn before_write(op: crate::repo::Op, old: Option<&crate::repo::Record>, new: &mut crate::repo::Record) -> crate::error::Result<()> {
    use crate::error::Error;
    if let Some(a) = new.get("amount").and_then(Value::as_str) {
        if a.starts_with('-') {
            return Err(Error::invalid("amount", "out_of_range", "must not be negative"));
        }
    }
    if let (crate::repo::Op::Update, Some(old)) = (op, old) {
        let settled = matches!(crate::rules::text(old, "status"), Some("approved" | "paid"));
        for f in ["amount", "currency"] {
            if settled && old.get(f) != new.get(f) && old.get("status") == new.get("status") {
                return Err(Error::conflict(Some(f), "settled", "an approved or paid expense keeps its amount; reject it first to change it"));
            }
        }
    }
    Ok(())
}
