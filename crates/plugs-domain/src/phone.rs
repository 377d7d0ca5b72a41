//! Phone numbers with an extension, in one stored form, the same on the device and the server.
//!
//! People and tools write an extension in many ways: `+1 (212) 555-0100 ext. 204`, `… x204`,
//! `… #204`, `… extension 204`, vCard 4.0's `tel:+1-212-555-0100;ext=204` (RFC 3966), or with the
//! word of their language (`poste`, `Durchwahl`, `App.`, `interno`, `ramal`, `toestel`). The phone
//! rule ([`crate::schema::Format::Phone`]) stores every one of them as **the number's `+` and
//! digits, an `x`, and the extension's digits**: `+12125550100x204`. A phone without an extension
//! is kept as it was written.
//!
//! Why this form:
//! - It fits the phone column, 20 characters on the device and in the server's seed schema (a size
//!   that does not change): the number's separators go, and `x` costs one character where RFC
//!   3966's `;ext=` costs five — `+442079460958x1234` fits, `+442079460958;ext=1234` does not.
//! - `x` is a character the phone rule has always taken, so a device or a server still running the
//!   previous rule accepts a phone in this form as it is: sync never refuses it.
//! - One spelling for one phone: duplicates match, search finds it, a merge sees no change where
//!   there is none. It is how North America writes an extension (`x204`), and it maps exactly to
//!   and from RFC 3966's `tel:` URI with `;ext=` ([`tel_uri`], [`from_tel_uri`]), which is how the
//!   vCard 4.0 export writes it.

/// The words that introduce an extension, lower case, longest first where one ends another.
const MARKERS: &[&str] = &["extension", "durchwahl", "toestel", "interno", "apparat", "poste", "ramal", "extn", "ext", "app", "tst", "int", "dw", "x", "#"];

/// Splits a phone written with an extension into its number (as written) and the extension's
/// digits: `+1 (212) 555-0100 ext. 204` → (`+1 (212) 555-0100`, `204`). `None` when there is no
/// extension, or when what comes before it is not a phone number.
pub fn split_extension(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    let b = s.as_bytes();
    let mut i = b.len();
    while i > 0 && b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i == b.len() {
        return None;
    }
    let ext = &s[i..];
    // Between the marker and the digits: spaces and one of `=`, `:`, `.`.
    let head = s[..i].trim_end();
    let head = head.strip_suffix(['=', ':', '.']).unwrap_or(head).trim_end();
    let lower = head.as_bytes();
    let marker = MARKERS.iter().find(|m| lower.len() >= m.len() && lower[lower.len() - m.len()..].eq_ignore_ascii_case(m.as_bytes()))?;
    let number = head[..head.len() - marker.len()].trim_end();
    // `…0100, ext. 204`, `…0100;ext=204`.
    let number = number.strip_suffix([',', ';']).unwrap_or(number).trim_end();
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    let plus_first = number.strip_prefix('+').unwrap_or(number);
    if digits < 3 || !plus_first.chars().all(|c| c.is_ascii_digit() || " -().\u{a0}/".contains(c)) {
        return None;
    }
    Some((number, ext))
}

/// The stored form of a phone written with an extension (`+12125550100x204`); `None` when it has
/// none. A national trunk prefix written in parentheses after a country code (`+44 (0)20 …`) is
/// not dialled and is dropped.
pub fn with_extension(s: &str) -> Option<String> {
    let (number, ext) = split_extension(s)?;
    let mut out = String::with_capacity(number.len() + ext.len() + 1);
    let global = number.starts_with('+');
    let number = if global { number.replacen("(0)", "", 1) } else { number.to_owned() };
    if global {
        out.push('+');
    }
    out.extend(number.chars().filter(char::is_ascii_digit));
    out.push('x');
    out.push_str(ext);
    Some(out)
}

/// A phone as RFC 3966 `tel:` URI, for a phone in the stored form with an extension and a global
/// number (one starting with `+`): `+12125550100x204` → `tel:+1-212-555-0100;ext=204`. North
/// American numbers (`+1` and ten digits, one fixed plan) are grouped with the URI's visual
/// separator; others are written as digits, which any reader dials the same. `None` for any
/// other phone (a local number needs a context a `tel:` URI cannot guess).
pub fn tel_uri(stored: &str) -> Option<String> {
    let (number, ext) = split_extension(stored)?;
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if !number.starts_with('+') {
        return None;
    }
    let global = match digits.strip_prefix('1') {
        Some(n) if n.len() == 10 => format!("+1-{}-{}-{}", &n[..3], &n[3..6], &n[6..]),
        _ => format!("+{digits}"),
    };
    Some(format!("tel:{global};ext={ext}"))
}

/// The phone a `tel:` URI holds (RFC 3966): with an extension, in the stored form
/// (`tel:+1-212-555-0100;ext=204` → `+12125550100x204`); without, the number as written
/// (`tel:+55-11-5555-0199` → `+55-11-5555-0199`). Text without the `tel:` scheme is returned as
/// it is.
pub fn from_tel_uri(uri: &str) -> String {
    let t = uri.trim();
    let Some(rest) = t.get(..4).filter(|p| p.eq_ignore_ascii_case("tel:")).map(|_| &t[4..]) else {
        return t.to_owned();
    };
    let mut parts = rest.split(';');
    let number = parts.next().unwrap_or_default().trim();
    let ext = parts.filter_map(|p| p.split_once('=')).find(|(k, _)| k.trim().eq_ignore_ascii_case("ext")).map(|(_, v)| v.trim());
    match ext {
        Some(e) if !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit()) => with_extension(&format!("{number}x{e}")).unwrap_or_else(|| number.to_owned()),
        _ => number.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_an_extension_has_one_stored_form() {
        for s in [
            "+1 (212) 555-0100 ext. 204",
            "+1 (212) 555-0100 Ext 204",
            "+1 212 555 0100 x204",
            "+1 212 555 0100 X 204",
            "+1-212-555-0100#204",
            "+1 212 555 0100 # 204",
            "+1.212.555.0100 extension 204",
            "+1 212 555 0100, ext: 204",
            "+1-212-555-0100;ext=204",
            "+12125550100x204",
        ] {
            assert_eq!(with_extension(s).as_deref(), Some("+12125550100x204"), "{s}");
        }
        assert_eq!(with_extension("01 42 14 20 00 poste 35").as_deref(), Some("0142142000x35"));
        assert_eq!(with_extension("030 1234567 App. 12").as_deref(), Some("0301234567x12"));
        assert_eq!(with_extension("+44 (0)20 7946 0958 ext 1234").as_deref(), Some("+442079460958x1234"));
        for s in ["+1 212 555 0100", "x204", "next 12", "+1 212 555 0100 ext.", "call 555 x12", "12 x 3"] {
            assert_eq!(with_extension(s), None, "{s}");
        }
    }

    #[test]
    fn tel_uris_carry_the_extension_both_ways() {
        assert_eq!(tel_uri("+12125550100x204").as_deref(), Some("tel:+1-212-555-0100;ext=204"));
        assert_eq!(tel_uri("+442079460958x12").as_deref(), Some("tel:+442079460958;ext=12"));
        assert_eq!(tel_uri("2125550100x204"), None);
        assert_eq!(tel_uri("+1 212 555 0100"), None);
        assert_eq!(from_tel_uri("tel:+1-212-555-0100;ext=204"), "+12125550100x204");
        assert_eq!(from_tel_uri("TEL:+442079460958;ext=12"), "+442079460958x12");
        assert_eq!(from_tel_uri("tel:+55-11-5555-0199"), "+55-11-5555-0199");
        assert_eq!(from_tel_uri("+33 1 42 14 20 00"), "+33 1 42 14 20 00");
        for stored in ["+12125550100x204", "+442079460958x12"] {
            assert_eq!(from_tel_uri(&tel_uri(stored).unwrap()), stored);
        }
    }

    #[test]
    fn the_phone_rule_stores_the_one_form_and_it_fits_the_column() {
        let col = crate::tables::contacts::SPEC.column("phone").unwrap();
        let v = |s: &str| col.normalize(&serde_json::json!(s)).map_err(|e| e.to_string());
        assert_eq!(v("+1 (212) 555-0100 ext. 204"), Ok(serde_json::json!("+12125550100x204")), "26 characters written, 16 stored");
        assert_eq!(v("+44 20 7946 0958 #1234"), Ok(serde_json::json!("+442079460958x1234")));
        assert_eq!(v("+1 212 555 0100"), Ok(serde_json::json!("+1 212 555 0100")), "without an extension, as written");
        assert!(v("+1 212 555 0100 ext. 204 (ask for Carla)").is_err());
    }
}
