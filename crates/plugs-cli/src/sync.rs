//! `plugs login | register | logout | sync`: the core's sync client, with tokens in the OS keychain.

use crate::output::Output;
use clap::ArgMatches;
use plugs_core::sync::{Keychain, Remote, SyncEngine, SyncState, Syncer};
use plugs_core::{Error, Result, Store};
use serde_json::json;
use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn password(m: &ArgMatches) -> Result<String> {
    secret(m, "password-stdin", "Password: ").map_err(|e| match e {
        Error::Invalid { code, message, .. } => Error::Invalid { field: "password".into(), code, message },
        other => other,
    })
}

/// A secret from standard input (with the flag, or when it is not a terminal) or a silent prompt.
/// A password is its first line; a credential (`whole`) is all of the input, so a multi-line key
/// (PEM) stays whole.
pub fn secret(m: &ArgMatches, flag: &str, prompt: &str) -> Result<String> {
    read_secret(m, flag, prompt, false)
}

/// The same, all of standard input.
pub fn whole_secret(m: &ArgMatches, flag: &str, prompt: &str) -> Result<String> {
    read_secret(m, flag, prompt, true)
}

fn read_secret(m: &ArgMatches, flag: &str, prompt: &str, whole: bool) -> Result<String> {
    let from_stdin = m.get_flag(flag) || !std::io::stdin().is_terminal();
    let s = if from_stdin {
        let mut text = String::new();
        if whole {
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)?;
        } else {
            std::io::stdin().lock().read_line(&mut text)?;
        }
        text.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        rpassword::prompt_password(prompt)?
    };
    if s.is_empty() {
        return Err(Error::invalid("secret", "required", "is required"));
    }
    Ok(s)
}

fn syncer(store: &Store, server: &str) -> Result<Syncer> {
    let remote = Remote::new(server)?;
    Ok(Syncer::new(remote.clone(), Arc::new(Keychain::new(store.device_id(), remote.base())?)))
}

fn linked(store: &Store) -> Result<Syncer> {
    let link = store.sync_link()?.ok_or_else(|| Error::invalid("server", "not_linked", "this device does not sync with a server yet: plugs login --server URL --email EMAIL"))?;
    syncer(store, &link.server)
}

/// A media row's bytes on this device: here already, or downloaded from the server now.
pub fn fetch_media(store: &Store, id: uuid::Uuid) -> Result<std::path::PathBuf> {
    let m: plugs_core::tables::media::Media = store.repo::<plugs_core::tables::media::Media>().get(id)?;
    if let Some(p) = store.local_file(&m) {
        return Ok(p);
    }
    if store.sync_link()?.is_none() {
        store.media_bytes(id)?;
    }
    let rt = runtime()?;
    let s = linked(store)?;
    rt.block_on(s.fetch_file(store, id, |f| {
        if std::io::stderr().is_terminal() {
            eprint!("\rdownloading {} {}/{} KB   ", f.file_name, f.done / 1024, f.total / 1024);
        }
    }))
}

/// One sync round (push, then pull), reported.
pub fn once(store: &Store) -> Result<Output> {
    let rt = runtime()?;
    let s = linked(store)?;
    let report = rt.block_on(s.sync_once(store, |p| {
        if std::io::stderr().is_terminal() {
            eprint!("\rpulled {}/{}", p.done, p.total);
        }
    }))?;
    let files = rt.block_on(s.transfer_files(store, |f| {
        if std::io::stderr().is_terminal() {
            eprint!("\r{} {} {}/{} KB ({} more)   ", f.direction, f.file_name, f.done / 1024, f.total / 1024, f.queued);
        }
    }))?;
    let mut out = json!(report);
    out["files"] = json!(files);
    Ok(Output::Message(
        format!(
            "pushed {} ({} applied, {} superseded, {} rejected), pulled {}{}; files: {} uploaded, {} downloaded{}",
            report.pushed,
            report.applied,
            report.superseded,
            report.rejected,
            report.pulled,
            if report.resynced { " (full resync)" } else { "" },
            files.uploaded,
            files.downloaded,
            if files.failed > 0 { format!(", {} failed (see plugs media list)", files.failed) } else { String::new() }
        ),
        out,
    ))
}

pub fn run(store: &Store, name: &str, m: &ArgMatches) -> Result<Output> {
    let rt = runtime()?;
    match name {
        "login" => {
            let server = m.get_one::<String>("server").map(String::as_str).unwrap_or_default();
            let email = m.get_one::<String>("email").map(String::as_str).unwrap_or_default();
            let s = syncer(store, server)?;
            let pw = password(m)?;
            let report = rt.block_on(s.login(store, email, &pw))?;
            Ok(Output::Message(
                format!("signed in to {} as {email}; pulled {} rows, pushed {} changes", s.remote().base(), report.pulled, report.pushed),
                json!({ "server": s.remote().base(), "email": email, "report": report }),
            ))
        }
        "register" => {
            let server = m.get_one::<String>("server").map(String::as_str).unwrap_or_default();
            let s = syncer(store, server)?;
            let pw = password(m)?;
            let report = rt.block_on(s.register(store, &pw))?;
            Ok(Output::Message(
                format!("this workspace is now an organization on {}; pushed {} changes", s.remote().base(), report.pushed),
                json!({ "server": s.remote().base(), "report": report }),
            ))
        }
        "logout" => {
            let s = linked(store)?;
            rt.block_on(s.logout())?;
            Ok(Output::Message("signed out; local data and pending changes are kept".into(), json!({ "signed_out": true })))
        }
        _ if !m.get_flag("watch") => once(store),
        _ => {
            let s = linked(store)?;
            let engine = SyncEngine::start(store.path().to_owned(), s, Default::default())?;
            let mut status = engine.subscribe();
            rt.block_on(async {
                loop {
                    let st = status.borrow_and_update().clone();
                    let line = match st.state {
                        SyncState::Idle => format!("up to date; {} pending; last sync {}", st.pending, st.last_success.map(|t| t.to_string()).unwrap_or_else(|| "never".into())),
                        SyncState::Syncing => match st.progress {
                            Some(p) => format!("syncing {}/{}", p.done, p.total),
                            None => "syncing".into(),
                        },
                        SyncState::Offline => format!("offline ({}); {} pending, will retry", st.message.unwrap_or_default(), st.pending),
                        SyncState::Error => format!("error: {}", st.message.unwrap_or_default()),
                        SyncState::SignedOut => format!("signed out: {} (plugs login)", st.message.unwrap_or_default()),
                    };
                    eprintln!("{line}");
                    tokio::select! {
                        r = status.changed() => if r.is_err() { break; },
                        _ = tokio::signal::ctrl_c() => break,
                    }
                }
            });
            drop(engine);
            Ok(Output::Message("stopped".into(), json!({ "stopped": true })))
        }
    }
}
