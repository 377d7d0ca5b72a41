//! `plugs-server`: migrate the database, serve the API, or create an organization from the shell.

use anyhow::Context;
use clap::{Parser, Subcommand};
use plugs_server::{accounts, config::Config, db, password, startup, telemetry};
use std::io::BufRead;

#[derive(Parser)]
#[command(name = "plugs-server", version, about = "The Plugs central API server (configuration from the environment: see README)")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Apply the database migrations (idempotent).
    Migrate,
    /// Serve the API until SIGTERM or Ctrl-C.
    Serve,
    /// Create an organization and its first admin; the password is read from standard input.
    CreateOrg {
        #[arg(long)]
        name: String,
        #[arg(long)]
        domain: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env().context("configuration")?;
    telemetry::init(config.log_format);
    match cli.command {
        Cmd::Migrate => {
            let n = db::migrate(&config.migration_database).await.context("migrating")?;
            println!("{n} migrations applied; schema at V{}", db::latest_migration());
        }
        Cmd::Serve => {
            let app = startup::Application::build(config).await.context("starting")?;
            tracing::info!(addr = %app.local_addr(), "listening");
            app.run_until(startup::shutdown_signal()).await.context("serving")?;
        }
        Cmd::CreateOrg { name, domain, email, first_name, last_name } => {
            let mut pw = String::new();
            std::io::stdin().lock().read_line(&mut pw).context("reading the password from standard input")?;
            let pw = pw.trim_end_matches(['\r', '\n']).to_owned();
            password::check_new(&pw).map_err(|m| anyhow::anyhow!("password: {m}"))?;
            email_address::EmailAddress::parse_with_options(&email, Default::default()).map_err(|_| anyhow::anyhow!("email: '{email}' is not an email address"))?;
            let pool = db::pool(&config)?;
            let (org, user) =
                accounts::register(&pool, accounts::NewOrganization { ids: None, name, domain, first_name, last_name, email, password_hash: password::hash(pw).await }).await?;
            println!("organization {} ({}) created; admin {} ({})", org.name, org.id, user.email, user.id);
        }
    }
    Ok(())
}
