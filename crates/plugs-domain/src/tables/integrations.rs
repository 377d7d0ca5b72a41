//! `integrations`.

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

table! {
    /// One row of `integrations`.
    pub struct Integration in "integrations" typed NewIntegration, IntegrationPatch, IntegrationId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Uuid = Kind::Uuid { references: Some("organizations") }, false, None, System;
        provider: Provider = Kind::Enum(Provider::VALUES), false, None, CreateOnly;
        integration_type: IntegrationType = Kind::Enum(IntegrationType::VALUES), false, None, Write;
        credentials: Value = Kind::Json(JsonShape::Object), false, None, Write;
        settings: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        is_active: bool = Kind::Bool, true, Some(Default::Json("true")), Write;
        last_sync: Option<Timestamp> = Kind::Timestamp, true, None, Derived;
        status: IntegrationStatus = Kind::Enum(IntegrationStatus::VALUES), true, Some(Default::Json(r#""disconnected""#)), Write;
        metadata: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), Write;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        updated_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
        is_deleted: bool = Kind::Bool, true, Some(Default::Json("false")), System;
        deleted_at: Option<Timestamp> = Kind::Timestamp, true, None, System;
    }
    soft_delete: Full, ops: All, sortable: ["provider", "created_at", "updated_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
    derived: [
        // When a run last reached the provider (a run that failed did not sync).
        Derived { column: "last_sync", from: "integration_logs", fk: "integration_id", aggregate: Aggregate::Max("completed_at"), only: None, except: Some(("status", "failed")) },
    ],
}

fn needs(ctx: &WriteCtx, _old: Option<&Record>, _new: &Record) -> Vec<Need> {
    if ctx.op == Op::Create {
        vec![Need::Twin { columns: &["provider"] }]
    } else {
        vec![]
    }
}

/// Secrets live in the OS keychain; the row only says where (`{"keychain_ref": "<entry>"}`).
fn before_write(_ctx: &WriteCtx, facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    let ok = new.get("credentials").and_then(Value::as_object).is_some_and(|o| o.len() == 1 && o.get("keychain_ref").and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty()));
    if !ok {
        return Err(DomainError::invalid("credentials", "secret_in_row", r#"must be {"keychain_ref": "<entry>"}: secrets are kept in the OS keychain, never in the database"#));
    }
    if facts.twin.is_some() {
        return Err(DomainError::conflict(Some("provider"), "duplicate", "this provider is already connected"));
    }
    Ok(())
}
