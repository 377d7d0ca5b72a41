//! What a rule answers when it refuses: a stable code, the field it concerns, human words.

use serde::{Deserialize, Serialize};

/// A refusal by a rule, validation or right. Nothing of the refused write is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value broke a rule of its field.
    #[error("{field}: {message}")]
    Invalid { field: String, code: &'static str, message: String },
    /// The write would break a rule that spans rows (capacity, uniqueness, state).
    #[error("{}{message}", field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
    Conflict { field: Option<String>, code: &'static str, message: String },
    /// No such row, or not one the caller may see: one answer for both.
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The caller may not do this.
    #[error("{message}")]
    Forbidden { field: Option<String>, message: String },
}

/// Result with a rule's refusal.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;

/// The shape errors take for the UI and the HTTP API: stable code, the field, human text.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorPayload {
    pub code: String,
    pub field: Option<String>,
    pub message: String,
}

impl DomainError {
    /// Shorthand for a field error.
    pub fn invalid(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid { field: field.into(), code, message: message.into() }
    }

    /// Shorthand for a conflict, tied to a field when there is one.
    pub fn conflict(field: Option<&str>, code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict { field: field.map(str::to_owned), code, message: message.into() }
    }

    /// Shorthand for a refusal of rights, tied to a field when there is one.
    pub fn forbidden(field: Option<&str>, message: impl Into<String>) -> Self {
        DomainError::Forbidden { field: field.map(str::to_owned), message: message.into() }
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { code, .. } | DomainError::Conflict { code, .. } => code,
            DomainError::NotFound { .. } => "not_found",
            DomainError::Forbidden { .. } => "forbidden",
        }
    }

    /// The field the refusal concerns, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            DomainError::Conflict { field, .. } | DomainError::Forbidden { field, .. } => field.as_deref(),
            DomainError::NotFound { .. } => None,
        }
    }

    /// `{code, field, message}` for the UI and APIs.
    pub fn to_payload(&self) -> ErrorPayload {
        let message = match self {
            DomainError::Invalid { message, .. } | DomainError::Conflict { message, .. } | DomainError::Forbidden { message, .. } => message.clone(),
            other => other.to_string(),
        };
        ErrorPayload { code: self.code().to_owned(), field: self.field().map(str::to_owned), message }
    }
}
