//! Sync on the server: applying pushed changes field by field (last writer wins, ties by device),
//! handing out pages of changes after a cursor, and waking long-polling devices. All SQL of sync
//! lives here. See docs/sync.md for the protocol.

use crate::db::begin_org;
use crate::db::Cached;
use crate::error::StoreError;
use deadpool_postgres::{GenericClient, Pool, Transaction};
use plugs_domain::rights::{self, FromDevice};
use plugs_domain::rules::{self as domain, Facts, Need, Op, Origin, Record, WriteCtx};
use plugs_domain::schema::{Aggregate, Column, DbValue, Kind, SoftDelete, TableSpec};
use plugs_domain::tags;
use plugs_domain::wire::*;
use plugs_domain::{DomainError, ErrorPayload, Money, Timestamp};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// The device id of writes the server makes itself (derived values, account changes).
pub const SERVER_DEVICE: Uuid = Uuid::nil();

/// A device clock further than this from the server's is corrected by the difference.
pub const SKEW_TOLERANCE: Duration = Duration::from_secs(60);

/// Wakes devices waiting on a pull when their organization changes, and ends every wait when the
/// server stops.
pub struct Watchers(Mutex<HashMap<Uuid, watch::Sender<i64>>>, watch::Sender<bool>);

impl Default for Watchers {
    fn default() -> Self {
        Watchers(Mutex::default(), watch::channel(false).0)
    }
}

impl Watchers {
    /// The server is stopping: every long-poll ends now.
    pub fn close(&self) {
        self.1.send_replace(true);
    }
    fn closing(&self) -> watch::Receiver<bool> {
        self.1.subscribe()
    }
    fn sender(&self, org: Uuid) -> watch::Sender<i64> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(org).or_insert_with(|| watch::channel(0).0).clone()
    }
    /// A receiver that changes when the organization's data does.
    pub fn subscribe(&self, org: Uuid) -> watch::Receiver<i64> {
        self.sender(org).subscribe()
    }
    /// Wakes the organization's waiting devices.
    pub fn notify(&self, org: Uuid, seq: i64) {
        self.sender(org).send_if_modified(|v| {
            let newer = seq > *v;
            *v = (*v).max(seq);
            newer
        });
    }
    /// Wakes every waiting device (after notifications may have been missed): each pull looks again.
    pub fn wake_all(&self) {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for tx in m.values() {
            tx.send_modify(|_| {});
        }
    }
}

/// Who pushes or pulls.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub org: Uuid,
    pub user: Uuid,
    pub is_admin: bool,
}

fn spec(table: &str) -> Option<&'static TableSpec> {
    table_rank(table).and_then(|_| plugs_domain::tables::spec(table))
}

/// The SQL type a text parameter is cast to for a column.
fn cast(col: &Column) -> &'static str {
    match col.kind {
        Kind::Uuid { .. } => "uuid",
        Kind::Text { .. } | Kind::Enum(_) => "text",
        Kind::Int { max, .. } if max > i32::MAX as i64 => "bigint",
        Kind::Int { .. } => "integer",
        Kind::Bool => "boolean",
        Kind::Json(_) => "jsonb",
        Kind::Timestamp => "timestamptz",
        Kind::Date => "date",
        Kind::Money => "numeric",
        Kind::Inet => "inet",
    }
}

fn payload(code: &str, field: Option<&str>, message: impl Into<String>) -> ErrorPayload {
    ErrorPayload { code: code.into(), field: field.map(Into::into), message: message.into() }
}

/// A column value from a device, validated by the same rules the device applies, as text for SQL.
fn pg_text(col: &Column, v: &Value) -> Result<Option<String>, ErrorPayload> {
    Ok(match col.to_db(v).map_err(|e| e.to_payload())? {
        DbValue::Null => None,
        DbValue::Integer(i) => Some(match col.kind {
            Kind::Bool => (i != 0).to_string(),
            Kind::Money => Money::from_hundredths(i).to_string(),
            _ => i.to_string(),
        }),
        DbValue::Text(s) => Some(s),
    })
}

/// The columns of a table as devices see them (money as exact text, never a password hash),
/// read from `alias` when given.
pub fn select_list_from(spec: &TableSpec, alias: &str) -> String {
    let a = if alias.is_empty() { String::new() } else { format!("{alias}.") };
    spec.columns
        .iter()
        .map(|c| match (c.kind, c.name) {
            (_, "password_hash") => "'!'::text AS password_hash".to_owned(),
            // Account bookkeeping of the server's own; not device data.
            (_, "last_login") => "NULL::timestamptz AS last_login".to_owned(),
            (Kind::Money, n) => format!("{a}{n}::text AS {n}"),
            (_, n) => format!("{a}{n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn select_list(spec: &TableSpec) -> String {
    select_list_from(spec, "")
}

/// What of a table a user may see beyond their organization ($2 is the user).
fn visibility(table: &str) -> &'static str {
    match table {
        "notifications" => " AND user_id = $2",
        "media" => " AND (COALESCE(access_level, 'organization') <> 'private' OR uploaded_by = $2)",
        "media_collection_items" => " AND EXISTS (SELECT 1 FROM media m WHERE m.id = media_id AND (COALESCE(m.access_level, 'organization') <> 'private' OR m.uploaded_by = $2))",
        _ => "",
    }
}

/// Rows by id as the user may see them: Some(row) if visible, None if it exists but is hidden;
/// absent from the map if it does not exist.
async fn fetch_rows(tx: &impl GenericClient, table: &str, ids: &[Uuid], user: Uuid) -> Result<HashMap<Uuid, Option<Map<String, Value>>>, StoreError> {
    Ok(fetch_rows_json(tx, table, ids, user).await?.into_iter().map(|(id, row)| (id, row.and_then(|j| serde_json::from_str(&j).ok()))).collect())
}

/// The rows as PostgreSQL writes them in JSON (`None`: not visible to this user).
async fn fetch_rows_json(tx: &impl GenericClient, table: &str, ids: &[Uuid], user: Uuid) -> Result<HashMap<Uuid, Option<String>>, StoreError> {
    let Some(spec) = spec(table) else { return Ok(HashMap::new()) };
    let vis = visibility(table);
    let sql = format!(
        "SELECT t.id, t.visible_, CASE WHEN t.visible_ THEN (SELECT row_to_json(x)::text FROM (SELECT {}) x) END
         FROM (SELECT *, (true{vis}) AS visible_ FROM {table} WHERE id = ANY($1)) t",
        select_list_from(spec, "t")
    );
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = if vis.is_empty() { vec![&ids] } else { vec![&ids, &user] };
    let mut out = HashMap::new();
    for r in tx.q(&sql, &params).await? {
        let row = if r.get::<_, bool>(1) { r.get::<_, Option<String>>(2) } else { None };
        out.insert(r.get::<_, Uuid>(0), row);
    }
    Ok(out)
}

/// Makes sure the organization has its change counter.
pub async fn ensure_org_state(tx: &impl GenericClient, org: Uuid) -> Result<(), StoreError> {
    tx.exec("INSERT INTO sync_org_state (organization_id) VALUES ($1) ON CONFLICT DO NOTHING", &[&org]).await?;
    Ok(())
}

/// Records that a row changed: the next seq, and who wrote which fields.
pub async fn touch(tx: &impl GenericClient, org: Uuid, table: &str, id: Uuid, versions: &BTreeMap<String, Version>, removed: bool) -> Result<i64, StoreError> {
    let v = serde_json::to_value(versions).unwrap_or_else(|_| Value::Object(Map::new()));
    // The organization's next sequence number and the row's entry, in one statement.
    let seq = tx
        .q_one(
            "WITH s AS (UPDATE sync_org_state SET last_seq = last_seq + 1 WHERE organization_id = $1 RETURNING last_seq)
             INSERT INTO sync_rows (organization_id, table_name, record_id, seq, removed, field_versions) SELECT $1, $2, $3, s.last_seq, $4, $5 FROM s
             ON CONFLICT (organization_id, table_name, record_id) DO UPDATE SET seq = excluded.seq, removed = excluded.removed,
                 field_versions = sync_rows.field_versions || excluded.field_versions
             RETURNING seq",
            &[&org, &table, &id, &removed, &v],
        )
        .await?
        .get(0);
    Ok(seq)
}

/// Versions of the given fields, written by the server now.
pub fn server_versions<'a>(fields: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, Version> {
    let v = Version { at: Timestamp::now(), device: SERVER_DEVICE };
    fields.into_iter().map(|f| (f.to_owned(), v)).collect()
}

enum ApplyError {
    Reject(ErrorPayload),
    Fatal(StoreError),
}

impl From<tokio_postgres::Error> for ApplyError {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => ApplyError::Reject(db_reason(db)),
            None => ApplyError::Fatal(e.into()),
        }
    }
}

impl From<StoreError> for ApplyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Db(e) => e.into(),
            other => ApplyError::Fatal(other),
        }
    }
}

fn reject(code: &str, field: Option<&str>, message: impl Into<String>) -> ApplyError {
    ApplyError::Reject(payload(code, field, message))
}

/// A constraint the database enforced, as a reason a person can read.
fn db_reason(db: &tokio_postgres::error::DbError) -> ErrorPayload {
    use tokio_postgres::error::SqlState;
    let constraint = db.constraint().unwrap_or_default();
    let table = db.table().unwrap_or_default();
    let field = constraint.strip_prefix(&format!("{table}_")).map(|r| r.trim_end_matches("_check").trim_end_matches("_fkey").trim_end_matches("_key").to_owned());
    let code = db.code();
    if code == &SqlState::CHECK_VIOLATION && constraint == "events_attendees_check" {
        return payload("event_full", Some("event_id"), "the event is full");
    }
    let (c, f) = if code == &SqlState::UNIQUE_VIOLATION {
        ("duplicate", field)
    } else if code == &SqlState::CHECK_VIOLATION {
        ("constraint", field)
    } else if code == &SqlState::FOREIGN_KEY_VIOLATION {
        ("missing_parent", field)
    } else if code == &SqlState::INSUFFICIENT_PRIVILEGE {
        ("other_organization", Some("organization_id".into()))
    } else if code.code().starts_with("22") {
        ("invalid", db.column().map(Into::into))
    } else {
        ("refused", None)
    };
    payload(c, f.as_deref(), db.message())
}

struct PushCtx {
    caller: Caller,
    device: Uuid,
    now: Timestamp,
    adjust: chrono::Duration,
}

impl PushCtx {
    /// A device timestamp in server time, never later than now: a fast clock cannot win forever.
    fn version(&self, t: Timestamp) -> Version {
        let at = Timestamp::from_datetime(t.as_datetime() + self.adjust).min(self.now);
        Version { at, device: self.device }
    }
}

fn versions_of(v: &Value) -> BTreeMap<String, Version> {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

/// Applies one batch of changes in one transaction.
///
/// Most pushes apply whole, so changes are applied without a savepoint each. When one of them is
/// refused, that transaction is rolled back and the push is applied again with a savepoint around
/// each change: the refused one then leaves nothing behind and the others stand.
pub async fn push(pool: &Pool, watchers: &Watchers, caller: Caller, req: PushRequest) -> Result<PushResponse, StoreError> {
    let done = match push_once(pool, caller, &req, false).await? {
        Some(done) => done,
        None => push_once(pool, caller, &req, true).await?.ok_or_else(|| StoreError::Pool("a push did not settle with savepoints".into()))?,
    };
    let Applied { results, current, seq, changed } = done;
    if changed {
        watchers.notify(caller.org, seq);
    }
    let results = req
        .changes
        .iter()
        .zip(results)
        .map(|(ch, r)| {
            let mut r = r.unwrap_or(PushResult {
                mutation_id: ch.mutation_id,
                outcome: Outcome::Rejected,
                superseded_by: BTreeMap::new(),
                reason: Some(payload("refused", None, "not processed")),
                current: None,
            });
            r.current = current.get(&(ch.table.clone(), ch.record_id)).cloned().flatten();
            r
        })
        .collect();
    Ok(PushResponse { results, server_time: Timestamp::now() })
}

/// What a push did, committed.
struct Applied {
    results: Vec<Option<PushResult>>,
    current: HashMap<(String, Uuid), Option<Map<String, Value>>>,
    seq: i64,
    changed: bool,
}

/// One attempt at a push, in one transaction. Without savepoints, a refused change ends the
/// attempt (`None`: nothing is committed) so that the push is applied again with them.
async fn push_once(pool: &Pool, caller: Caller, req: &PushRequest, savepoints: bool) -> Result<Option<Applied>, StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, caller.org).await?;
    // One push per organization at a time: sequence numbers are then handed out in commit order.
    // The organization's sync state is made if need be and locked, in one statement.
    tx.exec("INSERT INTO sync_org_state (organization_id) VALUES ($1) ON CONFLICT (organization_id) DO UPDATE SET last_seq = sync_org_state.last_seq", &[&caller.org]).await?;
    let now = Timestamp::now();
    let skew = now.as_datetime() - req.client_time.as_datetime();
    let adjust = if skew.abs() > chrono::Duration::from_std(SKEW_TOLERANCE).unwrap_or_default() { skew } else { chrono::Duration::zero() };
    let ctx = PushCtx { caller, device: req.device_id, now, adjust };
    let mut order: Vec<usize> = (0..req.changes.len()).collect();
    order.sort_by_key(|&i| (table_rank(&req.changes[i].table).unwrap_or(usize::MAX), i));
    let mut results: Vec<Option<PushResult>> = vec![None; req.changes.len()];
    let mut changed = false;
    // Changes already applied by an earlier push (whose answer was lost), in one query.
    let ids: Vec<Uuid> = req.changes.iter().map(|c| c.mutation_id).collect();
    let mut known: HashMap<Uuid, Option<PushResult>> = HashMap::new();
    for r in tx.q("SELECT mutation_id, result FROM sync_mutations WHERE organization_id = $1 AND mutation_id = ANY($2)", &[&caller.org, &ids]).await? {
        known.insert(r.get(0), serde_json::from_value(r.get::<_, Value>(1)).ok());
    }
    let (mut done_ids, mut done_results): (Vec<Uuid>, Vec<Value>) = (vec![], vec![]);
    for i in order {
        let ch = &req.changes[i];
        if let Some(prev) = known.get(&ch.mutation_id) {
            results[i] = prev.clone();
            continue;
        }
        if savepoints {
            tx.batch_execute("SAVEPOINT change").await?;
        }
        let result = match apply_one(&tx, &ctx, ch).await {
            Ok(r) => {
                if savepoints {
                    tx.batch_execute("RELEASE SAVEPOINT change").await?;
                }
                r
            }
            Err(ApplyError::Reject(_)) if !savepoints => {
                tx.rollback().await?;
                return Ok(None);
            }
            Err(ApplyError::Reject(reason)) => {
                tx.batch_execute("ROLLBACK TO SAVEPOINT change; RELEASE SAVEPOINT change").await?;
                PushResult { mutation_id: ch.mutation_id, outcome: Outcome::Rejected, superseded_by: BTreeMap::new(), reason: Some(reason), current: None }
            }
            Err(ApplyError::Fatal(e)) => return Err(e),
        };
        changed |= matches!(result.outcome, Outcome::Applied | Outcome::Partial);
        // The same change twice in one push is applied once.
        known.insert(ch.mutation_id, Some(result.clone()));
        done_ids.push(ch.mutation_id);
        done_results.push(serde_json::to_value(&result).unwrap_or_default());
        results[i] = Some(result);
    }
    if !done_ids.is_empty() {
        tx.exec(
            "INSERT INTO sync_mutations (organization_id, mutation_id, result) SELECT $1, m, r FROM unnest($2::uuid[], $3::jsonb[]) AS t(m, r)",
            &[&caller.org, &done_ids, &done_results],
        )
        .await?;
    }
    // Every change's row as it now is, so the device can settle at once.
    let mut by_table: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for ch in &req.changes {
        by_table.entry(ch.table.as_str()).or_default().push(ch.record_id);
    }
    let mut current: HashMap<(String, Uuid), Option<Map<String, Value>>> = HashMap::new();
    for (table, ids) in by_table {
        for (id, row) in fetch_rows(&tx, table, &ids, caller.user).await? {
            current.insert((table.to_owned(), id), row);
        }
    }
    // A change wakes the organization's long-polls on every server instance: PostgreSQL delivers the
    // notification when (and only if) this transaction commits (see `crate::live`).
    let seq: i64 = if changed {
        tx.q_one(
            "SELECT last_seq, pg_notify($2, organization_id::text || ':' || last_seq::text)::text FROM sync_org_state WHERE organization_id = $1",
            &[&caller.org, &crate::live::CHANNEL],
        )
        .await?
        .get(0)
    } else {
        tx.q_one("SELECT last_seq FROM sync_org_state WHERE organization_id = $1", &[&caller.org]).await?.get(0)
    };
    tx.commit().await?;
    Ok(Some(Applied { results, current, seq, changed }))
}

/// A row in the domain's canonical form (times in UTC with fixed precision, money with two
/// decimals), as the rules compare values: PostgreSQL's JSON and a device's JSON then agree.
fn canonical(spec: &TableSpec, row: &Map<String, Value>) -> Record {
    row.iter()
        .map(|(k, v)| {
            let v = match spec.column(k) {
                Some(c) if !v.is_null() => c.normalize(v).unwrap_or_else(|_| v.clone()),
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

fn rule_reject(e: DomainError) -> ApplyError {
    ApplyError::Reject(e.to_payload())
}

/// A value a device pushed for a column, validated by the column's rule (the device's own).
fn pushed_value(col: &Column, v: Option<&Value>) -> Result<Value, ApplyError> {
    match v {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(v) => col.normalize(v).map_err(rule_reject),
    }
}

/// What the server writes itself in a column of a new row.
fn server_value(col: &Column, ctx: &PushCtx) -> Value {
    match col.name {
        "password_hash" => Value::String("!".into()),
        "is_verified" => Value::Bool(false),
        "updated_by" => Value::String(ctx.caller.user.to_string()),
        "current_attendees" => Value::from(0),
        _ => default_value(col, ctx.now),
    }
}

fn default_value(col: &Column, now: Timestamp) -> Value {
    match col.default {
        Some(plugs_domain::schema::Default::Now) => Value::String(now.to_string()),
        Some(plugs_domain::schema::Default::Json(lit)) => serde_json::from_str(lit).unwrap_or(Value::Null),
        None => Value::Null,
    }
}

fn singular(table: &str) -> &str {
    match table {
        "media" => "media item",
        "media_collections" => "collection",
        t => t.strip_suffix('s').unwrap_or(t),
    }
}

/// Whether an existing row is one the caller may see (and so write).
fn visible_row(table: &str, row: &Record, user: Uuid) -> bool {
    match table {
        "media" => plugs_domain::tables::media::visible_to(row, user),
        "notifications" => domain::uuid(row, "user_id") == Some(user),
        _ => true,
    }
}

/// Fetches, inside the push transaction, the related rows the table's rules declared they need.
async fn facts(tx: &Transaction<'_>, spec: &TableSpec, needs: &[Need], new: &Record, user: Uuid) -> Result<Facts, ApplyError> {
    let mut f = Facts::default();
    for need in needs {
        match *need {
            Need::Parent(col) => {
                let (Some(target), Some(id)) = (spec.references(col), domain::uuid(new, col)) else { continue };
                let Some(target_spec) = self::spec(target) else { continue };
                if let Some(Some(row)) = fetch_rows(tx, target, &[id], user).await?.remove(&id) {
                    f.parents.insert(col, canonical(target_spec, &row));
                }
            }
            Need::Children { table, fk } => {
                let Some(child) = self::spec(table) else { continue };
                let sql =
                    format!("SELECT row_to_json(x)::text FROM (SELECT {} FROM {table} WHERE {fk} = $1::text::uuid AND NOT COALESCE(is_deleted, false)) x", select_list(child));
                let id = domain::text(new, "id").unwrap_or_default();
                let rows = tx.q(&sql, &[&id]).await?;
                let rows = rows.iter().filter_map(|r| serde_json::from_str::<Map<String, Value>>(&r.get::<_, String>(0)).ok()).map(|r| canonical(child, &r)).collect();
                f.children.insert(table, rows);
            }
            Need::Twin { columns } => {
                let mut vals: Vec<String> = vec![domain::text(new, "id").unwrap_or_default().to_owned()];
                let mut conds = vec!["id <> $1::text::uuid".to_owned()];
                for c in columns {
                    let Some(v) = new.get(*c).and_then(Value::as_str) else { continue };
                    vals.push(v.to_owned());
                    conds.push(format!("lower({c}::text) = lower(${}::text)", vals.len()));
                }
                let sql = format!("SELECT row_to_json(x)::text FROM (SELECT {} FROM {} WHERE {} LIMIT 1) x", select_list(spec), spec.name, conds.join(" AND "));
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vals.iter().map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                f.twin = tx.q_opt(&sql, &params).await?.and_then(|r| serde_json::from_str::<Map<String, Value>>(&r.get::<_, String>(0)).ok());
            }
        }
    }
    Ok(f)
}

/// Every reference a device sends must name a row the caller may see in their organization: one
/// answer for "does not exist" and "not yours", so no id of another tenant can be probed, linked
/// to, or reached by a cascade.
async fn check_references(tx: &Transaction<'_>, spec: &TableSpec, new: &Record, fields: &[&str], user: Uuid) -> Result<(), ApplyError> {
    for f in fields {
        let Some(target) = spec.references(f) else { continue };
        if target == "organizations" {
            continue;
        }
        let Some(id) = domain::uuid(new, f) else { continue };
        if target == "users" && id == user {
            continue; // the caller, signed in: known to exist
        }
        if !matches!(fetch_rows(tx, target, &[id], user).await?.get(&id), Some(Some(_))) {
            return Err(reject("missing_parent", Some(f), format!("no {} with id {id} in this workspace", singular(target))));
        }
    }
    Ok(())
}

async fn apply_one(tx: &Transaction<'_>, ctx: &PushCtx, ch: &PushChange) -> Result<PushResult, ApplyError> {
    let spec = spec(&ch.table).ok_or_else(|| reject("unknown_table", Some("table"), format!("'{}' is not a table that syncs", ch.table)))?;
    let table = spec.name;
    let org = ctx.caller.org;
    let user = ctx.caller.user;
    let logged = tx
        .q_opt("SELECT field_versions, removed FROM sync_rows WHERE organization_id = $1 AND table_name = $2 AND record_id = $3 FOR UPDATE", &[&org, &table, &ch.record_id])
        .await?;
    let removed = logged.as_ref().is_some_and(|r| r.get::<_, bool>(1));
    let row_versions: BTreeMap<String, Version> = logged.map(|r| versions_of(&r.get::<_, Value>(0))).unwrap_or_default();
    let existing = fetch_for_update(tx, spec, ch.record_id).await?.map(|r| canonical(spec, &r));
    if removed && existing.is_none() && ch.kind == ChangeKind::Upsert {
        // Removed for good (a hard delete, or a tombstone past retention and what it took with it):
        // a late edit is refused, never brings the row back.
        return Err(reject("gone", None, format!("this {} was deleted and removed from the server for good; the change is kept on the device", singular(table))));
    }
    if existing.as_ref().is_some_and(|e| !visible_row(table, e, user)) {
        return Err(reject("not_found", None, format!("no {} with id {} in this workspace", singular(table), ch.record_id)));
    }
    let caller = domain::Caller { org, user, is_admin: ctx.caller.is_admin };
    let latest = ch.fields.values().max().copied().unwrap_or(ctx.now);
    let applied = |superseded_by: BTreeMap<String, Version>, any: bool, all: bool| PushResult {
        mutation_id: ch.mutation_id,
        outcome: if all {
            Outcome::Applied
        } else if any {
            Outcome::Partial
        } else {
            Outcome::Superseded
        },
        superseded_by,
        reason: None,
        current: None,
    };
    if ch.kind == ChangeKind::Delete {
        if spec.soft_delete != SoftDelete::None {
            return Err(reject("tombstone_required", Some("kind"), format!("{table} rows are deleted by setting is_deleted")));
        }
        let v = ctx.version(latest);
        let Some(current) = existing else { return Ok(applied(BTreeMap::new(), true, true)) };
        if let Some((f, newer)) = row_versions.iter().filter(|(_, old)| **old > v).max_by_key(|(_, old)| **old) {
            return Ok(applied([(f.clone(), *newer)].into(), false, false));
        }
        let wctx = WriteCtx { caller: &caller, op: Op::Delete, origin: Origin::Client, now: ctx.now, seen: None };
        domain::before_write(spec, &wctx, &Facts::default(), Some(&current), &mut current.clone()).map_err(rule_reject)?;
        tx.exec(&format!("DELETE FROM {table} WHERE id = $1"), &[&ch.record_id]).await?;
        touch(tx, org, table, ch.record_id, &[("_removed".to_owned(), v)].into(), true).await?;
        return Ok(applied(BTreeMap::new(), true, true));
    }
    let row = ch.row.as_ref().ok_or_else(|| reject("required", Some("row"), "an upsert carries the row"))?;
    if row.get("id").and_then(Value::as_str) != Some(ch.record_id.to_string().as_str()) {
        return Err(reject("invalid", Some("id"), "the row's id is not the change's record_id"));
    }
    let own_org = org.to_string();
    let row_org = if table == "organizations" { row.get("id") } else { row.get("organization_id") };
    if (spec.has("organization_id") || table == "organizations") && row_org.and_then(Value::as_str) != Some(own_org.as_str()) {
        return Err(reject("other_organization", Some("organization_id"), "this row belongs to another organization"));
    }
    let seen = canonical(spec, row);
    let Some(current) = existing else {
        if table == "organizations" {
            return Err(reject("other_organization", Some("organization_id"), "organizations are created by registering"));
        }
        // A new row: the device's values where a device may give them, the server's elsewhere;
        // identity, tenancy and authorship from the token, never from the row.
        let mut new = Record::new();
        for c in spec.columns {
            let v = match rights::from_device(c, true) {
                FromDevice::Take if row.contains_key(c.name) => pushed_value(c, row.get(c.name))?,
                FromDevice::Take => default_value(c, ctx.now),
                FromDevice::Ignore | FromDevice::Refuse => server_value(c, ctx),
            };
            new.insert(c.name.to_owned(), v);
        }
        new.insert("id".into(), Value::String(ch.record_id.to_string()));
        if spec.has("organization_id") {
            new.insert("organization_id".into(), Value::String(own_org));
        }
        if let Some(c) = spec.creator_column() {
            new.insert(c.into(), Value::String(user.to_string()));
        }
        let wctx = WriteCtx { caller: &caller, op: Op::Create, origin: Origin::Client, now: ctx.now, seen: Some(&seen) };
        let needs = domain::needs(spec, &wctx, None, &new);
        let facts = facts(tx, spec, &needs, &new, user).await?;
        let given = new.clone();
        let mut refused: Option<ErrorPayload> = None;
        if let Err(first) = domain::before_write(spec, &wctx, &facts, None, &mut new) {
            // What the caller may not decide (an approval by someone who is not an admin, as when an
            // offline workspace's admin joins a team as a member) falls back to what anyone may
            // create, and the rest of the row stands: the approval becomes a request an admin sees,
            // and the device is told why. Any other refusal refuses the row.
            let mut asked = seen.clone();
            let mut base = given;
            let mut e = first.clone();
            loop {
                let drop = match (&e, e.field()) {
                    (DomainError::Forbidden { .. }, Some(f)) => domain::refused_with(spec, f),
                    _ => vec![],
                };
                if drop.is_empty() || drop.iter().all(|f| !asked.contains_key(*f) && base.get(*f) == spec.column(f).map(|c| default_value(c, ctx.now)).as_ref()) {
                    return Err(rule_reject(first));
                }
                for f in &drop {
                    if let Some(c) = spec.column(f) {
                        base.insert((*f).to_owned(), default_value(c, ctx.now));
                        asked.remove(*f);
                    }
                }
                let wctx = WriteCtx { seen: Some(&asked), ..wctx };
                let needs = domain::needs(spec, &wctx, None, &base);
                let facts = self::facts(tx, spec, &needs, &base, user).await?;
                new = base.clone();
                match domain::before_write(spec, &wctx, &facts, None, &mut new) {
                    Ok(()) => break,
                    Err(next) => e = next,
                }
            }
            refused = Some(first.to_payload());
        }
        let refs: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
        check_references(tx, spec, &new, &refs, user).await?;
        insert_row(tx, spec, &new).await?;
        derived(tx, ctx, table, &new).await?;
        let mut versions: BTreeMap<String, Version> = ch
            .fields
            .iter()
            .filter(|(f, _)| spec.column(f).is_some_and(|c| rights::from_device(c, true) == FromDevice::Take) || (tags::supports(spec) && tags::of_field(f).is_some()))
            .map(|(f, t)| (f.clone(), ctx.version(*t)))
            .collect();
        if versions.is_empty() {
            versions.insert("id".into(), ctx.version(latest));
        }
        touch(tx, org, table, ch.record_id, &versions, false).await?;
        let mut result = applied(BTreeMap::new(), true, refused.is_none());
        result.reason = refused;
        return Ok(result);
    };
    if append_only(table) {
        return Ok(applied(BTreeMap::new(), true, true));
    }
    let mut won: Vec<&'static str> = vec![];
    let mut lost = BTreeMap::new();
    // Tags travel one by one (`tag:…`, plugs_domain::tags): each wins or loses on its own version.
    let mut won_tags: Vec<&str> = vec![];
    for (f, t) in &ch.fields {
        if let (true, Some(tag)) = (tags::supports(spec), tags::of_field(f)) {
            let v = ctx.version(*t);
            match row_versions.get(f) {
                Some(old) if *old >= v => {
                    lost.insert(f.clone(), *old);
                }
                _ => won_tags.push(tag),
            }
            continue;
        }
        let Some(col) = spec.column(f) else { return Err(reject("unknown_field", Some(f), format!("{table} has no field '{f}'"))) };
        match rights::from_device(col, false) {
            FromDevice::Ignore => {}
            FromDevice::Refuse => {
                let v = pushed_value(col, row.get(col.name))?;
                let now = current.get(col.name).unwrap_or(&Value::Null);
                if now != &v {
                    // A reference fixed once written may still follow a merge (plugs_domain::merge):
                    // towards the contact the current one was merged into (the merge's own move),
                    // or kept where it is when the device still names the merged-away contact.
                    let (from, to) = (merge_links(tx, spec, col, now).await?, merge_links(tx, spec, col, &v).await?);
                    let is = |id: Option<Uuid>, value: &Value| id.is_some_and(|id| Value::String(id.to_string()) == *value);
                    if is(from.merged_into, &v) || is(to.unmerged_from, now) {
                        // The merge's own move, or its undo's move back.
                        won.push(col.name);
                    } else if !is(to.merged_into, now) {
                        return Err(rule_reject(rights::refused(col)));
                    }
                }
            }
            FromDevice::Take => {
                let v = ctx.version(*t);
                match row_versions.get(f) {
                    Some(old) if *old >= v => {
                        lost.insert(f.clone(), *old);
                    }
                    _ => won.push(col.name),
                }
            }
        }
    }
    let candidates = won.len() + won_tags.len() + lost.len();
    // The rules judge the row as it would be. A field that breaks a rule is refused with its own
    // reason; the change's other fields still apply.
    let mut refused: Option<ErrorPayload> = None;
    let new = loop {
        let mut new = current.clone();
        for f in &won {
            let col = spec.column(f).expect("won fields are columns");
            let v = pushed_value(col, row.get(*f))?;
            let v = if *f == "metadata" && tags::supports(spec) { tags::metadata_keeping_tags(current.get("metadata"), Some(&v)) } else { v };
            new.insert((*f).to_owned(), v);
        }
        tags::apply_won(&mut new, row, &won_tags);
        if won.is_empty() && won_tags.is_empty() {
            break new;
        }
        let op = match (domain::deleted(&current), domain::deleted(&new)) {
            (false, true) => Op::Delete,
            (true, false) => Op::Restore,
            _ => Op::Update,
        };
        let wctx = WriteCtx { caller: &caller, op, origin: Origin::Client, now: ctx.now, seen: Some(&seen) };
        let needs = domain::needs(spec, &wctx, Some(&current), &new);
        let facts = facts(tx, spec, &needs, &new, user).await?;
        match domain::before_write(spec, &wctx, &facts, Some(&current), &mut new) {
            Ok(()) => break new,
            Err(e) => {
                let drop = e.field().map(|f| domain::refused_with(spec, f)).unwrap_or_default();
                let keep: Vec<&'static str> = won.iter().copied().filter(|w| !drop.contains(w)).collect();
                if keep.len() == won.len() || keep.is_empty() {
                    return Err(rule_reject(e));
                }
                won = keep;
                refused.get_or_insert(e.to_payload());
            }
        }
    };
    check_references(tx, spec, &new, &won, user).await?;
    let write: Vec<&str> = spec.columns.iter().map(|c| c.name).filter(|c| *c != "updated_at" && current.get(*c) != new.get(*c)).collect();
    if !write.is_empty() {
        update_row(tx, spec, ch.record_id, &new, &write, ctx.version(latest).at).await?;
        let mut versions: BTreeMap<String, Version> = BTreeMap::new();
        for f in &write {
            let v = match ch.fields.get(*f) {
                Some(t) if won.contains(f) => ctx.version(*t),
                // Metadata changed by its tags alone keeps its own version: the tags have theirs.
                _ if *f == "metadata" && !won_tags.is_empty() && !tags::metadata_changed_beyond_tags(Some(&current), &new) => continue,
                _ => Version { at: ctx.now, device: SERVER_DEVICE },
            };
            versions.insert((*f).to_owned(), v);
        }
        for t in &won_tags {
            let f = tags::field(t);
            if let Some(at) = ch.fields.get(&f) {
                versions.insert(f, ctx.version(*at));
            }
        }
        touch(tx, org, table, ch.record_id, &versions, false).await?;
        if table == "users" && (new.get("is_active") == Some(&Value::Bool(false)) || domain::deleted(&new)) {
            // Deactivating or removing a user ends their sessions, by whichever path it comes.
            tx.exec("UPDATE auth_sessions SET revoked_at = NOW() WHERE user_id = $1 AND revoked_at IS NULL", &[&ch.record_id]).await?;
        }
    } else if !won_tags.is_empty() {
        // A tag change that found the row already so (added where it was, removed where it was
        // not) still dates the tag: an older change of it from another device must lose.
        let versions: BTreeMap<String, Version> = won_tags.iter().filter_map(|t| ch.fields.get(&tags::field(t)).map(|at| (tags::field(t), ctx.version(*at)))).collect();
        touch(tx, org, table, ch.record_id, &versions, false).await?;
    }
    derived(tx, ctx, table, &new).await?;
    if table == "contacts" && !write.is_empty() {
        if let Some(kept) = plugs_domain::merge::merged_into(&current) {
            forward_merged_edit(tx, ctx, kept, &current, &new, &won, &won_tags).await?;
        }
    }
    let mut result = applied(lost, !won.is_empty() || !won_tags.is_empty(), won.len() + won_tags.len() == candidates && refused.is_none());
    if refused.is_some() && result.outcome == Outcome::Applied {
        result.outcome = Outcome::Partial;
    }
    result.reason = refused;
    Ok(result)
}

/// An edit another device made to a contact merged away meanwhile: what of it the kept contact
/// takes (plugs_domain::merge::forwarded_edit) is written there as a change of this push, dated
/// now, so it wins over the merge's copy of the value it replaces. A kept contact that refuses it
/// (a rule) leaves the edit on the merged-away contact alone.
async fn forward_merged_edit(tx: &Transaction<'_>, ctx: &PushCtx, kept: Uuid, before: &Record, after: &Record, won: &[&str], won_tags: &[&str]) -> Result<(), ApplyError> {
    let spec = spec("contacts").expect("contacts sync");
    let Some(target) = fetch_for_update(tx, spec, kept).await?.map(|r| canonical(spec, &r)) else { return Ok(()) };
    let Some((row, fields)) = plugs_domain::merge::forwarded_edit(before, after, &target, won, won_tags) else { return Ok(()) };
    let at = Timestamp::from_datetime(ctx.now.as_datetime() - ctx.adjust);
    let change = PushChange {
        mutation_id: Uuid::now_v7(),
        table: "contacts".into(),
        record_id: kept,
        kind: ChangeKind::Upsert,
        fields: fields.into_iter().map(|f| (f, at)).collect(),
        row: Some(row),
    };
    tx.batch_execute("SAVEPOINT forward").await?;
    match Box::pin(apply_one(tx, ctx, &change)).await {
        Ok(_) => tx.batch_execute("RELEASE SAVEPOINT forward").await?,
        Err(ApplyError::Reject(reason)) => {
            tracing::info!(code = %reason.code, "an edit of a merged-away contact stays there");
            tx.batch_execute("ROLLBACK TO SAVEPOINT forward; RELEASE SAVEPOINT forward").await?
        }
        Err(fatal) => return Err(fatal),
    }
    Ok(())
}

/// How a contact a reference column points at took part in a merge: the contact it was merged
/// into (while it is a tombstone), or the one an undone merge took it back from.
#[derive(Default)]
struct MergeLinks {
    merged_into: Option<Uuid>,
    unmerged_from: Option<Uuid>,
}

async fn merge_links(tx: &Transaction<'_>, spec: &TableSpec, col: &Column, value: &Value) -> Result<MergeLinks, ApplyError> {
    if spec.references(col.name) != Some("contacts") {
        return Ok(MergeLinks::default());
    }
    let Some(id) = value.as_str().and_then(|s| Uuid::parse_str(s).ok()) else { return Ok(MergeLinks::default()) };
    let row = tx.q_opt("SELECT COALESCE(is_deleted, false), metadata->>'merged_into', metadata->>'unmerged_from' FROM contacts WHERE id = $1", &[&id]).await?;
    let Some(r) = row else { return Ok(MergeLinks::default()) };
    let uuid = |s: Option<String>| s.and_then(|s| Uuid::parse_str(&s).ok());
    Ok(MergeLinks { merged_into: if r.get::<_, bool>(0) { uuid(r.get(1)) } else { None }, unmerged_from: if r.get::<_, bool>(0) { None } else { uuid(r.get(2)) } })
}

async fn fetch_for_update(tx: &Transaction<'_>, spec: &TableSpec, id: Uuid) -> Result<Option<Map<String, Value>>, ApplyError> {
    let sql = format!("SELECT row_to_json(x)::text FROM (SELECT {} FROM {} WHERE id = $1 FOR UPDATE) x", select_list(spec), spec.name);
    Ok(tx.q_opt(&sql, &[&id]).await?.map(|r| serde_json::from_str(&r.get::<_, String>(0)).unwrap_or_default()))
}

/// Inserts a new row with every column given (the rules have completed it).
async fn insert_row(tx: &Transaction<'_>, spec: &TableSpec, row: &Record) -> Result<(), ApplyError> {
    let mut vals: Vec<Option<String>> = vec![];
    for c in spec.columns {
        vals.push(pg_text(c, row.get(c.name).unwrap_or(&Value::Null)).map_err(ApplyError::Reject)?);
    }
    let names = spec.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    let marks = spec.columns.iter().enumerate().map(|(i, c)| format!("${}::text::{}", i + 1, cast(c))).collect::<Vec<_>>().join(", ");
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vals.iter().map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
    let conflict = if append_only(spec.name) { " ON CONFLICT (id) DO NOTHING" } else { "" };
    tx.exec(&format!("INSERT INTO {} ({names}) VALUES ({marks}){conflict}", spec.name), &params).await?;
    Ok(())
}

async fn update_row(tx: &Transaction<'_>, spec: &TableSpec, id: Uuid, row: &Record, fields: &[&str], at: Timestamp) -> Result<(), ApplyError> {
    let mut sets = vec![];
    let mut vals: Vec<Option<String>> = vec![Some(id.to_string())];
    for f in fields {
        let c = spec.column(f).expect("fields were checked against the spec");
        vals.push(pg_text(c, row.get(*f).unwrap_or(&Value::Null)).map_err(ApplyError::Reject)?);
        sets.push(format!("{f} = ${}::text::{}", vals.len(), cast(c)));
    }
    if spec.has("updated_at") {
        vals.push(Some(at.to_string()));
        sets.push(format!("updated_at = GREATEST(updated_at, ${}::text::timestamptz)", vals.len()));
    }
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vals.iter().map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
    tx.exec(&format!("UPDATE {} SET {} WHERE id = $1::text::uuid", spec.name, sets.join(", ")), &params).await?;
    Ok(())
}

/// Values derived from other rows (declared in the domain: `TableSpec::derived`), recomputed in
/// PostgreSQL after each change they depend on.
async fn derived(tx: &Transaction<'_>, ctx: &PushCtx, table: &str, row: &Record) -> Result<(), ApplyError> {
    for (parent, d) in plugs_domain::tables::derived_from(table) {
        let Some(id) = domain::uuid(row, d.fk) else { continue };
        let fold = match d.aggregate {
            Aggregate::Count => "COUNT(*)::int".to_owned(),
            Aggregate::Max(c) => format!("MAX({c})"),
        };
        let sql = format!(
            "UPDATE {p} SET {col} = v.v FROM (SELECT {fold} AS v FROM {from} WHERE {fk} = $1{live}{filter}) v
             WHERE id = $1 AND NOT COALESCE({p}.is_deleted, false) AND {col} IS DISTINCT FROM v.v",
            p = parent.name,
            col = d.column,
            from = d.from,
            fk = d.fk,
            live = d.live_sql(),
            filter = d.filter_sql()
        );
        if tx.exec(&sql, &[&id]).await? > 0 {
            touch(tx, ctx.caller.org, parent.name, id, &server_versions([d.column]), false).await?;
        }
    }
    Ok(())
}

/// Pull parameters.
pub struct PullQuery {
    pub cursor: i64,
    pub limit: i64,
    pub wait: Duration,
    pub total: bool,
}

/// The changes after a cursor, in commit order; waits up to `wait` for some if there are none.
pub async fn pull(pool: &Pool, watchers: &Watchers, caller: Caller, q: PullQuery) -> Result<ServedPage, StoreError> {
    let mut rx = watchers.subscribe(caller.org);
    rx.borrow_and_update();
    let mut closing = watchers.closing();
    let deadline = tokio::time::Instant::now() + q.wait;
    loop {
        let page = pull_once(pool, caller, &q).await?;
        if !page.rows.is_empty() || page.resync_required || q.wait.is_zero() {
            return Ok(page);
        }
        tokio::select! {
            woke = tokio::time::timeout_at(deadline, rx.changed()) => match woke {
                Ok(Ok(())) => continue,
                _ => return Ok(page),
            },
            _ = closing.wait_for(|c| *c) => return Err(StoreError::ShuttingDown),
        }
    }
}

/// A pull page as served: rows pass PostgreSQL's JSON through as it is (the same wire shape,
/// without parsing each row and writing it out again).
pub type ServedPage = PullResponse<ServedRow>;
pub type ServedRow = PulledRow<Box<serde_json::value::RawValue>>;

async fn pull_once(pool: &Pool, caller: Caller, q: &PullQuery) -> Result<ServedPage, StoreError> {
    let mut client = pool.get().await?;
    let tx = begin_org(&mut client, caller.org).await?;
    let state = tx.q_opt("SELECT last_seq, purged_through_seq FROM sync_org_state WHERE organization_id = $1", &[&caller.org]).await?;
    let purged: i64 = state.as_ref().map(|r| r.get(1)).unwrap_or(0);
    if q.cursor > 0 && q.cursor < purged {
        return Ok(ServedPage { rows: vec![], cursor: q.cursor, has_more: false, total: None, resync_required: true, server_time: Timestamp::now() });
    }
    let entries = tx
        .q("SELECT table_name, record_id, seq, removed FROM sync_rows WHERE organization_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", &[&caller.org, &q.cursor, &q.limit])
        .await?;
    let total = if q.total { Some(tx.q_one("SELECT COUNT(*) FROM sync_rows WHERE organization_id = $1 AND seq > $2", &[&caller.org, &q.cursor]).await?.get(0)) } else { None };
    let mut by_table: HashMap<String, Vec<Uuid>> = HashMap::new();
    for e in &entries {
        if !e.get::<_, bool>(3) {
            by_table.entry(e.get(0)).or_default().push(e.get(1));
        }
    }
    let mut found: HashMap<(String, Uuid), Option<String>> = HashMap::new();
    for (table, ids) in &by_table {
        for (id, row) in fetch_rows_json(&tx, table, ids, caller.user).await? {
            found.insert((table.clone(), id), row);
        }
    }
    tx.commit().await?;
    let rows: Vec<ServedRow> = entries
        .iter()
        .map(|e| {
            let (table, id, seq, removed): (String, Uuid, i64, bool) = (e.get(0), e.get(1), e.get(2), e.get(3));
            let (kind, row) = match found.remove(&(table.clone(), id)) {
                _ if removed => (PullKind::Remove, None),
                None => (PullKind::Remove, None),
                Some(None) => (PullKind::Hide, None),
                Some(Some(r)) => match serde_json::value::RawValue::from_string(r) {
                    Ok(raw) => (PullKind::Upsert, Some(raw)),
                    Err(_) => (PullKind::Hide, None),
                },
            };
            ServedRow { seq, table, record_id: id, kind, row, values: None }
        })
        .collect();
    let cursor = rows.last().map(|r| r.seq).unwrap_or(q.cursor);
    Ok(ServedPage { has_more: rows.len() as i64 == q.limit, rows, cursor, total, resync_required: false, server_time: Timestamp::now() })
}

/// Removes tombstones older than `retention` everywhere; devices behind the horizon resync.
/// One instance at a time: the others, finding the lock taken, skip their turn (`None`).
pub async fn purge_tombstones(pool: &Pool, retention: Duration) -> Result<Option<i64>, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let ours: bool = tx.q_one("SELECT pg_try_advisory_xact_lock($1)", &[&PURGE_LOCK]).await?.get(0);
    if !ours {
        return Ok(None);
    }
    let n = tx.q_one("SELECT plugs_purge_tombstones(make_interval(secs => $1))", &[&(retention.as_secs_f64())]).await?.get(0);
    tx.commit().await?;
    Ok(Some(n))
}

/// The advisory lock key of the tombstone purge ("plugs-purge" in ASCII, as an 8-byte integer).
const PURGE_LOCK: i64 = 0x706c_7567_7370_7572;
