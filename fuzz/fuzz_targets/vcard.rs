//! The vCard reader on any text: it must never panic, and every card it reads must make a draft.
#![no_main]
use libfuzzer_sys::fuzz_target;
use plugs_core::interop::{draft_from_card, vcard};

fuzz_target!(|data: &[u8]| {
    let (text, _) = plugs_core::interop::text::decode(data);
    let (cards, errors) = vcard::parse(&text);
    for c in &cards {
        let d = draft_from_card(c);
        assert!(d.location.starts_with("card "));
    }
    for e in &errors {
        assert!(!e.reason.is_empty());
    }
    // What the writer folds, the reader unfolds to the same text.
    let line = format!("NOTE:{}", vcard::escape(&text));
    let (back, _) = vcard::parse(&format!("BEGIN:VCARD\r\n{}END:VCARD\r\n", vcard::fold(&line)));
    if let Some(c) = back.first() {
        if let Some(p) = c.first("NOTE") {
            assert_eq!(p.text(), text.replace('\r', ""));
        }
    }
});
