//! `plugs`: the headless client of The Plugs. Every entity command is built from the core's table
//! specs, so each column is a `--kebab-case` flag with the core's own validation behind it.

mod commands;
mod output;
mod remind;
mod sync;

use std::process::ExitCode;

fn main() -> ExitCode {
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
