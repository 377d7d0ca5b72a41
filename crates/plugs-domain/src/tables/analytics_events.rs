//! `analytics_events`.

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
    /// One row of `analytics_events`.
    pub struct AnalyticsEvent in "analytics_events" typed NewAnalyticsEvent, AnalyticsEventPatch, AnalyticsEventId {
        id: Uuid = Kind::Uuid { references: None }, false, None, System;
        organization_id: Option<Uuid> = Kind::Uuid { references: Some("organizations") }, true, None, System;
        user_id: Option<Uuid> = Kind::Uuid { references: Some("users") }, true, None, System;
        event_name: String = Kind::Text { max: Some(100), format: Format::Plain }, false, None, CreateOnly;
        event_category: String = Kind::Text { max: Some(50), format: Format::Plain }, false, None, CreateOnly;
        properties: Value = Kind::Json(JsonShape::Object), true, Some(Default::Json(r#"{}"#)), CreateOnly;
        session_id: Option<String> = Kind::Text { max: Some(100), format: Format::Plain }, true, None, CreateOnly;
        ip_address: Option<String> = Kind::Inet, true, None, CreateOnly;
        user_agent: Option<String> = Kind::Text { max: None, format: Format::Plain }, true, None, CreateOnly;
        event_timestamp: Timestamp = Kind::Timestamp, false, None, CreateOnly;
        created_at: Timestamp = Kind::Timestamp, true, Some(Default::Now), System;
    }
    soft_delete: None, ops: Append, sortable: ["event_timestamp", "created_at"],
    rules: crate::rules::TableRules { needs, before_write, together: &[] },
}

fn needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    vec![]
}

/// Analytics are recorded in the signed-in user's name.
fn before_write(ctx: &WriteCtx, _facts: &Facts, _old: Option<&Record>, new: &mut Record) -> Result<()> {
    if ctx.op == Op::Create {
        match uuid(new, "user_id") {
            None => {
                new.insert("user_id".into(), Value::String(ctx.caller.user.to_string()));
            }
            Some(u) if u != ctx.caller.user => return Err(DomainError::forbidden(Some("user_id"), "entries are written in the signed-in user's name only")),
            Some(_) => {}
        }
    }
    Ok(())
}
