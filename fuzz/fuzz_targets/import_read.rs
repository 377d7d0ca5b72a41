//! The whole reading step of an import (encoding detection, format detection, parsing) on any
//! bytes, with every format forced in turn.
#![no_main]
use libfuzzer_sys::fuzz_target;
use plugs_core::interop::{read, Format, ImportOptions};

fuzz_target!(|data: &[u8]| {
    for format in [Format::Auto, Format::VCard, Format::LinkedIn, Format::Google, Format::Csv] {
        let o = ImportOptions { format, dry_run: true, ..Default::default() };
        match read(data, &o) {
            Ok((drafts, notes, report)) => assert_eq!(report.entries, drafts.len() + notes.iter().filter(|n| n.location.starts_with("card") || n.location.starts_with("row")).count()),
            Err(e) => assert!(!e.to_payload().message.is_empty()),
        }
    }
});
