//! The Plugs central server: an HTTP API over PostgreSQL that holds each organization's shared data,
//! with accounts, sessions and tenant isolation enforced twice (every query scoped by the token's
//! organization, and PostgreSQL row-level security under it).

pub mod accounts;
pub mod blobs;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod live;
pub mod media;
pub mod password;
pub mod startup;
pub mod sync;
pub mod telemetry;
pub mod tokens;

pub use config::Config;
pub use startup::Application;
