//! `contacts`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

string_enum! {
    /// The values the `contacts` CHECK allows.
    pub enum ContactType {
        Target = "target",
        Contact = "contact",
        Plug = "plug",
    }
}

string_enum! {
    /// The values the `contacts` CHECK allows.
    pub enum ContactStatus {
        NewClient = "new_client",
        ExistingClient = "existing_client",
        HotLead = "hot_lead",
        ColdLead = "cold_lead",
    }
}

string_enum! {
    /// The values the `contacts` CHECK allows.
    pub enum Priority {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}

/// One row of `contacts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Contact {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub linkedin_url: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub contact_type: ContactType,
    pub status: ContactStatus,
    pub priority: Priority,
    pub business_type: Option<String>,
    pub network_type: Option<String>,
    pub industry: Option<String>,
    pub notes: Option<String>,
    pub metadata: Value,
    pub lead_score: i32,
    pub last_interaction: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
    pub updated_by: Option<Uuid>,
}

/// Columns, rules and capabilities of `contacts`.
pub static SPEC: TableSpec = TableSpec {
    name: "contacts",
    rules: crate::rules::NO_RULES,
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "created_by", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::System },
        Column { name: "first_name", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "last_name", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "email", kind: Kind::Text { max: Some(255), format: Format::Email }, nullable: true, default: None, access: Access::Write },
        Column { name: "phone", kind: Kind::Text { max: Some(20), format: Format::Phone }, nullable: true, default: None, access: Access::Write },
        Column { name: "company", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "job_title", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "linkedin_url", kind: Kind::Text { max: Some(255), format: Format::Url }, nullable: true, default: None, access: Access::Write },
        Column { name: "bio", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "avatar_url", kind: Kind::Text { max: Some(500), format: Format::Url }, nullable: true, default: None, access: Access::Write },
        Column { name: "contact_type", kind: Kind::Enum(ContactType::VALUES), nullable: true, default: Some(Default::Json(r#""target""#)), access: Access::Write },
        Column { name: "status", kind: Kind::Enum(ContactStatus::VALUES), nullable: true, default: Some(Default::Json(r#""cold_lead""#)), access: Access::Write },
        Column { name: "priority", kind: Kind::Enum(Priority::VALUES), nullable: true, default: Some(Default::Json(r#""medium""#)), access: Access::Write },
        Column { name: "business_type", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "network_type", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "industry", kind: Kind::Text { max: Some(100), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "notes", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "lead_score", kind: Kind::Int { min: 0, max: 100 }, nullable: true, default: Some(Default::Json("0")), access: Access::Write },
        Column { name: "last_interaction", kind: Kind::Timestamp, nullable: true, default: None, access: Access::Derived },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
        Column { name: "updated_by", kind: Kind::Uuid { references: Some("users") }, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["last_name", "first_name", "company", "lead_score", "last_interaction", "created_at", "updated_at"],
};

impl Entity for Contact {
    const SPEC: &'static TableSpec = &SPEC;
}
