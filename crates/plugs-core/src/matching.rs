//! Who is the same person. One set of rules serves the import's duplicate check and capture's
//! "already in your contacts?" suggestions:
//!
//! | reason | when | import merges | capture suggests |
//! | --- | --- | --- | --- |
//! | same email | the emails are equal, whatever their case | yes | yes |
//! | same name and company | names and companies equal once folded (or neither has a company), unless both have an email and the emails differ | yes | yes |
//! | same phone | the same last nine digits (seven to nine-digit numbers: all of them), extensions aside | no | yes |
//! | same name | full names equal once folded (first and last both given) | no | yes |
//! | similar name | the same last name and first names that are one name's forms ("Bob" and "Robert", "Paco" and "Francisco"), at the same company or both with first and last names, unless the emails differ | no | yes |
//!
//! Folding ([`fold`]) ignores case, accents and punctuation: "Zoë Müller-Lévy" and "zoe muller levy"
//! are one name. The forms of a first name are [`NICKNAMES`]' common English, French, German and
//! Spanish short forms. An office's shared phone or a common name is not enough to merge two people
//! without asking, so the import merges only on the first two reasons.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

/// Why two contacts look like one person, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    SameEmail,
    SameNameAtCompany,
    SamePhone,
    SameName,
    SimilarName,
}

impl Reason {
    /// Whether the import merges on this reason without asking.
    pub fn merges_on_import(self) -> bool {
        matches!(self, Reason::SameEmail | Reason::SameNameAtCompany)
    }

    /// The reason in words.
    pub fn words(self) -> &'static str {
        match self {
            Reason::SameEmail => "same email",
            Reason::SameNameAtCompany => "same name and company",
            Reason::SamePhone => "same phone",
            Reason::SameName => "same name",
            Reason::SimilarName => "similar name",
        }
    }
}

/// A text folded for comparison: letters without their accents, lower case, words separated by
/// one space (punctuation and hyphens separate words too).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            out.push(' ');
            gap = false;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// An email as compared: trimmed, lower case; `None` when empty.
pub fn email_key(s: &str) -> Option<String> {
    let s = s.trim().to_lowercase();
    (!s.is_empty()).then_some(s)
}

/// A phone as compared: its number's digits without the extension, the last nine of them (a
/// country code or trunk prefix aside); `None` under seven digits.
pub fn phone_key(s: &str) -> Option<String> {
    let number = plugs_domain::phone::split_extension(s).map(|(n, _)| n).unwrap_or(s);
    let number = number.split(['x', 'X']).next().unwrap_or_default();
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return None;
    }
    Some(digits[digits.len().saturating_sub(9)..].to_owned())
}

/// The SQL expression of [`phone_key`]'s digits over a stored phone (`+`, spaces and separators
/// removed, the extension cut), as the store's index on it computes them; its last nine
/// characters are the key.
pub const PHONE_TAIL_SQL: &str = "substr(replace(replace(replace(replace(replace(replace(replace(CASE WHEN instr(phone, 'x') > 0 THEN substr(phone, 1, instr(phone, 'x') - 1) ELSE phone END, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', ''), -9)";

/// First names and their common short forms (folded). A short form may belong to several names
/// ("Chris": Christopher, Christine, Christian); two first names are forms of one name when they
/// share a row.
pub const NICKNAMES: &[(&str, &[&str])] = &[
    ("abigail", &["abby", "abbie", "gail"]),
    ("albert", &["al", "bert", "bertie"]),
    ("alberto", &["beto", "tito"]),
    ("alejandro", &["alex", "alejo", "jano"]),
    ("alexander", &["alex", "alec", "sasha", "xander", "sandy"]),
    ("alexandra", &["alex", "sasha", "sandra", "sandy", "lexi"]),
    ("alfred", &["al", "alf", "fred", "freddie"]),
    ("amanda", &["mandy", "manda"]),
    ("andrew", &["andy", "drew"]),
    ("anthony", &["tony", "ant"]),
    ("antonio", &["toni", "tono", "nono"]),
    ("barbara", &["barb", "babs"]),
    ("benjamin", &["ben", "benny", "benji"]),
    ("catherine", &["cathy", "cat", "kate", "katie", "cathie"]),
    ("charles", &["charlie", "chuck", "chas", "chaz"]),
    ("christian", &["chris", "christ"]),
    ("christine", &["chris", "tina", "chrissy"]),
    ("christina", &["chris", "tina", "chrissy"]),
    ("christopher", &["chris", "kit", "topher"]),
    ("concepcion", &["concha", "conchi"]),
    ("daniel", &["dan", "danny", "dani"]),
    ("david", &["dave", "davy"]),
    ("deborah", &["deb", "debbie", "debby"]),
    ("dolores", &["lola", "loles"]),
    ("donald", &["don", "donnie"]),
    ("dorothy", &["dot", "dottie", "dora"]),
    ("edward", &["ed", "eddie", "ted", "teddy", "ned"]),
    ("eduardo", &["lalo", "edu"]),
    ("elizabeth", &["liz", "lizzie", "lizzy", "beth", "betty", "betsy", "libby", "eliza"]),
    ("elisabeth", &["lisa", "liesel", "lies", "elli", "sabine"]),
    ("enrique", &["quique", "kike"]),
    ("francis", &["frank", "frankie", "fran"]),
    ("francisco", &["paco", "pancho", "curro", "fran", "cisco"]),
    ("francois", &["franck", "francky"]),
    ("frederick", &["fred", "freddie", "freddy", "rick"]),
    ("friedrich", &["fritz", "fred"]),
    ("gerald", &["gerry", "jerry"]),
    ("gregory", &["greg"]),
    ("guillermo", &["memo", "guille"]),
    ("henry", &["harry", "hank", "hal"]),
    ("ignacio", &["nacho"]),
    ("james", &["jim", "jimmy", "jamie", "jimbo"]),
    ("jeffrey", &["jeff"]),
    ("jennifer", &["jen", "jenny", "jenn"]),
    ("jessica", &["jess", "jessie"]),
    ("jesus", &["chucho", "chuy"]),
    ("johannes", &["hans", "jo", "johann", "jannes"]),
    ("john", &["jack", "johnny", "jon"]),
    ("jonathan", &["jon", "jonny", "nathan"]),
    ("jose", &["pepe", "chema"]),
    ("josephine", &["jo", "josie"]),
    ("joseph", &["joe", "joey", "jo"]),
    ("katharina", &["kathi", "katja", "kati", "kate"]),
    ("katherine", &["kate", "katie", "kathy", "kat", "kay"]),
    ("kathryn", &["kate", "katie", "kathy", "kat"]),
    ("kenneth", &["ken", "kenny"]),
    ("kimberly", &["kim"]),
    ("lawrence", &["larry", "laurie"]),
    ("leonard", &["leo", "len", "lenny"]),
    ("manuel", &["manolo", "manu", "lolo"]),
    ("margaret", &["maggie", "meg", "peggy", "margo", "marge", "greta"]),
    ("matthew", &["matt", "matty"]),
    ("maximilian", &["max", "maxi"]),
    ("michael", &["mike", "mikey", "mick", "mickey"]),
    ("natalie", &["nat", "nattie"]),
    ("nathaniel", &["nate", "nat", "nathan"]),
    ("nicholas", &["nick", "nicky", "nico"]),
    ("pamela", &["pam"]),
    ("patricia", &["pat", "patty", "trish", "tricia"]),
    ("patrick", &["pat", "paddy", "rick"]),
    ("peter", &["pete"]),
    ("philip", &["phil", "pip"]),
    ("raymond", &["ray"]),
    ("rebecca", &["becky", "becca", "becks"]),
    ("richard", &["rick", "ricky", "rich", "richie", "dick"]),
    ("robert", &["bob", "bobby", "rob", "robbie", "bert"]),
    ("roberto", &["beto", "rober", "tito"]),
    ("ronald", &["ron", "ronnie"]),
    ("rosario", &["charo", "chayo"]),
    ("samantha", &["sam", "sammy"]),
    ("samuel", &["sam", "sammy"]),
    ("stephen", &["steve", "stevie", "steph"]),
    ("steven", &["steve", "stevie"]),
    ("susan", &["sue", "susie", "suzy"]),
    ("thomas", &["tom", "tommy", "thom"]),
    ("timothy", &["tim", "timmy"]),
    ("victoria", &["vicky", "vicki", "tori"]),
    ("william", &["bill", "billy", "will", "willy", "liam"]),
    ("wolfgang", &["wolf", "wolfi"]),
    ("zachary", &["zach", "zack"]),
];

/// The rows of [`NICKNAMES`] a folded first name belongs to (as a name or a short form).
fn name_rows(given: &str) -> impl Iterator<Item = usize> + '_ {
    NICKNAMES.iter().enumerate().filter(move |(_, (name, short))| *name == given || short.contains(&given)).map(|(i, _)| i)
}

/// Whether two folded first names are forms of one name ("bob" and "robert", "bob" and "bobby").
pub fn same_given_name(a: &str, b: &str) -> bool {
    a == b || name_rows(a).any(|i| name_rows(b).any(|j| i == j))
}

/// Every form of a folded first name: itself, and the names and short forms it shares a row with.
pub fn given_name_forms(given: &str) -> Vec<&str> {
    let mut out = vec![given];
    for i in name_rows(given) {
        let (name, short) = NICKNAMES[i];
        for f in std::iter::once(name).chain(short.iter().copied()) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// What the rules compare of a contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys {
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The folded full name, when first or last name is given.
    pub name: Option<String>,
    /// Whether both first and last name are given.
    pub full_name: bool,
    pub company: Option<String>,
    /// The folded first name's first word, and the rest of the folded full name after it.
    pub given: Option<(String, String)>,
}

impl Keys {
    /// The keys of a contact's fields (`first_name`, `last_name`, `email`, `phone`, `company`).
    pub fn of(f: &serde_json::Map<String, Value>) -> Keys {
        let text = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or_default();
        let (first, last) = (fold(text("first_name")), fold(text("last_name")));
        let name = match (first.is_empty(), last.is_empty()) {
            (true, true) => None,
            (false, true) => Some(first.clone()),
            (true, false) => Some(last.clone()),
            (false, false) => Some(format!("{first} {last}")),
        };
        let company = fold(text("company"));
        let given = (!first.is_empty()).then(|| {
            let (g, rest) = first.split_once(' ').unwrap_or((first.as_str(), ""));
            (g.to_owned(), format!("{rest}|{last}"))
        });
        Keys {
            given,
            email: email_key(text("email")),
            phone: phone_key(text("phone")),
            full_name: !first.is_empty() && !last.is_empty(),
            name,
            company: (!company.is_empty()).then_some(company),
        }
    }

    /// The name-and-company key the import indexes.
    pub fn name_at_company(&self) -> Option<(String, String)> {
        Some((self.name.clone()?, self.company.clone().unwrap_or_default()))
    }
}

/// Why `a` and `b` look like one person (the strongest reason), if they do.
pub fn same_person(a: &Keys, b: &Keys) -> Option<Reason> {
    if a.email.is_some() && a.email == b.email {
        return Some(Reason::SameEmail);
    }
    let same_name = a.name.is_some() && a.name == b.name;
    let emails_differ = matches!((&a.email, &b.email), (Some(x), Some(y)) if x != y);
    if same_name && a.company == b.company && !emails_differ {
        return Some(Reason::SameNameAtCompany);
    }
    if a.phone.is_some() && a.phone == b.phone {
        return Some(Reason::SamePhone);
    }
    if same_name && a.full_name && b.full_name {
        return Some(Reason::SameName);
    }
    let similar = match (&a.given, &b.given) {
        (Some((ga, ra)), Some((gb, rb))) => ra == rb && ga != gb && same_given_name(ga, gb),
        _ => false,
    };
    if similar && !emails_differ && ((a.company.is_some() && a.company == b.company) || (a.full_name && b.full_name)) {
        return Some(Reason::SimilarName);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(v: Value) -> Keys {
        Keys::of(v.as_object().unwrap())
    }

    /// The matching rules as a table: two contacts, and the reason they are one person (or none).
    #[test]
    fn who_is_the_same_person() {
        let cases: &[(Value, Value, Option<Reason>)] = &[
            // Email, whatever its case and spaces.
            (json!({"first_name": "Ada", "email": "Ada@Example.com"}), json!({"first_name": "Grace", "email": " ada@example.COM "}), Some(Reason::SameEmail)),
            // Diacritics, case and hyphens in names; the company folded too.
            (
                json!({"first_name": "Zoë", "last_name": "Müller-Lévy", "company": "Société Générale"}),
                json!({"first_name": "zoe", "last_name": "muller levy", "company": "societe generale"}),
                Some(Reason::SameNameAtCompany),
            ),
            (
                json!({"first_name": "Jürgen", "last_name": "Groß", "company": "ACME"}),
                json!({"first_name": "JURGEN", "last_name": "gross", "company": "Acme"}),
                Some(Reason::SameNameAtCompany),
            ),
            // One name at a company.
            (json!({"first_name": "Jun", "company": "Nimbus"}), json!({"first_name": "jun", "company": "NIMBUS"}), Some(Reason::SameNameAtCompany)),
            // Same name, same company, two different emails: two people.
            (
                json!({"first_name": "Li", "last_name": "Wei", "company": "Big Corp", "email": "li.wei@big.test"}),
                json!({"first_name": "Li", "last_name": "Wei", "company": "Big Corp", "email": "wei.li@big.test"}),
                Some(Reason::SameName),
            ),
            // Phones in any format, with or without the country code and an extension.
            (json!({"first_name": "A", "phone": "+1 (212) 555-0100"}), json!({"first_name": "B", "phone": "212.555.0100"}), Some(Reason::SamePhone)),
            (json!({"first_name": "A", "phone": "+12125550100x204"}), json!({"first_name": "B", "phone": "212 555 0100 ext. 7"}), Some(Reason::SamePhone)),
            (json!({"first_name": "A", "phone": "+49 30 1234567"}), json!({"first_name": "B", "phone": "030 1234567"}), Some(Reason::SamePhone)),
            (json!({"first_name": "A", "phone": "555 0100"}), json!({"first_name": "B", "phone": "5550100"}), Some(Reason::SamePhone)),
            // Too few digits to say.
            (json!({"first_name": "A", "phone": "0100"}), json!({"first_name": "B", "phone": "0100"}), None),
            (json!({"first_name": "A", "phone": "+1 212 555 0100"}), json!({"first_name": "B", "phone": "+1 212 555 0199"}), None),
            // The same full name elsewhere: worth asking, not merging.
            (json!({"first_name": "Maria", "last_name": "García"}), json!({"first_name": "maria", "last_name": "garcia", "company": "Other"}), Some(Reason::SameName)),
            // One name alone is too common to suggest without a company.
            (json!({"first_name": "Maria"}), json!({"first_name": "Maria", "company": "Other"}), None),
            (json!({"first_name": "Ada", "last_name": "Lovelace"}), json!({"first_name": "Ada", "last_name": "Byron"}), None),
            (json!({"email": ""}), json!({"email": ""}), None),
            // Nicknames: a short form and its name, two short forms of one name, in four languages.
            (
                json!({"first_name": "Bob", "last_name": "Smith", "company": "Acme"}),
                json!({"first_name": "Robert", "last_name": "Smith", "company": "ACME"}),
                Some(Reason::SimilarName),
            ),
            (json!({"first_name": "Bobby", "last_name": "Smith"}), json!({"first_name": "Rob", "last_name": "smith"}), Some(Reason::SimilarName)),
            (json!({"first_name": "Paco", "last_name": "Gómez"}), json!({"first_name": "Francisco", "last_name": "Gomez"}), Some(Reason::SimilarName)),
            (json!({"first_name": "Hans", "last_name": "Groß"}), json!({"first_name": "Johannes", "last_name": "Gross"}), Some(Reason::SimilarName)),
            (json!({"first_name": "Liz", "last_name": "Taylor"}), json!({"first_name": "Élizabeth", "last_name": "Taylor"}), Some(Reason::SimilarName)),
            (
                json!({"first_name": "Chris", "last_name": "Ng", "company": "Kestrel"}),
                json!({"first_name": "Christine", "last_name": "Ng", "company": "Kestrel"}),
                Some(Reason::SimilarName),
            ),
            (json!({"first_name": "Chris", "last_name": "Ng"}), json!({"first_name": "Christopher", "last_name": "Ng"}), Some(Reason::SimilarName)),
            // A second first name must agree; a nickname alone (no last name, no company) says too little.
            (json!({"first_name": "Bob James", "last_name": "Smith"}), json!({"first_name": "Robert James", "last_name": "Smith"}), Some(Reason::SimilarName)),
            (json!({"first_name": "Bob James", "last_name": "Smith"}), json!({"first_name": "Robert John", "last_name": "Smith"}), None),
            (json!({"first_name": "Bob"}), json!({"first_name": "Robert"}), None),
            (json!({"first_name": "Bob", "company": "Acme"}), json!({"first_name": "Robert", "company": "Acme"}), Some(Reason::SimilarName)),
            // Not forms of one name: different last names, different names sharing no row, different emails.
            (json!({"first_name": "Bob", "last_name": "Smith"}), json!({"first_name": "Robert", "last_name": "Smyth"}), None),
            (json!({"first_name": "Christine", "last_name": "Ng"}), json!({"first_name": "Christopher", "last_name": "Ng"}), None),
            (json!({"first_name": "Bill", "last_name": "Ng"}), json!({"first_name": "Bob", "last_name": "Ng"}), None),
            (json!({"first_name": "Bob", "last_name": "Smith", "email": "bob@a.test"}), json!({"first_name": "Robert", "last_name": "Smith", "email": "robert@b.test"}), None),
            // A nickname with the same email or phone: the stronger reason wins.
            (
                json!({"first_name": "Bob", "last_name": "Smith", "email": "rs@a.test"}),
                json!({"first_name": "Robert", "last_name": "Smith", "email": "RS@a.test"}),
                Some(Reason::SameEmail),
            ),
        ];
        for (a, b, want) in cases {
            let (ka, kb) = (keys(a.clone()), keys(b.clone()));
            assert_eq!(same_person(&ka, &kb), *want, "{a} vs {b}");
            assert_eq!(same_person(&kb, &ka), *want, "symmetric: {b} vs {a}");
        }
    }

    #[test]
    fn forms_of_a_first_name() {
        assert_eq!(given_name_forms("bob"), ["bob", "robert", "bobby", "rob", "robbie", "bert"]);
        assert!(given_name_forms("chris").contains(&"christine") && given_name_forms("chris").contains(&"christopher"));
        assert_eq!(given_name_forms("zorro"), ["zorro"]);
        for (name, short) in NICKNAMES {
            assert_eq!(fold(name), *name, "{name} is folded");
            for s in *short {
                assert_eq!(fold(s), *s, "{s} is folded");
                assert!(same_given_name(s, name) && same_given_name(name, s));
            }
        }
    }

    #[test]
    fn folding() {
        assert_eq!(fold("  Zoë   Müller-Lévy "), "zoe muller levy");
        assert_eq!(fold("Øystein Łukasz Æsir"), "oystein lukasz aesir");
        assert_eq!(fold("O'Brien"), "o brien");
        assert_eq!(fold("李 伟"), "李 伟");
    }
}
