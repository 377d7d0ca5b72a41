//! The CSV reader in each dialect on any text: a clear error or drafts, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use plugs_core::interop::csvfmt::{self, Dialect};

fuzz_target!(|data: &[u8]| {
    let (text, _) = plugs_core::interop::text::decode(data);
    for dialect in [Dialect::LinkedIn, Dialect::Google, Dialect::Generic] {
        match csvfmt::parse(&text, dialect, &[]) {
            Ok((drafts, errors)) => {
                for d in drafts {
                    assert!(d.location.starts_with("row "));
                }
                for e in errors {
                    assert!(!e.reason.is_empty());
                }
            }
            Err(e) => assert!(!e.to_payload().message.is_empty()),
        }
    }
    let _ = csvfmt::detect(&text);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = csvfmt::parse_mapping(s);
    }
});
