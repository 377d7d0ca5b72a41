//! `plugs import FILE` and `plugs export --format F`: contacts in from vCard / LinkedIn / Google /
//! any CSV, and contacts, events and expenses out.

use crate::output::Output;
use clap::{Arg, ArgAction, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressStyle};
use plugs_core::interop::{csvfmt, export::FORMATS, ImportOptions};
use plugs_core::{Error, Result, Store};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

pub fn import_command() -> Command {
    Command::new("import")
        .about("Import contacts from a vCard (2.1/3.0/4.0), LinkedIn Connections.csv, Google Contacts CSV or any CSV")
        .arg(Arg::new("file").required(true).value_parser(clap::value_parser!(PathBuf)).help("the file to import"))
        .arg(
            Arg::new("format")
                .long("format")
                .default_value("auto")
                .value_parser(["auto", "vcard", "linkedin", "google", "csv"])
                .help("the file's format (auto-detected by default)"),
        )
        .arg(Arg::new("dry-run").long("dry-run").action(ArgAction::SetTrue).help("show what would be created, merged and refused, and change nothing"))
        .arg(Arg::new("overwrite").long("overwrite").action(ArgAction::SetTrue).help("when merging into an existing contact, replace its non-empty fields too"))
        .arg(Arg::new("map").long("map").value_name("HEADER=column,...").help("CSV column mapping overrides, e.g. 'Surname=last_name,Fax=ignore'"))
}

pub fn export_command() -> Command {
    Command::new("export")
        .about("Export contacts (vcard, csv), events with agenda and follow-ups (ics), or expenses (expenses-csv)")
        .arg(Arg::new("format").long("format").required(true).value_parser(FORMATS.to_vec()))
        .arg(Arg::new("out").long("out").value_name("FILE").value_parser(clap::value_parser!(PathBuf)).help("write here instead of standard output"))
}

pub fn import(store: &Store, m: &ArgMatches) -> Result<Output> {
    let path = m.get_one::<PathBuf>("file").expect("required");
    let bytes = std::fs::read(path).map_err(|e| Error::invalid("file", "unreadable", format!("cannot read {}: {e}", path.display())))?;
    let options = ImportOptions {
        format: m.get_one::<String>("format").map(String::as_str).unwrap_or("auto").parse()?,
        dry_run: m.get_flag("dry-run"),
        overwrite: m.get_flag("overwrite"),
        mapping: m.get_one::<String>("map").map(|s| csvfmt::parse_mapping(s)).transpose()?.unwrap_or_default(),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new(0);
        b.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} contacts ({per_sec}, {eta} left)").expect("a valid template"));
        b
    });
    let report = store.import_contacts(&bytes, &options, |done, total| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let verb = if report.dry_run { "would create" } else { "created" };
    let mut text = format!(
        "{} file ({}), {} entries: {verb} {}, {} {}, refused {}{}",
        report.format,
        report.encoding,
        report.entries,
        report.created,
        if report.dry_run { "would merge" } else { "merged" },
        report.merged,
        report.refused.len(),
        if report.media > 0 { format!(", {} photos", report.media) } else { String::new() }
    );
    for m in &report.merges {
        let what = if m.fields.is_empty() { "nothing new".to_owned() } else { format!("filled {}", m.fields.join(", ")) };
        text.push_str(&format!("\n  merged {}: into {} ({}), {what}", m.location, m.name, m.contact_id));
    }
    for r in &report.refused {
        text.push_str(&format!("\n  refused {}: {}", r.location, r.reason));
    }
    for w in &report.warnings {
        text.push_str(&format!("\n  note {}: {}", w.location, w.reason));
    }
    let value = serde_json::to_value(&report).unwrap_or_default();
    Ok(Output::Message(text, value))
}

pub fn export(store: &Store, m: &ArgMatches) -> Result<Output> {
    let format = m.get_one::<String>("format").expect("required");
    let data = store.export(format)?;
    match m.get_one::<PathBuf>("out") {
        Some(p) => {
            std::fs::write(p, &data).map_err(|e| Error::invalid("out", "unwritable", format!("cannot write {}: {e}", p.display())))?;
            Ok(Output::Message(format!("wrote {} ({} bytes)", p.display(), data.len()), json!({ "out": p, "bytes": data.len(), "format": format })))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(data.as_bytes()).and_then(|_| out.flush()).map_err(|e| Error::invalid("out", "unwritable", e.to_string()))?;
            Ok(Output::Silent)
        }
    }
}
