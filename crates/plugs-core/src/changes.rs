//! Change capture for sync: every write leaves a `sync_outbox` row in its own transaction, naming the
//! row and the fields it changed. The sync engine pushes these and deletes them once acknowledged.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::schema::{Access, TableSpec};
use crate::types::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

/// What a change does to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// The row exists in the state it has now (creates, edits, tombstones, restores).
    Upsert,
    /// The row is gone (tables without tombstones).
    Delete,
}

impl ChangeOp {
    fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Upsert => "upsert",
            ChangeOp::Delete => "delete",
        }
    }
}

/// One pending change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub mutation_id: Uuid,
    pub table_name: String,
    pub record_id: Uuid,
    pub op: String,
    pub fields: Vec<String>,
    pub changed_at: Timestamp,
}

pub(crate) fn record<S: AsRef<str>>(ctx: &Ctx, spec: &TableSpec, id: Uuid, op: ChangeOp, fields: &[S]) -> Result<()> {
    record_listed(ctx, spec, id, op, &listed(spec, fields))
}

/// The fields of a change as its record lists them: what the server alone keeps (account
/// bookkeeping, the plan) never travels from a device. A tag added or removed is a field of its
/// own (`tag:…`, see `plugs_domain::tags`).
pub(crate) fn listed<S: AsRef<str>>(spec: &TableSpec, fields: &[S]) -> String {
    let fields: Vec<&str> = fields.iter().map(AsRef::as_ref).filter(|f| spec.column(f).is_none_or(|c| c.access != Access::Server)).collect();
    serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into())
}

/// [`record`] with the fields already listed (see [`listed`]).
pub(crate) fn record_listed(ctx: &Ctx, spec: &TableSpec, id: Uuid, op: ChangeOp, fields: &str) -> Result<()> {
    if spec.name == "audit_logs" {
        return Ok(());
    }
    ctx.conn.prepare_cached("INSERT INTO sync_outbox (mutation_id, table_name, record_id, op, fields, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(rusqlite::params![
        Uuid::now_v7().to_string(),
        spec.name,
        id.to_string(),
        op.as_str(),
        fields,
        ctx.now.to_string(),
    ])?;
    Ok(())
}

/// The pending changes, oldest first.
pub fn pending(conn: &Connection, limit: usize) -> Result<Vec<Change>> {
    let mut st = conn.prepare_cached("SELECT seq, mutation_id, table_name, record_id, op, fields, changed_at FROM sync_outbox ORDER BY seq LIMIT ?1")?;
    let rows = st.query_map([limit as i64], |r| {
        let mid: String = r.get(1)?;
        let rid: String = r.get(3)?;
        let fields: String = r.get(5)?;
        let at: String = r.get(6)?;
        Ok(Change {
            seq: r.get(0)?,
            mutation_id: Uuid::parse_str(&mid).unwrap_or_default(),
            table_name: r.get(2)?,
            record_id: Uuid::parse_str(&rid).unwrap_or_default(),
            op: r.get(4)?,
            fields: serde_json::from_str(&fields).unwrap_or_default(),
            changed_at: Timestamp::parse(&at).unwrap_or_else(|_| Timestamp::now()),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest change of one row, if any is pending.
pub fn latest_for(conn: &Connection, table: &str, id: Uuid) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT MAX(seq) FROM sync_outbox WHERE table_name = ?1 AND record_id = ?2", rusqlite::params![table, id.to_string()], |r| r.get(0)).optional()?.flatten())
}
