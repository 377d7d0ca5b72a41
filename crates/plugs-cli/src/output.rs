//! Printing results (human text or JSON keyed by column name) and errors (stderr, non-zero exit).

use plugs_core::Error;
use serde_json::Value;

/// What a command produced.
pub enum Output {
    /// One record.
    Record(Value),
    /// Several records, with the columns worth showing in a table and the next page's cursor.
    List { items: Vec<Value>, columns: Vec<&'static str>, next_cursor: Option<String> },
    /// A line of text (and its JSON form).
    Message(String, Value),
    /// Nothing more to print (the command wrote its own output).
    Silent,
}

pub fn print(out: &Output, json: bool) {
    match out {
        Output::Record(v) if json => println!("{}", serde_json::to_string_pretty(v).unwrap_or_default()),
        Output::Record(v) => print_record(v),
        Output::List { items, next_cursor, .. } if json => {
            println!("{}", serde_json::to_string_pretty(items).unwrap_or_default());
            if let Some(c) = next_cursor {
                eprintln!("more: --cursor {c}");
            }
        }
        Output::List { items, columns, next_cursor } => {
            print_table(items, columns);
            if let Some(c) = next_cursor {
                println!("more: --cursor {c}");
            }
        }
        Output::Message(_, v) if json => println!("{}", serde_json::to_string_pretty(v).unwrap_or_default()),
        Output::Message(m, _) => println!("{m}"),
        Output::Silent => {}
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn print_record(v: &Value) {
    let Some(m) = v.as_object() else {
        println!("{}", show(v));
        return;
    };
    let width = m.keys().map(String::len).max().unwrap_or(0);
    for (k, v) in m {
        if !v.is_null() {
            println!("{k:width$}  {}", show(v));
        }
    }
}

fn print_table(items: &[Value], columns: &[&str]) {
    if items.is_empty() {
        println!("(none)");
        return;
    }
    let cells: Vec<Vec<String>> = items.iter().map(|it| columns.iter().map(|c| show(it.get(*c).unwrap_or(&Value::Null)).chars().take(40).collect()).collect()).collect();
    let widths: Vec<usize> = columns.iter().enumerate().map(|(i, c)| cells.iter().map(|r| r[i].chars().count()).max().unwrap_or(0).max(c.len())).collect();
    let line = |row: Vec<String>| row.iter().enumerate().map(|(i, s)| format!("{s:w$}", w = widths[i])).collect::<Vec<_>>().join("  ").trim_end().to_owned();
    println!("{}", line(columns.iter().map(|c| c.to_uppercase()).collect()));
    for row in cells {
        println!("{}", line(row));
    }
}

pub fn print_error(e: &Error, json: bool) {
    if json {
        eprintln!("{}", serde_json::to_string(&e.to_payload()).unwrap_or_default());
    } else {
        let p = e.to_payload();
        match p.field {
            Some(f) if !e.to_string().starts_with(&format!("{f}:")) => eprintln!("error: {f}: {} ({})", p.message, p.code),
            _ => eprintln!("error: {e} ({})", p.code),
        }
    }
}

/// The exit codes, as `plugs --help` and the README list them.
pub const EXIT_CODES: &str = "Exit codes:
  0   done
  1   an unexpected failure (a database, file or migration error): the message says which
  2   the command line itself is wrong (unknown command or flag, missing argument)
  3   invalid input: a value breaks a rule of its field (the message names the field); nothing was written
  4   not found: no such row (or it belongs to another organization)
  5   conflict: the write breaks a rule across rows (capacity, uniqueness, state); nothing was written
  6   forbidden: the signed-in user may not do this
  7   no workspace here yet: run plugs init or plugs login
  8   offline: the server cannot be reached; nothing is lost, try again later
  9   signed out: the server ended this device's session; sign in again (pending changes are kept)
  10  the server refused the request (its message and code are shown)
  11  the OS keychain failed (no Secret Service running, or it is locked)
  12  the local database cannot be used as it is (empty, not a database, or written by a newer
      version): the message names the file and what to do; nothing was changed
  13  the local database is damaged: restore a backup or run plugs repair; nothing was changed
  14  the local database is read-only: reads work, changes are refused
  15  the local database is encrypted and its key cannot be had here (not in the keychain, no
      passphrase given): give the passphrase, or start again from the server (plugs repair --fresh)";

/// Distinct exit codes so scripts can tell bad input from a missing record from a refused action
/// (see [`EXIT_CODES`]).
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Invalid { .. } | Error::BadCursor => 3,
        Error::NotFound { .. } => 4,
        Error::Conflict { .. } => 5,
        Error::Forbidden { .. } => 6,
        Error::NotInitialized => 7,
        Error::Offline(_) => 8,
        Error::SignedOut(_) => 9,
        Error::Remote { .. } => 10,
        Error::Keychain(_) => 11,
        Error::Store(_) => 12,
        Error::Damaged(_) => 13,
        Error::ReadOnly(_) => 14,
        Error::Locked(_) => 15,
        Error::Database(_) | Error::Migration(_) | Error::Io(_) => 1,
    }
}
