//! Contacts from CSV: LinkedIn's `Connections.csv` (with the notes it writes above the header),
//! Google Contacts' export (both its current and older column names, each email, phone and
//! address with its label), Outlook's (its business, home and other phones and addresses), our own
//! export (every part of a contact, see [`super::model`]), and any spreadsheet, its columns mapped
//! from their headers (overridable).

use super::model::{self, Address, Item, ADDRESS_PARTS};
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
    /// Text kept in `metadata` under this key (`middle_name`, `nickname`, `birthday`…).
    Meta(&'static str),
    /// A web site: a LinkedIn profile is the contact's `linkedin_url`, others go to `metadata.urls`.
    Website,
    /// A department: `metadata.org_units`.
    OrgUnit,
    /// A part of an address (which address of the row, the header line says).
    Address(AddressPart),
    /// Our own export's `metadata` column: the JSON of what has no column of its own.
    MetadataJson,
}

/// What an address column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressPart {
    /// Its types or label (`work`, Google's `Home`).
    Types,
    /// Its preference (our own export).
    Pref,
    /// Google's whole address on a few lines, used when it has no parts.
    Formatted,
    /// One of [`ADDRESS_PARTS`], by index.
    Part(usize),
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
    let col = |c: &'static str| Target::Column(c);
    // Google's numbered emails and phones and our own export's, with their types.
    if let Some((kind, number, role, _)) = numbered(header) {
        return match (role, number, kind) {
            (Role::Value, 1, _) => col(kind),
            (Role::Value, _, "email") => Target::ExtraEmail(None),
            (Role::Value, _, _) => Target::ExtraPhone(None),
            // Read beside their value's column.
            _ => Target::Ignore,
        };
    }
    let n = norm(header);
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
        "middlename" | "additionalname" => Target::Meta("middle_name"),
        "nameprefix" | "prefix" => Target::Meta("name_prefix"),
        "namesuffix" | "suffix" => Target::Meta("name_suffix"),
        "nickname" | "surnom" | "spitzname" | "apodo" | "soprannome" | "bijnaam" => Target::Meta("nickname"),
        "birthday" | "birthdate" | "dateofbirth" | "datedenaissance" | "geburtstag" | "geburtsdatum" | "cumpleanos" | "fechadenacimiento" | "compleanno" | "datadinascita"
        | "datadenascimento" | "verjaardag" | "geboortedatum" => Target::Meta("birthday"),
        "anniversary" | "jahrestag" | "hochzeitstag" => Target::Meta("anniversary"),
        "website" | "websites" | "webpage" | "personalwebpage" | "homepage" | "web" | "url" | "siteweb" | "siteinternet" | "webseite" | "sitioweb" | "paginaweb" | "sitoweb"
        | "sitointernet" => Target::Website,
        "department" | "organizationdepartment" | "organization1department" | "abteilung" | "departement" | "departamento" | "reparto" | "afdeling" => Target::OrgUnit,
        "metadata" => Target::MetadataJson,
        // Set by the store, not by a file (our own export writes them).
        "createdat" | "updatedat" | "lastinteraction" => Target::Ignore,
        _ if n.starts_with("email") && n.ends_with("value") => Target::ExtraEmail(None),
        _ if n.starts_with("phone") && n.ends_with("value") => Target::ExtraPhone(None),
        _ if n.ends_with("type") && (n.starts_with("email") || n.starts_with("phone")) => Target::Ignore,
        _ if n.starts_with("website") && n.ends_with("value") => Target::Website,
        _ if n.starts_with("website") && (n.ends_with("type") || n.ends_with("label")) => Target::Ignore,
        _ => match address_header(header, &n) {
            Some((_, _, part)) => Target::Address(part),
            None => Target::Metadata,
        },
    }
}

/// What a column of a numbered email or phone holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Value,
    Types,
    Pref,
}

/// Google's numbered emails and phones (`E-mail 2 - Value`, `Phone 1 - Label`) and our own
/// export's (`email`, `email_types`, `phone_2`, `phone_2_pref`): which, its number, what the
/// column holds, and whether its types are Google labels.
fn numbered(header: &str) -> Option<(&'static str, u32, Role, bool)> {
    let h = header.trim().to_ascii_lowercase();
    for (prefix, kind) in [("e-mail ", "email"), ("phone ", "phone")] {
        if let Some(rest) = h.strip_prefix(prefix) {
            let (number, role) = rest.split_once(" - ")?;
            let role = match role.trim() {
                "value" => Role::Value,
                "label" | "type" => Role::Types,
                _ => return None,
            };
            return Some((kind, number.trim().parse().ok()?, role, true));
        }
    }
    for kind in ["email", "phone"] {
        if let Some(rest) = h.strip_prefix(kind) {
            let (number, role) = match (rest.strip_suffix("_types"), rest.strip_suffix("_pref")) {
                (Some(r), _) => (r, Role::Types),
                (_, Some(r)) => (r, Role::Pref),
                _ => (rest, Role::Value),
            };
            let number = if number.is_empty() { 1 } else { number.strip_prefix('_')?.parse().ok()? };
            return Some((kind, number, role, false));
        }
    }
    None
}

/// The words of an address column's header (as [`norm`] writes them) and the part each names.
const ADDRESS_WORDS: &[(&str, usize)] = &[
    ("addresspobox", 0),
    ("pobox", 0),
    ("postfach", 0),
    ("bp", 0),
    ("apartadodecorreos", 0),
    ("apartado", 0),
    ("casellapostale", 0),
    ("caixapostal", 0),
    ("postbus", 0),
    ("street", 2),
    ("address", 2),
    ("rue", 2),
    ("adresse", 2),
    ("strasse", 2),
    ("calle", 2),
    ("direccion", 2),
    ("via", 2),
    ("indirizzo", 2),
    ("rua", 2),
    ("endereco", 2),
    ("straat", 2),
    ("adres", 2),
    ("city", 3),
    ("town", 3),
    ("ville", 3),
    ("ort", 3),
    ("stadt", 3),
    ("ciudad", 3),
    ("citta", 3),
    ("cidade", 3),
    ("plaats", 3),
    ("state", 4),
    ("region", 4),
    ("province", 4),
    ("county", 4),
    ("depregion", 4),
    ("bundesland", 4),
    ("bundeslandkanton", 4),
    ("provincia", 4),
    ("estado", 4),
    ("regione", 4),
    ("provincie", 4),
    ("postalcode", 5),
    ("zip", 5),
    ("zipcode", 5),
    ("postcode", 5),
    ("codepostal", 5),
    ("postleitzahl", 5),
    ("plz", 5),
    ("codigopostal", 5),
    ("cap", 5),
    ("cep", 5),
    ("country", 6),
    ("countryregion", 6),
    ("pays", 6),
    ("paysregion", 6),
    ("land", 6),
    ("landregion", 6),
    ("pais", 6),
    ("paisregion", 6),
    ("paese", 6),
];

/// The words that say whose an address is, and the type they mean.
const ADDRESS_KINDS: &[(&str, &str)] = &[
    ("business", "work"),
    ("work", "work"),
    ("bureau", "work"),
    ("professionnel", "work"),
    ("geschaftlich", "work"),
    ("trabajo", "work"),
    ("ufficio", "work"),
    ("comercial", "work"),
    ("werk", "work"),
    ("home", "home"),
    ("domicile", "home"),
    ("privat", "home"),
    ("particular", "home"),
    ("casa", "home"),
    ("abitazione", "home"),
    ("residencial", "home"),
    ("thuis", "home"),
    ("other", "other"),
    ("autre", "other"),
    ("weitere", "other"),
    ("otra", "other"),
    ("otro", "other"),
    ("altro", "other"),
    ("outro", "other"),
    ("overig", "other"),
    ("andere", "other"),
];

/// An address column: which address of the row it belongs to (a key), the type its header gives,
/// and the part it holds. Our own export's (`address_1_street`), Google's (`Address 1 - City`),
/// Outlook's (`Business Street 2`, `Home Postal Code`, in its languages: `Rue (bureau)`,
/// `Ort geschäftlich`) and a spreadsheet's plain `Street`, `City`, `Zip`, `Country`.
fn address_header(header: &str, n: &str) -> Option<(String, Option<&'static str>, AddressPart)> {
    let h = header.trim().to_ascii_lowercase();
    if let Some(rest) = h.strip_prefix("address_") {
        let (number, part) = rest.split_once('_')?;
        number.parse::<u32>().ok()?;
        let part = match part {
            "types" => AddressPart::Types,
            "pref" => AddressPart::Pref,
            p => AddressPart::Part(ADDRESS_PARTS.iter().position(|x| *x == p)?),
        };
        return Some((format!("own {number}"), None, part));
    }
    if let Some((number, part)) = h.strip_prefix("address ").and_then(|r| r.split_once(" - ")) {
        number.trim().parse::<u32>().ok()?;
        let part = match part.trim() {
            "type" | "label" => AddressPart::Types,
            "formatted" => AddressPart::Formatted,
            "po box" => AddressPart::Part(0),
            "extended address" => AddressPart::Part(1),
            "street" => AddressPart::Part(2),
            "city" => AddressPart::Part(3),
            "region" => AddressPart::Part(4),
            "postal code" => AddressPart::Part(5),
            "country" => AddressPart::Part(6),
            _ => return None,
        };
        return Some((format!("google {}", number.trim()), None, part));
    }
    // Street lines are numbered: "Business Street 2".
    let base = n.trim_end_matches(|c: char| c.is_ascii_digit());
    let kind_of = |rest: &str| -> Option<Option<&'static str>> {
        let rest = rest.replace("address", "");
        if rest.is_empty() {
            return Some(None);
        }
        for c in ["", "del", "de", "da", "do", "di", "du"] {
            for r in [rest.strip_prefix(c), rest.strip_suffix(c)].into_iter().flatten() {
                if let Some((_, k)) = ADDRESS_KINDS.iter().find(|(w, _)| *w == r) {
                    return Some(Some(*k));
                }
            }
        }
        None
    };
    let mut best: Option<(usize, Option<&'static str>, usize)> = None;
    for (w, part) in ADDRESS_WORDS {
        for rest in [base.strip_prefix(w), base.strip_suffix(w)].into_iter().flatten() {
            if let Some(kind) = kind_of(rest) {
                if best.is_none_or(|(_, _, len)| w.len() > len) {
                    best = Some((*part, kind, w.len()));
                }
            }
        }
    }
    let (part, kind, _) = best?;
    if base.len() != n.len() && part != 2 {
        return None;
    }
    Some((format!("kind {}", kind.unwrap_or_default()), kind, AddressPart::Part(part)))
}

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

/// How a header line is read: each column's target, and which columns go together.
struct Layout {
    targets: Vec<Target>,
    /// For an email or phone column: the column of its types (and whether they are Google
    /// labels) and the column of its preference, when the file has them.
    types_of: Vec<Option<(usize, bool)>>,
    pref_of: Vec<Option<usize>>,
    /// The label a column's header gives its emails or phones (Outlook's "Mobile Phone").
    label_of: Vec<Option<&'static str>>,
    /// For an address column: which address of the row it belongs to.
    address_of: Vec<usize>,
    /// Each address of a row: the type its headers give (Outlook's business, home, other) and
    /// whether its types column holds Google labels.
    addresses: Vec<(Option<&'static str>, bool)>,
}

/// Reads a header line: each header's target, then what the set of headers says about some of
/// them. Outlook writes the honorific ("Ms.", "Dr.") as "Title" beside "Job Title": with a job
/// title column there, "Title" is kept as it is, in metadata. Types and preference columns are
/// paired with their email or phone, address columns grouped by address.
fn layout(headers: &[String], dialect: Dialect, overrides: &[(String, Target)]) -> Layout {
    let overridden = |h: &str| overrides.iter().any(|(o, _)| o.eq_ignore_ascii_case(h));
    let mut t: Vec<Target> =
        headers.iter().map(|h| overrides.iter().find(|(o, _)| o.eq_ignore_ascii_case(h)).map(|(_, t)| t.clone()).unwrap_or_else(|| auto_target(h, dialect))).collect();
    let job_titles = headers.iter().zip(&t).filter(|(_, t)| **t == Target::Column("job_title")).count();
    if job_titles > 1 {
        for (h, t) in headers.iter().zip(t.iter_mut()) {
            if matches!(norm(h).as_str(), "title" | "titre" | "titel" | "titulo" | "titolo") && !overridden(h) {
                *t = Target::Metadata;
            }
        }
    }
    let n = headers.len();
    let (mut types_of, mut pref_of) = (vec![None; n], vec![None; n]);
    // (kind, number) → the columns of its value, types and preference, and whether Google's.
    type Group = ((&'static str, u32), [Option<usize>; 3], bool);
    let mut groups: Vec<Group> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let Some((kind, number, role, google)) = numbered(h).filter(|_| !overridden(h)) else { continue };
        let g = match groups.iter().position(|(k, _, _)| *k == (kind, number)) {
            Some(g) => g,
            None => {
                groups.push(((kind, number), [None; 3], google));
                groups.len() - 1
            }
        };
        groups[g].1[role as usize] = Some(i);
    }
    for (_, [value, types, pref], google) in groups {
        if let Some(v) = value.filter(|v| matches!(t[*v], Target::Column("email" | "phone") | Target::ExtraEmail(_) | Target::ExtraPhone(_))) {
            types_of[v] = types.map(|c| (c, google));
            pref_of[v] = pref;
        }
    }
    let mut address_of = vec![usize::MAX; n];
    let mut keys: Vec<String> = Vec::new();
    let mut addresses = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if !matches!(t[i], Target::Address(_)) {
            continue;
        }
        match address_header(h, &norm(h)) {
            Some((key, kind, _)) => {
                address_of[i] = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                    addresses.push((kind, key.starts_with("google")));
                    keys.push(key);
                    keys.len() - 1
                });
            }
            None => t[i] = Target::Metadata,
        }
    }
    let label_of = headers.iter().map(|h| label_of(h)).collect();
    Layout { targets: t, types_of, pref_of, label_of, address_of, addresses }
}

/// The types a types column gives: Google's label, or our own export's `work,voice`.
fn types_cell(v: &str, google: bool) -> Vec<String> {
    if google {
        model::google_label(v)
    } else {
        model::clean_types(v.split(','))
    }
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
    let layout = layout(&headers, dialect, overrides);
    let targets = &layout.targets;
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
        let (mut emails, mut phones): (Vec<Item>, Vec<Item>) = (Vec::new(), Vec::new());
        // The types of the column's email and phone.
        let (mut email_types, mut phone_types): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        // The row's addresses (each with Google's formatted address), its web sites, our own
        // export's metadata.
        let mut addresses: Vec<(Address, String)> = Vec::new();
        let mut websites: Vec<&str> = Vec::new();
        let mut json_meta: Option<Map<String, Value>> = None;
        let mut id = None;
        for (i, v) in rec.iter().enumerate() {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            // An email's or phone's types: from its types column, else from its header.
            let types = |i: usize| -> Vec<String> {
                match layout.types_of[i] {
                    Some((c, google)) => types_cell(rec.get(c).unwrap_or_default(), google),
                    None => layout.label_of[i].map(|l| vec![l.to_owned()]).unwrap_or_default(),
                }
            };
            let pref = |i: usize| layout.pref_of[i].and_then(|c| rec.get(c)).and_then(|p| p.trim().parse::<u64>().ok());
            match &targets[i] {
                // Google writes several values in one cell as "a ::: b": the first may fill the
                // column, the others join the list. A second email or phone column (Outlook's
                // mobile beside its primary phone) joins the list, with its label.
                Target::Column(c @ ("email" | "phone")) => {
                    let (list, primary_types) = if *c == "email" { (&mut emails, &mut email_types) } else { (&mut phones, &mut phone_types) };
                    let types = types(i);
                    for (k, part) in v.split(" ::: ").enumerate() {
                        let value = if *c == "phone" { model::phone_form(part) } else { part.trim().to_owned() };
                        if k == 0 && !fields.contains_key(*c) {
                            primary_types.clone_from(&types);
                            fields.insert(c.to_string(), Value::String(value));
                        } else {
                            list.push(Item { value, types: types.clone(), pref: pref(i) });
                        }
                    }
                }
                Target::Column(c) => {
                    let value = if *c == "lead_score" { v.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(v.to_owned())) } else { Value::String(v.to_owned()) };
                    fields.entry(c.to_string()).or_insert(value);
                }
                Target::FullName => {
                    let (f, l) = super::split_name(v);
                    fields.entry("first_name".to_string()).or_insert(Value::String(f));
                    fields.entry("last_name".to_string()).or_insert(Value::String(l));
                }
                Target::Id => id = uuid::Uuid::parse_str(v).ok(),
                Target::ExtraEmail(label) => {
                    let types = if layout.types_of[i].is_some() { types(i) } else { label.map(|l| vec![l.to_owned()]).unwrap_or_default() };
                    emails.extend(v.split(" ::: ").map(|e| Item { value: e.trim().to_owned(), types: types.clone(), pref: pref(i) }));
                }
                Target::ExtraPhone(label) => {
                    let types = if layout.types_of[i].is_some() { types(i) } else { label.map(|l| vec![l.to_owned()]).unwrap_or_default() };
                    phones.extend(v.split(" ::: ").map(|p| Item { value: model::phone_form(p), types: types.clone(), pref: pref(i) }));
                }
                Target::Labels => {
                    // Google's "a ::: b", Outlook's "a;b".
                    let sep = if v.contains(" ::: ") { " ::: " } else { ";" };
                    let labels: Vec<&str> = v.split(sep).map(|s| s.trim().trim_start_matches("* ").trim()).filter(|s| !s.is_empty()).collect();
                    meta.insert("labels".into(), json!(labels));
                }
                // Outlook's "no date" is no date.
                Target::Meta("birthday" | "anniversary") if matches!(v, "0/0/00" | "00/00/00" | "0.0.00") => {}
                Target::Meta(key) => {
                    meta.insert((*key).into(), Value::String(v.to_owned()));
                }
                Target::Website => websites.extend(v.split(" ::: ").map(str::trim)),
                Target::OrgUnit => {
                    if let Value::Array(a) = meta.entry("org_units").or_insert_with(|| json!([])) {
                        a.extend(v.split(" ::: ").map(|u| Value::String(u.trim().to_owned())));
                    }
                }
                Target::Address(part) => {
                    let n = layout.address_of[i];
                    if addresses.is_empty() {
                        addresses.resize(layout.addresses.len(), Default::default());
                    }
                    let (a, formatted) = &mut addresses[n];
                    match part {
                        AddressPart::Types => a.types = types_cell(v, layout.addresses[n].1),
                        AddressPart::Pref => a.pref = v.parse().ok(),
                        AddressPart::Formatted => *formatted = v.to_owned(),
                        // Outlook's street lines 2 and 3.
                        AddressPart::Part(2) if !a.parts[2].is_empty() => {
                            a.parts[2].push('\n');
                            a.parts[2].push_str(v);
                        }
                        AddressPart::Part(k) => a.parts[*k] = v.to_owned(),
                    }
                }
                Target::MetadataJson => match serde_json::from_str::<Value>(v) {
                    Ok(Value::Object(m)) => json_meta = Some(m),
                    _ => {
                        let m = meta.entry("csv").or_insert_with(|| json!({}));
                        m[headers[i].as_str()] = Value::String(v.to_owned());
                    }
                },
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
        for (key, list, mut primary_types) in [("email", &mut emails, email_types), ("phone", &mut phones, phone_types)] {
            let primary = fields.get(key).and_then(Value::as_str).map(str::to_owned);
            list.retain(|e| !e.value.is_empty() && Some(e.value.as_str()) != primary.as_deref());
            if primary.is_none() && !list.is_empty() {
                let first = list.remove(0);
                primary_types = first.types;
                fields.insert(key.into(), Value::String(first.value));
            }
            if !primary_types.is_empty() {
                meta.insert(format!("{key}_types"), json!(primary_types));
            }
            if !list.is_empty() {
                meta.insert(format!("{key}s"), Value::Array(list.iter().map(Item::to_json).collect()));
            }
        }
        let kinds = layout.addresses.iter().map(|(kind, _)| *kind);
        let addresses: Vec<Value> = addresses
            .into_iter()
            .zip(kinds)
            .filter_map(|((mut a, formatted), kind)| {
                if a.is_empty() {
                    a.parts[2] = formatted;
                }
                if a.types.is_empty() {
                    a.types.extend(kind.map(str::to_owned));
                }
                (!a.is_empty()).then(|| a.to_json())
            })
            .collect();
        if !addresses.is_empty() {
            meta.insert("addresses".into(), Value::Array(addresses));
        }
        // A LinkedIn profile among the web sites is the contact's LinkedIn address (unless a
        // column gave another).
        let mut urls = Vec::new();
        for w in websites {
            match fields.get("linkedin_url").and_then(Value::as_str) {
                None if super::is_linkedin(w) => {
                    fields.insert("linkedin_url".into(), Value::String(w.to_owned()));
                }
                Some(l) if l == w => {}
                _ => urls.push(Value::String(w.to_owned())),
            }
        }
        if !urls.is_empty() {
            meta.insert("urls".into(), Value::Array(urls));
        }
        for (k, v) in json_meta.into_iter().flatten() {
            meta.entry(k).or_insert(v);
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
    use super::*;

    #[test]
    fn address_columns_of_each_tool_and_language() {
        let a = |h: &str| address_header(h, &norm(h)).map(|(_, kind, part)| (kind, part));
        let part = AddressPart::Part;
        assert_eq!(a("Business Street 2"), Some((Some("work"), part(2))));
        assert_eq!(a("Home Address PO Box"), Some((Some("home"), part(0))));
        assert_eq!(a("Other Country/Region"), Some((Some("other"), part(6))));
        assert_eq!(a("Rue (bureau)"), Some((Some("work"), part(2))));
        assert_eq!(a("Code postal (domicile)"), Some((Some("home"), part(5))));
        assert_eq!(a("Ort geschäftlich"), Some((Some("work"), part(3))));
        assert_eq!(a("Postleitzahl privat"), Some((Some("home"), part(5))));
        assert_eq!(a("Calle del trabajo"), Some((Some("work"), part(2))));
        assert_eq!(a("Zip"), Some((None, part(5))));
        assert_eq!(a("address_2_postal_code"), Some((None, part(5))));
        assert_eq!(a("Address 1 - Formatted"), Some((None, AddressPart::Formatted)));
        for h in ["IMAddress", "E-mail Address", "Office Location", "Report", "Status", "Title", "Region 2", "Business Phone"] {
            assert_eq!(a(h), None, "{h}");
        }
        assert_eq!(auto_target("Department", Dialect::Generic), Target::OrgUnit);
        assert_eq!(auto_target("Web Page", Dialect::Generic), Target::Website);
        assert_eq!(auto_target("URL", Dialect::LinkedIn), Target::Column("linkedin_url"));
        assert_eq!(auto_target("email_2", Dialect::Generic), Target::ExtraEmail(None));
        assert_eq!(auto_target("phone_3_types", Dialect::Generic), Target::Ignore);
        assert_eq!(auto_target("E-mail 1 - Label", Dialect::Google), Target::Ignore);
        assert_eq!(auto_target("E-mail Type", Dialect::Generic), Target::Ignore, "Outlook's SMTP is no label");
    }
    #[test]
    fn lines_are_counted_from_the_top_of_the_file() {
        for text in ["Notes:\n\"long, text\"\n\nFirst Name,Last Name\nA,B\nC,D\n", "Notes:\r\n\"long, text\"\r\n\r\nFirst Name,Last Name\r\nA,B\r\nC,D\r\n"] {
            let (d, _) = super::parse(text, super::Dialect::LinkedIn, &[]).unwrap();
            assert_eq!(d.iter().map(|d| d.location.as_str()).collect::<Vec<_>>(), vec!["row 1 (line 5)", "row 2 (line 6)"]);
        }
    }
}
