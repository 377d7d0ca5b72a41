//! A person read from a scanned business card or a badge's QR code, as a capture draft for a
//! person to check: never saved unseen.
//!
//! This module reads *text*: what a QR code holds ([`from_qr_payload`]: vCard, MECARD, BIZCARD,
//! a web address, `mailto:`/`tel:`, or lines of plain text) and the lines OCR read off a printed
//! card ([`from_card_text`]). Turning an image into that text (QR decoding, OCR over Tesseract)
//! is `plugs-scan`'s work, kept out of the store so that the server never links an OCR engine.
//!
//! Every field comes with a confidence from 0 to 1: 1 for a field a QR code names, and for a
//! card the OCR engine's confidence in the line times how sure the rule that placed it is (an
//! email address is an email address; the name is a guess among the lines left). The window
//! marks the unsure ones for a look before saving.
//!
//! Card rules, in order: emails, LinkedIn profiles, web sites and phones are recognized by their
//! shape (with the labels cards print in English, French, German and Spanish: "Tel", "Tél.",
//! "Mobil", "Móvil", "Fax"…, a fax kept apart); the job title by its words ("Head of", "CEO",
//! "Directrice", "Geschäftsführer", "Ingeniero"…); the company by its legal form ("GmbH", "SAS",
//! "Inc.", "S.L."…) or by matching the email's domain; the name is the line that looks like one
//! (two to four capitalized words, no digits), the email's local part breaking ties, then the
//! largest print. Lines placed nowhere are returned as `other_lines`, and the whole text is kept
//! in `metadata.scan.text`.

use crate::error::{Error, Result};
use crate::interop::{draft_from_card, is_linkedin, model, split_name, vcard};
use crate::matching::fold;
use crate::repo::Record;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The field an error of this module names.
pub const FIELD: &str = "scan";

/// What a scan found: the form's pre-fill and how sure each field is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Scanned {
    /// `qr` or `ocr`.
    pub source: String,
    /// What the code or card held: `vcard`, `mecard`, `bizcard`, `url`, `email`, `phone`,
    /// `text` (a QR code of plain lines) or `card` (OCR).
    pub kind: String,
    /// The capture form's fields (`first_name`, `last_name`, `company`, `job_title`, `email`,
    /// `phone`, `linkedin_url`, `metadata` with the rest).
    #[ts(type = "{ [key in string]?: JsonValue }")]
    pub contact: Record,
    /// Each filled field with its confidence, in form order.
    pub fields: Vec<ScannedField>,
    /// Text lines that were read but placed in no field (an address, a slogan…).
    pub other_lines: Vec<String>,
    /// The text as read.
    pub text: String,
}

/// One field read, and how sure the reading is (0 to 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ScannedField {
    pub field: String,
    pub value: String,
    pub confidence: f32,
}

/// A line of text as OCR read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    /// 0 to 1.
    pub confidence: f32,
    /// The height of its letters in pixels (larger print is likelier a name or a company).
    pub height: u32,
}

impl Line {
    pub fn new(text: impl Into<String>, confidence: f32, height: u32) -> Line {
        Line { text: text.into(), confidence, height }
    }
}

/// Fields in the order the form shows them.
const ORDER: &[&str] = &["first_name", "last_name", "job_title", "company", "email", "phone", "linkedin_url", "website"];

fn not_a_contact(what: &str) -> Error {
    Error::invalid(FIELD, "not_a_contact", format!("the QR code holds {what}, not a contact (a vCard, a MECARD, or a web address)"))
}

/// A QR code's text as a capture draft.
pub fn from_qr_payload(payload: &str) -> Result<Scanned> {
    let p = payload.trim_start_matches('\u{feff}').trim();
    if p.is_empty() {
        return Err(not_a_contact("nothing"));
    }
    if p.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(not_a_contact("binary data"));
    }
    let upper: String = p.chars().take(12).collect::<String>().to_ascii_uppercase();
    let mut s = if upper.starts_with("BEGIN:VCARD") {
        let (cards, errors) = vcard::parse(p);
        let Some(card) = cards.first() else {
            let why = errors.first().map(|e| e.reason.clone()).unwrap_or_else(|| "no card".into());
            return Err(Error::invalid(FIELD, "bad_vcard", format!("the QR code's vCard cannot be read: {why}")));
        };
        let d = draft_from_card(card);
        let mut contact = d.fields;
        if !d.metadata.is_empty() {
            contact.insert("metadata".into(), Value::Object(d.metadata));
        }
        Scanned { source: "qr".into(), kind: "vcard".into(), contact, fields: vec![], other_lines: vec![], text: p.to_owned() }
    } else if upper.starts_with("MECARD:") {
        mecard(p)?
    } else if upper.starts_with("BIZCARD:") {
        bizcard(p)?
    } else if upper.starts_with("MAILTO:") {
        let addr = p[7..].split('?').next().unwrap_or_default().trim().to_owned();
        let email = clean_email(&addr).ok_or_else(|| Error::invalid(FIELD, "bad_email", format!("the QR code's email address '{}' is not one", short(&addr))))?;
        one("email", json!({ "email": email }), p)
    } else if upper.starts_with("TEL:") {
        let phone = model::phone_form(&p[4..]);
        if digits(&phone) < 5 {
            return Err(Error::invalid(FIELD, "bad_phone", format!("the QR code's phone number '{}' is too short", short(&p[4..]))));
        }
        one("phone", json!({ "phone": phone }), p)
    } else if let Some(u) = web_address(p).filter(|_| !p.contains(char::is_whitespace)) {
        if let Some(l) = linkedin(&u) {
            one("url", json!({ "linkedin_url": l }), p)
        } else {
            one("url", json!({ "metadata": { "urls": [{ "value": u }] } }), p)
        }
    } else if p.lines().count() >= 2 {
        let lines: Vec<Line> = p.lines().map(|l| Line::new(l, 1.0, 10)).collect();
        let mut s = from_card_text(&lines).map_err(|_| not_a_contact("text with no name, email or phone"))?;
        s.source = "qr".into();
        s.kind = "text".into();
        s
    } else {
        return Err(not_a_contact(&format!("the text '{}'", short(p))));
    };
    if s.fields.is_empty() {
        s.fields = fields_of(&s.contact, |_| 1.0);
    }
    if s.fields.is_empty() {
        return Err(not_a_contact("a card with no name, email or phone"));
    }
    keep_text(&mut s);
    Ok(s)
}

fn one(kind: &str, contact: Value, text: &str) -> Scanned {
    let Value::Object(contact) = contact else { unreachable!("an object") };
    Scanned { source: "qr".into(), kind: kind.into(), contact, fields: vec![], other_lines: vec![], text: text.to_owned() }
}

fn short(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

/// Splits at `sep` not escaped by a backslash, and unescapes.
fn split_escaped(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.last_mut().expect("one").push(n);
            }
        } else if c == sep {
            out.push(String::new());
        } else {
            out.last_mut().expect("one").push(c);
        }
    }
    out
}

/// `MECARD:N:Doe,Jane;TEL:+1…;EMAIL:…;ORG:…;TITLE:…;URL:…;NOTE:…;ADR:…;;` (DoCoMo's format;
/// ORG and TITLE are common additions).
fn mecard(p: &str) -> Result<Scanned> {
    let mut c = Map::new();
    let mut meta = Map::new();
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let mut urls = Vec::new();
    for part in split_escaped(&p[7..], ';') {
        let Some((k, v)) = part.split_once(':') else { continue };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match k.trim().to_ascii_uppercase().as_str() {
            "N" => {
                let (first, last) = match v.split_once(',') {
                    Some((last, first)) => (first.trim().to_owned(), last.trim().to_owned()),
                    None => split_name(v),
                };
                put(&mut c, "first_name", first);
                put(&mut c, "last_name", last);
            }
            "TEL" | "TEL-AV" => phones.push(model::phone_form(v)),
            "EMAIL" => emails.push(v.to_owned()),
            "ORG" => put(&mut c, "company", v.to_owned()),
            "TITLE" => put(&mut c, "job_title", v.to_owned()),
            "NOTE" => put(&mut c, "notes", v.to_owned()),
            "URL" => urls.push(v.to_owned()),
            "NICKNAME" => {
                meta.insert("nickname".into(), json!(v));
            }
            "BDAY" => {
                meta.insert("birthday".into(), json!(v));
            }
            "ADR" => {
                meta.insert("addresses".into(), json!([{ "street": v }]));
            }
            _ => {}
        }
    }
    Ok(finish_lists(c, meta, phones, emails, urls, "mecard", p))
}

/// `BIZCARD:N:Jane;X:Doe;T:title;C:company;A:address;B:phone;E:email;;`.
fn bizcard(p: &str) -> Result<Scanned> {
    let mut c = Map::new();
    let mut meta = Map::new();
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    for part in split_escaped(&p[8..], ';') {
        let Some((k, v)) = part.split_once(':') else { continue };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match k.trim().to_ascii_uppercase().as_str() {
            "N" => put(&mut c, "first_name", v.to_owned()),
            "X" => put(&mut c, "last_name", v.to_owned()),
            "T" => put(&mut c, "job_title", v.to_owned()),
            "C" => put(&mut c, "company", v.to_owned()),
            "B" | "M" => phones.push(model::phone_form(v)),
            "E" => emails.push(v.to_owned()),
            "A" => {
                meta.insert("addresses".into(), json!([{ "street": v }]));
            }
            _ => {}
        }
    }
    Ok(finish_lists(c, meta, phones, emails, vec![], "bizcard", p))
}

fn finish_lists(mut c: Map<String, Value>, mut meta: Map<String, Value>, phones: Vec<String>, emails: Vec<String>, urls: Vec<String>, kind: &str, p: &str) -> Scanned {
    for (key, list) in [("phone", phones), ("email", emails)] {
        let mut rest = Vec::new();
        for v in list {
            if c.contains_key(key) {
                rest.push(json!({ "value": v }));
            } else {
                c.insert(key.into(), json!(v));
            }
        }
        if !rest.is_empty() {
            meta.insert(format!("{key}s"), Value::Array(rest));
        }
    }
    let mut others = Vec::new();
    for u in urls {
        match linkedin(&u) {
            Some(l) if !c.contains_key("linkedin_url") => {
                c.insert("linkedin_url".into(), json!(l));
            }
            _ => others.push(json!({ "value": u })),
        }
    }
    if !others.is_empty() {
        meta.insert("urls".into(), Value::Array(others));
    }
    if !meta.is_empty() {
        c.insert("metadata".into(), Value::Object(meta));
    }
    Scanned { source: "qr".into(), kind: kind.into(), contact: c, fields: vec![], other_lines: vec![], text: p.to_owned() }
}

fn put(c: &mut Map<String, Value>, k: &str, v: String) {
    let v = v.trim();
    if !v.is_empty() {
        c.entry(k.to_owned()).or_insert_with(|| Value::String(v.to_owned()));
    }
}

/// The form's fields of a draft with their confidence, in form order (`website`: the first of
/// `metadata.urls`).
fn fields_of(c: &Record, conf: impl Fn(&str) -> f32) -> Vec<ScannedField> {
    let mut out = Vec::new();
    for k in ORDER {
        let v = if *k == "website" {
            c.get("metadata").and_then(|m| m.get("urls")).and_then(|u| u.get(0)).and_then(|u| u.get("value")).and_then(Value::as_str)
        } else {
            c.get(*k).and_then(Value::as_str)
        };
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            out.push(ScannedField { field: (*k).into(), value: v.to_owned(), confidence: conf(k) });
        }
    }
    out
}

fn keep_text(s: &mut Scanned) {
    let meta = s.contact.entry("metadata").or_insert_with(|| json!({}));
    if let Value::Object(m) = meta {
        m.insert("scan".into(), json!({ "source": s.source, "kind": s.kind, "text": s.text }));
    }
}

fn digits(s: &str) -> usize {
    s.chars().filter(char::is_ascii_digit).count()
}

/// A web address in its full form, when `s` is one (`www.x.com`, `https://…`, `x.io/path`).
fn web_address(s: &str) -> Option<String> {
    let t = s.trim().trim_end_matches(['.', ',', ';']);
    let lower = t.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    if t.contains('@') || t.contains(char::is_whitespace) || rest.is_empty() {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or_default();
    let ok = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic());
    if !ok {
        return None;
    }
    let has_scheme = lower.starts_with("http://") || lower.starts_with("https://");
    if !has_scheme && !lower.starts_with("www.") && !lower.contains("linkedin") && !KNOWN_TLDS.contains(&tld) {
        return None;
    }
    Some(if has_scheme { t.to_owned() } else { format!("https://{t}") })
}

const KNOWN_TLDS: &[&str] = &["com", "io", "net", "org", "co", "ai", "app", "dev", "fr", "de", "es", "eu", "uk", "ch", "be", "nl", "it", "test", "tech", "biz", "info"];

/// A LinkedIn profile address in its one form (`https://www.linkedin.com/in/slug`).
fn linkedin(u: &str) -> Option<String> {
    if !is_linkedin(u) {
        return None;
    }
    let lower = u.to_ascii_lowercase();
    let at = lower.find("linkedin.com")?;
    let path = &u[at + "linkedin.com".len()..];
    let path = path.trim_start_matches('/');
    let (kind, rest) = path.split_once('/')?;
    let slug: String = rest.split(['/', '?', '#']).next().unwrap_or_default().to_owned();
    if slug.is_empty() || !matches!(kind.to_ascii_lowercase().as_str(), "in" | "company" | "pub") {
        return None;
    }
    Some(format!("https://www.linkedin.com/{}/{slug}", kind.to_ascii_lowercase()))
}

fn clean_email(s: &str) -> Option<String> {
    let s = s.trim().trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let (local, domain) = s.split_once('@')?;
    if local.is_empty() || !domain.contains('.') || domain.ends_with('.') {
        return None;
    }
    s.parse::<email_address::EmailAddress>().ok().map(|_| s)
}

// --- Cards --------------------------------------------------------------------------------

/// Labels printed before a phone number; `true`: a fax.
const PHONE_LABELS: &[(&str, bool)] = &[
    ("telephone", false),
    ("téléphone", false),
    ("telefono", false),
    ("teléfono", false),
    ("telefon", false),
    ("phone", false),
    ("mobile", false),
    ("mobil", false),
    ("móvil", false),
    ("movil", false),
    ("portable", false),
    ("handy", false),
    ("cell", false),
    ("office", false),
    ("direct", false),
    ("tél", false),
    ("tel", false),
    ("tfno", false),
    ("mob", false),
    ("fax", true),
    ("ph", false),
    ("t", false),
    ("m", false),
    ("p", false),
    ("o", false),
    ("d", false),
    ("f", true),
];

/// Words of job titles (folded: lower case, no accents), in English, French, German and Spanish.
const TITLE_WORDS: &[&str] = &[
    "ceo",
    "cto",
    "cfo",
    "coo",
    "cmo",
    "cio",
    "vp",
    "svp",
    "evp",
    "founder",
    "co-founder",
    "cofounder",
    "president",
    "director",
    "manager",
    "head",
    "engineer",
    "developer",
    "designer",
    "consultant",
    "officer",
    "lead",
    "partner",
    "analyst",
    "architect",
    "specialist",
    "executive",
    "associate",
    "assistant",
    "advisor",
    "adviser",
    "scientist",
    "researcher",
    "coordinator",
    "representative",
    "owner",
    "chief",
    "principal",
    "producer",
    "strategist",
    "recruiter",
    "account",
    "sales",
    "marketing",
    "product",
    "operations",
    "directeur",
    "directrice",
    "ingenieur",
    "ingenieure",
    "responsable",
    "chef",
    "fondateur",
    "fondatrice",
    "gerant",
    "gerante",
    "charge",
    "chargee",
    "commercial",
    "commerciale",
    "conseiller",
    "conseillere",
    "developpeur",
    "developpeuse",
    "geschaftsfuhrer",
    "geschaftsfuhrerin",
    "leiter",
    "leiterin",
    "berater",
    "beraterin",
    "entwickler",
    "entwicklerin",
    "vertrieb",
    "grunder",
    "grunderin",
    "vorstand",
    "referent",
    "referentin",
    "gerente",
    "director",
    "directora",
    "ingeniero",
    "ingeniera",
    "jefe",
    "jefa",
    "desarrollador",
    "desarrolladora",
    "fundador",
    "fundadora",
    "asesor",
    "asesora",
    "responsable",
    "comercial",
    "presidente",
    "socio",
    "socia",
    "abogado",
    "abogada",
];

/// Legal forms: a line with one names a company, whatever else it says (folded).
const LEGAL_FORMS: &[&str] =
    &["inc", "ltd", "llc", "llp", "plc", "corp", "corporation", "gmbh", "ag", "kg", "sas", "sarl", "bv", "nv", "oy", "srl", "spa", "sa", "sl", "se", "ab", "pty", "kk"];

/// Words common in company names but also in job titles ("Software", "Marketing"): they name a
/// company only on a line with no title word (folded).
const COMPANY_WORDS: &[&str] = &[
    "co",
    "company",
    "group",
    "groupe",
    "gruppe",
    "grupo",
    "labs",
    "lab",
    "technologies",
    "technology",
    "tecnologias",
    "systems",
    "solutions",
    "studio",
    "studios",
    "partners",
    "ventures",
    "capital",
    "consulting",
    "software",
    "robotics",
    "networks",
    "holdings",
    "industries",
    "agency",
    "media",
    "analytics",
    "foundation",
    "university",
    "universite",
    "universidad",
    "universitat",
    "institute",
    "bank",
    "hospital",
    "associates",
    "atelier",
];

/// Free mail providers: their domain names no company.
const FREE_MAIL: &[&str] = &["gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "icloud", "me", "gmx", "web", "orange", "free", "proton", "protonmail", "aol", "mail"];

fn words_folded(s: &str) -> Vec<String> {
    fold(s).split(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '/' || c == '&' || c == '(' || c == ')').filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

fn has_word(s: &str, list: &[&str]) -> bool {
    words_folded(s).iter().any(|w| list.contains(&w.as_str()) || list.contains(&w.trim_end_matches('.')))
}

fn looks_like_title(s: &str) -> bool {
    has_word(s, TITLE_WORDS) || fold(s).contains("head of")
}

fn looks_like_company(s: &str) -> bool {
    has_word(s, LEGAL_FORMS) || has_word(s, COMPANY_WORDS) && !looks_like_title(s)
}

/// How much a line looks like a person's name (0: not at all).
fn name_shape(s: &str) -> f32 {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() > 4 || s.chars().any(|c| c.is_ascii_digit() || "@/:+&|".contains(c)) {
        return 0.0;
    }
    let ok = words.iter().all(|w| {
        let w = w.trim_end_matches(',');
        let first = w.chars().next().unwrap_or(' ');
        first.is_uppercase() && w.chars().all(|c| c.is_alphabetic() || "-'’.".contains(c))
    });
    if !ok {
        return 0.0;
    }
    match words.len() {
        2 | 3 => 1.0,
        4 => 0.7,
        _ => 0.5,
    }
}

/// "JANE DOE" → "Jane Doe"; mixed case is kept ("McDonald").
fn name_case(s: &str) -> String {
    if s.chars().any(char::is_lowercase) {
        return s.to_owned();
    }
    s.split(' ')
        .map(|w| {
            let mut out = String::new();
            let mut start = true;
            for c in w.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                start = "-'’".contains(c);
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The phone on a line (its label removed), and whether it is a fax.
fn phone_of(line: &str) -> Option<(String, bool, String)> {
    let mut rest = line.trim();
    let mut fax = false;
    let mut label = String::new();
    let folded = fold(rest);
    for (l, is_fax) in PHONE_LABELS {
        if let Some(after) = folded.strip_prefix(&fold(l)) {
            let next = after.chars().next();
            if next.is_none_or(|c| !c.is_alphabetic()) {
                fax = *is_fax;
                label = (*l).to_owned();
                let cut = rest.char_indices().nth(l.chars().count()).map(|(i, _)| i).unwrap_or(rest.len());
                rest = rest[cut..].trim_start_matches(['.', ':', ' ', '|']);
                break;
            }
        }
    }
    // OCR reads a zero as "O" and a one as "l" now and then: between digits they are digits.
    let chars: Vec<char> = rest.chars().collect();
    let mut fixed = String::new();
    for (i, c) in chars.iter().enumerate() {
        let near_digit = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|c| c.is_ascii_digit());
        let between = near_digit(i.checked_sub(1)) || near_digit(Some(i + 1));
        fixed.push(match c {
            'O' | 'o' if between => '0',
            'l' | 'I' | '|' if between => '1',
            _ => *c,
        });
    }
    let allowed = |c: char| c.is_ascii_digit() || "+()-. /".contains(c);
    let start = fixed.find(|c: char| c.is_ascii_digit() || c == '+')?;
    let body: String = fixed[start..].chars().take_while(|c| allowed(*c)).collect();
    let tail = &fixed[start + body.len()..];
    let n = digits(&body);
    if !(7..=15).contains(&n) || fixed[..start].chars().any(char::is_alphanumeric) {
        return None;
    }
    // What follows may only be an extension.
    let tail_l = tail.trim().to_lowercase();
    let ext = ["ext.", "ext", "x", "poste", "durchwahl", "dw"].iter().find_map(|p| tail_l.strip_prefix(p)).map(|e| e.trim().trim_start_matches(['.', ':']).trim().to_owned());
    let value = match ext.filter(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())) {
        Some(e) => format!("{} x{e}", body.trim()),
        None if tail_l.chars().any(char::is_alphanumeric) => return None,
        None => body.trim().to_owned(),
    };
    Some((model::phone_form(&value), fax, label))
}

/// Words printed before an email address.
const EMAIL_LABELS: &[&str] = &["e", "email", "e-mail", "mail", "courriel", "correo", "contact"];

/// What sort of contact detail a line is, if any.
enum Detail {
    Email(String),
    Linkedin(String),
    Web(String),
    Phone(String, bool, String),
}

fn details_of(line: &str) -> Vec<Detail> {
    let mut out = Vec::new();
    // OCR spaces around "@" and the "(at)" some cards print.
    let joined = line.replace(" @ ", "@").replace("@ ", "@").replace(" @", "@").replace("(at)", "@").replace("[at]", "@");
    // Wide print makes OCR cut an address ("car la@kestrel.io"): lower-case pieces just before
    // the part with "@" belong to it.
    let mut words: Vec<String> = Vec::new();
    for w in joined.split_whitespace() {
        if w.contains('@') && !w.starts_with('@') {
            let mut w = w.to_owned();
            while let Some(prev) = words.last() {
                let piece = prev.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
                if !piece || EMAIL_LABELS.contains(&prev.as_str()) {
                    break;
                }
                w = format!("{prev}{w}");
                words.pop();
            }
            words.push(w);
        } else {
            words.push(w.to_owned());
        }
    }
    let mut rest_words = Vec::new();
    for w in &words {
        let w = w.as_str();
        let bare = w.trim_start_matches(['<', '(']);
        let lw = bare.to_lowercase();
        let bare = ["e-mail:", "email:", "mail:", "courriel:", "e:", "web:", "w:", "url:"].iter().find_map(|p| lw.strip_prefix(p).map(|_| &bare[p.len()..])).unwrap_or(bare);
        if bare.contains('@') {
            if let Some(e) = clean_email(bare) {
                out.push(Detail::Email(e));
                continue;
            }
        }
        if let Some(u) = web_address(bare) {
            match linkedin(&u) {
                Some(l) => out.push(Detail::Linkedin(l)),
                None => out.push(Detail::Web(u)),
            }
            continue;
        }
        rest_words.push(w);
    }
    let rest = rest_words.join(" ");
    let rest_folded = fold(&rest);
    // "linkedin.com/in/x" split by a space, or "in/jane-doe" after a LinkedIn label.
    if out.is_empty() && rest_folded.contains("linkedin") {
        let compact: String = rest.split_whitespace().collect();
        if let Some(l) = linkedin(&compact) {
            out.push(Detail::Linkedin(l));
            return out;
        }
    }
    if let Some((p, fax, label)) = phone_of(&rest) {
        out.push(Detail::Phone(p, fax, label));
    } else if rest.contains(['|', '·', '•']) {
        for part in rest.split(['|', '·', '•']) {
            if let Some((p, fax, label)) = phone_of(part) {
                out.push(Detail::Phone(p, fax, label));
            }
        }
    }
    out
}

/// The lines OCR read off a card as a capture draft.
pub fn from_card_text(lines: &[Line]) -> Result<Scanned> {
    let lines: Vec<Line> = lines
        .iter()
        .map(|l| {
            let mut text = l.text.split_whitespace().collect::<Vec<_>>().join(" ");
            // OCR reads an ampersand as a euro sign now and then; with no amount beside it, it is one.
            if !text.chars().any(|c| c.is_ascii_digit()) {
                text = text.replace(" € ", " & ");
            }
            Line { text, ..l.clone() }
        })
        .filter(|l| l.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .collect();
    let text = lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
    let mut c = Map::new();
    let mut meta = Map::new();
    let mut conf: Map<String, Value> = Map::new();
    let set = |c: &mut Map<String, Value>, conf: &mut Map<String, Value>, k: &str, v: String, p: f32| {
        if !c.contains_key(k) && !v.trim().is_empty() {
            c.insert(k.into(), json!(v.trim()));
            conf.insert(k.into(), json!(p.clamp(0.0, 1.0)));
        }
    };
    let (mut emails, mut phones, mut urls) = (Vec::new(), Vec::new(), Vec::new());
    let mut free: Vec<&Line> = Vec::new();
    for l in &lines {
        let ds = details_of(&l.text);
        if ds.is_empty() {
            free.push(l);
            continue;
        }
        for d in ds {
            match d {
                Detail::Email(e) if !c.contains_key("email") => set(&mut c, &mut conf, "email", e, l.confidence),
                Detail::Email(e) => emails.push(json!({ "value": e })),
                Detail::Linkedin(u) => set(&mut c, &mut conf, "linkedin_url", u, l.confidence),
                Detail::Web(u) => {
                    if urls.is_empty() {
                        conf.insert("website".into(), json!(l.confidence * 0.95));
                    }
                    urls.push(json!({ "value": u }));
                }
                Detail::Phone(p, fax, label) => {
                    let mobile = ["mobile", "mobil", "móvil", "movil", "portable", "handy", "cell", "mob", "m"].contains(&label.as_str());
                    let types: Vec<&str> = if fax {
                        vec!["fax"]
                    } else if mobile {
                        vec!["cell"]
                    } else {
                        vec![]
                    };
                    if !fax && !c.contains_key("phone") {
                        set(&mut c, &mut conf, "phone", p, l.confidence * 0.95);
                        if !types.is_empty() {
                            meta.insert("phone_types".into(), json!(types));
                        }
                    } else {
                        let mut item = json!({ "value": p });
                        if !types.is_empty() {
                            item["types"] = json!(types);
                        }
                        phones.push(item);
                    }
                }
            }
        }
    }
    // Title and company by their words.
    let mut placed = vec![false; free.len()];
    for (i, l) in free.iter().enumerate() {
        if !c.contains_key("job_title") && looks_like_title(&l.text) && !has_word(&l.text, LEGAL_FORMS) {
            set(&mut c, &mut conf, "job_title", l.text.clone(), l.confidence * 0.9);
            placed[i] = true;
        }
    }
    for (i, l) in free.iter().enumerate() {
        if !placed[i] && looks_like_company(&l.text) && !c.contains_key("company") {
            set(&mut c, &mut conf, "company", l.text.clone(), l.confidence * 0.9);
            placed[i] = true;
        }
    }
    // The email's domain names the company ("nimbus-robotics.com" → "Nimbus Robotics").
    let domain_label = c.get("email").and_then(Value::as_str).and_then(|e| e.split_once('@')).map(|(_, d)| {
        let labels: Vec<&str> = d.split('.').collect();
        labels[labels.len().saturating_sub(2)].replace('-', "")
    });
    let domain_label = domain_label.filter(|d| !FREE_MAIL.contains(&d.as_str()) && d.len() >= 3);
    if !c.contains_key("company") {
        if let Some(d) = &domain_label {
            for (i, l) in free.iter().enumerate() {
                let squeezed: String = fold(&l.text).chars().filter(|c| c.is_alphanumeric()).collect();
                if !placed[i] && squeezed.len() >= 3 && (squeezed.contains(d.as_str()) || d.contains(&squeezed)) {
                    set(&mut c, &mut conf, "company", l.text.clone(), l.confidence * 0.85);
                    placed[i] = true;
                    break;
                }
            }
        }
    }
    // The name: a line shaped like one; the email's local part, then the largest print, decide.
    let local = c.get("email").and_then(Value::as_str).and_then(|e| e.split_once('@')).map(|(l, _)| fold(l));
    let max_h = free.iter().map(|l| l.height).max().unwrap_or(1).max(1) as f32;
    let mut best: Option<(usize, f32)> = None;
    for (i, l) in free.iter().enumerate() {
        let shape = name_shape(&l.text);
        if placed[i] || shape == 0.0 {
            continue;
        }
        let words = words_folded(&l.text);
        let in_local = local.as_ref().is_some_and(|loc| words.iter().any(|w| w.len() >= 2 && loc.contains(w.as_str())));
        let score = shape + if in_local { 1.0 } else { 0.0 } + 0.5 * l.height as f32 / max_h - 0.02 * i as f32;
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    // One word alone is a name only beside something that says this is a card (an email, a
    // phone, a company); otherwise it is likelier a speck read as letters.
    let evidence = c.contains_key("email") || c.contains_key("phone") || c.contains_key("company") || c.contains_key("linkedin_url");
    let best = best.filter(|(i, _)| free[*i].text.split_whitespace().count() > 1 || evidence && free[*i].text.chars().count() >= 3);
    if let Some((i, score)) = best {
        let l = free[i];
        let name = name_case(&l.text);
        let (first, last) = split_name(&name);
        let sure = if score >= 2.0 {
            0.95
        } else if score >= 1.4 {
            0.8
        } else {
            0.6
        };
        set(&mut c, &mut conf, "first_name", first, l.confidence * sure);
        if !last.is_empty() {
            set(&mut c, &mut conf, "last_name", last, l.confidence * sure);
        }
        placed[i] = true;
    }
    // A company not found by its words: the largest line left with no digits (a logo's name).
    if !c.contains_key("company") {
        let pick = free
            .iter()
            .enumerate()
            .filter(|(i, l)| !placed[*i] && !l.text.chars().any(|c| c.is_ascii_digit()) && l.text.chars().count() <= 40)
            .max_by_key(|(i, l)| (l.height, std::cmp::Reverse(*i)));
        if let Some((i, l)) = pick {
            set(&mut c, &mut conf, "company", l.text.clone(), l.confidence * 0.5);
            placed[i] = true;
        }
    }
    if !c.contains_key("job_title") {
        if let Some((i, l)) = free.iter().enumerate().find(|(i, l)| !placed[*i] && looks_like_title(&l.text)) {
            set(&mut c, &mut conf, "job_title", l.text.clone(), l.confidence * 0.7);
            placed[i] = true;
        }
    }
    let other_lines: Vec<String> = free.iter().enumerate().filter(|(i, _)| !placed[*i]).map(|(_, l)| l.text.clone()).collect();
    for (k, list) in [("emails", emails), ("phones", phones), ("urls", urls)] {
        if !list.is_empty() {
            meta.insert(k.into(), Value::Array(list));
        }
    }
    if !meta.is_empty() {
        c.insert("metadata".into(), Value::Object(meta));
    }
    let fields = fields_of(&c, |k| conf.get(k).and_then(Value::as_f64).map(|f| (f * 100.0).round() as f32 / 100.0).unwrap_or(0.5));
    if !fields.iter().any(|f| matches!(f.field.as_str(), "first_name" | "last_name" | "email" | "phone" | "linkedin_url")) {
        return Err(Error::invalid(FIELD, "no_person", "no name, email or phone could be read on this card; type them in, or try a sharper, straighter photo"));
    }
    let mut s = Scanned { source: "ocr".into(), kind: "card".into(), contact: c, fields, other_lines, text };
    keep_text(&mut s);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(s: &'a Scanned, k: &str) -> &'a str {
        s.contact.get(k).and_then(Value::as_str).unwrap_or_default()
    }

    #[test]
    fn qr_payloads() {
        let v = from_qr_payload("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada\r\nFN:Ada Lovelace\r\nORG:Analytical\r\nEMAIL:ada@an.test\r\nEND:VCARD").unwrap();
        assert_eq!((v.kind.as_str(), get(&v, "first_name"), get(&v, "last_name"), get(&v, "company")), ("vcard", "Ada", "Lovelace", "Analytical"));
        assert!(v.fields.iter().all(|f| f.confidence == 1.0));
        let m = from_qr_payload(r"MECARD:N:Tanaka,Carla;TEL:+81 3 1234 5678;EMAIL:carla@kestrel.test;ORG:Kestrel\; Co;URL:https://linkedin.com/in/carlat;;").unwrap();
        assert_eq!((get(&m, "first_name"), get(&m, "last_name"), get(&m, "company")), ("Carla", "Tanaka", "Kestrel; Co"));
        assert_eq!(get(&m, "linkedin_url"), "https://www.linkedin.com/in/carlat");
        let b = from_qr_payload("BIZCARD:N:Sean;X:Owen;T:Software Engineer;C:Google;B:+12125551212;E:sean@g.test;;").unwrap();
        assert_eq!((get(&b, "first_name"), get(&b, "job_title"), get(&b, "email")), ("Sean", "Software Engineer", "sean@g.test"));
        let l = from_qr_payload("https://www.linkedin.com/in/jun-nimbus/?trk=qr").unwrap();
        assert_eq!(get(&l, "linkedin_url"), "https://www.linkedin.com/in/jun-nimbus");
        let w = from_qr_payload("https://nimbus.test/people/jun").unwrap();
        assert_eq!(w.fields[0].field, "website");
        assert_eq!(get(&from_qr_payload("mailto:Jun@Nimbus.test").unwrap(), "email"), "jun@nimbus.test");
        let t = from_qr_payload("Jun Park\nNimbus Robotics\njun@nimbus.test").unwrap();
        assert_eq!((t.kind.as_str(), get(&t, "first_name"), get(&t, "company")), ("text", "Jun", "Nimbus Robotics"));
        for bad in ["", "hello world", "\u{1}\u{2}binary", "BEGIN:VCARD\nEND:VCARD", "MECARD:;;", "tel:12", "mailto:nobody"] {
            let e = from_qr_payload(bad).unwrap_err().to_string();
            assert!(e.contains("scan") || e.contains("QR"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn a_card_in_lines() {
        let lines = vec![
            Line::new("NIMBUS ROBOTICS", 0.9, 40),
            Line::new("Jun Park-Hoffmann", 0.92, 30),
            Line::new("Head of Partnerships", 0.9, 18),
            Line::new("Tél. : +33 1 42 68 53 00", 0.88, 14),
            Line::new("Mobile +33 6 12 34 56 78", 0.88, 14),
            Line::new("Fax +33 1 42 68 53 01", 0.88, 14),
            Line::new("jun.park @nimbus-robotics.com", 0.85, 14),
            Line::new("www.nimbus-robotics.com", 0.9, 14),
            Line::new("linkedin.com/in/junpark", 0.9, 14),
            Line::new("12 rue de la Paix, 75002 Paris", 0.8, 14),
        ];
        let s = from_card_text(&lines).unwrap();
        assert_eq!(get(&s, "first_name"), "Jun");
        assert_eq!(get(&s, "last_name"), "Park-Hoffmann");
        assert_eq!(get(&s, "company"), "NIMBUS ROBOTICS");
        assert_eq!(get(&s, "job_title"), "Head of Partnerships");
        assert_eq!(get(&s, "email"), "jun.park@nimbus-robotics.com");
        assert_eq!(get(&s, "phone"), model::phone_form("+33 1 42 68 53 00"));
        assert_eq!(get(&s, "linkedin_url"), "https://www.linkedin.com/in/junpark");
        let meta = &s.contact["metadata"];
        assert_eq!(meta["urls"][0]["value"], "https://www.nimbus-robotics.com");
        assert_eq!(meta["phones"][0]["types"][0], "cell");
        assert_eq!(meta["phones"][1]["types"][0], "fax");
        assert_eq!(s.other_lines, vec!["12 rue de la Paix, 75002 Paris".to_owned()]);
        assert!(s.fields.iter().all(|f| f.confidence > 0.0 && f.confidence <= 1.0));
        assert!(meta["scan"]["text"].as_str().unwrap().contains("Head of Partnerships"));
    }

    #[test]
    fn a_card_with_no_person_is_refused_in_words() {
        let e = from_card_text(&[Line::new("Welcome to the booth", 0.9, 20)]).unwrap_err();
        assert!(e.to_string().contains("no name, email or phone"), "{e}");
        assert!(from_card_text(&[]).is_err());
    }

    #[test]
    fn all_caps_names_and_german_titles() {
        let s = from_card_text(&[
            Line::new("GRÜN & SÖHNE GmbH", 0.9, 30),
            Line::new("MARIA GONZÁLEZ", 0.9, 28),
            Line::new("Geschäftsführerin", 0.9, 16),
            Line::new("Telefon 030 1234567", 0.9, 14),
        ])
        .unwrap();
        assert_eq!((get(&s, "first_name"), get(&s, "last_name")), ("Maria", "González"));
        assert_eq!(get(&s, "company"), "GRÜN & SÖHNE GmbH");
        assert_eq!(get(&s, "job_title"), "Geschäftsführerin");
        assert_eq!(get(&s, "phone"), model::phone_form("030 1234567"));
    }
}
