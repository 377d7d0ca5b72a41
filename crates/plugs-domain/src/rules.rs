//! The rule engine: what a table rule sees and declares. Each rule is a pure function over the
//! row before, the row after, the caller, and the related rows it declared it needs ([`Need`]);
//! each store fetches those from its own database (the device from SQLite, the server from
//! PostgreSQL inside the push transaction) and runs the same function.

use crate::error::{DomainError, Result};
use crate::types::Timestamp;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A row as JSON, keyed by column name, values in their canonical form ([`crate::schema::Column::normalize`]).
pub type Record = Map<String, Value>;

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    Update,
    Delete,
    Restore,
}

/// Who writes: the signed-in user of the device, or the token's user on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub org: Uuid,
    pub user: Uuid,
    pub is_admin: bool,
}

/// Where a write comes from: a person through a client (column access applies), or the store
/// itself (derived values, and dedicated actions such as checking in, which set columns clients
/// cannot give). Rights and table rules apply to both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Client,
    System,
}

/// Everything a rule knows about the write besides the rows.
#[derive(Debug, Clone, Copy)]
pub struct WriteCtx<'a> {
    pub caller: &'a Caller,
    pub op: Op,
    pub origin: Origin,
    /// The store's time of the write (the server's clock on the server).
    pub now: Timestamp,
    /// The row as the writer last saw it, when the write comes from another store (a device's
    /// push: the row on the device). An approval is of what the approver saw.
    pub seen: Option<&'a Record>,
}

/// A related row (or rows) a rule needs, fetched by each store from its own database, always
/// within the caller's organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The row a reference column of this row points at ([`Facts::parents`], by column).
    Parent(&'static str),
    /// The live (not deleted) rows of `table` whose `fk` column is this row's id ([`Facts::children`]).
    Children { table: &'static str, fk: &'static str },
    /// Another row of this table, deleted or not, with the same values in `columns` (text compared
    /// without case) ([`Facts::twin`]).
    Twin { columns: &'static [&'static str] },
}

/// The related rows a store fetched for a rule's [`Need`]s.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub parents: BTreeMap<&'static str, Record>,
    pub children: BTreeMap<&'static str, Vec<Record>>,
    pub twin: Option<Record>,
}

/// What a rule needs for one write.
pub type NeedsFn = fn(&WriteCtx, Option<&Record>, &Record) -> Vec<Need>;
/// A table's rule: checks (and may complete) the row before it is written. An error means nothing
/// of the write is kept.
pub type RuleFn = fn(&WriteCtx, &Facts, Option<&Record>, &mut Record) -> Result<()>;

/// A table's rules, hung on its spec.
#[derive(Debug, Clone, Copy)]
pub struct TableRules {
    pub needs: NeedsFn,
    pub before_write: RuleFn,
    /// Fields that are only refused or taken together (an event's start and end): when a rule
    /// refuses one of them in a change, the change's others of the group go with it.
    pub together: &'static [&'static [&'static str]],
}

fn no_needs(_: &WriteCtx, _: Option<&Record>, _: &Record) -> Vec<Need> {
    Vec::new()
}

fn no_rule(_: &WriteCtx, _: &Facts, _: Option<&Record>, _: &mut Record) -> Result<()> {
    Ok(())
}

/// The rules of a table that has none beyond its columns and the common rights.
pub const NO_RULES: TableRules = TableRules { needs: no_needs, before_write: no_rule, together: &[] };

/// Runs the common rights ([`crate::rights::check`]) and then the table's own rule.
pub fn before_write(spec: &crate::schema::TableSpec, ctx: &WriteCtx, facts: &Facts, old: Option<&Record>, new: &mut Record) -> Result<()> {
    crate::rights::check(spec, ctx, old, new)?;
    crate::tags::normalize_row(spec, new)?;
    (spec.rules.before_write)(ctx, facts, old, new)
}

/// The fields refused with `field` (itself, and the others of its group).
pub fn refused_with(spec: &crate::schema::TableSpec, field: &str) -> Vec<&'static str> {
    match spec.rules.together.iter().find(|g| g.contains(&field)) {
        Some(g) => g.to_vec(),
        None => spec.column(field).map(|c| vec![c.name]).unwrap_or_default(),
    }
}

/// The related rows the table's rules need for this write.
pub fn needs(spec: &crate::schema::TableSpec, ctx: &WriteCtx, old: Option<&Record>, new: &Record) -> Vec<Need> {
    (spec.rules.needs)(ctx, old, new)
}

// ---- helpers for rules -----------------------------------------------------------------------

/// A text field of a record.
pub fn text<'r>(r: &'r Record, k: &str) -> Option<&'r str> {
    r.get(k).and_then(Value::as_str)
}

/// A time field of a record.
pub fn time(r: &Record, k: &str) -> Option<Timestamp> {
    text(r, k).and_then(|s| Timestamp::parse(s).ok())
}

/// A UUID field of a record.
pub fn uuid(r: &Record, k: &str) -> Option<Uuid> {
    text(r, k).and_then(|s| Uuid::parse_str(s).ok())
}

/// Whether a record is a tombstone.
pub fn deleted(r: &Record) -> bool {
    r.get("is_deleted").and_then(Value::as_bool).unwrap_or(false)
}

/// Whether the write changes field `k` (every field of a create counts as changed).
pub fn changed(old: Option<&Record>, new: &Record, k: &str) -> bool {
    match old {
        None => new.get(k).is_some_and(|v| !v.is_null()),
        Some(o) => o.get(k) != new.get(k),
    }
}

/// Refuses unless the caller is an admin.
pub fn require_admin(ctx: &WriteCtx, field: Option<&str>, what: &str) -> Result<()> {
    if ctx.caller.is_admin {
        Ok(())
    } else {
        Err(DomainError::forbidden(field, format!("only an admin can {what}")))
    }
}
