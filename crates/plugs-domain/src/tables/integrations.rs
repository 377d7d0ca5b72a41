//! `integrations`.

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
    /// The values the `integrations` CHECK allows.
    pub enum Provider {
        Hubspot = "hubspot",
        Mailchimp = "mailchimp",
        Zoom = "zoom",
        Teams = "teams",
    }
}

string_enum! {
    /// The values the `integrations` CHECK allows.
    pub enum IntegrationType {
        Crm = "crm",
        Email = "email",
        Video = "video",
        Calendar = "calendar",
    }
}

string_enum! {
    /// The values the `integrations` CHECK allows.
    pub enum IntegrationStatus {
        Connected = "connected",
        Disconnected = "disconnected",
        Error = "error",
    }
}

/// One row of `integrations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Integration {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub provider: Provider,
    pub integration_type: IntegrationType,
    pub credentials: Value,
    pub settings: Value,
    pub is_active: bool,
    pub last_sync: Option<Timestamp>,
    pub status: IntegrationStatus,
    pub metadata: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_deleted: bool,
    pub deleted_at: Option<Timestamp>,
}

/// Columns, rules and capabilities of `integrations`.
pub static SPEC: TableSpec = TableSpec {
    name: "integrations",
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    columns: &[
        Column { name: "id", kind: Kind::Uuid { references: None }, nullable: false, default: None, access: Access::System },
        Column { name: "organization_id", kind: Kind::Uuid { references: Some("organizations") }, nullable: false, default: None, access: Access::System },
        Column { name: "provider", kind: Kind::Enum(Provider::VALUES), nullable: false, default: None, access: Access::CreateOnly },
        Column { name: "integration_type", kind: Kind::Enum(IntegrationType::VALUES), nullable: false, default: None, access: Access::Write },
        Column { name: "credentials", kind: Kind::Json(JsonShape::Object), nullable: false, default: None, access: Access::Write },
        Column { name: "settings", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "is_active", kind: Kind::Bool, nullable: true, default: Some(Default::Json("true")), access: Access::Write },
        Column { name: "last_sync", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
        Column { name: "status", kind: Kind::Enum(IntegrationStatus::VALUES), nullable: true, default: Some(Default::Json(r#""disconnected""#)), access: Access::Write },
        Column { name: "metadata", kind: Kind::Json(JsonShape::Object), nullable: true, default: Some(Default::Json(r#"{}"#)), access: Access::Write },
        Column { name: "created_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "updated_at", kind: Kind::Timestamp, nullable: true, default: Some(Default::Now), access: Access::System },
        Column { name: "is_deleted", kind: Kind::Bool, nullable: true, default: Some(Default::Json("false")), access: Access::System },
        Column { name: "deleted_at", kind: Kind::Timestamp, nullable: true, default: None, access: Access::System },
    ],
    soft_delete: SoftDelete::Full,
    ops: Ops::All,
    sortable: &["provider", "created_at", "updated_at"],
};

impl Entity for Integration {
    const SPEC: &'static TableSpec = &SPEC;
}

fn needs(ctx: &WriteCtx, _old: Option<&Record>, _new: &Record) -> Vec<Need> {
    if ctx.op == Op::Create { vec![Need::Twin { columns: &["provider"] }] } else { vec![] }
}

/// Secrets live in the OS keychain; the row only says where (`{"keychain_ref": "<entry>"}`).
fn before_write(_ctx: &WriteCtx, facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    let ok = new.get("credentials").and_then(Value::as_object).is_some_and(|o| {
        o.len() == 1 && o.get("keychain_ref").and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty())
    });
    if !ok {
        return Err(DomainError::invalid("credentials", "secret_in_row", r#"must be {"keychain_ref": "<entry>"}: secrets are kept in the OS keychain, never in the database"#));
    }
    if facts.twin.is_some() {
        return Err(DomainError::conflict(Some("provider"), "duplicate", "this provider is already connected"));
    }
    Ok(())
}
