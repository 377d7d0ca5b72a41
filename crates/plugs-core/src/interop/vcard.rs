//! vCard 2.1, 3.0 (RFC 2426) and 4.0 (RFC 6350): many cards per file, folded lines, escaped
//! values, parameters (TYPE, PREF, ENCODING, CHARSET, VALUE), QUOTED-PRINTABLE soft breaks; and
//! the writer of 4.0 cards (escaped, folded at 75 octets).

use super::text::decode_charset;
use base64::Engine;

/// The longest logical line accepted (embedded photos make long lines; 20 MB is far above any).
pub const MAX_LINE: usize = 20 * 1024 * 1024;

/// One property: `GROUP.NAME;PARAM=VALUE:value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    /// Parameter names upper-cased; values as written (TYPE may repeat or hold a list).
    pub params: Vec<(String, String)>,
    /// The raw value, unescaped only by [`Property::text`] / [`Property::parts`].
    pub value: String,
    pub line: usize,
}

impl Property {
    /// The values of a parameter (a `TYPE=work,voice` list is split; vCard 2.1 bare types like
    /// `;WORK;VOICE` count as TYPE).
    pub fn param(&self, name: &str) -> Vec<String> {
        self.params
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().trim_matches('"').to_ascii_lowercase()).collect::<Vec<_>>())
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn quoted_printable(&self) -> bool {
        self.param("ENCODING").iter().any(|e| e == "quoted-printable")
    }

    /// The raw value with quoted-printable and charset decoded (vCard 2.1).
    fn decoded(&self) -> String {
        if self.quoted_printable() {
            let bytes = qp_decode(&self.value);
            decode_charset(&bytes, self.param("CHARSET").first().map(String::as_str))
        } else {
            self.value.clone()
        }
    }

    /// The value as text, escapes undone.
    pub fn text(&self) -> String {
        unescape(&self.decoded())
    }

    /// A structured value (N, ORG, ADR) split on unescaped `;`, each part unescaped.
    pub fn parts(&self) -> Vec<String> {
        split_unescaped(&self.decoded(), ';').into_iter().map(|p| unescape(&p)).collect()
    }

    /// Whether this is the preferred one of its kind (TYPE=pref in 2.1/3.0, PREF=1 in 4.0).
    pub fn preferred(&self) -> bool {
        self.pref() == Some(1)
    }

    /// The preference the file gave (4.0's PREF, 1 to 100, 1 the most preferred; 2.1/3.0's
    /// TYPE=pref is 1), if any.
    pub fn pref(&self) -> Option<u64> {
        fn clean(s: &str) -> &str {
            s.trim().trim_matches('"').trim()
        }
        self.params
            .iter()
            .filter_map(|(n, v)| match n.as_str() {
                "TYPE" => v.split(',').any(|t| clean(t).eq_ignore_ascii_case("pref")).then_some(1),
                "PREF" => clean(v).parse::<u64>().ok().filter(|p| (1..=100).contains(p)),
                _ => None,
            })
            .min()
    }

    /// A list value (CATEGORIES, NICKNAME) split on unescaped `,`, each item unescaped.
    pub fn list(&self) -> Vec<String> {
        split_unescaped(&self.decoded(), ',').into_iter().map(|p| unescape(&p)).collect()
    }

    /// The parameters as written (`TYPE=twitter;X-USER=chidi`), but those of the transfer
    /// encoding that [`Property::text`] undoes (quoted-printable, charset); `None` if no others.
    pub fn params_text(&self) -> Option<String> {
        let qp = self.quoted_printable();
        let kept: Vec<String> = self.params.iter().filter(|(n, _)| n != "CHARSET" && !(qp && n == "ENCODING")).map(|(n, v)| format!("{n}={v}")).collect();
        (!kept.is_empty()).then(|| kept.join(";"))
    }

    /// Embedded binary data (ENCODING=b / BASE64, or a `data:` URI) and its MIME type.
    pub fn binary(&self) -> Option<Result<(Vec<u8>, String), String>> {
        let v = self.value.trim();
        let engine = base64::engine::general_purpose::STANDARD;
        let clean = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if let Some(rest) = v.strip_prefix("data:") {
            let (meta, data) = rest.split_once(',')?;
            let mime = meta.split(';').next().filter(|m| !m.is_empty()).unwrap_or("application/octet-stream").to_owned();
            return Some(if meta.ends_with(";base64") {
                engine.decode(clean(data)).map(|b| (b, mime)).map_err(|e| format!("the embedded data is not valid base64 ({e})"))
            } else {
                Ok((data.as_bytes().to_vec(), mime))
            });
        }
        let enc = self.param("ENCODING");
        if enc.iter().any(|e| e == "b" || e == "base64") {
            let ty = self.param("TYPE");
            let mime = match ty.first().map(String::as_str) {
                Some(t) if t.contains('/') => t.to_owned(),
                Some("png") => "image/png".into(),
                Some("gif") => "image/gif".into(),
                Some("webp") => "image/webp".into(),
                _ => "image/jpeg".into(),
            };
            return Some(engine.decode(clean(v)).map(|b| (b, mime)).map_err(|e| format!("the embedded data is not valid base64 ({e})")));
        }
        None
    }
}

/// One card, with where it starts in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub number: usize,
    pub line: usize,
    pub version: Option<String>,
    pub props: Vec<Property>,
}

impl Card {
    /// The first property of a name.
    pub fn first(&self, name: &str) -> Option<&Property> {
        self.props.iter().find(|p| p.name == name)
    }

    /// Every property of a name, in the file's order.
    pub fn each<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    /// Every property of a name, the most preferred first (then in the file's order).
    pub fn all(&self, name: &str) -> Vec<&Property> {
        let mut v: Vec<&Property> = self.props.iter().filter(|p| p.name == name).collect();
        v.sort_by_key(|p| p.pref().unwrap_or(u64::MAX));
        v
    }
}

/// A card that could not be read (number 0: a line outside any card), and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CardError {
    pub number: usize,
    pub line: usize,
    pub reason: String,
}

/// Physical lines joined into logical ones: folded continuations (a line starting with a space
/// or tab) and quoted-printable soft breaks (a QP line ending in `=`). Each with its first line
/// number.
fn logical_lines(text: &str, lines_before: usize) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut qp_open = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let continues_fold = (line.starts_with(' ') || line.starts_with('\t')) && !out.is_empty();
        if qp_open && !out.is_empty() {
            let last = out.last_mut().expect("not empty");
            last.1.pop(); // the soft-break '='
            last.1.push_str(line);
        } else if continues_fold {
            out.last_mut().expect("not empty").1.push_str(&line[1..]);
        } else {
            out.push((lines_before + i + 1, line.to_owned()));
        }
        let last = &out.last().expect("pushed").1;
        let head = last.split(':').next().unwrap_or_default().to_ascii_uppercase();
        qp_open = head.contains("QUOTED-PRINTABLE") && last.ends_with('=');
    }
    out
}

fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut esc = false;
    for c in s.chars() {
        if esc {
            let last = parts.last_mut().expect("one part");
            last.push('\\');
            last.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == sep {
            parts.push(String::new());
        } else {
            parts.last_mut().expect("one part").push(c);
        }
    }
    if esc {
        parts.last_mut().expect("one part").push('\\');
    }
    parts
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn qp_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Splits `NAME;P=V;P2=V2:value` (the name may carry a `group.` prefix; colons inside quoted
/// parameter values do not end the parameters).
fn parse_property(line: &str, number: usize) -> Result<Property, String> {
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon.ok_or_else(|| format!("line {number}: '{}' is not a property (NAME:value)", shorten(line)))?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut segs = split_params(head).into_iter();
    let name = segs.next().unwrap_or_default();
    let name = name.rsplit('.').next().unwrap_or_default().trim().to_ascii_uppercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!("line {number}: '{}' is not a property name", shorten(&name)));
    }
    let params = segs
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.to_owned()),
            // vCard 2.1: `TEL;WORK;VOICE:` and `;QUOTED-PRINTABLE` / `;BASE64` bare values.
            None => {
                let up = p.trim().to_ascii_uppercase();
                if matches!(up.as_str(), "QUOTED-PRINTABLE" | "BASE64" | "B" | "8BIT" | "7BIT") {
                    ("ENCODING".to_owned(), p.trim().to_owned())
                } else {
                    ("TYPE".to_owned(), p.trim().to_owned())
                }
            }
        })
        .collect();
    Ok(Property { name, params, value: value.to_owned(), line: number })
}

fn split_params(head: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut q = false;
    for c in head.chars() {
        match c {
            '"' => {
                q = !q;
                out.last_mut().expect("one").push(c);
            }
            ';' if !q => out.push(String::new()),
            _ => out.last_mut().expect("one").push(c),
        }
    }
    out
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Reads every card of a file. Cards that cannot be read are returned as errors with their
/// number and line; the others are read whatever happens around them.
pub fn parse(text: &str) -> (Vec<Card>, Vec<CardError>) {
    // A large file is read in two parts on two threads, cut between a card's END:VCARD and the
    // next card's BEGIN:VCARD, where reading starts afresh.
    if text.len() >= 4 * 1024 * 1024 {
        if let Some(read) = parse_in_two(text) {
            return read;
        }
    }
    let (cards, errors, _, _) = parse_part(text, 0, 0);
    (cards, errors)
}

/// [`parse`] in two parts on two threads; `None` if the file has no plain place to cut or the
/// first part did not read as expected (then it is read in one part).
fn parse_in_two(text: &str) -> Option<(Vec<Card>, Vec<CardError>)> {
    let cut = halfway(text)?;
    let (first, second) = text.split_at(cut);
    let lines = first.matches('\n').count();
    let begins = first.split('\n').filter(|l| is_begin(l)).count();
    let ((mut cards, mut errors, number, open), (more, more_errors, _, _)) = std::thread::scope(|scope| {
        let later = scope.spawn(|| parse_part(second, lines, begins));
        (parse_part(first, 0, 0), later.join().expect("reading cards does not panic"))
    });
    // The second part was numbered from the cards counted before the cut: checked here.
    if number != begins || open {
        return None;
    }
    cards.extend(more);
    errors.extend(more_errors);
    Some((cards, errors))
}

fn is_begin(line: &str) -> bool {
    !line.starts_with([' ', '\t']) && line.trim().eq_ignore_ascii_case("BEGIN:VCARD")
}

/// Where a line `BEGIN:VCARD` follows a line `END:VCARD`, from the middle of the text on.
fn halfway(text: &str) -> Option<usize> {
    let mut at = text.len() / 2;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    while let Some(nl) = text[at..].find('\n') {
        let start = at + nl + 1;
        let line = text[start..].split('\n').next().unwrap_or_default();
        let before = text[..at + nl].rsplit('\n').next().unwrap_or_default();
        if is_begin(line) && before.trim().eq_ignore_ascii_case("END:VCARD") {
            return Some(start);
        }
        at = start;
    }
    None
}

/// Reads the cards of a part of a file that starts outside any card, after `lines_before` lines
/// and `cards_before` cards; also gives the number of the last card begun, and whether the part
/// ends inside a card.
fn parse_part(text: &str, lines_before: usize, cards_before: usize) -> (Vec<Card>, Vec<CardError>, usize, bool) {
    let mut cards = Vec::new();
    let mut errors = Vec::new();
    let mut current: Option<(Card, Option<String>)> = None;
    let mut number = cards_before;
    for (line_no, line) in logical_lines(text, lines_before) {
        if line.trim().is_empty() {
            continue;
        }
        if line.len() > MAX_LINE {
            let n = current.as_ref().map(|(c, _)| c.number).unwrap_or(number + 1);
            errors.push(CardError { number: n, line: line_no, reason: format!("line {line_no} is longer than {} MB", MAX_LINE / 1_048_576) });
            if let Some((c, _)) = current.as_mut() {
                c.props.clear();
                current = Some((Card { number: c.number, line: c.line, version: None, props: Vec::new() }, Some("skip".into())));
            }
            continue;
        }
        let upper = line.trim().to_ascii_uppercase();
        if upper == "BEGIN:VCARD" {
            number += 1;
            if let Some((c, _)) = current.take() {
                errors.push(CardError { number: c.number, line: c.line, reason: format!("card {} (line {}) has no END:VCARD before the next card", c.number, c.line) });
            }
            current = Some((Card { number, line: line_no, version: None, props: Vec::new() }, None));
            continue;
        }
        if upper == "END:VCARD" {
            match current.take() {
                Some((c, None)) => cards.push(c),
                Some((_, Some(_))) => {} // already reported
                None => errors.push(CardError { number: 0, line: line_no, reason: format!("line {line_no}: END:VCARD without BEGIN:VCARD") }),
            }
            continue;
        }
        match current.as_mut() {
            None => {
                errors.push(CardError { number: 0, line: line_no, reason: format!("line {line_no}: '{}' is outside any card (BEGIN:VCARD … END:VCARD)", shorten(line.trim())) });
            }
            Some((_, Some(_))) => {}
            Some((card, failed)) => match parse_property(&line, line_no) {
                Ok(p) => {
                    if p.name == "VERSION" {
                        card.version = Some(p.value.trim().to_owned());
                    }
                    card.props.push(p);
                }
                Err(e) => {
                    errors.push(CardError { number: card.number, line: line_no, reason: e });
                    *failed = Some("bad".into());
                }
            },
        }
    }
    let open = current.is_some();
    if let Some((c, failed)) = current {
        if failed.is_none() {
            errors.push(CardError { number: c.number, line: c.line, reason: format!("card {} (line {}) is cut off: the file ends before END:VCARD", c.number, c.line) });
        }
    }
    (cards, errors, number, open)
}

// ---- writing -------------------------------------------------------------------------------------

/// Escapes a text value (RFC 6350 §3.4).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Escapes the value of a property kept as it was read (one of a file's that the app has no field
/// for): only backslashes and line breaks, which reading undoes, so that a structured value keeps
/// its `;` and `,` for the apps that know it.
pub fn escape_kept(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 character, with CRLF + space.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 74 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_read_in_two_parts_reads_as_in_one() {
        // Cards with errors on both sides of the middle, folded lines and letters of several bytes.
        let mut text = String::new();
        for i in 0..45_000 {
            match i % 997 {
                5 => text.push_str(&format!("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Cut{i};Zoë;;;\r\n")),
                7 => text.push_str("END:VCARD\r\n"),
                11 => text.push_str(&format!("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Bad{i};Ana;;;\r\nno colon here\r\nEND:VCARD\r\n")),
                _ => text.push_str(&format!("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller{i};Zoë;;;\r\nNOTE:a long note that is\r\n  folded over two lines, ünïcödé\r\nEND:VCARD\r\n")),
            }
        }
        assert!(text.len() >= 4 * 1024 * 1024);
        let (cards, errors) = parse_in_two(&text).expect("read in two parts");
        let (one_cards, one_errors, _, _) = parse_part(&text, 0, 0);
        assert!(errors.len() > 40, "{}", errors.len());
        assert_eq!(cards.len(), one_cards.len());
        assert!(cards == one_cards, "the cards differ");
        assert_eq!(errors, one_errors);
    }

    #[test]
    fn folded_escaped_and_quoted_printable_lines() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Dup\\;ont;Zo\\,ë;;;\r\nNOTE:line one\\nline\r\n  two\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Fran=E7ois;Ana=\nis\nTEL;WORK;VOICE:+1 555\nEND:VCARD\n";
        let (cards, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cards[0].first("N").unwrap().parts(), vec!["Dup;ont", "Zo,ë", "", "", ""]);
        assert_eq!(cards[0].first("NOTE").unwrap().text(), "line one\nline two");
        assert_eq!(cards[1].first("N").unwrap().parts(), vec!["François", "Anais"]);
        assert_eq!(cards[1].first("TEL").unwrap().param("TYPE"), vec!["work", "voice"]);
    }

    #[test]
    fn broken_cards_are_reported_and_the_rest_read() {
        let text = "BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:B\nEND:VCARD\nnonsense\nBEGIN:VCARD\nFN:C\n";
        let (cards, errors) = parse(text);
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].first("FN").unwrap().text(), "B");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].reason.contains("no END:VCARD"));
        assert!(errors[1].reason.contains("outside any card"));
        assert!(errors[2].reason.contains("cut off"));
    }

    #[test]
    fn folding_keeps_characters_whole() {
        let long = format!("NOTE:{}", "é".repeat(100));
        let folded = fold(&long);
        for l in folded.split("\r\n") {
            assert!(l.len() <= 75, "{}", l.len());
        }
        let (cards, _) = parse(&format!("BEGIN:VCARD\r\n{folded}END:VCARD\r\n"));
        assert_eq!(cards[0].first("NOTE").unwrap().text(), "é".repeat(100));
    }
}
