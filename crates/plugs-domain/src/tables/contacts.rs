//! `contacts`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use chrono::NaiveDate;
#[allow(unused_imports)]
use serde_json::Value;
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

table! {
    /// One row of `contacts`.
    pub struct Contact in "contacts" typed NewContact, ContactPatch, ContactId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        created_by: Uuid = Kind::Uuid { references: Some("users") }, false, None, System;
        first_name: String = Kind::Text { max: Some(50), format: Format::Plain }, false, None, Write;
        last_name: String = Kind::Text { max: Some(50), format: Format::Name }, false, None, Write;
        email: Option<String> = Kind::Text { max: Some(255), format: Format::Email }, true, None, Write;
        phone: Option<String> = Kind::Text { max: Some(20), format: Format::Phone }, true, None, Write;
        company: Option<String> = Kind::Text { max: Some(100), format: Format::Plain }, true, None, Write;
        job_title: Option<String> = Kind::Text { max: Some(100), format: Format::Plain }, true, None, Write;
        linkedin_url: Option<String> = Kind::Text { max: Some(255), format: Format::Url }, true, None, Write;
        bio: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        avatar_url: Option<String> = Kind::Text { max: Some(500), format: Format::Url }, true, None, Write;
        contact_type: ContactType = Kind::Enum(ContactType::VALUES), true, Some(Default::Json(r#""target""#)), Write;
        status: ContactStatus = Kind::Enum(ContactStatus::VALUES), true, Some(Default::Json(r#""cold_lead""#)), Write;
        priority: Priority = Kind::Enum(Priority::VALUES), true, Some(Default::Json(r#""medium""#)), Write;
        business_type: Option<String> = Kind::Text { max: Some(50), format: Format::Plain }, true, None, Write;
        network_type: Option<String> = Kind::Text { max: Some(50), format: Format::Plain }, true, None, Write;
        industry: Option<String> = Kind::Text { max: Some(100), format: Format::Plain }, true, None, Write;
        notes: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        lead_score: i32 = Kind::Int { min: 0, max: 100 }, true, Some(Default::Json("0")), Write;
        last_interaction: Option<Timestamp> = Kind::Timestamp, true, None, Derived;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
        updated_by: Option<Uuid> = Kind::Uuid { references: Some("users") }, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["last_name", "first_name", "company", "lead_score", "last_interaction", "created_at", "updated_at"],
    rules: crate::rules::NO_RULES,
    derived: [
        // The latest interaction that happened (a scheduled follow-up has not yet, a cancelled one never will).
        Derived { column: "last_interaction", from: "contact_interactions", fk: "contact_id", aggregate: Aggregate::Max("interaction_date"), only: Some(("status", "completed")), except: None },
    ],
}
