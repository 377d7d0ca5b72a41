//! `organizations`.

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

/// One row of `organizations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub subscription_plan: String,
    pub settings: Value,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `organizations`.
pub static SPEC: TableSpec = TableSpec {
    name: "organizations",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "name", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: false, default: None, access: Access::Write },
        Column { name: "domain", kind: Kind::Text { max: Some(255), format: Format::Plain }, nullable: true, default: None, access: Access::Write },
        Column { name: "subscription_plan", kind: Kind::Text { max: Some(50), format: Format::Plain }, nullable: true, default: Some(Default::Json(r#""free""#)), access: Access::Server },
        Column { name: "settings", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "is_active", kind: Kind::Bool, nullable: true, default: Some(Default::Json("true")), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::Update,
    sortable: &["name", "created_at", "updated_at"],
};

impl Entity for Organization {
    const SPEC: &'static TableSpec = &SPEC;
}

fn needs(ctx: &WriteCtx, old: Option<&Record>, new: &Record) -> Vec<Need> {
    let _ = ctx;
    if changed(old, new, "domain") && text(new, "domain").is_some() { vec![Need::Twin { columns: &["domain"] }] } else { vec![] }
}

fn before_write(ctx: &WriteCtx, facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    if ctx.op != Op::Create {
        require_admin(ctx, None, "change the organization")?;
    }
    if let (Some(domain), Some(_)) = (text(new, "domain"), &facts.twin) {
        return Err(DomainError::conflict(Some("domain"), "duplicate", format!("the domain {domain} belongs to another organization")));
    }
    Ok(())
}
