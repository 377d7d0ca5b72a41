//! Building and running the server from a configuration: any number of instances over one
//! PostgreSQL behave as one (live wake-ups through LISTEN/NOTIFY, one purge at a time).

use crate::config::Config;
use crate::error::StoreError;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// A server bound to its address, ready to run.
pub struct Application {
    listener: TcpListener,
    app: axum::Router,
    watchers: std::sync::Arc<crate::sync::Watchers>,
    grace: std::time::Duration,
}

impl Application {
    /// Binds the address and builds the routes over a fresh connection pool.
    pub async fn build(config: Config) -> Result<Application, StoreError> {
        let listener = TcpListener::bind(config.bind).await.map_err(|e| StoreError::Pool(format!("cannot listen on {}: {e}", config.bind)))?;
        let pool = crate::db::pool(&config)?;
        let retention = config.tombstone_retention;
        let purger = pool.clone();
        let metrics = crate::http::Metrics::new();
        let purge_runs = metrics.purges.clone();
        let blobs = config.blobs.clone();
        // Tombstones past retention are purged hourly; devices whose cursor predates a purge resync.
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every.tick().await;
                let result = match crate::sync::purge_tombstones(&purger, retention).await {
                    Ok(Some(n)) => {
                        if n > 0 {
                            tracing::info!(purged = n, "tombstones purged");
                        }
                        "purged"
                    }
                    Ok(None) => {
                        tracing::debug!("tombstone purge running on another instance");
                        "skipped"
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "tombstone purge failed");
                        "failed"
                    }
                };
                purge_runs.with_label_values(&[result]).inc();
                // Then the bytes no media row names any more, and uploads abandoned for a day.
                match crate::media::collect_garbage(&purger, &blobs, std::time::Duration::from_secs(3600), std::time::Duration::from_secs(24 * 3600)).await {
                    Ok((b, u)) if b + u > 0 => tracing::info!(blobs = b, uploads = u, "file storage cleaned"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "file storage cleaning failed"),
                }
            }
        });
        let watchers = std::sync::Arc::new(crate::sync::Watchers::default());
        let grace = config.shutdown_grace;
        // Pushes through any instance wake the long-polls of this one.
        crate::live::listen(config.database.clone(), watchers.clone());
        Ok(Application { listener, app: crate::http::router(pool, config, watchers.clone(), metrics), watchers, grace })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes; then long-polls end at once (503 with `Retry-After`, so
    /// devices ask another instance) and the other requests in flight get the shutdown grace to
    /// finish, after which the server stops anyway.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (stopping, mut stopped) = tokio::sync::watch::channel(false);
        let watchers = self.watchers.clone();
        let signal = async move {
            shutdown.await;
            watchers.close();
            let _ = stopping.send(true);
        };
        let serve = std::future::IntoFuture::into_future(axum::serve(self.listener, self.app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(signal));
        let grace = self.grace;
        tokio::select! {
            done = serve => done,
            _ = async move {
                let _ = stopped.wait_for(|s| *s).await;
                tokio::time::sleep(grace).await;
            } => {
                tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the shutdown grace: stopping anyway");
                Ok(())
            }
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
