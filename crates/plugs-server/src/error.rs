//! The server's errors: what the store and the HTTP layer can report, each with a stable code.

/// Failures of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("connection pool: {0}")]
    Pool(String),
    #[error("migration: {0}")]
    Migration(String),
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// The server is stopping: a long-poll ends at once (the device asks again, elsewhere).
    #[error("shutting down")]
    ShuttingDown,
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Pool(e.to_string())
    }
}
