//! Merged contacts: a merged-away contact is a tombstone whose `metadata.merged_into` names the
//! contact it became (and, once the merge is undone, a live contact whose `metadata.unmerged_from`
//! names the one it came back from: its interactions and files may move back from there). Rows that point at it follow it there: a row written later against it (by a
//! device that did not know yet) is moved to the contact it was merged into, and a device may move
//! a row's reference from a merged-away contact to that contact, though the reference is otherwise
//! fixed once written.

use crate::rules::{deleted, Facts, Record};
use crate::tags;
use serde_json::Value;
use uuid::Uuid;

/// The contact a merged-away contact became.
pub fn merged_into(row: &Record) -> Option<Uuid> {
    if !deleted(row) {
        return None;
    }
    row.get("metadata")?.get("merged_into")?.as_str().and_then(|s| Uuid::parse_str(s).ok())
}

/// Moves `col` of a row being written to the contact its parent was merged into, if it was.
pub fn forward(facts: &Facts, new: &mut Record, col: &'static str) {
    if let Some(to) = facts.parents.get(col).and_then(merged_into) {
        new.insert(col.into(), Value::String(to.to_string()));
    }
}

/// The columns a merge bookkeeps on the merged-away contact: never forwarded.
const BOOKKEEPING: [&str; 4] = ["is_deleted", "deleted_at", "metadata", "updated_at"];

/// What an edit another device made to a contact merged away meanwhile (`before` → `after`, the
/// contact still a tombstone afterwards) brings to the contact it was merged into, as it now is
/// (`kept`): each field the edit changed where the kept contact still holds the value the edit
/// replaced (the merge took it from there, or both had it; a value the merge chose from elsewhere,
/// or a later edit of the kept contact, stands), and each tag the edit added or removed. The kept
/// contact's row with those applied, and the fields (tags as `tag:<word>`) that changed; `None`
/// when nothing comes through.
pub fn forwarded_edit(before: &Record, after: &Record, kept: &Record, fields: &[&str], tags_changed: &[&str]) -> Option<(Record, Vec<String>)> {
    if !deleted(after) || deleted(kept) {
        return None;
    }
    let mut row = kept.clone();
    let mut changed = vec![];
    for f in fields {
        if BOOKKEEPING.contains(f) || before.get(*f) == after.get(*f) || kept.get(*f) != before.get(*f) {
            continue;
        }
        row.insert((*f).to_owned(), after.get(*f).cloned().unwrap_or(Value::Null));
        changed.push((*f).to_owned());
    }
    let now = tags::of(after);
    let mut theirs = tags::of(kept);
    for t in tags_changed {
        let was = theirs.contains(*t);
        if now.contains(*t) {
            theirs.insert((*t).to_owned());
        } else {
            theirs.remove(*t);
        }
        if was != theirs.contains(*t) {
            changed.push(tags::field(t));
        }
    }
    tags::set(&mut row, &theirs);
    (!changed.is_empty()).then_some((row, changed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_row_follows_its_contact_into_the_one_it_was_merged_into() {
        let to = Uuid::now_v7();
        let gone = json!({ "id": Uuid::now_v7(), "is_deleted": true, "metadata": { "merged_into": to } }).as_object().unwrap().clone();
        let mut facts = Facts::default();
        facts.parents.insert("contact_id", gone.clone());
        let mut row = json!({ "contact_id": gone["id"] }).as_object().unwrap().clone();
        forward(&facts, &mut row, "contact_id");
        assert_eq!(row["contact_id"], json!(to.to_string()));
        // A live contact, or a deleted one not merged, keeps its rows.
        let mut live = gone.clone();
        live.insert("is_deleted".into(), json!(false));
        assert_eq!(merged_into(&live), None);
        let mut plain = gone;
        plain.insert("metadata".into(), json!({}));
        assert_eq!(merged_into(&plain), None);
    }

    #[test]
    fn an_edit_of_a_merged_away_contact_reaches_the_kept_one_where_it_still_holds_the_old_value() {
        let row = |v: serde_json::Value| v.as_object().unwrap().clone();
        let before = row(
            json!({ "is_deleted": true, "phone": "+1 555 0100", "job_title": "Captain", "company": "Navy", "notes": null, "metadata": { "merged_into": "k", "tags": ["navy", "expo"] } }),
        );
        let mut after = before.clone();
        after.insert("phone".into(), json!("+1 555 0199"));
        after.insert("job_title".into(), json!("Rear Admiral"));
        after.insert("notes".into(), json!("Prefers email"));
        after.insert("metadata".into(), json!({ "merged_into": "k", "tags": ["navy", "investor"] }));
        // The merge took the phone from the merged-away contact; the kept one had its own title.
        let kept = row(json!({ "is_deleted": false, "phone": "+1 555 0100", "job_title": "Admiral", "company": "Navy", "notes": null, "metadata": { "tags": ["expo", "navy"] } }));
        let (new, fields) = forwarded_edit(&before, &after, &kept, &["phone", "job_title", "notes", "metadata"], &["expo", "investor"]).unwrap();
        assert_eq!(fields, vec!["phone", "notes", "tag:expo", "tag:investor"]);
        assert_eq!(new["phone"], json!("+1 555 0199"));
        assert_eq!(new["job_title"], json!("Admiral"), "the kept contact's own value stands");
        assert_eq!(new["notes"], json!("Prefers email"));
        assert_eq!(new["metadata"], json!({ "tags": ["investor", "navy"] }));
        // Nothing comes through to a deleted kept contact, or from an undo (the contact live again).
        let mut gone = kept.clone();
        gone.insert("is_deleted".into(), json!(true));
        assert!(forwarded_edit(&before, &after, &gone, &["phone"], &[]).is_none());
        let mut back = after.clone();
        back.insert("is_deleted".into(), json!(false));
        assert!(forwarded_edit(&before, &back, &kept, &["phone"], &[]).is_none());
        assert!(forwarded_edit(&before, &after, &kept, &["job_title", "is_deleted"], &[]).is_none());
    }
}
