#[path = "../tests/common/cards.rs"]
mod cards;
fn grids(img: &image::GrayImage) -> usize {
    let mut g = rqrr::PreparedImage::prepare(img.clone());
    g.detect_grids().iter().filter(|g| g.decode().is_ok()).count()
}
fn main() {
    for (i, p) in cards::PEOPLE.iter().enumerate() {
        let code = image::load_from_memory(&cards::qr_image(cards::vcard_of(p).as_bytes(), i)).unwrap().to_luma8();
        let level = imageproc::contrast::otsu_level(&code);
        let bin = imageproc::contrast::threshold(&code, level, imageproc::contrast::ThresholdType::Binary);
        let mut photo = image::GrayImage::from_pixel(1600, 1000, image::Luma([200]));
        image::imageops::overlay(&mut photo, &code, 500, 150);
        let code = photo;
        let blur = image::imageops::blur(&code, 1.0);
        let half = image::imageops::resize(&code, code.width() / 2, code.height() / 2, image::imageops::FilterType::Triangle);
        println!("{i}: {:?} plain {} otsu {} blur {} half {}", code.dimensions(), grids(&code), grids(&bin), grids(&blur), grids(&half));
    }
}
