//! `plugs`: the headless client of The Plugs. Every entity command is built from the core's table
//! specs, so each column is a `--kebab-case` flag with the core's own validation behind it.

mod commands;
mod interop;
mod output;
mod remind;
mod sync;

use std::process::ExitCode;

// Imports and pulls allocate many small values: mimalloc keeps that cheap (see the import bench).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Logs only when asked for (RUST_LOG), on stderr; they never carry tokens or secrets.
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).with_writer(std::io::stderr).try_init();
    }
    let matches = commands::cli().get_matches();
    let json = matches.get_flag("json");
    match commands::run(&matches) {
        Ok(out) => {
            output::print(&out, json);
            ExitCode::SUCCESS
        }
        Err(e) => {
            output::print_error(&e, json);
            ExitCode::from(output::exit_code(&e))
        }
    }
}
