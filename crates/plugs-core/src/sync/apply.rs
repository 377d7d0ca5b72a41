//! Applying the server's rows to the local database: as the server has them, except fields with
//! local changes not yet pushed (those stay until their push settles), and never before their
//! parent rows (a child that arrives first waits in `sync_parked`). These writes are the server's,
//! not the user's: no audit row, no change record.

use crate::error::{Error, Result};
use crate::repo::{read_record, Record};
use crate::schema::{Column, Kind, SqlColumn, TableSpec};
use crate::search::DeferredIndex;
use crate::sync::wire::{table_rank, PullKind, PulledRow};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde_json::Value;
use std::collections::HashSet;
use uuid::Uuid;

fn spec(table: &str) -> Result<&'static TableSpec> {
    table_rank(table).and_then(|_| crate::tables::spec(table)).ok_or_else(|| Error::invalid("table", "unknown_table", format!("'{table}' does not sync")))
}

/// A server value for a column: validated like any input, but NULL is taken as the server has it.
fn server_value(col: &Column, v: Option<&Value>) -> Result<SqlValue> {
    match v {
        None | Some(Value::Null) => Ok(SqlValue::Null),
        Some(v) => Column { nullable: true, default: None, ..*col }.to_sql(v),
    }
}

/// Fields of a row with local changes still waiting to be pushed.
pub(crate) fn pending_fields(conn: &Connection, table: &str, id: Uuid) -> Result<HashSet<String>> {
    let mut st = conn.prepare_cached("SELECT fields FROM sync_outbox WHERE table_name = ?1 AND record_id = ?2")?;
    let mut out = HashSet::new();
    for f in st.query_map(rusqlite::params![table, id.to_string()], |r| r.get::<_, String>(0))? {
        out.extend(serde_json::from_str::<Vec<String>>(&f?).unwrap_or_default());
    }
    Ok(out)
}

/// What applying one page keeps between its rows.
#[derive(Default)]
struct Page {
    /// Rows known to be here in this transaction (parents found, rows just stored), so that a page
    /// of 5000 interactions does not look up the same organization, user and contact thousands of
    /// times. Only ever grows with rows that exist; cleared when a row is removed.
    present: Present,
    /// Whether `sync_parked` may hold this row (it had rows when the page began, or one was parked
    /// since): otherwise there is nothing there to clear after each stored row.
    parked: bool,
    /// Whether a row may have fields still waiting to be pushed.
    may_be_pending: bool,
    /// The contacts' search index, written once per page (see [`DeferredIndex`]).
    index: Option<DeferredIndex>,
    /// Every audit row here was pushed when the page began: the page's audit rows are skipped by
    /// moving the pushed mark past them at its end. Otherwise each is named in `sync_audit_pulled`.
    audit_all_pushed: bool,
}

/// Ids known to be here, by table (only tables other rows refer to).
#[derive(Default)]
struct Present(std::collections::HashMap<&'static str, HashSet<String>>);

impl Present {
    fn contains(&self, table: &str, id: &str) -> bool {
        self.0.get(table).is_some_and(|ids| ids.contains(id))
    }

    fn insert(&mut self, table: &'static str, id: impl ToString) {
        if is_parent(table) {
            self.0.entry(table).or_default().insert(id.to_string());
        }
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

/// Whether some table refers to this one.
fn is_parent(table: &str) -> bool {
    static PARENTS: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    PARENTS
        .get_or_init(|| {
            crate::tables::ALL
                .iter()
                .flat_map(|t| t.columns.iter())
                .filter_map(|c| match c.kind {
                    Kind::Uuid { references: Some(target) } => Some(target),
                    _ => None,
                })
                .collect()
        })
        .contains(table)
}

/// The first row this one refers to that is not here (in any state), if any.
fn missing_parent(conn: &Connection, spec: &TableSpec, id: Uuid, row: &serde_json::Map<String, Value>, present: &mut Present) -> Result<Option<(&'static str, String)>> {
    let own = id.to_string();
    for c in spec.columns {
        let Kind::Uuid { references: Some(target) } = c.kind else { continue };
        let Some(v) = row.get(c.name).and_then(Value::as_str) else { continue };
        if (target == spec.name && v == own) || present.contains(target, v) {
            continue;
        }
        let found: Option<i64> = conn.prepare_cached(&format!("SELECT 1 FROM {target} WHERE id = ?1"))?.query_row([v], |r| r.get(0)).optional()?;
        if found.is_none() {
            return Ok(Some((target, v.to_owned())));
        }
        present.insert(target, v);
    }
    Ok(None)
}

/// Stores a server row (or parks it until its parents arrive). Returns whether it was stored.
pub(crate) fn upsert(conn: &Connection, table: &str, id: Uuid, seq: i64, row: &serde_json::Map<String, Value>) -> Result<bool> {
    upsert_with(conn, table, id, seq, row, None, &mut Page { parked: true, may_be_pending: true, ..Default::default() })
}

/// A server row's values as they will be stored, in the table's column order.
fn row_values(spec: &TableSpec, row: &serde_json::Map<String, Value>) -> Result<Vec<SqlValue>> {
    let mut values = Vec::with_capacity(spec.columns.len());
    for c in spec.columns {
        values.push(server_value(c, row.get(c.name)).map_err(|e| Error::invalid(format!("{}.{}", spec.name, c.name), "server_value", e.to_string()))?);
    }
    Ok(values)
}

/// Works out the values of a page's rows ahead of writing them (a row whose values are refused
/// is left as it is, to be refused when it is written).
pub(crate) fn prepare_page(rows: &mut [PulledRow]) {
    for r in rows {
        if let (PullKind::Upsert, Some(row), Ok(spec)) = (r.kind, &r.row, spec(&r.table)) {
            r.values = row_values(spec, row).ok();
        }
    }
}

fn outbox_empty(conn: &Connection) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM sync_outbox)")?.query_row([], |r| r.get(0))?)
}

fn upsert_with(conn: &Connection, table: &str, id: Uuid, seq: i64, row: &serde_json::Map<String, Value>, ready: Option<&[SqlValue]>, page: &mut Page) -> Result<bool> {
    let spec = spec(table)?;
    if let Some((t, pid)) = missing_parent(conn, spec, id, row, &mut page.present)? {
        park(conn, table, id, seq, row, t, &pid)?;
        page.parked = true;
        return Ok(false);
    }
    let mut pending = if page.may_be_pending { pending_fields(conn, table, id)? } else { HashSet::new() };
    if pending.iter().any(|f| plugs_domain::tags::of_field(f).is_some()) {
        // Tags changed here and not yet pushed: the row keeps its metadata until the push settles
        // (the server merges tag by tag and answers with the row as it then is).
        pending.insert("metadata".into());
    }
    let worked_out;
    let values = match ready {
        Some(v) => v,
        None => {
            worked_out = row_values(spec, row)?;
            &worked_out[..]
        }
    };
    if let (Some(ix), "contacts") = (page.index.as_mut(), spec.name) {
        ix.before_change(conn, id)?;
    }
    let sql = if pending.is_empty() { full_upsert_sql(spec) } else { upsert_sql(spec, &pending) };
    // One statement: a constraint it breaks undoes the whole statement (triggers included) and
    // leaves the transaction as it was, so no savepoint is needed around it.
    match conn.prepare_cached(&sql)?.execute(params_from_iter(values.iter())) {
        Ok(_) => {
            if page.parked {
                conn.prepare_cached("DELETE FROM sync_parked WHERE table_name = ?1 AND record_id = ?2")?.execute(rusqlite::params![table, id.to_string()])?;
            }
            page.present.insert(spec.name, id);
            if spec.name == "audit_logs" && !page.audit_all_pushed {
                conn.prepare_cached("INSERT OR IGNORE INTO sync_audit_pulled (id) VALUES (?1)")?.execute([id.to_string()])?;
            }
            if let (Some(ix), "contacts") = (page.index.as_mut(), spec.name) {
                ix.written(id);
            }
            Ok(true)
        }
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            // A local row not yet settled stands in the way (its push will be refused and undone).
            park(conn, table, id, seq, row, "", "")?;
            page.parked = true;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

fn upsert_sql(spec: &TableSpec, keep: &HashSet<String>) -> String {
    let cols = spec.select_list();
    let marks = (1..=spec.columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let sets: Vec<String> = spec.columns.iter().filter(|c| c.name != "id" && !keep.contains(c.name)).map(|c| format!("{0} = excluded.{0}", c.name)).collect();
    if sets.is_empty() {
        format!("INSERT INTO {} ({cols}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING", spec.name)
    } else {
        format!("INSERT INTO {} ({cols}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {}", spec.name, sets.join(", "))
    }
}

/// The upsert of every column, built once per table.
fn full_upsert_sql(spec: &'static TableSpec) -> String {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<&'static str, String>> = Default::default();
    }
    CACHE.with(|c| c.borrow_mut().entry(spec.name).or_insert_with(|| upsert_sql(spec, &HashSet::new())).clone())
}

fn park(conn: &Connection, table: &str, id: Uuid, seq: i64, row: &serde_json::Map<String, Value>, waiting_table: &str, waiting_id: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_parked (table_name, record_id, seq, row, waiting_table, waiting_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (table_name, record_id) DO UPDATE SET seq = excluded.seq, row = excluded.row, waiting_table = excluded.waiting_table,
             waiting_id = excluded.waiting_id WHERE excluded.seq >= sync_parked.seq",
    )?
    .execute(rusqlite::params![table, id.to_string(), seq, Value::Object(row.clone()).to_string(), waiting_table, waiting_id])?;
    Ok(())
}

/// Drops a row the server no longer has or no longer shows this user, with anything still queued for it.
/// Rows the server never saw (or not all of) that a removal takes with it, itself or by cascade,
/// are not lost silently: each is kept in `sync_rejections` with its values and the reason, as a
/// refused push is.
pub(crate) fn remove(conn: &Connection, table: &str, id: Uuid) -> Result<()> {
    spec(table)?;
    let orphans = if outbox_empty(conn)? { vec![] } else { pending_under(conn, table, id)? };
    conn.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?.execute([id.to_string()])?;
    forget_queued(conn, table, id)?;
    for (t, column, rid, mutation, row) in orphans {
        let still: bool = conn.prepare_cached(&format!("SELECT EXISTS (SELECT 1 FROM {t} WHERE id = ?1)"))?.query_row([rid.to_string()], |r| r.get(0))?;
        if still {
            continue;
        }
        let reason = match column {
            None => crate::ErrorPayload {
                code: "gone".into(),
                field: None,
                message: format!("this {} was removed from the server for good before the change reached it; the change is kept here", crate::repo::singular(t)),
            },
            Some(c) => crate::ErrorPayload {
                code: "parent_removed".into(),
                field: Some(c.to_owned()),
                message: format!(
                    "its {} was removed from the server for good before this {} reached it; the row is kept here",
                    crate::repo::singular(table),
                    crate::repo::singular(t)
                ),
            },
        };
        conn.prepare_cached("INSERT OR REPLACE INTO sync_rejections (mutation_id, table_name, record_id, row, reason, rejected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(
            rusqlite::params![
                mutation,
                t,
                rid.to_string(),
                Value::Object(row).to_string(),
                serde_json::to_string(&reason).unwrap_or_else(|_| "{}".into()),
                crate::Timestamp::now().to_string()
            ],
        )?;
        forget_queued(conn, t, rid)?;
    }
    Ok(())
}

fn forget_queued(conn: &Connection, table: &str, id: Uuid) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_outbox WHERE table_name = ?1 AND record_id = ?2")?.execute(rusqlite::params![table, id.to_string()])?;
    conn.prepare_cached("DELETE FROM sync_parked WHERE table_name = ?1 AND record_id = ?2")?.execute(rusqlite::params![table, id.to_string()])?;
    Ok(())
}

/// The row and the rows pointing at it with changes still queued for the server: (table, the
/// column pointing at it or none for the row itself, id, the newest queued mutation, the row as it
/// is here).
type Queued = (&'static str, Option<&'static str>, Uuid, String, Record);

fn pending_under(conn: &Connection, table: &str, id: Uuid) -> Result<Vec<Queued>> {
    let mut out = vec![];
    let newest = "(SELECT o.mutation_id FROM sync_outbox o WHERE o.table_name = ?2 AND o.record_id = c.id AND o.op = 'upsert' ORDER BY o.seq DESC LIMIT 1)";
    for spec in crate::tables::ALL.iter().copied().filter(|s| table_rank(s.name).is_some()) {
        let mut wheres: Vec<(Option<&'static str>, String)> = vec![];
        if spec.name == table {
            wheres.push((None, "c.id = ?1".to_owned()));
        }
        for col in spec.columns.iter().filter(|c| matches!(c.kind, Kind::Uuid { references: Some(t) } if t == table)) {
            wheres.push((Some(col.name), format!("c.{} = ?1", col.name)));
        }
        for (column, cond) in wheres {
            let sql = format!("SELECT c.id, {newest} AS m FROM {} c WHERE {cond} AND m IS NOT NULL", spec.name);
            let found: Vec<(String, String)> =
                conn.prepare_cached(&sql)?.query_map(rusqlite::params![id.to_string(), spec.name], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            for (rid, mutation) in found {
                let Ok(rid) = Uuid::parse_str(&rid) else { continue };
                if let Some(row) = local_row(conn, spec.name, rid)? {
                    out.push((spec.name, column, rid, mutation, row));
                }
            }
        }
    }
    Ok(out)
}

/// Applies one pulled page (parents first) and retries parked rows whose parents have now arrived.
pub(crate) fn apply_page(conn: &Connection, rows: &[PulledRow]) -> Result<()> {
    let mut ordered: Vec<&PulledRow> = rows.iter().collect();
    ordered.sort_by_key(|r| (table_rank(&r.table).unwrap_or(usize::MAX), r.seq));
    let contacts = rows.iter().filter(|r| r.table == "contacts" && r.kind == PullKind::Upsert).count();
    let mut page = Page {
        // With nothing queued here (the usual case, and always in an initial sync) no row has pending fields.
        may_be_pending: !outbox_empty(conn)?,
        parked: conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_parked)")?.query_row([], |r| r.get(0))?,
        index: if contacts >= DeferredIndex::FROM { Some(DeferredIndex::begin(conn)?) } else { None },
        audit_all_pushed: audit_pushed(conn)? >= audit_last(conn)?,
        ..Default::default()
    };
    for r in ordered {
        match (r.kind, &r.row) {
            (PullKind::Upsert, Some(row)) => {
                upsert_with(conn, &r.table, r.record_id, r.seq, row, r.values.as_deref(), &mut page)?;
            }
            (PullKind::Remove | PullKind::Hide, _) => {
                // A removed row may take contacts with it by cascade: they must be indexed first.
                if let Some(ix) = page.index.as_mut() {
                    ix.flush(conn)?;
                }
                page.present.clear();
                remove(conn, &r.table, r.record_id)?
            }
            (PullKind::Upsert, None) => {}
        }
    }
    if let Some(ix) = page.index.take() {
        ix.finish(conn)?;
    }
    retry_parked(conn, false)?;
    if page.audit_all_pushed {
        // Every audit row past the mark came from the server in this page.
        let last = audit_last(conn)?;
        move_audit_mark(conn, last)
    } else {
        skip_pulled_audit(conn)
    }
}

/// The rowid up to which audit rows were pushed (or are the server's).
pub(crate) fn audit_pushed(conn: &Connection) -> Result<i64> {
    Ok(crate::store::get_setting(conn, crate::sync::client::keys::AUDIT_PUSHED)?.and_then(|s| s.parse().ok()).unwrap_or(0))
}

fn audit_last(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT COALESCE(MAX(rowid), 0) FROM audit_logs")?.query_row([], |r| r.get(0))?)
}

/// Moves the pushed mark forward to `to`, forgetting the pulled rows it passes.
pub(crate) fn move_audit_mark(conn: &Connection, to: i64) -> Result<()> {
    let from = audit_pushed(conn)?;
    if to <= from {
        return Ok(());
    }
    conn.prepare_cached("DELETE FROM sync_audit_pulled WHERE id IN (SELECT id FROM audit_logs WHERE rowid > ?1 AND rowid <= ?2)")?.execute([from, to])?;
    crate::store::set_setting(conn, crate::sync::client::keys::AUDIT_PUSHED, &to.to_string())
}

/// Moves the pushed mark over the pulled audit rows right after it (up to this device's next own
/// row, or the end).
pub(crate) fn skip_pulled_audit(conn: &Connection) -> Result<()> {
    let from = audit_pushed(conn)?;
    let own: Option<i64> = conn
        .prepare_cached("SELECT MIN(rowid) FROM audit_logs a WHERE rowid > ?1 AND NOT EXISTS (SELECT 1 FROM sync_audit_pulled p WHERE p.id = a.id)")?
        .query_row([from], |r| r.get(0))?;
    let to = match own {
        Some(r) => r - 1,
        None => audit_last(conn)?,
    };
    move_audit_mark(conn, to)
}

/// Applies parked rows whose awaited parent is now present, until no more can be; with
/// `blocked`, also retries rows that collided with a local row (after a push has settled).
pub(crate) fn retry_parked(conn: &Connection, blocked: bool) -> Result<()> {
    loop {
        let mut ready: Vec<(String, String, i64, String)> = vec![];
        let waiting: Vec<String> = conn.prepare_cached("SELECT DISTINCT waiting_table FROM sync_parked")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for w in waiting {
            let sql = if w.is_empty() {
                if !blocked {
                    continue;
                }
                "SELECT table_name, record_id, seq, row FROM sync_parked WHERE waiting_table = ''".to_owned()
            } else {
                spec(&w)?;
                format!("SELECT p.table_name, p.record_id, p.seq, p.row FROM sync_parked p WHERE p.waiting_table = ?1 AND EXISTS (SELECT 1 FROM {w} t WHERE t.id = p.waiting_id)")
            };
            let mut st = conn.prepare_cached(&sql)?;
            let rows = if w.is_empty() {
                st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<Vec<_>>>()?
            } else {
                st.query_map([&w], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<Vec<_>>>()?
            };
            ready.extend(rows);
        }
        if ready.is_empty() {
            return Ok(());
        }
        ready.sort_by_key(|(t, _, seq, _)| (table_rank(t).unwrap_or(usize::MAX), *seq));
        let mut progressed = false;
        for (table, id, seq, row) in ready {
            let (Ok(id), Ok(Value::Object(row))) = (Uuid::parse_str(&id), serde_json::from_str::<Value>(&row)) else { continue };
            if upsert(conn, &table, id, seq, &row)? {
                progressed = true;
            }
        }
        if !progressed {
            return Ok(());
        }
    }
}

/// The local row, as JSON keyed by column.
pub(crate) fn local_row(conn: &Connection, table: &str, id: Uuid) -> Result<Option<Record>> {
    let spec = spec(table)?;
    Ok(conn.prepare_cached(&format!("SELECT {} FROM {table} WHERE id = ?1", spec.select_list()))?.query_row([id.to_string()], |r| read_record(spec, r)).optional()?)
}
