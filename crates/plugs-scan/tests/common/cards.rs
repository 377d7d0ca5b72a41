//! Business cards and QR badges made for the scan tests and benchmark: the card's text rendered in
//! several fonts (DejaVu and Liberation, from Debian's fonts-dejavu-core and fonts-liberation2)
//! and sizes, in three layouts, slightly rotated, with sensor-like noise, saved as JPEG the way a
//! phone would; the expected fields beside each.
#![allow(dead_code)]

use ab_glyph::{FontVec, PxScale};
use image::{GrayImage, Luma};
use imageproc::drawing::{draw_filled_rect_mut, draw_text_mut, text_size};
use imageproc::geometric_transformations::{rotate_about_center, Border, Interpolation};
use imageproc::rect::Rect;
use rand::{rngs::StdRng, Rng, SeedableRng};

/// A person as printed, with the fields a scan must find.
#[derive(Debug, Clone)]
pub struct Person {
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub job_title: &'static str,
    pub company: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub phone_label: &'static str,
    pub website: &'static str,
    pub linkedin: &'static str,
}

const fn p(
    first_name: &'static str,
    last_name: &'static str,
    job_title: &'static str,
    company: &'static str,
    email: &'static str,
    phone_label: &'static str,
    phone: &'static str,
    website: &'static str,
    linkedin: &'static str,
) -> Person {
    Person { first_name, last_name, job_title, company, email, phone, phone_label, website, linkedin }
}

pub const PEOPLE: &[Person] = &[
    p("Jun", "Park", "Head of Partnerships", "Nimbus Robotics", "jun.park@nimbus-robotics.com", "Tel", "+1 415 555 0134", "www.nimbus-robotics.com", "linkedin.com/in/junpark"),
    p("Amélie", "Durand", "Directrice commerciale", "Lumière SAS", "amelie.durand@lumiere.fr", "Tél.", "+33 1 42 68 53 00", "www.lumiere.fr", ""),
    p("Jürgen", "Weiß", "Geschäftsführer", "Bergmann & Söhne GmbH", "j.weiss@bergmann.de", "Telefon", "+49 30 1234 5678", "bergmann.de", ""),
    p(
        "Lucía",
        "Fernández",
        "Directora de Marketing",
        "Grupo Solano S.L.",
        "lucia@gruposolano.es",
        "Móvil",
        "+34 612 345 678",
        "www.gruposolano.es",
        "linkedin.com/in/luciafernandez",
    ),
    p("Grace", "Hopper", "Chief Technology Officer", "Navy Labs Inc.", "grace@navylabs.com", "Mobile", "+1 202 555 0199", "", "linkedin.com/in/gracehopper"),
    p("Carla", "Tanaka", "Product Designer", "Kestrel Studio", "carla@kestrel.io", "T", "+44 20 7946 0958", "kestrel.io", ""),
    p("Omar", "Haddad", "Senior Software Engineer", "Cedar Systems", "omar.haddad@cedarsystems.com", "Phone", "+1 646 555 0172", "www.cedarsystems.com", ""),
    p("Sofia", "Rossi", "Account Executive", "Vela Analytics", "sofia.rossi@vela-analytics.com", "M", "+39 347 123 4567", "", "linkedin.com/in/sofiarossi"),
    p("Henrik", "Larsen", "Co-Founder & CEO", "Fjord Ventures", "henrik@fjordventures.com", "Tel", "+45 32 12 34 56", "fjordventures.com", ""),
    p("Élodie", "Martin", "Responsable des achats", "Atelier Nord SARL", "elodie.martin@ateliernord.fr", "Tél.", "+33 6 12 34 56 78", "", ""),
    p("Mateo", "García", "Ingeniero de ventas", "Tecnologías Aurora", "mateo.garcia@aurora.es", "Tel", "+34 911 234 567", "www.aurora.es", ""),
    p("Priya", "Raman", "VP Sales", "Orbit Networks", "priya@orbitnetworks.com", "Mobile", "+1 312 555 0147", "www.orbitnetworks.com", "linkedin.com/in/priyaraman"),
];

/// The fonts the cards are printed in, as they are found on this machine.
pub fn fonts() -> Vec<(String, FontVec)> {
    let names = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
    ];
    let fonts: Vec<(String, FontVec)> = names
        .iter()
        .filter_map(|n| {
            let bytes = std::fs::read(n).ok()?;
            Some((std::path::Path::new(n).file_stem()?.to_string_lossy().into_owned(), FontVec::try_from_vec(bytes).ok()?))
        })
        .collect();
    assert!(fonts.len() >= 4, "the card fonts are missing: install fonts-dejavu-core, fonts-dejavu-extra and fonts-liberation2");
    fonts
}

pub fn bold_font() -> FontVec {
    let b = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf").expect("fonts-dejavu-core");
    FontVec::try_from_vec(b).expect("a font")
}

/// One card made: its JPEG bytes and the person on it.
pub struct Card {
    pub name: String,
    pub jpeg: Vec<u8>,
    pub person: Person,
}

/// The lines printed on a person's card, with their size factor (name and company larger).
fn printed(p: &Person) -> Vec<(String, f32, bool)> {
    let mut lines = vec![
        (format!("{} {}", p.first_name, p.last_name), 1.5, true),
        (p.job_title.to_owned(), 1.0, false),
        (p.company.to_owned(), 1.25, true),
        (String::new(), 0.6, false),
        (format!("{} {}", p.phone_label, p.phone), 0.9, false),
        (p.email.to_owned(), 0.9, false),
    ];
    if !p.website.is_empty() {
        lines.push((p.website.to_owned(), 0.9, false));
    }
    if !p.linkedin.is_empty() {
        lines.push((p.linkedin.to_owned(), 0.9, false));
    }
    lines
}

/// Renders card `i` (a person, a font, a layout, a size, a rotation and noise chosen from `i`).
pub fn card(i: usize, width: u32, height: u32) -> Card {
    let fonts = fonts();
    let bold = bold_font();
    let person = PEOPLE[i % PEOPLE.len()].clone();
    let (font_name, font) = &fonts[i % fonts.len()];
    let mut rng = StdRng::seed_from_u64(i as u64 * 7919 + 17);
    let paper = rng.gen_range(225..=250u8);
    let ink = rng.gen_range(10..=60u8);
    let mut img = GrayImage::from_pixel(width, height, Luma([paper]));
    let base = height as f32 * rng.gen_range(0.040..0.052);
    let layout = i % 3;
    let margin = width as f32 * 0.07;
    let lines = printed(&person);
    let total: f32 = lines.iter().map(|(_, f, _)| base * f * 1.45).sum();
    let mut y = match layout {
        0 => margin,
        1 => (height as f32 - total) / 2.0,
        _ => height as f32 * 0.12,
    };
    if layout == 2 {
        // A band at the top, the name and company under it, the details in the lower right.
        draw_filled_rect_mut(&mut img, Rect::at(0, 0).of_size(width, (height as f32 * 0.06) as u32), Luma([ink.saturating_add(60)]));
    }
    for (k, (text, f, big)) in lines.iter().enumerate() {
        let scale = PxScale::from(base * f);
        let face: &FontVec = if *big && i.is_multiple_of(2) { &bold } else { font };
        if !text.is_empty() {
            let (tw, _) = text_size(scale, face, text);
            let x = match layout {
                0 => margin,
                1 => (width as f32 - tw as f32) / 2.0,
                _ if k >= 4 => width as f32 - margin - tw as f32,
                _ => margin,
            };
            draw_text_mut(&mut img, Luma([ink]), x.max(4.0) as i32, y as i32, scale, face, text);
        }
        y += base * f * 1.45;
        if layout == 2 && k == 3 {
            y = y.max(height as f32 * 0.58);
        }
    }
    let angle: f32 = rng.gen_range(-2.0..2.0f32).to_radians();
    let mut img = rotate_about_center(&img, angle, Interpolation::Bilinear, Border::Constant(Luma([paper])));
    imageproc::noise::gaussian_noise_mut(&mut img, 0.0, rng.gen_range(4.0..10.0), i as u64 + 1);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 88).encode_image(&img).expect("jpeg");
    Card { name: format!("card-{i:02}-{font_name}-layout{layout}"), jpeg, person }
}

/// A QR badge: the payload as a QR code (quiet zone, noise, a slight rotation), as PNG.
pub fn qr_image(payload: &[u8], i: usize) -> Vec<u8> {
    let code = qrcode::QrCode::new(payload).expect("a payload that fits a QR code");
    let img: GrayImage = code.render::<Luma<u8>>().min_dimensions(400, 400).build();
    let (w, h) = img.dimensions();
    let mut canvas = GrayImage::from_pixel(w + 200, h + 200, Luma([240]));
    image::imageops::overlay(&mut canvas, &img, 100, 100);
    let mut canvas = rotate_about_center(&canvas, ((i % 5) as f32 - 2.0).to_radians(), Interpolation::Bilinear, Border::Constant(Luma([240])));
    imageproc::noise::gaussian_noise_mut(&mut canvas, 0.0, 6.0, i as u64 + 3);
    let mut png = Vec::new();
    canvas.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("png");
    png
}

/// A person as a vCard 3.0, the way badge apps print it.
pub fn vcard_of(p: &Person) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:{};{}\r\nFN:{} {}\r\nORG:{}\r\nTITLE:{}\r\nEMAIL:{}\r\nTEL;TYPE=work:{}\r\nEND:VCARD\r\n",
        p.last_name, p.first_name, p.first_name, p.last_name, p.company, p.job_title, p.email, p.phone
    )
}
