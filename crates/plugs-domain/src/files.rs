//! Files, as both sides judge them: the largest file kept, a file's name made safe, and its type
//! read from its bytes rather than taken from its name or the sender's word. The device runs this
//! when a file is added; the server again when its bytes arrive, and the server's reading wins.

/// The largest file kept (50 MB).
pub const MAX_FILE: i64 = 50 * 1024 * 1024;

/// The largest thumbnail kept (a JPEG of at most 512 px on its long side is far smaller).
pub const MAX_THUMBNAIL: usize = 512 * 1024;

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// A file name that is safe on every system and in a `Content-Disposition` header: no folders, no
/// control characters, none of `<>:"/\|?*`, no leading dots or trailing dots and spaces, not a
/// reserved Windows device name, at most 200 bytes (the extension kept). `None` when nothing is
/// left of it.
pub fn safe_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut out: String = base.chars().map(|c| if c.is_control() || "<>:\"/\\|?*".contains(c) { '_' } else { c }).collect();
    out = out.trim().trim_start_matches('.').trim_end_matches(['.', ' ']).to_owned();
    if out.is_empty() || out.chars().all(|c| c == '_') {
        return None;
    }
    let stem = out.split('.').next().unwrap_or_default().to_ascii_uppercase();
    let reserved =
        ["CON", "PRN", "AUX", "NUL"].contains(&stem.as_str()) || (stem.len() == 4 && (stem.starts_with("COM") || stem.starts_with("LPT")) && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.insert(0, '_');
    }
    if out.len() > 200 {
        let ext = out.rsplit_once('.').map(|(_, e)| e).filter(|e| e.len() <= 16 && !e.is_empty()).map(|e| format!(".{e}")).unwrap_or_default();
        let mut cut = 200 - ext.len();
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out = format!("{}{ext}", &out[..cut]);
    }
    Some(out)
}

/// What a file is, read from its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileType {
    /// The MIME type to store and serve.
    pub mime: String,
    /// The `media.media_type`: `image`, `video`, `audio` or `document`.
    pub media_type: &'static str,
    /// Whether a preview may show it (an image the bytes confirm).
    pub previewable: bool,
    /// Why the sender's type was not kept, in words.
    pub warning: Option<String>,
}

/// The kind a MIME type names.
pub fn media_type_of(mime: &str) -> &'static str {
    match mime.split('/').next().unwrap_or_default() {
        "image" => "image",
        "video" => "video",
        "audio" => "audio",
        _ => "document",
    }
}

fn is_program(t: &infer::Type) -> bool {
    t.matcher_type() == infer::MatcherType::App
        || ["exe", "dll", "elf", "mach", "dex", "dey", "wasm", "class", "msi", "deb", "rpm", "apk", "sh"].contains(&t.extension())
        || t.mime_type().contains("executable")
        || t.mime_type().contains("msdownload")
}

/// The type of a file from its first bytes (a few KB are enough) and what the sender claimed.
/// What the bytes show wins; a file whose bytes say nothing keeps a claimed document type but
/// never a claimed image, video or audio type; a program is a plain download whatever its name.
pub fn file_type(head: &[u8], claimed: &str) -> FileType {
    let claimed = claimed.trim().to_ascii_lowercase();
    let claimed_kind = media_type_of(&claimed);
    match infer::get(head) {
        Some(t) if is_program(&t) => FileType {
            mime: "application/octet-stream".into(),
            media_type: "document",
            previewable: false,
            warning: Some(format!("the file is a program ({}), kept as a download only", t.extension())),
        },
        Some(t) => {
            let mime = t.mime_type().to_owned();
            let kind = media_type_of(&mime);
            let warning = (!claimed.is_empty() && claimed != "application/octet-stream" && media_type_of(&claimed) != kind)
                .then(|| format!("the file was sent as {claimed} but its bytes are {mime}"));
            // SVG is text, never sniffed as an image: not previewed (it can carry scripts).
            FileType { previewable: kind == "image" && mime != "image/svg+xml", mime, media_type: kind, warning }
        }
        None if claimed_kind == "document" && !claimed.is_empty() => FileType { mime: claimed, media_type: "document", previewable: false, warning: None },
        None => FileType {
            mime: "application/octet-stream".into(),
            media_type: "document",
            previewable: false,
            warning: (claimed_kind != "document").then(|| format!("the file was sent as {claimed} but its bytes are not")),
        },
    }
}

/// A SHA-256 digest in lower-case hex, as files are named by their content.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_safe() {
        let cases: &[(&str, Option<&str>)] = &[
            ("receipt.pdf", Some("receipt.pdf")),
            ("../../etc/passwd", Some("passwd")),
            ("C:\\Users\\ada\\card.JPG", Some("card.JPG")),
            ("  .hidden  ", Some("hidden")),
            ("a<b>c:d\"e|f?g*h.png", Some("a_b_c_d_e_f_g_h.png")),
            ("bell\u{7}.txt", Some("bell_.txt")),
            ("CON.txt", Some("_CON.txt")),
            ("com1", Some("_com1")),
            ("compose.txt", Some("compose.txt")),
            ("name.", Some("name")),
            ("...", None),
            ("", None),
            ("///", None),
        ];
        for (name, want) in cases {
            assert_eq!(safe_file_name(name).as_deref(), *want, "{name:?}");
        }
        let long = format!("{}.jpeg", "é".repeat(150));
        let safe = safe_file_name(&long).unwrap();
        assert!(safe.len() <= 200 && safe.ends_with(".jpeg"), "{safe}");
    }

    #[test]
    fn the_bytes_say_what_a_file_is() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0".to_vec();
        elf.resize(64, 0);
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3";
        let t = file_type(&jpeg, "image/jpeg");
        assert_eq!((t.mime.as_str(), t.media_type, t.previewable, t.warning), ("image/jpeg", "image", true, None));
        // A PNG sent as a JPEG: an image still, its real type kept.
        assert_eq!(file_type(png, "image/jpeg").mime, "image/png");
        // A program named .jpg: a download, never a preview.
        for prog in [&exe[..], &elf[..]] {
            let t = file_type(prog, "image/jpeg");
            assert_eq!((t.mime.as_str(), t.media_type, t.previewable), ("application/octet-stream", "document", false));
            assert!(t.warning.unwrap().contains("program"));
        }
        let t = file_type(pdf, "image/png");
        assert_eq!((t.mime.as_str(), t.media_type, t.previewable), ("application/pdf", "document", false));
        assert!(t.warning.is_some());
        // Text says nothing by its bytes: a claimed document type stays, a claimed image does not.
        assert_eq!(file_type(b"hello, world", "text/csv").mime, "text/csv");
        let t = file_type(b"<svg onload=alert(1)>", "image/svg+xml");
        assert_eq!((t.media_type, t.previewable), ("document", false));
    }
}
