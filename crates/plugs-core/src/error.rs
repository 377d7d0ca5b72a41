//! The one error type of the core. Every variant a caller can act on carries a stable `code`, the
//! `field` it concerns (when there is one) and a human message; see [`Error::to_payload`].

use plugs_domain::DomainError;
pub use plugs_domain::ErrorPayload;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value broke a rule of its field; nothing was written.
    #[error("{field}: {message}")]
    Invalid { field: String, code: &'static str, message: String },
    /// The write would break a rule that spans rows (capacity, uniqueness, state); nothing was written.
    #[error("{}{message}", field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
    Conflict { field: Option<String>, code: &'static str, message: String },
    /// No such row (or it belongs to another organization).
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The signed-in user may not do this.
    #[error("{message}")]
    Forbidden { field: Option<String>, message: String },
    /// No local workspace yet: run `plugs init` (or the app's onboarding) first.
    #[error("no workspace here yet: create one first (plugs init)")]
    NotInitialized,
    /// A pagination cursor that this store did not issue.
    #[error("cursor: not a cursor issued by this list")]
    BadCursor,
    /// The database itself failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// Migrating the database failed.
    #[error("migration: {0}")]
    Migration(#[from] refinery::Error),
    /// A file could not be read or written.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// The server cannot be reached (no network, server down): retried later, nothing is lost.
    #[error("offline: {0}")]
    Offline(String),
    /// The server no longer accepts this device's session: sign in again (pending changes are kept).
    #[error("signed out: {0}")]
    SignedOut(String),
    /// The server answered with an error.
    #[error("server: {message} ({code})")]
    Remote { status: u16, code: String, field: Option<String>, message: String },
    /// The OS keychain failed.
    #[error("keychain: {0}")]
    Keychain(String),
    /// The local database cannot be used as it is (empty, not a database, damaged, or written by a
    /// newer version): the message names the file and what to do. Nothing was changed.
    #[error("{0}")]
    Store(String),
    /// The local database is damaged (its integrity check failed): the message names the file and
    /// what to do (restore a backup, or `plugs repair`). Nothing was changed.
    #[error("{0}")]
    Damaged(String),
    /// The local database can be read but not written (its file or folder is read-only).
    #[error("{0}")]
    ReadOnly(String),
    /// The local database is encrypted and its key cannot be had here (not in the keychain, no
    /// passphrase given): the message says what to give, or how to start again from the server.
    #[error("{0}")]
    Locked(String),
}

/// Result with the core's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<DomainError> for Error {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, code, message } => Error::Invalid { field, code, message },
            DomainError::Conflict { field, code, message } => Error::Conflict { field, code, message },
            DomainError::NotFound { entity, id } => Error::NotFound { entity, id },
            DomainError::Forbidden { field, message } => Error::Forbidden { field, message },
        }
    }
}

impl Error {
    /// Shorthand for a field error.
    pub fn invalid(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid { field: field.into(), code, message: message.into() }
    }

    /// Shorthand for a refusal of rights.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden { field: None, message: message.into() }
    }

    /// Shorthand for a conflict tied to a field.
    pub fn conflict(field: Option<&str>, code: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict { field: field.map(str::to_owned), code, message: message.into() }
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { code, .. } | Error::Conflict { code, .. } => code,
            Error::NotFound { .. } => "not_found",
            Error::Forbidden { .. } => "forbidden",
            Error::NotInitialized => "not_initialized",
            Error::BadCursor => "bad_cursor",
            Error::Database(_) => "database",
            Error::Migration(_) => "migration",
            Error::Io(_) => "io",
            Error::Offline(_) => "offline",
            Error::SignedOut(_) => "signed_out",
            Error::Remote { .. } => "remote",
            Error::Keychain(_) => "keychain",
            Error::Store(_) => "store_unusable",
            Error::Damaged(_) => "store_damaged",
            Error::ReadOnly(_) => "store_read_only",
            Error::Locked(_) => "store_locked",
        }
    }

    /// `{code, field, message}` for the UI and APIs.
    pub fn to_payload(&self) -> ErrorPayload {
        let field = match self {
            Error::Invalid { field, .. } => Some(field.clone()),
            Error::Conflict { field, .. } | Error::Forbidden { field, .. } => field.clone(),
            Error::BadCursor => Some("cursor".into()),
            Error::Remote { field, .. } => field.clone(),
            _ => None,
        };
        let message = match self {
            Error::Invalid { message, .. } | Error::Conflict { message, .. } | Error::Forbidden { message, .. } => message.clone(),
            other => other.to_string(),
        };
        ErrorPayload { code: self.code().to_owned(), field, message }
    }

    /// Translates a constraint failure reported by SQLite into a field error. The store checks every
    /// rule before writing, so this is the backstop that keeps the schema the last word.
    pub(crate) fn from_sqlite(table: &str, e: rusqlite::Error) -> Self {
        let msg = e.to_string();
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::ConstraintViolation {
                if let Some(cols) = msg.strip_prefix("UNIQUE constraint failed: ") {
                    let field = cols.split(", ").last().and_then(|c| c.split('.').nth(1)).unwrap_or(cols);
                    return Error::conflict(Some(field), "duplicate", format!("a {table} row with this {} already exists", cols.replace(&format!("{table}."), "")));
                }
                if msg.starts_with("FOREIGN KEY") {
                    return Error::conflict(None, "reference", format!("{table}: a referenced row does not exist"));
                }
                let field = msg
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .find(|w| {
                        !w.is_empty()
                            && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                            && w.len() > 3
                            && !["constraint", "failed", "check", "length", "json_valid", "glob", "between"].contains(w)
                    })
                    .unwrap_or(table)
                    .to_owned();
                return Error::conflict(Some(&field), "constraint", format!("{table}: {msg}"));
            }
        }
        Error::Database(e)
    }
}
