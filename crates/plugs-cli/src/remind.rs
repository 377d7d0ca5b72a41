//! `plugs remind [--watch]`: the core's reminder scheduler with desktop notifications.

use crate::output::Output;
use clap::ArgMatches;
use plugs_core::reminders::{answer, fire_due, DesktopNotifier, ReminderSettings};
use plugs_core::{Error, Result, Store};
use serde_json::json;
use std::time::Duration;

pub fn run(store: &Store, m: &ArgMatches) -> Result<Output> {
    let lead = m.get_one::<i64>("lead").copied().unwrap_or(10);
    if !(0..=7 * 24 * 60).contains(&lead) {
        return Err(Error::invalid("lead", "out_of_range", "must be between 0 and 10080 minutes"));
    }
    let settings = ReminderSettings { lead: chrono::Duration::minutes(lead), ..Default::default() };
    let notifier = DesktopNotifier::default();
    let (tx, rx) = std::sync::mpsc::channel();
    if !m.get_flag("watch") {
        let fired = fire_due(store, &notifier, store.now(), &settings, &tx)?;
        return Ok(Output::Message(
            if fired.is_empty() {
                "nothing due".into()
            } else {
                fired.iter().map(|r| format!("{}{}: {}", r.title, if r.late { " (late)" } else { "" }, r.body)).collect::<Vec<_>>().join("\n")
            },
            json!(fired),
        ));
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let stop = stop.clone();
        // Interrupt ends the loop between ticks.
        std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(async {
                    let _ = tokio::signal::ctrl_c().await;
                });
            }
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        });
    }
    let mut total = 0;
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        for r in fire_due(store, &notifier, store.now(), &settings, &tx)? {
            eprintln!("reminded: {}{}", r.title, if r.late { " (late)" } else { "" });
            total += 1;
        }
        while let Ok((r, a)) = rx.try_recv() {
            answer(store, &r, a, store.now())?;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Ok(Output::Message(format!("{total} reminders fired"), json!({ "fired": total })))
}
