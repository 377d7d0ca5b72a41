//! Scanning real images: QR badges of every kind, printed cards in several fonts, sizes, layouts,
//! rotations and noise (field accuracy measured and held to a floor), and bad input refused in
//! words.

mod common;

use common::cards::{self, Person};
use image::ImageEncoder;
use plugs_scan::{Scanner, MAX_PIXELS};
use serde_json::Value;

fn field<'a>(s: &'a plugs_core::scan::Scanned, k: &str) -> &'a str {
    s.contact.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[test]
fn qr_badges_of_every_kind_are_read() {
    let scanner = Scanner::default();
    let p = &cards::PEOPLE[1];
    let s = scanner.scan(&cards::qr_image(cards::vcard_of(p).as_bytes(), 0)).unwrap().scanned;
    assert_eq!((s.source.as_str(), s.kind.as_str()), ("qr", "vcard"));
    assert_eq!((field(&s, "first_name"), field(&s, "last_name"), field(&s, "company")), (p.first_name, p.last_name, p.company));
    assert_eq!((field(&s, "job_title"), field(&s, "email")), (p.job_title, p.email));
    assert_eq!(digits(field(&s, "phone")), digits(p.phone));

    let me = "MECARD:N:Weiß,Jürgen;TEL:+49301234567;EMAIL:j.weiss@bergmann.de;ORG:Bergmann & Söhne GmbH;;";
    let s = scanner.scan(&cards::qr_image(me.as_bytes(), 1)).unwrap().scanned;
    assert_eq!((s.kind.as_str(), field(&s, "first_name"), field(&s, "last_name")), ("mecard", "Jürgen", "Weiß"));
    assert_eq!(field(&s, "company"), "Bergmann & Söhne GmbH");

    let s = scanner.scan(&cards::qr_image(b"https://www.linkedin.com/in/junpark", 2)).unwrap().scanned;
    assert_eq!((s.kind.as_str(), field(&s, "linkedin_url")), ("url", "https://www.linkedin.com/in/junpark"));
}

#[test]
fn bad_images_are_refused_in_words_never_a_crash() {
    let scanner = Scanner::default();
    let err = |bytes: &[u8]| match scanner.scan(bytes) {
        Ok(o) => panic!("read as {} from {:?}", o.scanned.kind, o.scanned.text),
        Err(e) => e.to_string(),
    };

    let e = err(b"MZ\x90\x00 this is an executable, not a photo");
    assert!(e.contains("not an image"), "{e}");
    assert!(err(b"").contains("empty"));

    let mut blank = Vec::new();
    image::GrayImage::from_pixel(1600, 1000, image::Luma([245])).write_to(&mut std::io::Cursor::new(&mut blank), image::ImageFormat::Png).unwrap();
    let e = err(&blank);
    assert!(e.contains("no QR code and no text"), "{e}");

    // A picture cut short in transfer (a JPEG cut short is read as far as it goes, as phones'
    // viewers do; a PNG's checksums tell it is damaged).
    let mut png = Vec::new();
    image::load_from_memory(&cards::card(0, 1600, 1000).jpeg).unwrap().write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let e = err(&png[..png.len() / 3]);
    assert!(e.contains("damaged") || e.contains("cannot be read"), "{e}");

    // 100 megapixels: refused from its header, before 100 MB of pixels are decoded.
    let mut huge = Vec::new();
    let img = image::GrayImage::new(10_000, 10_000);
    image::codecs::png::PngEncoder::new_with_quality(&mut huge, image::codecs::png::CompressionType::Fast, image::codecs::png::FilterType::NoFilter)
        .write_image(img.as_raw(), 10_000, 10_000, image::ExtendedColorType::L8)
        .unwrap();
    drop(img);
    let e = err(&huge);
    assert!(e.contains("10000 × 10000") && e.contains(&format!("{} megapixels", MAX_PIXELS / 1_000_000)), "{e}");

    // A QR code of garbage bytes, and one of text that is no contact.
    let e = err(&cards::qr_image(&[0x00, 0xff, 0x13, 0x37, 0x80, 0x01, 0x02, 0xfe, 0x7f, 0x00], 3));
    assert!(e.contains("not a contact"), "{e}");
    let e = err(&cards::qr_image(b"WIFI:S:booth-12;T:WPA;P:secret;;", 4));
    assert!(e.contains("not a contact"), "{e}");
}

/// Whether a field was read as printed.
fn right(p: &Person, k: &str, got: &str) -> bool {
    match k {
        "name" => got == format!("{} {}", p.first_name, p.last_name),
        "job_title" => got == p.job_title,
        "company" => got == p.company,
        "email" => got == p.email,
        "phone" => digits(got) == digits(p.phone),
        "website" => p.website.is_empty() || got.trim_start_matches("https://").trim_start_matches("http://") == p.website,
        "linkedin" => p.linkedin.is_empty() || got.ends_with(p.linkedin.trim_start_matches("linkedin.com")),
        _ => unreachable!(),
    }
}

#[test]
fn printed_cards_are_read_field_by_field() {
    let scanner = Scanner::default();
    let fields = ["name", "job_title", "company", "email", "phone", "website", "linkedin"];
    let mut ok = [0usize; 7];
    let n = cards::PEOPLE.len() * 2;
    let mut misses = Vec::new();
    for i in 0..n {
        let card = cards::card(i, 1600, 1000);
        let s = match scanner.scan(&card.jpeg) {
            Ok(o) => o.scanned,
            Err(e) => {
                misses.push(format!("{}: {e}", card.name));
                continue;
            }
        };
        assert_eq!(s.source, "ocr");
        for (k, f) in fields.iter().enumerate() {
            let got = match *f {
                "name" => format!("{} {}", field(&s, "first_name"), field(&s, "last_name")),
                "website" => s.contact.get("metadata").and_then(|m| m.pointer("/urls/0/value")).and_then(Value::as_str).unwrap_or_default().to_owned(),
                "linkedin" => field(&s, "linkedin_url").to_owned(),
                _ => field(&s, f).to_owned(),
            };
            if right(&card.person, f, &got) {
                ok[k] += 1;
            } else {
                misses.push(format!("{} {f}: got {got:?}", card.name));
            }
        }
        // Every field carries a confidence, and a person checks them: nothing here is saved.
        assert!(s.fields.iter().all(|f| (0.0..=1.0).contains(&f.confidence)));
    }
    println!("field accuracy over {n} cards:");
    for (k, f) in fields.iter().enumerate() {
        println!("  {f:<10} {:>5.1}%", 100.0 * ok[k] as f64 / n as f64);
    }
    for m in &misses {
        println!("  miss: {m}");
    }
    // Floors under today's figures (see the README): a regression in reading or placing fails.
    let floor = [0.75, 0.9, 0.8, 0.9, 0.9, 0.9, 0.9];
    for (k, f) in fields.iter().enumerate() {
        let acc = ok[k] as f64 / n as f64;
        assert!(acc >= floor[k], "{f}: {:.0}% < {:.0}%", acc * 100.0, floor[k] * 100.0);
    }
}
