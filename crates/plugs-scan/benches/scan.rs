//! Scan speed: OCR of a 1600×1000 card photo to a filled form (goal ≤ 2 s), QR decoding of a
//! badge photo (goal ≤ 200 ms), each beside the time to decode the same image alone, measured in
//! the same run. `cargo bench -p plugs-scan --bench scan`.

#[path = "../tests/common/cards.rs"]
mod cards;

use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let scanner = plugs_scan::Scanner::default();
    let cards: Vec<cards::Card> = (0..12).map(|i| cards::card(i, 1600, 1000)).collect();
    // The first scan loads the language data once per process.
    let t = Instant::now();
    scanner.scan(&cards[0].jpeg).expect("a card");
    println!("first scan (language data loaded): {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let (mut decode, mut total, mut ocr) = (Vec::new(), Vec::new(), Vec::new());
    for c in &cards {
        let t = Instant::now();
        plugs_scan::load(&c.jpeg).expect("an image");
        decode.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let o = scanner.scan(&c.jpeg).expect("a card");
        total.push(t.elapsed().as_secs_f64() * 1000.0);
        ocr.push(o.ocr_ms as f64);
        if std::env::var("SCAN_BENCH_VERBOSE").is_ok() {
            println!("  {}: qr {} ms, ocr {} ms", c.name, o.qr_ms, o.ocr_ms);
        }
    }
    let max = total.iter().cloned().fold(0.0, f64::max);
    println!(
        "card 1600x1000 ({} cards): decode {:.1} ms, OCR {:.0} ms, scan to form median {:.0} ms, max {max:.0} ms (goal 2000 ms)",
        cards.len(),
        median(decode),
        median(ocr),
        median(total.clone())
    );

    // A badge photographed: a QR code on a 1600×1000 photo.
    let mut qr = Vec::new();
    let mut qr_decode = Vec::new();
    for (i, p) in cards::PEOPLE.iter().enumerate() {
        let code = image::load_from_memory(&cards::qr_image(cards::vcard_of(p).as_bytes(), i)).expect("png").to_luma8();
        let mut photo = image::GrayImage::from_pixel(1600, 1000, image::Luma([200]));
        image::imageops::overlay(&mut photo, &code, 500, 150);
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 88).encode_image(&photo).expect("jpeg");
        let t = Instant::now();
        plugs_scan::load(&jpeg).expect("an image");
        qr_decode.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let o = match scanner.scan(&jpeg) {
            Ok(o) => o,
            Err(e) => panic!("badge {i}: {e}"),
        };
        qr.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(o.scanned.kind, "vcard", "{:?}", o.scanned.text);
    }
    let max = qr.iter().cloned().fold(0.0, f64::max);
    println!("QR badge photo 1600x1000 ({} badges): decode {:.1} ms, scan to form median {:.1} ms, max {max:.1} ms (goal 200 ms)", qr.len(), median(qr_decode), median(qr));
}
