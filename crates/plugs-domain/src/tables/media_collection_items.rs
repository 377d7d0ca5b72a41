//! `media_collection_items`.

use crate::schema::*;
use crate::types::*;
#[allow(unused_imports)]
use serde_json::Value;
#[allow(unused_imports)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One row of `media_collection_items`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MediaCollectionItem {
    pub id: Uuid,
    pub collection_id: Uuid,
    pub media_id: Uuid,
    pub sort_order: i32,
    pub created_at: Timestamp,
}

/// Columns, rules and capabilities of `media_collection_items`.
pub static SPEC: TableSpec = TableSpec {
    name: "media_collection_items",
    rules: crate::rules::NO_RULES,
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "collection_id", kind: Kind::Uuid { references: Some("media_collections") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "media_id", kind: Kind::Uuid { references: Some("media") }, nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "sort_order", kind: Kind::Int { min: i32::MIN as i64, max: i32::MAX as i64 }, nullable: true, default: Some(Default::Json("0")), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
    ],
    soft_delete: SoftDelete::None,
    ops: Ops::All,
    sortable: &["sort_order", "created_at"],
};

impl Entity for MediaCollectionItem {
    const SPEC: &'static TableSpec = &SPEC;
}
