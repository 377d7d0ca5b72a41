//! What a QR code holds and what OCR reads off a card, on any text: never a panic; a draft that
//! comes back names a person, and every confidence is between 0 and 1.
#![no_main]
use libfuzzer_sys::fuzz_target;
use plugs_core::scan::{from_card_text, from_qr_payload, Line};

fuzz_target!(|data: &[u8]| {
    let (text, _) = plugs_core::interop::text::decode(data);
    for s in [from_qr_payload(&text), from_card_text(&text.lines().enumerate().map(|(i, l)| Line::new(l, (i % 10) as f32 / 10.0, (i % 50) as u32)).collect::<Vec<_>>())] {
        match s {
            Ok(s) => {
                assert!(!s.fields.is_empty());
                assert!(s.fields.iter().all(|f| (0.0..=1.0).contains(&f.confidence) && !f.value.trim().is_empty()));
                assert!(s.contact.get("metadata").and_then(|m| m.get("scan")).is_some());
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
