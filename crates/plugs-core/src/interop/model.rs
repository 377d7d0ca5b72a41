//! The parts of a contact that files carry beyond its columns, in one shape in `metadata` whatever
//! the file was (vCard, Google, Outlook, LinkedIn, our own CSV), so that each export writes them
//! back the way its format says and an import of the export gives the same contact.
//!
//! | key | holds | vCard | CSV |
//! | --- | --- | --- | --- |
//! | `email_types`, `phone_types` | the types of the column's email / phone (`["work"]`) | `EMAIL;TYPE=…;PREF=1` | `email_types` |
//! | `emails`, `phones` | the others, in order: `[{ "value", "types"?, "pref"? }]` | `EMAIL`/`TEL` with `TYPE`, `PREF` | `email_2`, `email_2_types`, … |
//! | `addresses` | `[{ "types"?, "pref"?, "po_box"?, "extended"?, "street"?, "city"?, "region"?, "postal_code"?, "country"? }]` | `ADR` | `address_1_street`, … |
//! | `labels` | categories / groups | `CATEGORIES` | `labels` |
//! | `urls` | web sites other than LinkedIn | `URL` | `websites` |
//! | `org_units` | department(s) | `ORG` after the company | `department` |
//! | `middle_name`, `name_prefix`, `name_suffix` | the rest of the name | `N` | same name |
//! | `nickname`, `birthday`, `anniversary` | as written | `NICKNAME`, `BDAY`, `ANNIVERSARY` | same name |
//! | `vcard` | other vCard properties: `{ "NAME": [value or { "value", "params" }] }` | as they came | `metadata` |
//!
//! Everything else in `metadata` (a CSV's unmapped columns in `csv`, values that did not fit in
//! `import_kept`, …) travels whole: as `X-PLUGS-METADATA` in vCard, as the `metadata` column (JSON)
//! in CSV. A part whose shape is not the one above (written by hand through the API) travels the
//! same way rather than being lost. Phones are in their stored form, an extension as
//! `+12125550100x204` (see [`plugs_domain::phone`]).

use serde_json::{json, Map, Value};

/// The seven parts of an address, in vCard `ADR` order (RFC 6350 §6.3.1), as stored and as CSV
/// columns name them.
pub const ADDRESS_PARTS: [&str; 7] = ["po_box", "extended", "street", "city", "region", "postal_code", "country"];

/// A phone as stored: a `tel:` URI read, an extension in its one form; otherwise as written.
pub fn phone_form(s: &str) -> String {
    let s = plugs_domain::phone::from_tel_uri(s);
    plugs_domain::phone::with_extension(&s).unwrap_or(s)
}

/// Types as stored: lower case, without vCard's `pref` and `internet` (which say nothing of the
/// address itself), each once.
pub fn clean_types<'a>(types: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in types {
        let t = t.trim().trim_matches('"').trim().to_lowercase();
        if !t.is_empty() && t != "pref" && t != "internet" && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The types a Google Contacts label means: `* Work` is `work` (the star marks the primary),
/// `Mobile` is vCard's `cell`, `Work Fax` is `work` and `fax`; a label of one's own is kept as it is.
pub fn google_label(label: &str) -> Vec<String> {
    let l = label.trim().trim_start_matches('*').trim().to_lowercase();
    match l.as_str() {
        "" => Vec::new(),
        "mobile" => vec!["cell".into()],
        "work fax" => vec!["work".into(), "fax".into()],
        "home fax" => vec!["home".into(), "fax".into()],
        "work mobile" => vec!["work".into(), "cell".into()],
        "work pager" => vec!["work".into(), "pager".into()],
        _ => vec![l],
    }
}

/// An email or phone of a list, or the fields of one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    pub value: String,
    pub types: Vec<String>,
    /// vCard's PREF (1 = most preferred), when the file gave one.
    pub pref: Option<u64>,
}

impl Item {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("value".into(), Value::String(self.value.clone()));
        if !self.types.is_empty() {
            m.insert("types".into(), json!(self.types));
        }
        if let Some(p) = self.pref {
            m.insert("pref".into(), json!(p));
        }
        Value::Object(m)
    }

    /// An entry of `emails` / `phones`; `None` when it is not in the stored shape.
    pub fn from_json(v: &Value) -> Option<Item> {
        let m = v.as_object()?;
        if m.keys().any(|k| !matches!(k.as_str(), "value" | "types" | "pref")) {
            return None;
        }
        let value = m.get("value")?.as_str().filter(|v| !v.trim().is_empty())?.to_owned();
        Some(Item { value, types: strings(m.get("types"))?, pref: pref(m.get("pref"))? })
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Address {
    pub types: Vec<String>,
    pub pref: Option<u64>,
    /// In [`ADDRESS_PARTS`] order.
    pub parts: [String; 7],
}

impl Address {
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|p| p.trim().is_empty())
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if !self.types.is_empty() {
            m.insert("types".into(), json!(self.types));
        }
        if let Some(p) = self.pref {
            m.insert("pref".into(), json!(p));
        }
        for (k, v) in ADDRESS_PARTS.iter().zip(&self.parts) {
            if !v.trim().is_empty() {
                m.insert((*k).into(), Value::String(v.trim().to_owned()));
            }
        }
        Value::Object(m)
    }

    pub fn from_json(v: &Value) -> Option<Address> {
        let m = v.as_object()?;
        let mut a = Address { types: strings(m.get("types"))?, pref: pref(m.get("pref"))?, ..Default::default() };
        for (k, v) in m {
            match ADDRESS_PARTS.iter().position(|p| p == k) {
                Some(i) => a.parts[i] = v.as_str()?.to_owned(),
                None if k == "types" || k == "pref" => {}
                None => return None,
            }
        }
        Some(a)
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        None => Some(Vec::new()),
        Some(Value::Array(a)) => a.iter().map(|t| t.as_str().map(str::to_owned)).collect(),
        Some(_) => None,
    }
}

fn pref(v: Option<&Value>) -> Option<Option<u64>> {
    match v {
        None => Some(None),
        Some(p) => p.as_u64().map(Some),
    }
}

/// Another vCard property kept as it came: its name, its parameters as written (`TYPE=twitter`)
/// and its value as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub name: String,
    pub params: Option<String>,
    pub value: String,
}

/// A contact's metadata, the parts each export writes in its own terms taken out, the rest left
/// to travel whole.
#[derive(Debug, Default)]
pub struct Parts {
    pub email_types: Vec<String>,
    pub phone_types: Vec<String>,
    pub emails: Vec<Item>,
    pub phones: Vec<Item>,
    pub addresses: Vec<Address>,
    pub labels: Vec<String>,
    pub urls: Vec<String>,
    pub org_units: Vec<String>,
    pub middle_name: String,
    pub name_prefix: String,
    pub name_suffix: String,
    pub nickname: String,
    pub birthday: String,
    pub anniversary: String,
    /// Taken only for vCard (a CSV carries them in its `metadata` column).
    pub vcard: Vec<Kept>,
    pub rest: Map<String, Value>,
}

impl Parts {
    /// Splits a contact's metadata. `has_email` / `has_phone`: whether its column has a value (the
    /// types of an empty column travel with the rest); `vcard`: whether `metadata.vcard` is taken.
    pub fn split(metadata: Option<&Value>, has_email: bool, has_phone: bool, vcard: bool) -> Parts {
        let mut rest = metadata.and_then(Value::as_object).cloned().unwrap_or_default();
        let mut p = Parts::default();
        fn take<T>(rest: &mut Map<String, Value>, k: &str, read: impl FnOnce(&Value) -> Option<T>) -> Option<T> {
            let v = read(rest.get(k)?)?;
            rest.shift_remove(k);
            Some(v)
        }
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let list = |v: &Value| -> Option<Vec<String>> { v.as_array()?.iter().map(|s| s.as_str().map(str::to_owned)).collect() };
        if has_email {
            p.email_types = take(&mut rest, "email_types", list).unwrap_or_default();
        }
        if has_phone {
            p.phone_types = take(&mut rest, "phone_types", list).unwrap_or_default();
        }
        let items = |v: &Value| -> Option<Vec<Item>> { v.as_array()?.iter().map(Item::from_json).collect() };
        p.emails = take(&mut rest, "emails", items).unwrap_or_default();
        p.phones = take(&mut rest, "phones", items).unwrap_or_default();
        // Written before phones took one form, a phone may still hold a `tel:` URI.
        for t in &mut p.phones {
            if t.value.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("tel:")) {
                t.value = phone_form(&t.value);
            }
        }
        p.addresses = take(&mut rest, "addresses", |v| v.as_array()?.iter().map(Address::from_json).collect()).unwrap_or_default();
        p.labels = take(&mut rest, "labels", list).unwrap_or_default();
        // Tags travel as labels (CATEGORIES): those not already written as a label are added.
        let tags = take(&mut rest, "tags", list).unwrap_or_default();
        let known: std::collections::HashSet<String> = p.labels.iter().filter_map(|l| plugs_domain::tags::normalize(l).ok()).collect();
        p.labels.extend(tags.into_iter().filter(|t| !known.contains(t)));
        p.urls = take(&mut rest, "urls", list).unwrap_or_default();
        p.org_units = take(&mut rest, "org_units", list).unwrap_or_default();
        for (k, slot) in [
            ("middle_name", &mut p.middle_name),
            ("name_prefix", &mut p.name_prefix),
            ("name_suffix", &mut p.name_suffix),
            ("nickname", &mut p.nickname),
            ("birthday", &mut p.birthday),
            ("anniversary", &mut p.anniversary),
        ] {
            *slot = take(&mut rest, k, text).unwrap_or_default();
        }
        if vcard {
            p.vcard = take(&mut rest, "vcard", kept).unwrap_or_default();
        }
        p.rest = rest;
        p
    }
}

/// `metadata.vcard` as properties to write back; `None` if any of it could not be written as it
/// was read (then it travels whole).
fn kept(v: &Value) -> Option<Vec<Kept>> {
    let mut out = Vec::new();
    for (name, values) in v.as_object()? {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || name.to_ascii_uppercase() != *name {
            return None;
        }
        for v in values.as_array()? {
            let (value, params) = match v {
                Value::String(s) => (s.clone(), None),
                Value::Object(o) if o.len() == 2 => (o.get("value")?.as_str()?.to_owned(), Some(o.get("params")?.as_str()?.to_owned())),
                _ => return None,
            };
            if params.as_deref().is_some_and(|p| p.is_empty() || p.contains(['\r', '\n', ':'])) || value.contains('\r') {
                return None;
            }
            out.push(Kept { name: name.clone(), params, value });
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_in_another_shape_travel_whole() {
        let meta = json!({
            "emails": [{ "value": "a@b.test", "types": ["work"], "pref": 2 }],
            "phones": [{ "value": "tel:+1-212-555-0100;ext=204" }],
            "addresses": [{ "street": "1 Main St", "floor": "3" }],
            "labels": "not a list",
            "email_types": ["home"],
            "phone_types": ["cell"],
            "vcard": { "KIND": ["individual"], "X-A": [{ "value": "v", "params": "TYPE=x" }] },
            "source": "booth"
        });
        let p = Parts::split(Some(&meta), false, true, true);
        assert_eq!(p.emails, vec![Item { value: "a@b.test".into(), types: vec!["work".into()], pref: Some(2) }]);
        assert_eq!(p.phones[0].value, "+12125550100x204", "a tel: URI written before phones took one form");
        assert_eq!(p.phone_types, vec!["cell"]);
        assert_eq!(p.vcard.len(), 2);
        assert!(p.addresses.is_empty() && p.labels.is_empty());
        // An address with a part of no known name, labels not a list, the types of an email
        // the contact does not have: kept as they are.
        let rest: Vec<&str> = p.rest.keys().map(String::as_str).collect();
        assert_eq!(rest, vec!["addresses", "labels", "email_types", "source"], "in their order");
        let odd = Parts::split(Some(&json!({ "vcard": { "bad name": ["x"] } })), true, true, true);
        assert!(odd.vcard.is_empty() && odd.rest.contains_key("vcard"));
    }

    #[test]
    fn google_labels_are_vcard_types() {
        assert_eq!(google_label("* Work"), vec!["work"]);
        assert_eq!(google_label("Mobile"), vec!["cell"]);
        assert_eq!(google_label("Work Fax"), vec!["work", "fax"]);
        assert_eq!(google_label("Assistant line"), vec!["assistant line"]);
        assert_eq!(clean_types(["INTERNET", "WORK", "pref", "work", "\"voice\""]), vec!["work", "voice"]);
    }
}
