//! Configuration from the environment, checked once at start: a missing or malformed variable is
//! named in the error.

use std::net::SocketAddr;
use std::time::Duration;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the server needs to run.
#[derive(Clone)]
pub struct Config {
    /// Where the API's connections go (as a role that does not bypass row-level security).
    pub database: tokio_postgres::Config,
    /// Role to `SET ROLE` to on each connection, when the login role is not the app role itself.
    pub database_role: Option<String>,
    /// Connection for migrations (the schema owner); defaults to `database`.
    pub migration_database: tokio_postgres::Config,
    pub bind: SocketAddr,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long a used refresh token still gets the pair it was swapped for (a lost answer, two
    /// syncs of one device at once); after it, presenting it ends the session.
    pub refresh_grace: Duration,
    /// Proxies (addresses or networks) whose `X-Forwarded-For` names the client; from any other
    /// peer the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// After a shutdown signal: long-polls end at once, other requests get this long to finish.
    pub shutdown_grace: Duration,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
    pub require_verified: bool,
    /// Failed logins allowed per account (and, ×4, per address) in one window before refusing.
    pub login_max_failures: i32,
    pub login_window: Duration,
    pub pool_size: usize,
    /// How long deleted rows are kept as tombstones before they are purged.
    pub tombstone_retention: Duration,
    /// The longest a pull waits for changes, whatever a device asks (at most 30 s).
    pub long_poll_cap: Duration,
    /// Where files' bytes are kept (`PLUGS_BLOBS`: a folder, or `s3://bucket/prefix`).
    pub blobs: crate::blobs::Blobs,
    /// How much an organization's files may take, in bytes (`PLUGS_ORG_QUOTA_MB`).
    pub org_quota_bytes: u64,
    /// The address devices reach this server at (`PLUGS_PUBLIC_URL`, e.g. `https://plugs.example.com`),
    /// for the download links of files; by default the address each request names.
    pub public_url: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print connection passwords.
        f.debug_struct("Config").field("bind", &self.bind).field("database_role", &self.database_role).finish_non_exhaustive()
    }
}

/// A configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T, what: &str) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| ConfigError { var: name, problem: format!("'{v}' is not {what}") }),
    }
}

/// `PLUGS_TRUSTED_PROXIES`: addresses or networks, comma-separated (`10.0.0.5, 192.168.0.0/16`).
pub fn proxies(list: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError { var: "PLUGS_TRUSTED_PROXIES", problem: format!("'{p}' is not an address or a network (10.0.0.5, 192.168.0.0/16)") })
        })
        .collect()
}

fn pg_config(name: &'static str, url: &str) -> Result<tokio_postgres::Config, ConfigError> {
    url.parse().map_err(|e| ConfigError { var: name, problem: format!("not a PostgreSQL connection URL ({e})") })
}

impl Config {
    /// Reads the configuration from the environment.
    ///
    /// `DATABASE_URL` (required), `PLUGS_DATABASE_ROLE`, `PLUGS_MIGRATION_DATABASE_URL`,
    /// `PLUGS_BIND` (127.0.0.1:8080), `PLUGS_ACCESS_TOKEN_TTL_SECS` (900),
    /// `PLUGS_REFRESH_TOKEN_TTL_SECS` (2592000), `PLUGS_LOG_FORMAT` (text|json),
    /// `PLUGS_MAX_BODY_BYTES` (1048576), `PLUGS_REQUIRE_VERIFIED` (false),
    /// `PLUGS_LOGIN_MAX_FAILURES` (5), `PLUGS_LOGIN_WINDOW_SECS` (900), `PLUGS_DB_POOL_SIZE` (16),
    /// `PLUGS_TOMBSTONE_RETENTION_SECS` (90 days), `PLUGS_LONG_POLL_CAP_SECS` (30),
    /// `PLUGS_REFRESH_GRACE_SECS` (30), `PLUGS_TRUSTED_PROXIES` (none), `PLUGS_SHUTDOWN_GRACE_SECS` (10).
    pub fn from_env() -> Result<Config, ConfigError> {
        let url = var("DATABASE_URL").ok_or(ConfigError { var: "DATABASE_URL", problem: "is required (postgres://user@host:port/db)".into() })?;
        let database = pg_config("DATABASE_URL", &url)?;
        let migration_database = match var("PLUGS_MIGRATION_DATABASE_URL") {
            Some(u) => pg_config("PLUGS_MIGRATION_DATABASE_URL", &u)?,
            None => database.clone(),
        };
        let log_format = match var("PLUGS_LOG_FORMAT").as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(ConfigError { var: "PLUGS_LOG_FORMAT", problem: format!("'{other}' is not text or json") }),
        };
        let positive = |name: &'static str, v: u64| if v == 0 { Err(ConfigError { var: name, problem: "must be greater than 0".into() }) } else { Ok(v) };
        Ok(Config {
            database,
            database_role: var("PLUGS_DATABASE_ROLE"),
            migration_database,
            bind: parse("PLUGS_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)), "an address such as 0.0.0.0:8080")?,
            access_token_ttl: Duration::from_secs(positive("PLUGS_ACCESS_TOKEN_TTL_SECS", parse("PLUGS_ACCESS_TOKEN_TTL_SECS", 900, "a number of seconds")?)?),
            refresh_token_ttl: Duration::from_secs(positive("PLUGS_REFRESH_TOKEN_TTL_SECS", parse("PLUGS_REFRESH_TOKEN_TTL_SECS", 30 * 24 * 3600, "a number of seconds")?)?),
            refresh_grace: Duration::from_secs(parse("PLUGS_REFRESH_GRACE_SECS", 30, "a number of seconds")?),
            trusted_proxies: proxies(var("PLUGS_TRUSTED_PROXIES").as_deref().unwrap_or_default())?,
            shutdown_grace: Duration::from_secs(parse("PLUGS_SHUTDOWN_GRACE_SECS", 10, "a number of seconds")?),
            log_format,
            max_body_bytes: parse("PLUGS_MAX_BODY_BYTES", 1 << 20, "a number of bytes")?,
            require_verified: parse("PLUGS_REQUIRE_VERIFIED", false, "true or false")?,
            login_max_failures: parse("PLUGS_LOGIN_MAX_FAILURES", 5, "a whole number")?,
            login_window: Duration::from_secs(parse("PLUGS_LOGIN_WINDOW_SECS", 900, "a number of seconds")?),
            pool_size: parse("PLUGS_DB_POOL_SIZE", default_pool_size(), "a whole number")?,
            tombstone_retention: Duration::from_secs(parse("PLUGS_TOMBSTONE_RETENTION_SECS", 90 * 24 * 3600, "a number of seconds")?),
            long_poll_cap: Duration::from_secs(parse("PLUGS_LONG_POLL_CAP_SECS", 30, "a number of seconds")?),
            blobs: crate::blobs::Blobs::open(var("PLUGS_BLOBS").as_deref().unwrap_or("plugs-blobs")).map_err(|problem| ConfigError { var: "PLUGS_BLOBS", problem })?,
            public_url: match var("PLUGS_PUBLIC_URL") {
                None => None,
                Some(u) if u.starts_with("http://") || u.starts_with("https://") => Some(u.trim_end_matches('/').to_owned()),
                Some(u) => return Err(ConfigError { var: "PLUGS_PUBLIC_URL", problem: format!("'{u}' is not an address (https://host)") }),
            },
            org_quota_bytes: positive("PLUGS_ORG_QUOTA_MB", parse("PLUGS_ORG_QUOTA_MB", 10 * 1024, "a number of megabytes")?)? * 1024 * 1024,
        })
    }

    /// A configuration for tests and embedding: the given databases, defaults for the rest.
    pub fn new(database: tokio_postgres::Config, migration_database: tokio_postgres::Config) -> Config {
        Config {
            database,
            database_role: None,
            migration_database,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_grace: Duration::from_secs(30),
            trusted_proxies: vec![],
            shutdown_grace: Duration::from_secs(10),
            log_format: LogFormat::Text,
            max_body_bytes: 1 << 20,
            require_verified: false,
            login_max_failures: 5,
            login_window: Duration::from_secs(900),
            pool_size: 8,
            tombstone_retention: Duration::from_secs(90 * 24 * 3600),
            long_poll_cap: Duration::from_secs(30),
            blobs: crate::blobs::Blobs::open(&std::env::temp_dir().join(format!("plugs-blobs-{}", uuid::Uuid::now_v7())).to_string_lossy()).expect("a temporary folder"),
            org_quota_bytes: 10 << 30,
            public_url: None,
        }
    }
}

/// Database connections by default: four per core (a push keeps its connection while PostgreSQL
/// works and while it waits on the network; more than that only queue inside PostgreSQL), at
/// least 8.
pub fn default_pool_size() -> usize {
    std::thread::available_parallelism().map(|n| n.get() * 4).unwrap_or(8).clamp(8, 64)
}
