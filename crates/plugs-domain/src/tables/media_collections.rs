//! `media_collections`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

string_enum! {
    /// The values the `media_collections` CHECK allows.
    pub enum CollectionType {
        EventPhotos = "event_photos",
        ContactMedia = "contact_media",
        General = "general",
    }
}

/// One row of `media_collections`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MediaCollection {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub collection_type: CollectionType,
    pub settings: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `media_collections`.
pub static SPEC: TableSpec = TableSpec {
    name: "media_collections",
    rules: crate::rules::NO_RULES,
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "created_by", kind: Kind::Uuid { references: Some("users") }, nullable: false, default: None, access: Access::System },
        Column { name: "name", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "description", kind: Kind::Text { max: None, format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "collection_type", kind: Kind::Enum(CollectionType::VALUES), nullable: true, default: Some(Default::Json(r#""general""#)), access: Access::Write },
        Column { name: "settings", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["name", "created_at", "updated_at"],
};

impl Entity for MediaCollection {
    const SPEC: &'static TableSpec = &SPEC;
}
