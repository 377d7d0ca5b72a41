//! Tags on contacts and events: a set of short words kept in the row's `metadata.tags`.
//!
//! A tag set is merged per tag, not as one value: a change lists each tag it adds or removes as a
//! field of its own (`tag:investor`), with its own version, so a tag added on one device and another
//! removed on a second both stand after sync; the same tag added on one and removed on the other
//! ends as the later change says. `metadata` as a field carries the rest of the object and never
//! the tags (docs/sync.md, "Tags").

use crate::error::DomainError;
use crate::rules::Record;
use crate::schema::TableSpec;
use serde_json::Value;
use std::collections::BTreeSet;

/// The prefix of a tag's field in a change.
pub const FIELD_PREFIX: &str = "tag:";
/// The longest tag, in characters.
pub const MAX_LEN: usize = 40;
/// The most tags one row may carry.
pub const MAX_TAGS: usize = 50;

/// Whether rows of this table carry tags.
pub fn supports(spec: &TableSpec) -> bool {
    matches!(spec.name, "contacts" | "events")
}

/// A tag as it is kept: without a leading `#`, trimmed, lower case, inner spaces as `-`
/// ("#Angel Investor" → "angel-investor"). Letters of any script, digits, `-`, `_`, `.`, `&`, `+`
/// and `/` are allowed.
pub fn normalize(raw: &str) -> Result<String, DomainError> {
    let t = raw.trim().trim_start_matches('#').trim();
    let t: String = t.split_whitespace().collect::<Vec<_>>().join("-").to_lowercase();
    if t.is_empty() {
        return Err(DomainError::invalid("tags", "empty_tag", "a tag needs at least one letter or digit"));
    }
    if t.chars().count() > MAX_LEN {
        return Err(DomainError::invalid("tags", "too_long", format!("'{t}' is longer than {MAX_LEN} characters")));
    }
    if let Some(c) = t.chars().find(|c| !(c.is_alphanumeric() || "-_.&+/".contains(*c))) {
        return Err(DomainError::invalid("tags", "invalid_tag", format!("'{t}' has '{c}', which a tag cannot hold (letters, digits, - _ . & + /)")));
    }
    Ok(t)
}

/// The tags of a row (none when its metadata has no `tags` array).
pub fn of(row: &Record) -> BTreeSet<String> {
    of_metadata(row.get("metadata"))
}

/// The tags of a metadata object.
pub fn of_metadata(metadata: Option<&Value>) -> BTreeSet<String> {
    metadata.and_then(|m| m.get("tags")).and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default()
}

/// Puts a tag set in a row's metadata (sorted; the key goes away when the set is empty).
pub fn set(row: &mut Record, tags: &BTreeSet<String>) {
    let mut meta = match row.get("metadata") {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    if tags.is_empty() {
        meta.remove("tags");
    } else {
        meta.insert("tags".into(), Value::Array(tags.iter().cloned().map(Value::String).collect()));
    }
    row.insert("metadata".into(), Value::Object(meta));
}

/// Checks and normalizes the tags of a row about to be written.
pub fn normalize_row(spec: &TableSpec, row: &mut Record) -> Result<(), DomainError> {
    if !supports(spec) {
        return Ok(());
    }
    let Some(raw) = row.get("metadata").and_then(|m| m.get("tags")) else { return Ok(()) };
    let items = raw.as_array().ok_or_else(|| DomainError::invalid("tags", "invalid_type", "tags are a list of words"))?;
    let mut tags = BTreeSet::new();
    for item in items {
        let s = item.as_str().ok_or_else(|| DomainError::invalid("tags", "invalid_type", "each tag is a word"))?;
        tags.insert(normalize(s)?);
    }
    if tags.len() > MAX_TAGS {
        return Err(DomainError::invalid("tags", "too_many", format!("{} tags; at most {MAX_TAGS} on one row", tags.len())));
    }
    let canonical: Vec<Value> = tags.iter().cloned().map(Value::String).collect();
    if raw.as_array() != Some(&canonical) {
        set(row, &tags);
    }
    Ok(())
}

/// The field naming one tag in a change.
pub fn field(tag: &str) -> String {
    format!("{FIELD_PREFIX}{tag}")
}

/// The tag a change's field names, if it names one.
pub fn of_field(field: &str) -> Option<&str> {
    field.strip_prefix(FIELD_PREFIX)
}

/// The tag fields of a write: each tag added or removed.
pub fn changed_fields(old: Option<&Record>, new: &Record) -> Vec<String> {
    let before = old.map(of).unwrap_or_default();
    let after = of(new);
    before.symmetric_difference(&after).map(|t| field(t)).collect()
}

/// Whether metadata changed beyond its tags.
pub fn metadata_changed_beyond_tags(old: Option<&Record>, new: &Record) -> bool {
    let strip = |v: Option<&Value>| -> Value {
        match v {
            Some(Value::Object(m)) => {
                let mut m = m.clone();
                m.remove("tags");
                Value::Object(m)
            }
            Some(Value::Null) | None => Value::Object(serde_json::Map::new()),
            Some(other) => other.clone(),
        }
    };
    strip(old.and_then(|o| o.get("metadata"))) != strip(new.get("metadata"))
}

/// The fields a change of a row lists for sync: `changed` columns, with `metadata` replaced by a
/// field per tag added or removed (and kept only when something else in it changed).
pub fn sync_fields(spec: &TableSpec, old: Option<&Record>, new: &Record, changed: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for f in changed {
        if *f == "metadata" && supports(spec) {
            if metadata_changed_beyond_tags(old, new) {
                out.push("metadata".into());
            }
            out.extend(changed_fields(old, new));
        } else {
            out.push((*f).to_owned());
        }
    }
    out
}

/// A row's metadata taking `incoming`'s keys but keeping `current`'s tags (the tags travel by
/// their own fields).
pub fn metadata_keeping_tags(current: Option<&Value>, incoming: Option<&Value>) -> Value {
    let mut m = match incoming {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    m.remove("tags");
    let tags = of_metadata(current);
    if !tags.is_empty() {
        m.insert("tags".into(), Value::Array(tags.into_iter().map(Value::String).collect()));
    }
    Value::Object(m)
}

/// Applies tag changes that won: each named tag is present if `pushed` has it, absent otherwise.
pub fn apply_won(row: &mut Record, pushed: &Record, won: &[&str]) {
    if won.is_empty() {
        return;
    }
    let theirs = of(pushed);
    let mut tags = of(row);
    for t in won {
        if theirs.contains(*t) {
            tags.insert((*t).to_owned());
        } else {
            tags.remove(*t);
        }
    }
    set(row, &tags);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Record {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn tags_are_kept_in_one_form() {
        assert_eq!(normalize(" #Angel  Investor ").unwrap(), "angel-investor");
        assert_eq!(normalize("VC").unwrap(), "vc");
        assert_eq!(normalize("Zürich").unwrap(), "zürich");
        assert_eq!(normalize("#").unwrap_err().to_payload().code, "empty_tag");
        assert_eq!(normalize("a,b").unwrap_err().to_payload().code, "invalid_tag");
        assert_eq!(normalize(&"x".repeat(41)).unwrap_err().to_payload().code, "too_long");
    }

    #[test]
    fn a_change_lists_each_tag_it_adds_or_removes_and_metadata_only_for_the_rest() {
        let spec = crate::tables::spec("contacts").unwrap();
        let old = row(json!({ "metadata": { "tags": ["a", "b"], "source": "card" } }));
        let new = row(json!({ "metadata": { "tags": ["b", "c"], "source": "card" } }));
        assert_eq!(sync_fields(spec, Some(&old), &new, &["metadata", "notes"]), vec!["tag:a", "tag:c", "notes"]);
        let new2 = row(json!({ "metadata": { "tags": ["a", "b"], "source": "import" } }));
        assert_eq!(sync_fields(spec, Some(&old), &new2, &["metadata"]), vec!["metadata"]);
        let users = crate::tables::spec("users").unwrap();
        assert_eq!(sync_fields(users, None, &new, &["metadata"]), vec!["metadata"]);
    }

    #[test]
    fn won_tags_follow_the_pushed_row_and_the_others_stay() {
        let mut current = row(json!({ "metadata": { "tags": ["a", "x"] } }));
        let pushed = row(json!({ "metadata": { "tags": ["b"] } }));
        apply_won(&mut current, &pushed, &["a", "b"]);
        assert_eq!(of(&current).into_iter().collect::<Vec<_>>(), vec!["b", "x"]);
        let kept = metadata_keeping_tags(current.get("metadata"), Some(&json!({ "tags": ["zzz"], "k": 1 })));
        assert_eq!(kept, json!({ "k": 1, "tags": ["b", "x"] }));
    }

    #[test]
    fn rows_are_normalized_and_odd_tags_refused_by_field() {
        let spec = crate::tables::spec("contacts").unwrap();
        let mut r = row(json!({ "metadata": { "tags": ["VC", "#vc", "Angel Investor"] } }));
        normalize_row(spec, &mut r).unwrap();
        assert_eq!(r["metadata"]["tags"], json!(["angel-investor", "vc"]));
        let mut bad = row(json!({ "metadata": { "tags": "vc" } }));
        let e = normalize_row(spec, &mut bad).unwrap_err().to_payload();
        assert_eq!((e.field.as_deref(), e.code.as_str()), (Some("tags"), "invalid_type"));
    }
}
