//! `media_collection_items`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use chrono::NaiveDate;
#[allow(unused_imports)]
use serde_json::Value;
use uuid::Uuid;

table! {
    /// One row of `media_collection_items`.
    pub struct MediaCollectionItem in "media_collection_items" typed NewMediaCollectionItem, MediaCollectionItemPatch, MediaCollectionItemId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        collection_id: Uuid = Kind::Uuid { references: Some("media_collections") }, false, None, CreateOnly;
        media_id: Uuid = Kind::Uuid { references: Some("media") }, false, None, CreateOnly;
        sort_order: i32 = Kind::Int { min: i32::MIN as i64, max: i32::MAX as i64 }, true, Some(Default::Json("0")), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
    }
    soft_delete: None, ops: All, sortable: ["sort_order", "created_at"],
    rules: crate::rules::NO_RULES,
}
