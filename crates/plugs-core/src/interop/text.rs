//! Bytes to text: UTF-8 with or without a byte-order mark, UTF-16 with one, and the Latin-1 /
//! Windows-1252 files older tools still write (detected when the bytes are not valid UTF-8).

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// The text of a file and the encoding it was read in.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        let name = if enc == UTF_8 {
            "UTF-8 (with BOM)"
        } else if enc == UTF_16LE {
            "UTF-16LE"
        } else if enc == UTF_16BE {
            "UTF-16BE"
        } else {
            enc.name()
        };
        return (text.into_owned(), name);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), "UTF-8"),
        Err(_) => {
            // Windows-1252 is a superset of Latin-1's printable characters; WHATWG maps the
            // ISO-8859-1 label to it too.
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), "Windows-1252")
        }
    }
}

/// Decodes bytes in a named charset (vCard 2.1 `CHARSET=`); unknown names read as UTF-8 when
/// valid, else Windows-1252.
pub fn decode_charset(bytes: &[u8], charset: Option<&str>) -> String {
    if let Some(enc) = charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())) {
        let (text, _, _) = enc.decode(bytes);
        return text.into_owned();
    }
    decode(bytes).0
}

/// Whether the text looks like a binary file rather than a contact list: NULs or many control
/// characters in its first kilobytes.
pub fn looks_binary(text: &str) -> bool {
    let head: Vec<char> = text.chars().take(4096).collect();
    if head.is_empty() {
        return false;
    }
    let control = head.iter().filter(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || **c == '\u{FFFD}').count();
    head.contains(&'\0') || control * 20 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_encoding() {
        assert_eq!(decode("Zoë".as_bytes()), ("Zoë".to_owned(), "UTF-8"));
        assert_eq!(decode(b"\xEF\xBB\xBFZo\xC3\xAB"), ("Zoë".to_owned(), "UTF-8 (with BOM)"));
        assert_eq!(decode(b"Zo\xEB \x80"), ("Zoë €".to_owned(), "Windows-1252"));
        assert_eq!(decode(b"\xFF\xFEZ\x00o\x00").0, "Zo");
        assert_eq!(decode_charset(b"Fran\xE7ois", Some("ISO-8859-1")), "François");
        assert!(looks_binary("\u{0}\u{1}\u{2}abc"));
        assert!(!looks_binary("BEGIN:VCARD\r\nFN:A\r\n"));
    }
}
