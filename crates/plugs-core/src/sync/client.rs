//! One device's sync with the server: push the outbox, pull what is new, settle both into the
//! local database; sign in, register the offline workspace, or join an organization.

use crate::error::{Error, Result};
use crate::schema::SqlColumn;
use crate::store::{get_setting, set_setting, Store};
use crate::sync::apply;
use crate::sync::credentials::Credentials;
use crate::sync::remote::{Remote, Tokens};
use crate::sync::wire::*;
use crate::types::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use uuid::Uuid;

/// A change the server refused: its table, its row id, the reason, and the row as it was here.
pub type Rejection = (String, Uuid, crate::ErrorPayload, Option<Value>);

/// Local settings keys.
pub(crate) mod keys {
    pub const SERVER: &str = "sync.server";
    pub const EMAIL: &str = "sync.email";
    pub const ORG: &str = "sync.organization_id";
    pub const USER: &str = "sync.user_id";
    pub const CURSOR: &str = "sync.cursor";
    pub const RESYNC: &str = "sync.resync";
    pub const AUDIT_PUSHED: &str = "sync.audit_pushed_rowid";
    pub const LAST_SUCCESS: &str = "sync.last_success";
}

/// Progress of a long pull: rows applied so far of the total announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct Progress {
    pub done: i64,
    pub total: i64,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub pushed: usize,
    pub applied: usize,
    pub superseded: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub resynced: bool,
}

/// Where this device syncs, as stored locally (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    pub server: String,
    pub email: Option<String>,
    pub organization_id: Option<Uuid>,
    pub cursor: i64,
    pub last_success: Option<Timestamp>,
}

impl Store {
    /// The server this device syncs with, if any.
    pub fn sync_link(&self) -> Result<Option<Link>> {
        let Some(server) = get_setting(&self.conn, keys::SERVER)? else { return Ok(None) };
        Ok(Some(Link {
            server,
            email: get_setting(&self.conn, keys::EMAIL)?,
            organization_id: get_setting(&self.conn, keys::ORG)?.and_then(|s| Uuid::parse_str(&s).ok()),
            cursor: get_setting(&self.conn, keys::CURSOR)?.and_then(|s| s.parse().ok()).unwrap_or(0),
            last_success: get_setting(&self.conn, keys::LAST_SUCCESS)?.and_then(|s| Timestamp::parse(&s).ok()),
        }))
    }

    /// Changes waiting to be pushed (rows with local edits, and audit rows not yet sent).
    pub fn pending_changes(&self) -> Result<i64> {
        let outbox: i64 = self.conn.query_row("SELECT COUNT(DISTINCT table_name || record_id) FROM sync_outbox", [], |r| r.get(0))?;
        Ok(outbox)
    }

    /// Changes the server refused, newest first: `(table, record_id, reason, the row as it was here)`.
    pub fn sync_rejections(&self) -> Result<Vec<Rejection>> {
        let mut st = self.conn.prepare("SELECT table_name, record_id, reason, row FROM sync_rejections ORDER BY rejected_at DESC")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?)))?;
        let mut out = vec![];
        for r in rows {
            let (t, id, reason, row) = r?;
            out.push((
                t,
                Uuid::parse_str(&id).unwrap_or_default(),
                serde_json::from_str(&reason).unwrap_or(crate::ErrorPayload { code: "unknown".into(), field: None, message: reason }),
                row.and_then(|r| serde_json::from_str(&r).ok()),
            ));
        }
        Ok(out)
    }

    fn immediate(&self) -> Result<rusqlite::Transaction<'_>> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        Ok(tx)
    }
}

/// A group of outbox entries of one row, pushed as one change.
struct Group {
    table: String,
    record: Uuid,
    max_seq: i64,
}

/// About how many pulled rows one local transaction writes. Every commit writes each page it
/// changed to the WAL again: with rows spread over several indexes, small transactions rewrite
/// the same pages many times over.
const COMMIT_ROWS: usize = 25_000;

/// Pages fetched ahead of the writes, and the way back for pages written (freed on the thread
/// that allocated them: freeing 5000 parsed rows is a fair part of writing them).
struct Ahead {
    pages: tokio::sync::mpsc::Receiver<Result<PullResponse>>,
    spent: std::sync::mpsc::Sender<PullResponse>,
}

/// Syncs one device with one server.
#[derive(Clone)]
pub struct Syncer {
    remote: Remote,
    credentials: Arc<dyn Credentials>,
    /// Rows per pull page.
    pub page_size: u32,
    /// Changes per push.
    pub push_batch: usize,
}

impl Syncer {
    pub fn new(remote: Remote, credentials: Arc<dyn Credentials>) -> Syncer {
        Syncer { remote, credentials, page_size: 1000, push_batch: 200 }
    }

    /// The server.
    pub fn remote(&self) -> &Remote {
        &self.remote
    }

    fn tokens(&self) -> Result<Tokens> {
        self.credentials.load()?.ok_or_else(|| Error::SignedOut("not signed in on this device".into()))
    }

    /// Runs a call with the access token; on a 401 refreshes once and retries, then gives up
    /// asking for a new sign-in (pending changes stay queued).
    pub(crate) async fn authed<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let tokens = self.tokens()?;
        match call(tokens.access_token.clone()).await {
            Err(Error::SignedOut(_)) => {
                // One refresh at a time on this device (the app's engine, the CLI): whoever waited
                // finds the pair the other one stored and uses it.
                let _held = match self.credentials.refresh_lock() {
                    Some(path) => tokio::task::spawn_blocking(move || -> Option<std::fs::File> {
                        let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).ok()?;
                        f.lock().ok()?;
                        Some(f)
                    })
                    .await
                    .ok()
                    .flatten(),
                    None => None,
                };
                let now = self.tokens()?;
                if now.refresh_token != tokens.refresh_token {
                    tracing::debug!("tokens refreshed by another process of this device");
                    return call(now.access_token).await;
                }
                let fresh = match self.remote.refresh(&tokens.refresh_token).await {
                    Ok(t) => t,
                    Err(Error::SignedOut(m)) | Err(Error::Remote { message: m, .. }) => return Err(Error::SignedOut(format!("sign in again: {m}"))),
                    Err(e) => return Err(e),
                };
                self.credentials.save(&fresh)?;
                tracing::debug!("access token refreshed; the new pair is in the keychain");
                match call(fresh.access_token.clone()).await {
                    // A pair given again within the refresh grace can carry an access token that has
                    // expired meanwhile: its refresh token is current, so one more swap settles it.
                    Err(Error::SignedOut(_)) => {
                        let again = match self.remote.refresh(&fresh.refresh_token).await {
                            Ok(t) => t,
                            Err(Error::SignedOut(m)) | Err(Error::Remote { message: m, .. }) => return Err(Error::SignedOut(format!("sign in again: {m}"))),
                            Err(e) => return Err(e),
                        };
                        self.credentials.save(&again)?;
                        call(again.access_token).await
                    }
                    other => other,
                }
            }
            other => other,
        }
    }

    /// Pushes everything pending, in batches.
    pub async fn push_all(&self, store: &Store) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        loop {
            let (groups, changes, audit_max) = compose(store, self.push_batch)?;
            if changes.is_empty() {
                return Ok(report);
            }
            let req = PushRequest { device_id: store.device_id(), client_time: store.now(), changes };
            let res = self
                .authed(|tok| {
                    let remote = &self.remote;
                    let req = &req;
                    async move { remote.push(&tok, req).await }
                })
                .await?;
            report.pushed += req.changes.len();
            tracing::debug!(changes = req.changes.len(), "push settled");
            settle(store, &groups, &req, &res, audit_max, &mut report)?;
        }
    }

    /// Pulls every page after the stored cursor (or everything, on a full resync). When there is
    /// more than one page, the next is fetched (on a thread of its own) while this one is being
    /// written, so the server's work and the network overlap with the local writes.
    pub async fn pull_all(&self, store: &Store, mut progress: impl FnMut(Progress)) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let mut done = 0i64;
        let mut total: Option<i64> = None;
        let _cache = store.bulk_cache()?;
        'start: loop {
            let cursor: i64 = get_setting(&store.conn, keys::CURSOR)?.and_then(|s| s.parse().ok()).unwrap_or(0);
            let resync = get_setting(&store.conn, keys::RESYNC)?.as_deref() == Some("1");
            // A full resync asked for here (after `plugs repair`) is reported like one the server asked for.
            report.resynced |= resync;
            let want_total = total.is_none();
            let mut first = Some(self.pull_page(cursor, 0, want_total).await);
            let mut ahead: Option<Ahead> = None;
            // Pages are written in transactions of about COMMIT_ROWS rows, each with the cursor it
            // reached: an interrupted pull resumes from the last one committed.
            let mut open: Option<(rusqlite::Transaction<'_>, usize)> = None;
            loop {
                let page = match (first.take(), ahead.as_mut()) {
                    (Some(p), _) => p?,
                    (None, Some(a)) => match a.pages.recv().await.unwrap_or_else(|| Err(Error::Offline("the pull stopped before its last page".into()))) {
                        Ok(p) => p,
                        Err(e) => {
                            // The pages already written are whole: keep them, so the next pull
                            // resumes after them.
                            if let Some((tx, _)) = open.take() {
                                tx.commit()?;
                            }
                            return Err(e);
                        }
                    },
                    (None, None) => return Err(Error::Offline("the pull stopped before its last page".into())),
                };
                if page.resync_required {
                    if let Some((tx, _)) = open.take() {
                        tx.commit()?;
                    }
                    // Our cursor predates purged tombstones: start over and drop what the server no longer has.
                    let tx = store.immediate()?;
                    set_setting(&tx, keys::RESYNC, "1")?;
                    set_setting(&tx, keys::CURSOR, "0")?;
                    tx.execute("DELETE FROM sync_resync_seen", [])?;
                    tx.commit()?;
                    report.resynced = true;
                    total = None;
                    continue 'start;
                }
                if let Some(t) = page.total {
                    total = Some(t);
                }
                if page.has_more && ahead.is_none() {
                    ahead = Some(self.prefetch(page.cursor));
                }
                let (tx, rows) = match open.take() {
                    Some(open) => open,
                    None => (store.immediate()?, 0),
                };
                apply::apply_page(&tx, &page.rows)?;
                if resync {
                    let mut seen = tx.prepare_cached("INSERT OR IGNORE INTO sync_resync_seen (table_name, record_id) VALUES (?1, ?2)")?;
                    for r in page.rows.iter().filter(|r| r.kind == PullKind::Upsert) {
                        seen.execute(rusqlite::params![r.table, r.record_id.to_string()])?;
                    }
                }
                set_setting(&tx, keys::CURSOR, &page.cursor.to_string())?;
                if !page.has_more {
                    apply::retry_parked(&tx, true)?;
                }
                if !page.has_more && resync {
                    sweep(&tx)?;
                    set_setting(&tx, keys::RESYNC, "0")?;
                }
                let rows = rows + page.rows.len();
                // Keep the transaction open only when the next page is already here (and is a
                // page, not an error): never hold the database while waiting on the network.
                if let Some(a) = ahead.as_mut() {
                    if let Ok(next) = a.pages.try_recv() {
                        first = Some(next);
                    }
                }
                if !page.has_more || rows >= COMMIT_ROWS || !matches!(first, Some(Ok(_))) {
                    tx.commit()?;
                    // A capture waiting for the store gets in before the next pages.
                    store.yield_turn();
                } else {
                    open = Some((tx, rows));
                }
                done += page.rows.len() as i64;
                report.pulled += page.rows.len();
                progress(Progress { done, total: total.unwrap_or(done).max(done) });
                let last = !page.has_more;
                if let Some(a) = ahead.as_ref() {
                    // Freed where it was allocated, off this thread.
                    let _ = a.spent.send(page);
                }
                if last {
                    return Ok(report);
                }
            }
        }
    }

    /// The page after `cursor` (waiting up to `wait` seconds for one), with the access token.
    async fn pull_page(&self, cursor: i64, wait: u64, want_total: bool) -> Result<PullResponse> {
        self.authed(|tok| {
            let remote = &self.remote;
            let size = self.page_size;
            async move { remote.pull(&tok, cursor, size, wait, want_total).await }
        })
        .await
    }

    /// Fetches the pages after `cursor` one after another on a thread of its own, at most two
    /// ahead of the caller, and stops after the last page, a resync answer or an error (each of
    /// which it passes on), or when the caller stops listening.
    fn prefetch(&self, mut cursor: i64) -> Ahead {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let (spent, spent_rx) = std::sync::mpsc::channel::<PullResponse>();
        let me = Syncer { remote: self.remote.fresh(), ..self.clone() };
        let spawned = std::thread::Builder::new().name("plugs-pull".into()).spawn({
            let tx = tx.clone();
            move || {
                let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.blocking_send(Err(Error::Offline(format!("cannot start the pull: {e}"))));
                        return;
                    }
                };
                rt.block_on(async move {
                    loop {
                        while let Ok(done) = spent_rx.try_recv() {
                            drop(done);
                        }
                        let mut page = me.pull_page(cursor, 0, false).await;
                        if let Ok(p) = page.as_mut() {
                            apply::prepare_page(&mut p.rows);
                        }
                        let next = match &page {
                            Ok(p) if p.has_more && !p.resync_required => Some(p.cursor),
                            _ => None,
                        };
                        if tx.send(page).await.is_err() {
                            return;
                        }
                        match next {
                            Some(c) => cursor = c,
                            None => return,
                        }
                    }
                });
            }
        });
        if let Err(e) = spawned {
            let _ = tx.try_send(Err(Error::Offline(format!("cannot start the pull: {e}"))));
        }
        Ahead { pages: rx, spent }
    }

    /// Waits (up to `wait` seconds) for changes after the stored cursor and applies them.
    pub async fn pull_live(&self, store: &Store, wait: u64) -> Result<usize> {
        let cursor: i64 = get_setting(&store.conn, keys::CURSOR)?.and_then(|s| s.parse().ok()).unwrap_or(0);
        let page = self.pull_page(cursor, wait, false).await?;
        if page.resync_required || page.has_more {
            return Ok(self.pull_all(store, |_| {}).await?.pulled);
        }
        let tx = store.immediate()?;
        apply::apply_page(&tx, &page.rows)?;
        set_setting(&tx, keys::CURSOR, &page.cursor.to_string())?;
        tx.commit()?;
        Ok(page.rows.len())
    }

    /// Push, then pull: one full round.
    pub async fn sync_once(&self, store: &Store, progress: impl FnMut(Progress)) -> Result<SyncReport> {
        let mut report = self.push_all(store).await?;
        let pulled = self.pull_all(store, progress).await?;
        report.pulled = pulled.pulled;
        report.resynced = pulled.resynced;
        // Pushes made while pulling go out now rather than at the next round.
        let more = self.push_all(store).await?;
        report.pushed += more.pushed;
        set_setting(&store.conn, keys::LAST_SUCCESS, &Timestamp::now().to_string())?;
        store.reload_actor()?;
        Ok(report)
    }

    /// Signs in with an existing account. A workspace created offline on this device joins the
    /// account's organization: its rows are re-homed there and pushed.
    pub async fn login(&self, store: &Store, email: &str, password: &str) -> Result<SyncReport> {
        let signed = self.remote.login(email, password).await?;
        self.adopt(store, &signed, email).await
    }

    /// Registers this device's offline workspace as a new organization on the server, keeping its
    /// ids, and pushes everything in it.
    pub async fn register(&self, store: &Store, password: &str) -> Result<SyncReport> {
        let actor = store.actor()?;
        let org = crate::repo::get(&store.conn, &actor, &crate::tables::organizations::SPEC, actor.organization_id)?;
        let user = crate::repo::get(&store.conn, &actor, &crate::tables::users::SPEC, actor.user_id)?;
        let body = json!({
            "organization_name": org["name"], "first_name": user["first_name"], "last_name": user["last_name"],
            "email": user["email"], "password": password, "organization_id": actor.organization_id, "user_id": actor.user_id,
        });
        let signed = self.remote.register(&body).await?;
        let email = user["email"].as_str().unwrap_or_default().to_owned();
        self.adopt(store, &signed, &email).await
    }

    async fn adopt(&self, store: &Store, signed: &Value, email: &str) -> Result<SyncReport> {
        let tokens =
            Tokens { access_token: signed["access_token"].as_str().unwrap_or_default().to_owned(), refresh_token: signed["refresh_token"].as_str().unwrap_or_default().to_owned() };
        let org = signed["organization"]["id"].as_str().and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(|| Error::Offline("the server's answer has no organization".into()))?;
        let user = signed["user"]["id"].as_str().and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(|| Error::Offline("the server's answer has no user".into()))?;
        if let Some(prev) = get_setting(&store.conn, keys::ORG)?.and_then(|s| Uuid::parse_str(&s).ok()) {
            if prev != org {
                return Err(Error::conflict(Some("email"), "other_organization", "this device holds another organization's data; use another data dir to sign in to this one"));
            }
        }
        self.credentials.save(&tokens)?;
        tracing::debug!(server = self.remote.base(), %org, %user, "signed in; tokens stored in the keychain");
        set_setting(&store.conn, keys::SERVER, self.remote.base())?;
        set_setting(&store.conn, keys::EMAIL, email)?;
        set_setting(&store.conn, keys::ORG, &org.to_string())?;
        set_setting(&store.conn, keys::USER, &user.to_string())?;
        // The server's rows first (the organization and this user among them), then re-home.
        let mut report = self.pull_all(store, |_| {}).await?;
        let local = store.actor().ok();
        match local {
            Some(a) if a.organization_id != org || a.user_id != user => rehome(store, a.organization_id, a.user_id, org, user)?,
            Some(_) => {}
            None => store.set_current_user(user)?,
        }
        store.reload_actor()?;
        let pushed = self.push_all(store).await?;
        report.pushed = pushed.pushed;
        report.applied = pushed.applied;
        report.rejected = pushed.rejected;
        set_setting(&store.conn, keys::LAST_SUCCESS, &Timestamp::now().to_string())?;
        Ok(report)
    }

    /// Signs out: the server ends the session and the keychain forgets the tokens. Local data and
    /// pending changes stay.
    pub async fn logout(&self) -> Result<()> {
        if let Ok(t) = self.tokens() {
            let _ = self.remote.logout(&t.access_token).await;
        }
        self.credentials.clear()
    }
}

/// Moves a workspace created offline into the organization (and user) it joined.
fn rehome(store: &Store, old_org: Uuid, old_user: Uuid, org: Uuid, user: Uuid) -> Result<()> {
    let tx = store.immediate()?;
    let (oo, ou, no, nu) = (old_org.to_string(), old_user.to_string(), org.to_string(), user.to_string());
    // The local admin becomes the signed-in account: references first, then the row itself.
    for spec in crate::tables::ALL {
        for c in spec.columns {
            if let crate::schema::Kind::Uuid { references: Some("users") } = c.kind {
                tx.execute(&format!("UPDATE {} SET {} = ?1 WHERE {} = ?2", spec.name, c.name, c.name), [&nu, &ou])?;
            }
        }
    }
    tx.execute("DELETE FROM users WHERE id = ?1", [&ou])?;
    for spec in crate::tables::ALL {
        if spec.has("organization_id") {
            tx.execute(&format!("UPDATE {} SET organization_id = ?1 WHERE organization_id = ?2", spec.name), [&no, &oo])?;
        }
    }
    tx.execute("DELETE FROM sync_outbox WHERE (table_name = 'organizations' AND record_id = ?1) OR (table_name = 'users' AND record_id = ?2)", [&oo, &ou])?;
    tx.execute("DELETE FROM organizations WHERE id = ?1", [&oo])?;
    set_setting(&tx, "current_user_id", &nu)?;
    tx.commit()?;
    Ok(())
}

/// After a full resync: rows the server did not send (and that have nothing pending here) are gone;
/// pending rows they take with them by cascade are set aside with the reason (see `apply::remove`).
fn sweep(tx: &Connection) -> Result<()> {
    for table in SYNC_ORDER.iter().rev() {
        let gone: Vec<String> = tx
            .prepare(&format!(
                "SELECT id FROM {table} WHERE id NOT IN (SELECT record_id FROM sync_resync_seen WHERE table_name = ?1)
                   AND id NOT IN (SELECT record_id FROM sync_outbox WHERE table_name = ?1)
                   AND id NOT IN (SELECT record_id FROM sync_parked WHERE table_name = ?1)"
            ))?
            .query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in gone {
            match Uuid::parse_str(&id) {
                Ok(id) => apply::remove(tx, table, id)?,
                Err(_) => {
                    tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [&id])?;
                }
            }
        }
    }
    tx.execute("DELETE FROM sync_resync_seen", [])?;
    Ok(())
}

/// Outbox entries of one row, grouped: the newest seq, its mutation id, its op, and each field with
/// the time it was last written.
type Pending = (i64, String, String, BTreeMap<String, Timestamp>);

/// The next batch: outbox entries grouped by row (each field with the time it was last written
/// here), then audit rows not yet sent.
fn compose(store: &Store, max: usize) -> Result<(Vec<Group>, Vec<PushChange>, Option<i64>)> {
    let conn = &store.conn;
    let mut st = conn.prepare_cached("SELECT seq, mutation_id, table_name, record_id, op, fields, changed_at FROM sync_outbox ORDER BY seq LIMIT 5000")?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?))
    })?;
    let mut order: Vec<(String, String)> = vec![];
    let mut acc: HashMap<(String, String), Pending> = HashMap::new();
    for r in rows {
        let (seq, mid, table, rid, op, fields, at) = r?;
        let at = Timestamp::parse(&at).unwrap_or_else(|_| Timestamp::now());
        let key = (table.clone(), rid.clone());
        let e = acc.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            (seq, mid.clone(), op.clone(), BTreeMap::new())
        });
        e.0 = seq;
        e.1 = mid;
        e.2 = op;
        for f in serde_json::from_str::<Vec<String>>(&fields).unwrap_or_default() {
            e.3.insert(f, at);
        }
    }
    let mut groups = vec![];
    let mut changes = vec![];
    for key in order.into_iter().take(max) {
        let (max_seq, mid, op, fields) = acc.remove(&key).expect("grouped above");
        let (table, rid) = key;
        let record = Uuid::parse_str(&rid).unwrap_or_default();
        let kind = if op == "delete" { ChangeKind::Delete } else { ChangeKind::Upsert };
        let row = if kind == ChangeKind::Upsert { apply::local_row(conn, &table, record)? } else { None };
        if kind == ChangeKind::Upsert && row.is_none() {
            // The row is gone here (removed by the server meanwhile): nothing left to push.
            conn.execute("DELETE FROM sync_outbox WHERE table_name = ?1 AND record_id = ?2 AND seq <= ?3", rusqlite::params![table, rid, max_seq])?;
            continue;
        }
        changes.push(PushChange { mutation_id: Uuid::parse_str(&mid).unwrap_or_else(|_| Uuid::now_v7()), table: table.clone(), record_id: record, kind, fields, row });
        groups.push(Group { table, record, max_seq });
    }
    let mut audit_max = None;
    if changes.len() < max {
        let from: i64 = get_setting(conn, keys::AUDIT_PUSHED)?.and_then(|s| s.parse().ok()).unwrap_or(0);
        let spec = &crate::tables::audit_logs::SPEC;
        // This device's own audit rows only: those pulled from the server are never pushed back.
        let mut st = conn.prepare_cached(&format!(
            "SELECT rowid, {} FROM audit_logs a WHERE rowid > ?1 AND NOT EXISTS (SELECT 1 FROM sync_audit_pulled p WHERE p.id = a.id) ORDER BY rowid LIMIT ?2",
            spec.select_list()
        ))?;
        let rows = st.query_map(rusqlite::params![from, (max - changes.len()) as i64], |r| {
            let rowid: i64 = r.get(0)?;
            let mut rec = serde_json::Map::new();
            for (i, c) in spec.columns.iter().enumerate() {
                rec.insert(c.name.to_owned(), c.read_sql(r.get_ref(i + 1)?));
            }
            Ok((rowid, rec))
        })?;
        for r in rows {
            let (rowid, rec) = r?;
            let id = rec.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()).unwrap_or_default();
            changes.push(PushChange { mutation_id: id, table: "audit_logs".into(), record_id: id, kind: ChangeKind::Upsert, fields: BTreeMap::new(), row: Some(rec) });
            audit_max = Some(rowid);
        }
    }
    Ok((groups, changes, audit_max))
}

/// Records a push's results: queued entries that went out are dropped, refused ones are kept aside
/// with their reason, and each row takes the server's current state.
fn settle(store: &Store, groups: &[Group], req: &PushRequest, res: &PushResponse, audit_max: Option<i64>, report: &mut SyncReport) -> Result<()> {
    let tx = store.immediate()?;
    let by_mutation: HashMap<Uuid, &PushResult> = res.results.iter().map(|r| (r.mutation_id, r)).collect();
    for (g, ch) in groups.iter().zip(&req.changes) {
        tx.execute("DELETE FROM sync_outbox WHERE table_name = ?1 AND record_id = ?2 AND seq <= ?3", rusqlite::params![g.table, g.record.to_string(), g.max_seq])?;
        let Some(r) = by_mutation.get(&ch.mutation_id) else { continue };
        settle_one(&tx, ch, r, report)?;
    }
    for ch in req.changes.iter().skip(groups.len()) {
        if let Some(r) = by_mutation.get(&ch.mutation_id) {
            if r.outcome == Outcome::Rejected {
                reject(&tx, ch, r)?;
                report.rejected += 1;
            }
        }
    }
    if let Some(m) = audit_max {
        apply::move_audit_mark(&tx, m)?;
        apply::skip_pulled_audit(&tx)?;
    }
    apply::retry_parked(&tx, true)?;
    tx.commit()?;
    Ok(())
}

fn reject(tx: &Connection, ch: &PushChange, r: &PushResult) -> Result<()> {
    let row = apply::local_row(tx, &ch.table, ch.record_id)?.map(Value::Object).or_else(|| ch.row.clone().map(Value::Object));
    tx.execute(
        "INSERT OR REPLACE INTO sync_rejections (mutation_id, table_name, record_id, row, reason, rejected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            ch.mutation_id.to_string(),
            ch.table,
            ch.record_id.to_string(),
            row.map(|r| r.to_string()),
            serde_json::to_string(&r.reason).unwrap_or_else(|_| "{}".into()),
            Timestamp::now().to_string()
        ],
    )?;
    Ok(())
}

fn settle_one(tx: &Connection, ch: &PushChange, r: &PushResult, report: &mut SyncReport) -> Result<()> {
    match r.outcome {
        Outcome::Applied | Outcome::Partial => {
            report.applied += 1;
            if r.reason.is_some() {
                // Some fields broke a rule on the server: the rest applied; the refusal is shown.
                report.rejected += 1;
                reject(tx, ch, r)?;
            }
        }
        Outcome::Superseded => report.superseded += 1,
        Outcome::Rejected => {
            report.rejected += 1;
            reject(tx, ch, r)?;
        }
    }
    match &r.current {
        Some(row) => {
            apply::upsert(tx, &ch.table, ch.record_id, 0, row)?;
        }
        None if r.outcome == Outcome::Rejected => {
            // The server has no such row (or will not show it): undo it here; the row is kept in
            // sync_rejections with the reason.
            let exists: Option<i64> = tx.query_row(&format!("SELECT 1 FROM {} WHERE id = ?1", ch.table), [ch.record_id.to_string()], |r| r.get(0)).optional()?;
            if exists.is_some() && !append_only(&ch.table) {
                apply::remove(tx, &ch.table, ch.record_id)?;
            }
        }
        None => {}
    }
    Ok(())
}
