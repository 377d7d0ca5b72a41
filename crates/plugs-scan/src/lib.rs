//! Business cards and badge QR codes read offline from an image into a capture draft.
//!
//! An image (PNG, JPEG, WebP, GIF, BMP, TIFF; a phone photo's EXIF orientation applied) is first
//! searched for QR codes (`rqrr`); a code holding a contact (vCard, MECARD, BIZCARD, a LinkedIn
//! or other web address) gives the draft. Otherwise the card's printed text is read by Tesseract
//! (English, French, German and Spanish language data from Debian's `tesseract-ocr-*` packages)
//! and placed into fields by [`plugs_core::scan::from_card_text`]. What comes back is a draft
//! for a person to check, never a saved contact.
//!
//! Bad input is refused in words (field `scan`): a file that is not an image, a damaged one, an
//! image over [`MAX_PIXELS`], a blank one, a QR code that is not a contact. The image is decoded
//! with memory limits and handed to Tesseract as pixels (never as a file for it to decode).

use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader};
use plugs_core::scan::{from_card_text, from_qr_payload, Line, Scanned, FIELD};
use plugs_core::{Error, Result};
use std::io::Cursor;
use std::sync::Mutex;
use std::time::Instant;

/// The largest image read: 40 megapixels (phone cameras take 12 to 48; a larger one is cropped
/// or resized first).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side QR codes are searched at (larger images are scaled down first).
const QR_SIDE: u32 = 1600;
/// The longest side text is read at.
const OCR_MAX_SIDE: u32 = 2000;
const OCR_MIN_SIDE: u32 = 1200;
/// The languages read by default (Tesseract's names). The first is tried first on each word: French
/// first keeps the accents of French, German and Spanish names that English-first reading drops
/// (measured on the test cards: names 83% right against 71%).
pub const LANGUAGES: &str = "fra+deu+spa+eng";

/// Makes this program's OCR single-threaded, by starting it again with `OMP_THREAD_LIMIT=1` when
/// that is not set. Call it first thing in `main`, before any thread is started.
///
/// Tesseract parallelizes with OpenMP, whose worker threads spin while they wait: on this
/// two-core machine a card took 2.8 s with them and 0.8 s without (`tesseract` on the same
/// image). libgomp reads the limit once, when the program is loaded, before `main`: setting it
/// later changes nothing, hence the new start (the same process id, arguments and streams).
pub fn single_threaded_ocr() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    // `exec` returns only when it failed: the program then goes on as it is, only slower to scan.
    let _ = std::process::Command::new(&exe).arg0(arg0).args(args).env("OMP_THREAD_LIMIT", "1").exec();
}

/// What a scan found, and how long its parts took.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scanned: Scanned,
    pub width: u32,
    pub height: u32,
    pub decode_ms: u128,
    pub qr_ms: u128,
    pub ocr_ms: u128,
}

/// Reads cards and codes. Holds one Tesseract engine, loaded on first use and kept (loading the
/// four languages takes a few hundred milliseconds).
pub struct Scanner {
    languages: String,
    engine: Mutex<Option<tesseract::Tesseract>>,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new(&std::env::var("PLUGS_OCR_LANGUAGES").unwrap_or_else(|_| LANGUAGES.to_owned()))
    }
}

fn refuse(code: &'static str, message: impl Into<String>) -> Error {
    Error::invalid(FIELD, code, message)
}

/// Decodes an image file's bytes (orientation applied), refusing what is not an image or too
/// large before decoding it.
pub fn load(bytes: &[u8]) -> Result<DynamicImage> {
    if bytes.is_empty() {
        return Err(refuse("empty", "the file is empty"));
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| refuse("unreadable", e.to_string()))?;
    if reader.format().is_none() {
        return Err(refuse("not_an_image", "this file is not an image (PNG, JPEG, WebP, GIF, BMP or TIFF are read)"));
    }
    let (w, h) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| refuse("unreadable", e.to_string()))?
        .into_dimensions()
        .map_err(|e| refuse("damaged", format!("the image cannot be read: {e}")))?;
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_PIXELS {
        return Err(refuse(
            "too_large",
            format!("the image is {w} × {h} pixels ({} megapixels); images up to {} megapixels are read: crop or resize it", pixels / 1_000_000, MAX_PIXELS / 1_000_000),
        ));
    }
    if w < 16 || h < 16 {
        return Err(refuse("too_small", format!("the image is {w} × {h} pixels: too small to hold a card or a code")));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    let mut reader = reader;
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| refuse("damaged", format!("the image cannot be read: {e}")))?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| refuse("damaged", format!("the image is damaged or cut short: {e}")))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img)
}

fn scaled(gray: &GrayImage, longest: u32) -> GrayImage {
    let (w, h) = gray.dimensions();
    let side = w.max(h);
    if side == longest {
        return gray.clone();
    }
    let f = f64::from(longest) / f64::from(side);
    let (nw, nh) = (((f64::from(w) * f).round() as u32).max(1), ((f64::from(h) * f).round() as u32).max(1));
    let filter = if f < 1.0 { image::imageops::FilterType::Triangle } else { image::imageops::FilterType::CatmullRom };
    image::imageops::resize(gray, nw, nh, filter)
}

/// The QR codes' texts found in an image: `Ok(texts)` (empty: none seen), or an error when a code
/// was seen but none could be decoded.
pub fn qr_texts(gray: &GrayImage) -> Result<Vec<String>> {
    let small;
    let img = if gray.width().max(gray.height()) > QR_SIDE {
        small = scaled(gray, QR_SIDE);
        &small
    } else {
        gray
    };
    let mut seen = 0;
    let mut texts = Vec::new();
    let mut last_err = String::new();
    // Noise and a slight rotation defeat the finder now and then: a light blur (noise away) is
    // the second look, black and white at Otsu's level (JPEG's ringing away) the third, the full size
    // (small codes on a large photo, up to 12 MP) the last.
    let blurred = || image::imageops::blur(img, 1.0);
    let full = || (!std::ptr::eq(img, gray) && u64::from(gray.width()) * u64::from(gray.height()) <= 12_000_000).then(|| gray.clone());
    let binarized = || {
        let b = image::imageops::blur(img, 1.0);
        imageproc::contrast::threshold(&b, imageproc::contrast::otsu_level(&b), imageproc::contrast::ThresholdType::Binary)
    };
    for attempt in 0..4 {
        let candidate = match attempt {
            0 => img.clone(),
            1 => blurred(),
            2 => binarized(),
            _ => match full() {
                Some(g) => g,
                None => break,
            },
        };
        let mut prepared = rqrr::PreparedImage::prepare(candidate);
        for g in prepared.detect_grids() {
            seen += 1;
            match g.decode() {
                Ok((_, text)) => texts.push(text),
                // Read, but not text: bytes no contact format writes.
                Err(rqrr::DeQRError::EncodingError) => {
                    return Err(refuse("not_a_contact", "the QR code holds binary data, not a contact (a vCard, a MECARD, or a web address)"));
                }
                Err(e) => last_err = e.to_string(),
            }
        }
        if !texts.is_empty() {
            break;
        }
    }
    if texts.is_empty() && seen > 0 {
        return Err(refuse("qr_unreadable", format!("a QR code was found but cannot be read ({last_err}); try a sharper, closer photo")));
    }
    Ok(texts)
}

/// One word of Tesseract's TSV output.
struct Word {
    key: (u32, u32, u32),
    left: u32,
    width: u32,
    height: u32,
    conf: f32,
    text: String,
}

/// Tesseract's TSV (level, page, block, paragraph, line, word, left, top, width, height, conf,
/// text) as lines, a line cut where a gap wider than three letters' height separates two
/// columns.
fn lines_of_tsv(tsv: &str, scale: f32) -> Vec<Line> {
    let mut words = Vec::new();
    for row in tsv.lines() {
        let f: Vec<&str> = row.splitn(12, '\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let n = |i: usize| f[i].trim().parse::<u32>().unwrap_or(0);
        let conf: f32 = f[10].trim().parse().unwrap_or(-1.0);
        let text = f[11].trim();
        // Below a third, a "word" is a speck or a stroke of a logo.
        if text.is_empty() || conf < 35.0 {
            continue;
        }
        words.push(Word { key: (n(2), n(3), n(4)), left: n(6), width: n(8), height: n(9), conf: conf / 100.0, text: text.to_owned() });
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut current: Vec<&Word> = Vec::new();
    let mut flush = |current: &mut Vec<&Word>| {
        if current.is_empty() {
            return;
        }
        let text = current.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        let chars: usize = current.iter().map(|w| w.text.chars().count()).sum();
        let conf = current.iter().map(|w| w.conf * w.text.chars().count() as f32).sum::<f32>() / chars.max(1) as f32;
        let mut heights: Vec<u32> = current.iter().map(|w| w.height).collect();
        heights.sort_unstable();
        let height = (heights[heights.len() / 2] as f32 / scale).round() as u32;
        // A line read at under one chance in two is noise, not print.
        if conf >= 0.5 {
            lines.push(Line::new(text, conf, height));
        }
        current.clear();
    };
    for w in &words {
        if let Some(prev) = current.last() {
            let gap = w.left.saturating_sub(prev.left + prev.width);
            if prev.key != w.key || gap > 3 * prev.height.max(w.height) {
                flush(&mut current);
            }
        }
        current.push(w);
    }
    flush(&mut current);
    lines
}

impl Scanner {
    pub fn new(languages: &str) -> Scanner {
        Scanner { languages: languages.to_owned(), engine: Mutex::new(None) }
    }

    /// The lines of printed text in an image.
    pub fn read_text(&self, gray: &GrayImage) -> Result<Vec<Line>> {
        let side = gray.width().max(gray.height());
        let target = side.clamp(OCR_MIN_SIDE, OCR_MAX_SIDE);
        let owned;
        let img = if target != side {
            owned = scaled(gray, target);
            &owned
        } else {
            gray
        };
        let scale = target as f32 / side as f32;
        let mut slot = self.engine.lock().unwrap_or_else(|p| p.into_inner());
        let engine = match slot.take() {
            Some(e) => e,
            None => {
                let mut e = tesseract::Tesseract::new(None, Some(&self.languages)).map_err(|e| {
                    refuse(
                        "ocr_unavailable",
                        format!("text recognition is not available: Tesseract's language data ({}) is missing ({e}); install tesseract-ocr-eng and the others", self.languages),
                    )
                })?;
                e.set_page_seg_mode(match std::env::var("PLUGS_OCR_PSM").as_deref() {
                    Ok("auto") => tesseract::PageSegMode::PsmAuto,
                    Ok("column") => tesseract::PageSegMode::PsmSingleColumn,
                    _ => tesseract::PageSegMode::PsmSparseText,
                });
                e
            }
        };
        let w = i32::try_from(img.width()).map_err(|_| refuse("too_large", "the image is too wide"))?;
        let h = i32::try_from(img.height()).map_err(|_| refuse("too_large", "the image is too tall"))?;
        let mut engine = engine
            .set_frame(img.as_raw(), w, h, 1, w)
            .map_err(|e| refuse("ocr_failed", format!("text recognition refused the image: {e}")))?
            .set_source_resolution(300)
            .recognize()
            .map_err(|e| refuse("ocr_failed", format!("text recognition failed: {e}")))?;
        let tsv = engine.get_tsv_text(0).map_err(|e| refuse("ocr_failed", format!("text recognition failed: {e}")));
        *slot = Some(engine);
        Ok(lines_of_tsv(&tsv?, scale))
    }

    /// Reads a card or a code from an image file's bytes.
    pub fn scan(&self, bytes: &[u8]) -> Result<Outcome> {
        let t = Instant::now();
        let img = load(bytes)?;
        let (width, height) = (img.width(), img.height());
        let gray = img.to_luma8();
        drop(img);
        let decode_ms = t.elapsed().as_millis();
        let t = Instant::now();
        let qr = qr_texts(&gray);
        let qr_ms = t.elapsed().as_millis();
        let mut qr_error = None;
        match qr {
            Ok(texts) => {
                for text in &texts {
                    match from_qr_payload(text) {
                        Ok(scanned) => return Ok(Outcome { scanned, width, height, decode_ms, qr_ms, ocr_ms: 0 }),
                        Err(e) => qr_error = qr_error.or(Some(e)),
                    }
                }
            }
            Err(e) => qr_error = Some(e),
        }
        // No contact in a code: the printed text. A code that held something else is the
        // answer only when no text is found either.
        let t = Instant::now();
        let lines = self.read_text(&gray)?;
        let ocr_ms = t.elapsed().as_millis();
        if lines.iter().all(|l| l.text.chars().filter(|c| c.is_alphanumeric()).count() < 2) {
            return Err(qr_error.unwrap_or_else(|| refuse("nothing_found", "no QR code and no text were found in this image")));
        }
        match from_card_text(&lines) {
            Ok(scanned) => Ok(Outcome { scanned, width, height, decode_ms, qr_ms, ocr_ms }),
            Err(e) => Err(qr_error.unwrap_or(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_lines_are_cut_at_column_gaps() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   5\t1\t1\t1\t1\t1\t10\t10\t40\t20\t90\tJun\n\
                   5\t1\t1\t1\t1\t2\t60\t10\t50\t20\t80\tPark\n\
                   5\t1\t1\t1\t1\t3\t400\t10\t90\t10\t70\tjun@x.test\n\
                   5\t1\t1\t1\t2\t1\t10\t40\t40\t10\t-1\t \n\
                   5\t1\t1\t1\t3\t1\t10\t60\t40\t10\t30\tspeck\n\
                   5\t1\t1\t1\t4\t1\t10\t80\t40\t10\t40\tfaint\n";
        let lines = lines_of_tsv(tsv, 0.5);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "Jun Park");
        assert_eq!(lines[0].height, 40);
        assert!((lines[0].confidence - (0.9 * 3.0 + 0.8 * 4.0) / 7.0).abs() < 1e-4);
        assert_eq!(lines[1].text, "jun@x.test");
    }
}
