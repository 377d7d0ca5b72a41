//! The Plugs' domain: what the device and the server must agree on, in one place. Row types and
//! the enums of the schema's CHECK lists, value types (exact money, fixed-precision time), each
//! table's spec (columns, kinds, who may set them), validation, rights (who may write which
//! column of which row), the table rules and the sync wire types.
//!
//! Nothing here touches a database or runs async: a rule is a pure function over the rows it
//! declares it needs ([`rules::Need`]), which each side fetches from its own store — the device
//! from SQLite, the server from PostgreSQL inside the push transaction — so the server never
//! accepts a write the device's rules refuse.

extern crate self as plugs_domain;

#[macro_use]
pub mod types;
pub mod error;
pub mod files;
pub mod merge;
pub mod phone;
pub mod rights;
pub mod rules;
#[macro_use]
pub mod schema;
pub mod tables;
pub mod tags;
pub mod wire;

pub use error::{DomainError, ErrorPayload};
pub use rules::{Caller, Facts, Need, Op, Record, WriteCtx};
pub use types::{Money, Timestamp};
