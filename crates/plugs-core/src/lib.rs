//! The Plugs core: the product without a window. Domain types parsed at the edge, the local SQLite
//! store (a faithful copy of the central schema), one write path that audits and records every
//! change for sync, contact search, and the reporting views. The desktop shell and the `plugs` CLI
//! are thin adapters over this crate.

pub use plugs_domain::{tables, types};
pub mod actions;
mod audit;
pub mod backup;
pub mod bindings;
pub mod capture;
pub mod changes;
pub mod ctx;
pub mod error;
pub mod files;
pub mod integrations;
pub mod interop;
pub mod matching;
pub mod merge;
pub mod overview;
pub mod query;
pub mod reminders;
pub mod repair;
pub mod repo;
mod rules;
pub mod scan;
pub mod schema;
pub mod search;
pub mod settings;
pub mod store;
pub mod sync;
pub mod tagging;
pub mod touch;
pub mod vault;
pub mod views;
pub mod workspace;

pub use error::{Error, ErrorPayload, Result};
pub use repo::{Filter, ListQuery, ListRequest, Page, Record};
pub use store::{default_data_dir, Actor, Durability, Store};
pub use store::{Repo, Table};
pub use types::{Money, Timestamp};
