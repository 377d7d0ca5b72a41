//! `organizations`.

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

table! {
    /// One row of `organizations`.
    pub struct Organization in "organizations" typed NewOrganization, OrganizationPatch, OrganizationId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        name: String = Kind::Text { max: Some(255), format: Format::Plain }, false, None, Write;
        domain: Option<String> = Kind::Text { max: Some(255), format: Format::Plain }, true, None, Write;
        subscription_plan: String = Kind::Text { max: Some(50), format: Format::Plain }, true, Some(Default::Json(r#""free""#)), Server;
        settings: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        is_active: bool = Kind::Bool, true, Some(Default::Json("true")), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
    }
    soft_delete: Full, ops: Update, sortable: ["name", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
}

fn needs(ctx: &WriteCtx, old: Option<&Record>, new: &Record) -> Vec<Need> {
    let _ = ctx;
    if changed(old, new, "domain") && text(new, "domain").is_some() {
        vec![Need::Twin { columns: &["domain"] }]
    } else {
        vec![]
    }
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
