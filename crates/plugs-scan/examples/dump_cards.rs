//! Writes the scan tests' cards and QR badges to a folder, to look at or to try by hand:
//! `cargo run -p plugs-scan --example dump_cards -- DIR`, then `plugs contact scan DIR/…`.
#[path = "../tests/common/cards.rs"]
mod cards;
fn main() {
    let dir = std::env::args().nth(1).expect("a folder");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..12 {
        let c = cards::card(i, 1600, 1000);
        std::fs::write(format!("{dir}/{}.jpg", c.name), &c.jpeg).unwrap();
    }
    for (i, p) in cards::PEOPLE.iter().enumerate().take(3) {
        std::fs::write(format!("{dir}/qr-{i}.png"), cards::qr_image(cards::vcard_of(p).as_bytes(), i)).unwrap();
    }
}
