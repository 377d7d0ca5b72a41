//! Merged contacts: a merged-away contact is a tombstone whose `metadata.merged_into` names the
//! contact it became (and, once the merge is undone, a live contact whose `metadata.unmerged_from`
//! names the one it came back from: its interactions and files may move back from there). Rows that point at it follow it there: a row written later against it (by a
//! device that did not know yet) is moved to the contact it was merged into, and a device may move
//! a row's reference from a merged-away contact to that contact, though the reference is otherwise
//! fixed once written.

use crate::rules::{deleted, Facts, Record};
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
}
