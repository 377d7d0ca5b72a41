//! `media_collections`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use chrono::NaiveDate;
#[allow(unused_imports)]
use serde_json::Value;
use uuid::Uuid;

string_enum! {
    /// The values the `media_collections` CHECK allows.
    pub enum CollectionType {
        EventPhotos = "event_photos",
        ContactMedia = "contact_media",
        General = "general",
    }
}

table! {
    /// One row of `media_collections`.
    pub struct MediaCollection in "media_collections" typed NewMediaCollection, MediaCollectionPatch, MediaCollectionId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        created_by: Uuid = Kind::Uuid { references: Some("users") }, false, None, System;
        name: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Write;
        description: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, Write;
        collection_type: CollectionType = Kind::Enum(CollectionType::VALUES), true, Some(Default::Json(r#""general""#)), Write;
        settings: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["name", "created_at", "updated_at"],
    rules: crate::rules::NO_RULES,
}
