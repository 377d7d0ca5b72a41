//! Contacts from CSV: LinkedIn's `Connections.csv` (with the notes it writes above the header),
//! Google Contacts' export (both its current and older column names), and any spreadsheet, its
//! columns mapped from their headers (overridable).

use super::{Draft, Photo};
use serde_json::{json, Map, Value};

/// Which CSV dialect a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    LinkedIn,
    Google,
    Generic,
}

/// Where a header's values go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Column(&'static str),
    /// "Name" / "Full name": split into first and last.
    FullName,
    /// The contact's id (only a UUID is used).
    Id,
    /// Another email, with its label (`work`, `home`, …) when the header says.
    ExtraEmail(Option<&'static str>),
    /// Another phone, with its label when the header says.
    ExtraPhone(Option<&'static str>),
    Labels,
    Ignore,
    Metadata,
}

/// A header as it is matched: letters and digits only, without case or diacritics ("Prénom",
/// "PRENOM" and "prenom" are one header; "Straße" is "strasse").
fn norm(h: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    h.replace('ß', "ss").nfkd().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

/// The contact columns a mapping may name.
pub const COLUMNS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "linkedin_url",
    "bio",
    "avatar_url",
    "contact_type",
    "status",
    "priority",
    "business_type",
    "network_type",
    "industry",
    "notes",
    "lead_score",
];

/// Where a header goes when nobody said. The names are those of the mainstream exports (Google,
/// LinkedIn, Outlook desktop and Microsoft 365, Apple) and the usual headers of spreadsheets in
/// English, French, German, Spanish, Italian, Portuguese and Dutch (as localized Outlook and Excel
/// write them), matched without case or diacritics.
pub fn auto_target(header: &str, dialect: Dialect) -> Target {
    let n = norm(header);
    let col = |c: &'static str| Target::Column(c);
    match n.as_str() {
        "firstname" | "first" | "givenname" | "forename" | "prenom" | "vorname" | "nombre" | "nome" | "primeironome" | "voornaam" => col("first_name"),
        "lastname" | "last" | "surname" | "familyname" | "nom" | "nomdefamille" | "nachname" | "familienname" | "apellido" | "apellidos" | "cognome" | "sobrenome" | "apelido"
        | "ultimonome" | "achternaam" => col("last_name"),
        "name" | "fullname" | "displayname" | "contactname" | "nomcomplet" | "vollstandigername" | "nombrecompleto" | "nomecompleto" | "volledigenaam" => Target::FullName,
        "email"
        | "emailaddress"
        | "mail"
        | "email1value"
        | "emailaddress1"
        | "primaryemail"
        | "courriel"
        | "adressecourriel"
        | "adresseemail"
        | "adressedemessagerie"
        | "emailadresse"
        | "correo"
        | "correoelectronico"
        | "direcciondecorreo"
        | "postaelettronica"
        | "indirizzoemail"
        | "enderecodeemail"
        | "emailadres" => col("email"),
        "email2address" | "email3address" | "emailaddress2" | "emailaddress3" | "adressedemessagerie2" | "adressedemessagerie3" | "emailadresse2" | "emailadresse3" => {
            Target::ExtraEmail(None)
        }
        "phone" | "phonenumber" | "mobile" | "mobilephone" | "telephone" | "tel" | "phone1value" | "cell" | "primaryphone" | "telefon" | "telefono" | "telefone" | "telefoon"
        | "telephonemobile" | "portable" | "mobiltelefon" | "handy" | "movil" | "telefonomovil" | "celular" | "cellulare" | "telemovel" | "mobiel" | "mobieletelefoon" => {
            col("phone")
        }
        "businessphone"
        | "businessphone2"
        | "companymainphone"
        | "telephonebureau"
        | "telefongeschaftlich"
        | "telefonodeltrabajo"
        | "telefonoufficio"
        | "telefonecomercial"
        | "telefoonwerk" => Target::ExtraPhone(Some("work")),
        "homephone" | "homephone2" | "telephonedomicile" | "telefonprivat" | "telefonoparticular" | "telefonoabitazione" | "telefoneresidencial" | "telefoonthuis" => {
            Target::ExtraPhone(Some("home"))
        }
        "otherphone" | "carphone" | "autretelephone" | "weiteretelefon" | "otrotelefono" | "altrotelefono" | "outrotelefone" | "anderetelefoon" => {
            Target::ExtraPhone(Some("other"))
        }
        "company" | "organization" | "organisation" | "organizationname" | "organization1name" | "employer" | "companyname" | "firm" | "societe" | "entreprise" | "firma"
        | "unternehmen" | "empresa" | "azienda" | "societa" | "bedrijf" | "organisatie" => col("company"),
        "jobtitle" | "title" | "position" | "role" | "organizationtitle" | "organization1title" | "fonction" | "poste" | "berufsbezeichnung" | "cargo" | "puesto" | "ruolo"
        | "qualifica" | "posizione" | "functie" | "functietitel" => col("job_title"),
        "linkedin" | "linkedinurl" | "linkedinprofile" | "profileurl" => col("linkedin_url"),
        "url" if dialect == Dialect::LinkedIn => col("linkedin_url"),
        "notes" | "note" | "comments" | "comment" | "remarques" | "commentaires" | "notizen" | "bemerkungen" | "notas" | "notities" | "opmerkingen" => col("notes"),
        "industry" | "sector" | "secteur" | "branche" | "industria" => col("industry"),
        "contacttype" | "type" => col("contact_type"),
        "status" | "leadstatus" => col("status"),
        "priority" | "priorite" | "prioritat" | "prioridad" | "priorita" | "prioridade" | "prioriteit" => col("priority"),
        "leadscore" | "score" => col("lead_score"),
        "bio" | "about" => col("bio"),
        "avatarurl" | "photo" => col("avatar_url"),
        "businesstype" => col("business_type"),
        "networktype" => col("network_type"),
        "id" => Target::Id,
        "labels" | "groupmembership" | "categories" | "kategorien" | "categorias" | "categorie" | "categorieen" => Target::Labels,
        // Set by the store, not by a file (our own export writes them).
        "createdat" | "updatedat" | "lastinteraction" => Target::Ignore,
        _ if n.starts_with("email") && n.ends_with("value") => Target::ExtraEmail(None),
        _ if n.starts_with("phone") && n.ends_with("value") => Target::ExtraPhone(None),
        _ if n.ends_with("type") && (n.starts_with("email") || n.starts_with("phone")) => Target::Ignore,
        _ => Target::Metadata,
    }
}

/// A value of a list (emails, phones) and its label, if the file gave one.
type Labeled = (String, Option<&'static str>);

/// The label of a phone or email column from its header (`cell`, `work`, `home`), if it says.
fn label_of(header: &str) -> Option<&'static str> {
    let n = norm(header);
    if ["mobile", "portable", "handy", "movil", "cell", "mobiel", "telemovel"].iter().any(|k| n.contains(k)) {
        Some("cell")
    } else if ["business", "work", "bureau", "geschaft", "trabajo", "ufficio", "comercial", "werk"].iter().any(|k| n.contains(k)) {
        Some("work")
    } else if ["home", "domicile", "privat", "particular", "abitazione", "residencial", "thuis"].iter().any(|k| n.contains(k)) {
        Some("home")
    } else {
        None
    }
}

/// Targets of a whole header line: each header's, then what the set of headers says about one of
/// them. Outlook writes the honorific ("Ms.", "Dr.") as "Title" beside "Job Title": with a job
/// title column there, "Title" is kept as it is, in metadata.
fn targets(headers: &[String], dialect: Dialect, overrides: &[(String, Target)]) -> Vec<Target> {
    let mut t: Vec<Target> =
        headers.iter().map(|h| overrides.iter().find(|(o, _)| o.eq_ignore_ascii_case(h)).map(|(_, t)| t.clone()).unwrap_or_else(|| auto_target(h, dialect))).collect();
    let job_titles = headers.iter().zip(&t).filter(|(_, t)| **t == Target::Column("job_title")).count();
    if job_titles > 1 {
        for (h, t) in headers.iter().zip(t.iter_mut()) {
            if matches!(norm(h).as_str(), "title" | "titre" | "titel" | "titulo" | "titolo") && !overrides.iter().any(|(o, _)| o.eq_ignore_ascii_case(h)) {
                *t = Target::Metadata;
            }
        }
    }
    t
}

/// Parses a mapping override like `Surname=last_name,Firm=company,Fax=ignore`.
pub fn parse_mapping(spec: &str) -> crate::Result<Vec<(String, Target)>> {
    let mut out = Vec::new();
    for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (h, c) = pair.split_once('=').ok_or_else(|| crate::Error::invalid("map", "invalid_format", format!("'{pair}' is not HEADER=column")))?;
        let c = c.trim();
        let t = match c {
            "ignore" => Target::Ignore,
            "metadata" => Target::Metadata,
            "name" => Target::FullName,
            "id" => Target::Id,
            _ => Target::Column(COLUMNS.iter().find(|k| **k == c).copied().ok_or_else(|| {
                crate::Error::invalid("map", "invalid_choice", format!("'{c}' is not a contact column (one of: {}, name, id, ignore, metadata)", COLUMNS.join(", ")))
            })?),
        };
        out.push((h.trim().to_owned(), t));
    }
    Ok(out)
}

/// The delimiter of a CSV file, from its header line: comma, semicolon or tab.
fn sniff(line: &str) -> u8 {
    [b',', b';', b'\t'].into_iter().max_by_key(|d| line.matches(*d as char).count()).unwrap_or(b',')
}

/// Header cells that mark a header line.
const HEADER_KEYS: &[&str] = &["firstname", "lastname", "givenname", "familyname", "surname", "name", "fullname", "email", "emailaddress", "email1value", "company"];

/// The header line's index: LinkedIn puts notes above it; any file may start with blank lines.
fn header_index(lines: &[&str]) -> usize {
    for (i, l) in lines.iter().enumerate().take(50) {
        let d = sniff(l) as char;
        let cells: Vec<String> = l.split(d).map(norm).collect();
        if cells.len() >= 2 && cells.iter().filter(|c| HEADER_KEYS.contains(&c.as_str())).count() >= 1 {
            return i;
        }
    }
    lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0)
}

/// Which dialect a CSV text is.
pub fn detect(text: &str) -> Dialect {
    let lines: Vec<&str> = text.lines().take(60).collect();
    let h = lines.get(header_index(&lines)).map(|l| norm(l)).unwrap_or_default();
    if h.contains("connectedon") || (h.contains("firstname") && h.contains("url") && h.contains("position")) {
        Dialect::LinkedIn
    } else if h.contains("email1value")
        || h.contains("organization1name")
        || (h.contains("givenname") && h.contains("familyname"))
        || (h.contains("organizationname") && h.contains("phone1value"))
    {
        Dialect::Google
    } else {
        Dialect::Generic
    }
}

/// A row that could not be read.
pub struct RowError {
    pub location: String,
    pub reason: String,
}

/// Reads the drafts of a CSV text.
pub fn parse(text: &str, dialect: Dialect, overrides: &[(String, Target)]) -> crate::Result<(Vec<Draft>, Vec<RowError>)> {
    let lines: Vec<&str> = text.split('\n').collect();
    let start = header_index(&lines);
    let offset: usize = lines[..start].iter().map(|l| l.len() + 1).sum();
    let body = &text[offset.min(text.len())..];
    let delim = sniff(lines.get(start).copied().unwrap_or_default());
    let mut rdr = csv::ReaderBuilder::new().delimiter(delim).flexible(true).has_headers(true).from_reader(body.as_bytes());
    let headers: Vec<String> =
        rdr.headers().map_err(|e| crate::Error::invalid("file", "invalid_format", format!("the header line cannot be read: {e}")))?.iter().map(|h| h.trim().to_owned()).collect();
    let targets = targets(&headers, dialect, overrides);
    let readable = headers.iter().filter(|h| norm(h).len() >= 2).count();
    if readable < 2 {
        return Err(crate::Error::invalid("file", "not_contacts", "this is not a contacts file: its first lines have no column names (a CSV export or a vCard file is expected)"));
    }
    let names = targets.iter().any(|t| matches!(t, Target::Column("first_name" | "last_name" | "email" | "company") | Target::FullName));
    if !names {
        let shown: Vec<String> = headers.iter().take(8).map(|h| h.chars().take(40).collect()).collect();
        let more = if headers.len() > 8 { format!(" and {} more", headers.len() - 8) } else { String::new() };
        return Err(crate::Error::invalid(
            "file",
            "no_name_column",
            format!("no column holds names (headers: {}{more}); map one with --map 'Header=first_name,Other=last_name' or 'Header=name'", shown.join(", ")),
        ));
    }
    // The 1-based line of the file where a record starting at this byte of the body is.
    // (After a CRLF the reader may place a record at the LF before it: skip line ends first.)
    // Counted incrementally: records come in order.
    let (mut seen_byte, mut seen_lines) = (0usize, 0usize);
    let mut line_at = |byte: usize| {
        let b = body.as_bytes();
        let mut at = byte.min(b.len());
        while at < b.len() && (b[at] == b'\n' || b[at] == b'\r') {
            at += 1;
        }
        if at >= seen_byte {
            seen_lines += b[seen_byte..at].iter().filter(|c| **c == b'\n').count();
            seen_byte = at;
        }
        start + 1 + seen_lines
    };
    let mut drafts = Vec::new();
    let mut errors = Vec::new();
    let mut row_no = 0;
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                row_no += 1;
                let line = e.position().map(|p| line_at(p.byte() as usize)).unwrap_or(0);
                errors.push(RowError { location: format!("row {row_no} (line {line})"), reason: format!("unreadable: {e}") });
                continue;
            }
        }
        let line = rec.position().map(|p| line_at(p.byte() as usize)).unwrap_or(0);
        row_no += 1;
        if rec.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let location = format!("row {row_no} (line {line})");
        if rec.len() > headers.len() {
            errors.push(RowError { location, reason: format!("{} values for {} columns", rec.len(), headers.len()) });
            continue;
        }
        let mut fields = Map::new();
        let mut meta = Map::new();
        let (mut emails, mut phones): (Vec<Labeled>, Vec<Labeled>) = (Vec::new(), Vec::new());
        let mut id = None;
        for (i, v) in rec.iter().enumerate() {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match &targets[i] {
                Target::Column(c) => {
                    let value = if *c == "lead_score" { v.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(v.to_owned())) } else { Value::String(v.to_owned()) };
                    // Google writes several values in one cell as "a ::: b".
                    let value = match (&value, *c) {
                        (Value::String(s), "email" | "phone") if s.contains(" ::: ") => {
                            let mut parts = s.split(" ::: ");
                            let first = parts.next().unwrap_or_default().to_owned();
                            let rest: Vec<String> = parts.map(str::to_owned).collect();
                            if *c == "email" {
                                emails.extend(rest.into_iter().map(|r| (r, None)))
                            } else {
                                phones.extend(rest.into_iter().map(|r| (r, None)))
                            }
                            Value::String(first)
                        }
                        _ => value,
                    };
                    match (fields.get(*c), *c, &value) {
                        // A second email or phone column (Outlook's mobile beside its primary phone)
                        // joins the list, with its label.
                        (Some(_), "email", Value::String(s)) => emails.push((s.clone(), label_of(&headers[i]))),
                        (Some(_), "phone", Value::String(s)) => phones.push((s.clone(), label_of(&headers[i]))),
                        _ => {
                            fields.entry(c.to_string()).or_insert(value);
                        }
                    }
                }
                Target::FullName => {
                    let (f, l) = super::split_name(v);
                    fields.entry("first_name".to_string()).or_insert(Value::String(f));
                    fields.entry("last_name".to_string()).or_insert(Value::String(l));
                }
                Target::Id => id = uuid::Uuid::parse_str(v).ok(),
                Target::ExtraEmail(label) => emails.extend(v.split(" ::: ").map(|e| (e.to_owned(), *label))),
                Target::ExtraPhone(label) => phones.extend(v.split(" ::: ").map(|p| (p.to_owned(), *label))),
                Target::Labels => {
                    meta.insert("labels".into(), json!(v.split(" ::: ").map(|s| s.trim_start_matches("* ")).collect::<Vec<_>>()));
                }
                Target::Ignore => {}
                Target::Metadata => {
                    let m = meta.entry("csv").or_insert_with(|| json!({}));
                    m[headers[i].as_str()] = Value::String(v.to_owned());
                }
            }
        }
        if dialect == Dialect::LinkedIn {
            if let Some(Value::String(c)) = meta.get_mut("csv").and_then(|m| m.as_object_mut()).and_then(|m| m.remove("Connected On")) {
                meta.insert("linkedin_connected_on".into(), Value::String(c));
            }
            if meta.get("csv").and_then(Value::as_object).is_some_and(Map::is_empty) {
                meta.remove("csv");
            }
        }
        for (key, list) in [("email", &mut emails), ("phone", &mut phones)] {
            let primary = fields.get(key).and_then(Value::as_str).map(str::to_owned);
            list.retain(|(v, _)| !v.is_empty() && Some(v.as_str()) != primary.as_deref());
            if fields.get(key).is_none() && !list.is_empty() {
                fields.insert(key.into(), Value::String(list.remove(0).0));
            }
            if !list.is_empty() {
                let entries: Vec<Value> = list
                    .iter()
                    .map(|(v, label)| match label {
                        Some(l) => json!({ "value": v, "types": [l] }),
                        None => json!({ "value": v }),
                    })
                    .collect();
                meta.insert(format!("{key}s"), Value::Array(entries));
            }
        }
        drafts.push(Draft { location, id, fields, metadata: meta, photo: None::<Photo> });
    }
    Ok((drafts, errors))
}

/// Quotes a CSV field when needed.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_are_counted_from_the_top_of_the_file() {
        for text in ["Notes:\n\"long, text\"\n\nFirst Name,Last Name\nA,B\nC,D\n", "Notes:\r\n\"long, text\"\r\n\r\nFirst Name,Last Name\r\nA,B\r\nC,D\r\n"] {
            let (d, _) = super::parse(text, super::Dialect::LinkedIn, &[]).unwrap();
            assert_eq!(d.iter().map(|d| d.location.as_str()).collect::<Vec<_>>(), vec!["row 1 (line 5)", "row 2 (line 6)"]);
        }
    }
}
