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
    if let Some(("man", m)) = matches.subcommand() {
        return match manual(m.get_one::<std::path::PathBuf>("dir")) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("plugs man: {e}");
                ExitCode::FAILURE
            }
        };
    }
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

/// The manual: `plugs.1` (every option, the commands with what they do, the exit codes), and with a
/// directory one page per command too (`plugs-contact.1`, …), as the packages install them.
fn manual(dir: Option<&std::path::PathBuf>) -> std::io::Result<()> {
    let cli = commands::cli();
    let Some(dir) = dir else {
        return clap_mangen::Man::new(cli).render(&mut std::io::stdout().lock());
    };
    std::fs::create_dir_all(dir)?;
    let mut page = Vec::new();
    clap_mangen::Man::new(cli.clone()).render(&mut page)?;
    std::fs::write(dir.join("plugs.1"), page)?;
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("plugs-{}", sub.get_name());
        let mut page = Vec::new();
        clap_mangen::Man::new(sub.clone().name(name.clone()).bin_name(format!("plugs {}", sub.get_name()))).render(&mut page)?;
        std::fs::write(dir.join(format!("{name}.1")), page)?;
    }
    Ok(())
}
