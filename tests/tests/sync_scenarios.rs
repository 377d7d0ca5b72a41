//! Sync scenarios: real server, real PostgreSQL, devices with their own SQLite files.

mod common;

use common::{add_member, first_device, second_device, Cloud, Device, PASSWORD};
use plugs_core::sync::wire::{ChangeKind, Outcome, PushChange, PushRequest};
use plugs_core::tables::contact_interactions::ContactInteraction;
use plugs_core::tables::contacts::Contact;
use plugs_core::{ListQuery, Store, Timestamp};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

fn add_contact(store: &Store, first: &str) -> Contact {
    store.repo::<Contact>().create(&json!({ "first_name": first, "last_name": "Test", "company": "Acme" })).unwrap()
}

fn contacts(store: &Store) -> Vec<Contact> {
    store.repo::<Contact>().list(&ListQuery { limit: Some(1000), include_deleted: true, sort: Some("first_name".into()), ..Default::default() }).unwrap().items
}

#[tokio::test]
async fn offline_workspace_registers_then_syncs_to_a_second_device() {
    let cloud = Cloud::start().await;
    let a = Device::offline(&cloud.url(), "Acme", "ada@acme.test");
    for i in 0..20 {
        add_contact(&a.store, &format!("Hall{i:02}"));
    }
    let org_before = a.store.actor().unwrap().organization_id;
    let report = a.syncer.register(&a.store, PASSWORD).await.unwrap();
    assert!(report.pushed >= 22, "org, user and 20 contacts pushed: {report:?}");
    assert_eq!(a.store.actor().unwrap().organization_id, org_before, "the offline workspace became the organization, ids kept");
    assert_eq!(a.store.pending_changes().unwrap(), 0);
    assert_eq!(cloud.sql_count("SELECT COUNT(*) FROM contacts").await, 20);
    assert!(cloud.sql_count("SELECT COUNT(*) FROM audit_logs WHERE table_name = 'contacts'").await >= 20, "the device's audit trail reached the server");

    let b = second_device(&cloud, "ada@acme.test").await;
    let got = contacts(&b.store);
    assert_eq!(got.len(), 20);
    assert_eq!(got[0].first_name, "Hall00");
    assert_eq!(b.store.actor().unwrap().organization_id, org_before);
    assert_eq!(b.store.search_contacts("hall1", &[], 50).unwrap().len(), 10, "pulled rows are searchable");
}

#[tokio::test]
async fn a_second_offline_workspace_joins_an_existing_organization() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    add_contact(&a.store, "FromA");
    a.sync().await;
    // Another laptop started offline with a workspace of its own, then signs in to the same account.
    let b = Device::offline(&cloud.url(), "Scratch", "ada@acme.test");
    let local = add_contact(&b.store, "FromB");
    let old_org = b.store.actor().unwrap().organization_id;
    b.syncer.login(&b.store, "ada@acme.test", PASSWORD).await.unwrap();
    let actor = b.store.actor().unwrap();
    assert_ne!(actor.organization_id, old_org);
    assert_eq!(actor.organization_id, a.store.actor().unwrap().organization_id, "re-homed into the account's organization");
    let names: Vec<String> = contacts(&b.store).into_iter().map(|c| c.first_name).collect();
    assert_eq!(names, ["FromA", "FromB"], "nothing of the offline workspace was lost");
    let moved = b.store.repo::<Contact>().get(local.id).unwrap();
    assert_eq!(moved.created_by, actor.user_id);
    a.sync().await;
    assert_eq!(contacts(&a.store).len(), 2, "and it reached the other device");
    assert_eq!(cloud.sql_count("SELECT COUNT(*) FROM organizations").await, 1, "the scratch organization never reached the server");
}

#[tokio::test]
async fn concurrent_edits_merge_by_field_and_the_later_write_wins_a_field() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = add_contact(&a.store, "Grace");
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    // Different fields, both offline.
    a.store.repo::<Contact>().update(c.id, &json!({ "phone": "+1 555 0100" })).unwrap();
    b.store.repo::<Contact>().update(c.id, &json!({ "job_title": "Admiral" })).unwrap();
    // Same field: B writes later.
    a.store.repo::<Contact>().update(c.id, &json!({ "notes": "from A" })).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    b.store.repo::<Contact>().update(c.id, &json!({ "notes": "from B" })).unwrap();
    // B pushes first, A second: A's older notes must not overwrite B's.
    b.sync().await;
    let ra = a.sync().await;
    assert_eq!(ra.superseded + ra.applied, 1, "{ra:?}");
    b.sync().await;
    for d in [&a, &b] {
        let got = d.store.repo::<Contact>().get(c.id).unwrap();
        assert_eq!(got.phone.as_deref(), Some("+1 555 0100"));
        assert_eq!(got.job_title.as_deref(), Some("Admiral"));
        assert_eq!(got.notes.as_deref(), Some("from B"));
    }
}

#[tokio::test]
async fn a_delete_is_not_undone_by_an_edit_and_restore_is_explicit() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = add_contact(&a.store, "Grace");
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    a.store.repo::<Contact>().delete(c.id).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    b.store.repo::<Contact>().update(c.id, &json!({ "notes": "edited after the delete" })).unwrap();
    a.sync().await;
    b.sync().await;
    a.sync().await;
    for d in [&a, &b] {
        let got = d.store.repo::<Contact>().get(c.id).unwrap();
        assert!(got.is_deleted, "no resurrection");
        assert_eq!(got.notes.as_deref(), Some("edited after the delete"), "the edit is kept on the tombstone");
    }
    assert!(b.store.repo::<Contact>().list(&ListQuery::default()).unwrap().items.is_empty());
    b.store.repo::<Contact>().restore(c.id).unwrap();
    b.sync().await;
    a.sync().await;
    assert!(!a.store.repo::<Contact>().get(c.id).unwrap().is_deleted, "restored everywhere");
    assert_eq!(cloud.sql_count(&format!("SELECT COUNT(*) FROM audit_logs WHERE record_id = '{}' AND action = 'restore'", c.id)).await, 1);
}

#[tokio::test]
async fn a_child_that_arrives_before_its_parent_waits_for_it() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = add_contact(&a.store, "Grace");
    let int = a.store.repo::<ContactInteraction>().create(&json!({ "contact_id": c.id, "interaction_type": "call", "interaction_date": "2026-11-20T10:00:00Z" })).unwrap();
    a.sync().await;
    // The contact changes after the interaction: its seq is now after the interaction's.
    a.store.repo::<Contact>().update(c.id, &json!({ "company": "Navy" })).unwrap();
    a.sync().await;
    let mut b = Device::blank(&cloud.url());
    b.syncer.page_size = 1;
    b.syncer.login(&b.store, "ada@acme.test", PASSWORD).await.unwrap();
    assert_eq!(b.store.repo::<ContactInteraction>().get(int.id).unwrap().contact_id, c.id);
    assert_eq!(b.store.repo::<Contact>().get(c.id).unwrap().company.as_deref(), Some("Navy"));
    let parked: i64 = b.store.connection().query_row("SELECT COUNT(*) FROM sync_parked", [], |r| r.get(0)).unwrap();
    assert_eq!(parked, 0, "nothing is left waiting");
    let _ = &mut b;
}

#[tokio::test]
async fn a_retried_push_whose_answer_was_lost_applies_nothing_twice() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = add_contact(&a.store, "Grace");
    a.store.repo::<Contact>().update(c.id, &json!({ "lead_score": 10 })).unwrap();
    // The batch the device would send; the first answer is "lost" (ignored), then the device syncs.
    let row = serde_json::to_value(a.store.repo::<Contact>().get(c.id).unwrap()).unwrap();
    let pending = plugs_core::changes::pending(a.store.connection(), 100).unwrap();
    let last = pending.iter().rfind(|p| p.record_id == c.id).unwrap();
    let fields: BTreeMap<String, Timestamp> = ["first_name", "last_name", "lead_score"].iter().map(|f| (f.to_string(), last.changed_at)).collect();
    let req = PushRequest {
        device_id: a.store.device_id(),
        client_time: Timestamp::now(),
        changes: vec![PushChange { mutation_id: last.mutation_id, table: "contacts".into(), record_id: c.id, kind: ChangeKind::Upsert, fields, row: row.as_object().cloned() }],
    };
    let token = a.credentials_token();
    let first = a.syncer.remote().push(&token, &req).await.unwrap();
    assert_eq!(first.results[0].outcome, Outcome::Applied);
    let seq_after_first = cloud.sql_count("SELECT last_seq FROM sync_org_state").await;
    let again = a.syncer.remote().push(&token, &req).await.unwrap();
    assert_eq!(again.results[0].outcome, Outcome::Applied, "the stored result is returned");
    assert_eq!(cloud.sql_count("SELECT last_seq FROM sync_org_state").await, seq_after_first, "nothing was applied again");
    a.sync().await;
    assert_eq!(cloud.sql_count("SELECT COUNT(*) FROM contacts").await, 1);
    assert_eq!(a.store.pending_changes().unwrap(), 0);
}

trait TokenOf {
    fn credentials_token(&self) -> String;
}

impl TokenOf for Device {
    fn credentials_token(&self) -> String {
        use plugs_core::sync::Credentials;
        self.credentials.load().unwrap().unwrap().access_token
    }
}

#[tokio::test]
async fn a_server_restart_in_the_middle_of_a_push_loses_and_duplicates_nothing() {
    let mut cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let mut ids = vec![];
    for i in 0..600 {
        ids.push(add_contact(&a.store, &format!("Bulk{i:03}")).id);
    }
    // Kill the server while the device pushes its batches.
    let killer = async {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        cloud.restart().await;
    };
    let (first, ()) = tokio::join!(a.syncer.sync_once(&a.store, |_| {}), killer);
    // Whether the cut landed mid-push or not, a second round settles everything exactly once.
    let _ = first;
    a.sync().await;
    assert_eq!(a.store.pending_changes().unwrap(), 0);
    assert_eq!(cloud.sql_count("SELECT COUNT(*) FROM contacts").await, 600);
    assert_eq!(cloud.sql_count("SELECT COUNT(DISTINCT id) FROM contacts").await, 600);
    let b = second_device(&cloud, "ada@acme.test").await;
    assert_eq!(contacts(&b.store).len(), 600);
}

#[tokio::test]
async fn clocks_ten_minutes_off_do_not_decide_who_wins() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = add_contact(&a.store, "Grace");
    a.sync().await;
    let fast = second_device(&cloud, "ada@acme.test").await;
    let slow = second_device(&cloud, "ada@acme.test").await;
    fast.store.shift_clock(chrono::Duration::minutes(10));
    slow.store.shift_clock(chrono::Duration::minutes(-10));
    // The fast clock writes first (its stamp says 10 minutes from now); A writes a little later.
    fast.store.repo::<Contact>().update(c.id, &json!({ "notes": "fast clock" })).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    a.store.repo::<Contact>().update(c.id, &json!({ "notes": "true clock, later" })).unwrap();
    fast.sync().await;
    a.sync().await;
    fast.sync().await;
    assert_eq!(fast.store.repo::<Contact>().get(c.id).unwrap().notes.as_deref(), Some("true clock, later"), "a fast clock does not win");
    // The slow clock writes last in real time: it wins although its stamp is 10 minutes old.
    std::thread::sleep(std::time::Duration::from_millis(20));
    slow.store.repo::<Contact>().update(c.id, &json!({ "notes": "slow clock, latest" })).unwrap();
    slow.sync().await;
    a.sync().await;
    assert_eq!(a.store.repo::<Contact>().get(c.id).unwrap().notes.as_deref(), Some("slow clock, latest"));
}

async fn purge(cloud: &Cloud) -> Option<i64> {
    let pool = plugs_server::db::pool(&plugs_server::Config::new(cloud.db.admin.clone(), cloud.db.admin.clone())).unwrap();
    plugs_server::sync::purge_tombstones(&pool, std::time::Duration::ZERO).await.unwrap()
}

/// Purge-correct: a device away during the delete, one that had already pulled the tombstone, and
/// one with a pending edit of the purged row all end without it, and without the live children the
/// purge removed with it; the pending edit is refused visibly and never brings the row back.
#[tokio::test]
async fn every_device_learns_a_purge_and_a_late_edit_never_resurrects_the_row() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let gone = add_contact(&a.store, "Gone");
    let kept = add_contact(&a.store, "Kept");
    let met = a.store.repo::<ContactInteraction>().create(&json!({ "contact_id": gone.id, "interaction_type": "meeting", "interaction_date": Timestamp::now() })).unwrap();
    a.sync().await;
    let away = second_device(&cloud, "ada@acme.test").await;
    let current = second_device(&cloud, "ada@acme.test").await;
    let editor = second_device(&cloud, "ada@acme.test").await;
    assert_eq!(contacts(&away.store).len(), 2);
    // A deletes the contact; `current` pulls the tombstone; the purge removes the row, and its live
    // interaction by cascade.
    a.store.repo::<Contact>().delete(gone.id).unwrap();
    a.sync().await;
    current.sync().await;
    assert!(current.store.repo::<Contact>().get(gone.id).unwrap().is_deleted, "the tombstone arrived");
    assert_eq!(purge(&cloud).await, Some(1));
    assert_eq!(cloud.sql_count(&format!("SELECT count(*) FROM contact_interactions WHERE id = '{}'", met.id)).await, 0, "the cascade on the server");
    // Meanwhile `away` edited another row, and `editor` (which never saw the delete) the purged one.
    away.store.repo::<Contact>().update(kept.id, &json!({ "notes": "written while away" })).unwrap();
    editor.store.repo::<Contact>().update(gone.id, &json!({ "notes": "late edit" })).unwrap();
    for d in [&away, &current, &editor, &a] {
        d.sync().await;
        let here: i64 = d.store.connection().query_row("SELECT count(*) FROM contacts WHERE id = ?1", [gone.id.to_string()], |r| r.get(0)).unwrap();
        assert_eq!(here, 0, "the purged row is gone on every device, not silently kept");
        let child: i64 = d.store.connection().query_row("SELECT count(*) FROM contact_interactions WHERE id = ?1", [met.id.to_string()], |r| r.get(0)).unwrap();
        assert_eq!(child, 0, "and the interaction the purge removed with it");
    }
    assert_eq!(cloud.sql_count(&format!("SELECT count(*) FROM contacts WHERE id = '{}'", gone.id)).await, 0, "the late edit did not bring it back");
    let refused: Vec<_> = editor.store.sync_rejections().unwrap().into_iter().filter(|(_, id, _, _)| *id == gone.id).collect();
    assert_eq!(refused.len(), 1, "the late edit is kept with its reason");
    assert!(format!("{:?}", refused[0]).contains("gone"), "{refused:?}");
    assert_eq!(away.store.repo::<Contact>().get(kept.id).unwrap().notes.as_deref(), Some("written while away"));
    a.sync().await;
    assert_eq!(a.store.repo::<Contact>().get(kept.id).unwrap().notes.as_deref(), Some("written while away"));
}

/// A device that pulls a purge before it pushes (the live pull runs beside the pushes) keeps what it
/// wrote under the purged row: its edit of the row and a new interaction with it are set aside with
/// their reasons, as refused pushes are, and nothing stays queued or comes back on the server.
#[tokio::test]
async fn a_purge_pulled_before_a_push_sets_aside_what_it_takes_with_it() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let gone = add_contact(&a.store, "Gone");
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    a.store.repo::<Contact>().delete(gone.id).unwrap();
    a.sync().await;
    assert_eq!(purge(&cloud).await, Some(1));
    b.store.repo::<Contact>().update(gone.id, &json!({ "notes": "late edit" })).unwrap();
    let met = b
        .store
        .repo::<ContactInteraction>()
        .create(&json!({ "contact_id": gone.id, "interaction_type": "meeting", "interaction_date": Timestamp::now(), "subject": "met at the stand" }))
        .unwrap();
    assert!(b.store.pending_changes().unwrap() >= 2);
    b.syncer.pull_all(&b.store, |_| {}).await.unwrap();
    assert_eq!(b.store.pending_changes().unwrap(), 0, "nothing queued for rows that are gone");
    assert!(b.store.repo::<ContactInteraction>().get(met.id).is_err(), "the interaction went with its contact");
    let refused = b.store.sync_rejections().unwrap();
    let of = |id: Uuid| refused.iter().find(|(_, r, _, _)| *r == id).unwrap_or_else(|| panic!("{id} set aside: {refused:?}"));
    let (table, _, reason, row) = of(met.id);
    assert_eq!((table.as_str(), reason.code.as_str(), reason.field.as_deref()), ("contact_interactions", "parent_removed", Some("contact_id")));
    assert!(reason.message.contains("contact"), "{reason:?}");
    assert_eq!(row.as_ref().unwrap()["subject"], "met at the stand", "the row is kept with its values");
    let (_, _, reason, row) = of(gone.id);
    assert_eq!(reason.code, "gone");
    assert_eq!(row.as_ref().unwrap()["notes"], "late edit");
    b.sync().await;
    assert_eq!(cloud.sql_count(&format!("SELECT count(*) FROM contact_interactions WHERE id = '{}'", met.id)).await, 0);
    assert_eq!(cloud.sql_count(&format!("SELECT count(*) FROM contacts WHERE id = '{}'", gone.id)).await, 0);
}

/// A push refused for a row the server removed for good (here: an edit of a purged contact) takes
/// with it the rows that point at it; those still waiting for a later batch are set aside too, not
/// dropped when their turn comes.
#[tokio::test]
async fn rows_queued_in_a_later_batch_under_a_refused_row_are_set_aside() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let gone = add_contact(&a.store, "Gone");
    a.sync().await;
    let mut b = second_device(&cloud, "ada@acme.test").await;
    a.store.repo::<Contact>().delete(gone.id).unwrap();
    a.sync().await;
    assert_eq!(purge(&cloud).await, Some(1));
    b.store.repo::<Contact>().update(gone.id, &json!({ "notes": "late edit" })).unwrap();
    let met: Vec<Uuid> = (0..5)
        .map(|i| {
            b.store
                .repo::<ContactInteraction>()
                .create(&json!({ "contact_id": gone.id, "interaction_type": "call", "interaction_date": Timestamp::now(), "subject": format!("call {i}") }))
                .unwrap()
                .id
        })
        .collect();
    b.syncer.push_batch = 2;
    b.sync().await;
    assert_eq!(b.store.pending_changes().unwrap(), 0);
    let refused: HashMap<Uuid, String> = b.store.sync_rejections().unwrap().into_iter().map(|(_, id, reason, _)| (id, reason.code)).collect();
    assert_eq!(refused.get(&gone.id).map(String::as_str), Some("gone"), "{refused:?}");
    for id in &met {
        assert!(matches!(refused.get(id).map(String::as_str), Some("parent_removed" | "missing_parent")), "interaction {id} is set aside: {refused:?}");
    }
}

/// Tags merge tag by tag: tags added and removed at once on two devices all stand; the same tag
/// added on one and removed on the other ends as the later change says; another metadata key
/// edited meanwhile keeps its own last-writer rule and never takes the tags with it.
#[tokio::test]
async fn tags_added_and_removed_on_two_devices_at_once_are_all_kept() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = a.store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper", "metadata": { "tags": ["navy", "old"], "source": "card" } })).unwrap();
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    let tags = |d: &Device| -> Vec<String> {
        d.store.repo::<Contact>().get(c.id).unwrap().metadata["tags"].as_array().map(|a| a.iter().map(|t| t.as_str().unwrap().to_owned()).collect()).unwrap_or_default()
    };
    // Offline on both: A adds "investor" and removes "old"; B adds "speaker", removes "navy" and
    // edits another metadata key.
    a.store.tag_rows("contacts", &[c.id], &["investor".into()], &["old".into()]).unwrap();
    b.store.tag_rows("contacts", &[c.id], &["speaker".into()], &["navy".into()]).unwrap();
    let mut meta = b.store.repo::<Contact>().get(c.id).unwrap().metadata;
    meta["source"] = json!("badge");
    b.store.repo::<Contact>().update(c.id, &json!({ "metadata": meta })).unwrap();
    a.sync().await;
    b.sync().await;
    a.sync().await;
    assert_eq!(tags(&a), ["investor", "speaker"]);
    assert_eq!(tags(&b), ["investor", "speaker"]);
    let parked: i64 = b.store.connection().query_row("SELECT count(*) FROM sync_parked", [], |r| r.get(0)).unwrap();
    assert_eq!(parked, 0, "every pulled row applied (the tag and touch triggers never refuse one)");
    assert_eq!(a.store.repo::<Contact>().get(c.id).unwrap().metadata["source"], "badge");
    // The same tag: added on A, then removed on B later; the removal is the later change.
    a.store.tag_rows("contacts", &[c.id], &["vip".into()], &[]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    b.store.tag_rows("contacts", &[c.id], &["vip".into()], &[]).unwrap();
    b.store.tag_rows("contacts", &[c.id], &[], &["vip".into()]).unwrap();
    b.sync().await;
    a.sync().await;
    b.sync().await;
    assert_eq!(tags(&a), ["investor", "speaker"], "the later removal wins");
    assert_eq!(tags(&b), tags(&a));
    let on_server = cloud.sql_count(&format!("SELECT count(*) FROM contacts WHERE id = '{}' AND metadata->'tags' = '[\"investor\", \"speaker\"]'::jsonb", c.id)).await;
    assert_eq!(on_server, 1);
}

/// Keep in touch across devices: a cadence set on one device, a call logged on another, and the
/// next touch moves on both; a snooze set offline on one travels too.
#[tokio::test]
async fn a_touch_logged_on_one_device_moves_the_next_touch_on_the_other() {
    use plugs_core::touch::{Cadence, CadenceUnit};
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let c = add_contact(&a.store, "Grace");
    a.store.set_keep_in_touch(c.id, Some(Cadence { every: 2, unit: CadenceUnit::Weeks })).unwrap();
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    let later = Timestamp::from_datetime(Timestamp::now().as_datetime() + chrono::Duration::days(15));
    assert_eq!(a.store.losing_touch(later, 10).unwrap().len(), 1, "overdue in 15 days");
    assert_eq!(b.store.touch_of(c.id).unwrap().unwrap().cadence, Cadence { every: 2, unit: CadenceUnit::Weeks }, "the cadence travelled");
    b.store.shift_clock(chrono::Duration::days(3));
    b.store.log_touch(c.id, Some("meeting"), None).unwrap();
    b.sync().await;
    a.sync().await;
    let next = a.store.touch_of(c.id).unwrap().unwrap().next_touch;
    assert!(next.as_datetime() > Timestamp::now().as_datetime() + chrono::Duration::days(16), "moved by B's meeting: {next}");
    assert!(a.store.losing_touch(later, 10).unwrap().is_empty());
    b.store.snooze_touch(c.id, Some(Timestamp::from_datetime(Timestamp::now().as_datetime() + chrono::Duration::days(40)))).unwrap();
    b.sync().await;
    a.sync().await;
    assert!(a.store.touch_of(c.id).unwrap().unwrap().snoozed_until.is_some());
}

/// A merge on one device while another, offline, logged a meeting with the merged-away contact
/// and edited it: the server moves the meeting to the contact kept, the edit is kept on the
/// merged-away contact, both devices end alike, and an undo on the first brings that contact back
/// with its edit and its own history.
#[tokio::test]
async fn a_merge_syncs_while_another_device_edits_the_merged_contact() {
    use plugs_core::merge::MergeRequest;
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let keep = a.store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Test", "company": "US Navy" })).unwrap();
    let dup = a.store.repo::<Contact>().create(&json!({ "first_name": "Grace2", "last_name": "Test", "company": "Navy", "phone": "+1 202 555 0100" })).unwrap();
    let old = a.store.repo::<ContactInteraction>().create(&json!({ "contact_id": dup.id, "interaction_type": "call", "interaction_date": "2026-11-01T10:00:00Z" })).unwrap();
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    // B, offline: a meeting with the contact about to be merged away, and a note on it.
    let late = b.store.repo::<ContactInteraction>().create(&json!({ "contact_id": dup.id, "interaction_type": "meeting", "interaction_date": "2026-11-20T10:00:00Z" })).unwrap();
    // And edits of it: a note, a new phone, another company, a tag.
    b.store.repo::<Contact>().update(dup.id, &json!({ "notes": "prefers mornings", "phone": "+1 202 555 0199", "company": "Navy Reserve" })).unwrap();
    b.store.tag_rows("contacts", &[dup.id], &["investor".into()], &[]).unwrap();
    // The phone the kept contact lacked is taken from the other (as the merge screen offers).
    let report = a.store.merge_contacts(&MergeRequest { keep: keep.id, others: vec![dup.id], fields: [("phone".into(), dup.id)].into() }).unwrap();
    a.sync().await;
    let r = b.sync().await;
    assert_eq!(r.rejected, 0, "{r:?}: {:?}", b.store.sync_rejections().unwrap());
    a.sync().await;
    for d in [&a, &b] {
        let with = |id: Uuid| d.store.repo::<ContactInteraction>().get(id).unwrap().contact_id;
        assert_eq!((with(old.id), with(late.id)), (keep.id, keep.id), "both meetings with the contact kept");
        let gone = d.store.repo::<Contact>().get(dup.id).unwrap();
        assert!(gone.is_deleted && gone.metadata["merged_into"] == json!(keep.id.to_string()));
        assert_eq!(gone.notes.as_deref(), Some("prefers mornings"), "the edit is kept");
        // The edit reaches the contact kept where it still held the value the edit replaced: the
        // phone the merge took from the merged-away contact, the empty notes, the tags. Its own
        // company, chosen by the merge, stands.
        let kept = d.store.repo::<Contact>().get(keep.id).unwrap();
        assert_eq!(kept.notes.as_deref(), Some("prefers mornings"));
        assert_eq!(kept.phone.as_deref(), Some("+1 202 555 0199"));
        assert_eq!(kept.company.as_deref(), Some("US Navy"));
        assert_eq!(kept.metadata["tags"], json!(["investor"]));
    }
    assert_eq!(cloud.sql_count(&format!("SELECT count(*) FROM contact_interactions WHERE contact_id = '{}'", keep.id)).await, 2);
    // Undo on A: the contact is back with its own call and B's note, on both devices.
    a.store.undo_merge(report.merge_id).unwrap();
    a.sync().await;
    b.sync().await;
    for d in [&a, &b] {
        let back = d.store.repo::<Contact>().get(dup.id).unwrap();
        assert!(!back.is_deleted);
        assert_eq!(back.notes.as_deref(), Some("prefers mornings"));
        assert_eq!(d.store.repo::<ContactInteraction>().get(old.id).unwrap().contact_id, dup.id);
    }
}

/// A cursor older than a horizon (set by purges of an earlier version, which took rows out of the
/// log) gets a full resync that keeps the device's unsent edits.
#[tokio::test]
async fn a_cursor_older_than_the_purge_horizon_gets_a_full_resync() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let gone = add_contact(&a.store, "Gone");
    let kept = add_contact(&a.store, "Kept");
    a.sync().await;
    let b = second_device(&cloud, "ada@acme.test").await;
    a.store.repo::<Contact>().delete(gone.id).unwrap();
    a.sync().await;
    // As an earlier version's purge did: the row and its log entry gone, the horizon raised.
    let admin = cloud.db.admin_client().await;
    admin.batch_execute(&format!("DELETE FROM contacts WHERE id = '{0}'; DELETE FROM sync_rows WHERE record_id = '{0}'", gone.id)).await.unwrap();
    admin.batch_execute("UPDATE sync_org_state SET purged_through_seq = last_seq").await.unwrap();
    b.store.repo::<Contact>().update(kept.id, &json!({ "notes": "written while away" })).unwrap();
    let report = b.sync().await;
    assert!(report.resynced, "{report:?}");
    assert!(b.store.repo::<Contact>().get(gone.id).is_err(), "the purged row is gone here too, not silently kept");
    assert_eq!(b.store.repo::<Contact>().get(kept.id).unwrap().notes.as_deref(), Some("written while away"));
}

#[tokio::test]
async fn pushes_for_another_organization_are_refused() {
    let cloud = Cloud::start().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let g = first_device(&cloud, "Globex", "hank@globex.test").await;
    let theirs = add_contact(&g.store, "Secret");
    g.sync().await;
    let token = a.credentials_token();
    let g_org = g.store.actor().unwrap().organization_id;
    let mut row = serde_json::to_value(g.store.repo::<Contact>().get(theirs.id).unwrap()).unwrap();
    row["first_name"] = json!("Pwned");
    let fields: BTreeMap<String, Timestamp> = [("first_name".to_string(), Timestamp::now())].into();
    // 1) their row, as it is (their organization): refused.
    let req = PushRequest {
        device_id: a.store.device_id(),
        client_time: Timestamp::now(),
        changes: vec![PushChange {
            mutation_id: Uuid::now_v7(),
            table: "contacts".into(),
            record_id: theirs.id,
            kind: ChangeKind::Upsert,
            fields: fields.clone(),
            row: row.as_object().cloned(),
        }],
    };
    let res = a.syncer.remote().push(&token, &req).await.unwrap();
    assert_eq!(res.results[0].outcome, Outcome::Rejected);
    assert_eq!(res.results[0].reason.as_ref().unwrap().code, "other_organization");
    // 2) their row's id claimed for our organization: refused too (it exists elsewhere).
    row["organization_id"] = json!(a.store.actor().unwrap().organization_id);
    let req2 = PushRequest { changes: vec![PushChange { mutation_id: Uuid::now_v7(), row: row.as_object().cloned(), ..req.changes[0].clone() }], ..req.clone() };
    let res = a.syncer.remote().push(&token, &req2).await.unwrap();
    assert_eq!(res.results[0].outcome, Outcome::Rejected, "{:?}", res.results[0]);
    let name: String = cloud.db.admin_client().await.query_one("SELECT first_name FROM contacts WHERE id = $1", &[&theirs.id]).await.unwrap().get(0);
    assert_eq!(name, "Secret");
    let _ = g_org;
    // Acme's devices never receive Globex rows.
    let b = second_device(&cloud, "ada@acme.test").await;
    assert!(contacts(&b.store).is_empty());
    let leaked: Value = serde_json::to_value(contacts(&b.store)).unwrap();
    assert!(!leaked.to_string().contains("Secret"));
}

fn rejections(store: &Store) -> i64 {
    store.connection().query_row("SELECT count(*) FROM sync_rejections", [], |r| r.get(0)).unwrap()
}

/// No echoes: audit rows pulled from the server (another member's, or the server's own when an
/// admin adds a user) are never pushed back; a device's own audit rows are pushed once.
#[tokio::test]
async fn pulled_audit_rows_are_never_pushed_back() {
    let cloud = Cloud::start().await;
    let admin = first_device(&cloud, "Acme", "ada@acme.test").await;
    add_member(&cloud, &admin, "mo@acme.test", "Mo").await;
    for i in 0..5 {
        add_contact(&admin.store, &format!("Admin{i}"));
    }
    admin.sync().await;
    // A new device of the member: its login pulls the whole audit log and uploads none of it.
    let member = second_device(&cloud, "mo@acme.test").await;
    let audit_here: i64 = member.store.connection().query_row("SELECT count(*) FROM audit_logs", [], |r| r.get(0)).unwrap();
    assert!(audit_here >= 6, "the member's device has the organization's audit log ({audit_here})");
    let report = member.sync().await;
    assert_eq!((report.pushed, report.rejected), (0, 0), "{report:?}");
    assert_eq!(rejections(&member.store), 0);
    // More of the admin's work arrives while the member has an edit of their own waiting.
    let own = add_contact(&member.store, "MemberOwn");
    add_contact(&admin.store, "AdminLater");
    admin.sync().await;
    let report = member.sync().await;
    assert_eq!(report.rejected, 0, "{report:?}");
    assert_eq!(rejections(&member.store), 0);
    let pulled_then_own = member.sync().await;
    assert_eq!((pulled_then_own.pushed, pulled_then_own.rejected), (0, 0), "nothing is pushed twice: {pulled_then_own:?}");
    let on_server = cloud.sql_count(&format!("SELECT count(*) FROM audit_logs WHERE record_id = '{}'", own.id)).await;
    assert_eq!(on_server, 1, "the member's own audit row reached the server once");
    let admin_report = admin.sync().await;
    assert_eq!(admin_report.rejected, 0, "{admin_report:?}");
    assert_eq!(rejections(&admin.store), 0);
}

/// An offline workspace's admin approved an expense, then joins a team as a member: the expense
/// reaches the team as a request (pending) the admin sees, and the device keeps the refused
/// approval with its reason; nothing disappears.
#[tokio::test]
async fn rehoming_into_a_member_account_turns_approvals_into_requests() {
    use plugs_core::tables::expenses::Expense;
    let cloud = Cloud::start().await;
    let admin = first_device(&cloud, "Acme", "ada@acme.test").await;
    add_member(&cloud, &admin, "mo@acme.test", "Mo").await;
    // Mo's laptop started offline, where Mo is the workspace's admin and approves a taxi.
    let mo = Device::offline(&cloud.url(), "Scratch", "mo@acme.test");
    let taxi = mo.store.repo::<Expense>().create(&json!({ "title": "Taxi", "amount": "23.40", "currency": "EUR", "expense_date": "2026-12-01" })).unwrap();
    assert_eq!(mo.store.approve_expense(taxi.id).unwrap().status.as_str(), "approved");
    mo.syncer.login(&mo.store, "mo@acme.test", PASSWORD).await.unwrap();
    mo.sync().await;
    let here = mo.store.repo::<Expense>().get(taxi.id).expect("the expense is still in Mo's workspace");
    assert_eq!(here.status.as_str(), "pending", "as the request the team's admin decides on");
    let refused: Vec<_> = mo.store.sync_rejections().unwrap().into_iter().filter(|(_, id, _, _)| *id == taxi.id).collect();
    assert_eq!(refused.len(), 1, "the refused approval is kept with its reason");
    assert!(format!("{:?}", refused[0]).contains("forbidden"), "{refused:?}");
    admin.sync().await;
    let seen = admin.store.repo::<Expense>().get(taxi.id).expect("the admin sees the request");
    assert_eq!(seen.status.as_str(), "pending");
    assert_eq!(seen.amount.to_string(), "23.40");
}
