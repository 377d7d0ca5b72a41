//! The connection pool, migrations, and the per-transaction organization that row-level security
//! keys on.

use crate::config::Config;
use crate::error::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use uuid::Uuid;

mod embedded {
    refinery::embed_migrations!("../../migrations/server");
}

/// The newest migration this build knows.
pub fn latest_migration() -> i64 {
    embedded::migrations::runner().get_migrations().iter().map(|m| m.version() as i64).max().unwrap_or(0)
}

/// Each migration this build carries: version, name and the checksum recorded when it is applied.
/// Released migrations never change (a test compares them with `migrations/released.txt`).
pub fn migration_checksums() -> Vec<(i32, String, u64)> {
    embedded::migrations::runner().get_migrations().iter().map(|m| (m.version(), m.name().to_owned(), m.checksum())).collect()
}

/// Applies the server's migrations (idempotent: applied ones are skipped).
pub async fn migrate(config: &tokio_postgres::Config) -> Result<usize, StoreError> {
    let (mut client, conn) = config.connect(NoTls).await?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let report = embedded::migrations::runner().run_async(&mut client).await.map_err(|e| StoreError::Migration(chain(&e)))?;
    drop(client);
    let _ = driver.await;
    Ok(report.applied_migrations().len())
}

/// The pool of connections the API uses. Each new connection switches to the configured role.
pub fn pool(config: &Config) -> Result<Pool, StoreError> {
    let mgr = Manager::from_config(config.database.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let role = config.database_role.clone();
    let mut builder = Pool::builder(mgr).max_size(config.pool_size);
    if let Some(role) = role {
        builder = builder.post_create(deadpool_postgres::Hook::async_fn(move |client, _| {
            let role = role.clone();
            Box::pin(
                async move { client.batch_execute(&format!("SET ROLE \"{}\"", role.replace('"', ""))).await.map_err(|e| deadpool_postgres::HookError::message(e.to_string())) },
            )
        }));
    }
    builder.build().map_err(|e| StoreError::Pool(e.to_string()))
}

/// Starts a transaction that row-level security scopes to `org` (and only `org`).
pub async fn begin_org<'c>(client: &'c mut deadpool_postgres::Client, org: Uuid) -> Result<deadpool_postgres::Transaction<'c>, StoreError> {
    let tx = client.transaction().await?;
    tx.exec("SELECT set_config('plugs.org_id', $1, true)", &[&org.to_string()]).await?;
    Ok(tx)
}

/// Whether the database answers and has every migration this build knows.
pub async fn readiness(pool: &Pool) -> Result<(), String> {
    let client = pool.get().await.map_err(|e| format!("database unreachable: {e}"))?;
    let applied: Option<i32> = client.query_one("SELECT MAX(version) FROM refinery_schema_history", &[]).await.map_err(|e| format!("migration history unreadable: {e}"))?.get(0);
    let applied = applied.unwrap_or(0) as i64;
    let latest = latest_migration();
    if applied < latest {
        return Err(format!("migrations behind: database at V{applied}, this server needs V{latest} (run plugs-server migrate)"));
    }
    Ok(())
}

/// An error with its causes, for messages that say what the database said.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Queries through statements prepared once per connection (deadpool's statement cache): each
/// query is then one round trip, and PostgreSQL plans it once, not at every call.
pub(crate) trait Cached: deadpool_postgres::GenericClient + Sync {
    async fn q(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) -> Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
        let st = self.prepare_cached(sql).await?;
        self.query(&st, params).await
    }
    async fn q_opt(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) -> Result<Option<tokio_postgres::Row>, tokio_postgres::Error> {
        let st = self.prepare_cached(sql).await?;
        self.query_opt(&st, params).await
    }
    async fn q_one(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) -> Result<tokio_postgres::Row, tokio_postgres::Error> {
        let st = self.prepare_cached(sql).await?;
        self.query_one(&st, params).await
    }
    async fn exec(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) -> Result<u64, tokio_postgres::Error> {
        let st = self.prepare_cached(sql).await?;
        self.execute(&st, params).await
    }
}

impl<T: deadpool_postgres::GenericClient + Sync> Cached for T {}
