//! Several server instances over one PostgreSQL behave as one: an edit pushed through one instance
//! wakes a device long-polling on another at once (LISTEN/NOTIFY), also after the listening
//! connection was cut; the tombstone purge runs on one instance at a time.

mod common;

use common::{first_device, Cloud, Device, PASSWORD};
use plugs_core::tables::contacts::Contact;
use serde_json::json;
use std::time::{Duration, Instant};

/// Seconds from the start of a push on `writer` to the end of the long-poll of `reader` that
/// receives it.
async fn arrival(writer: &Device, reader: &Device, n: usize) -> f64 {
    let mut took = vec![];
    for i in 0..n {
        let poll = async {
            let got = reader.syncer.pull_live(&reader.store, 20).await.unwrap();
            (Instant::now(), got)
        };
        let push = async {
            // Let the long-poll reach the server and wait there first.
            tokio::time::sleep(Duration::from_millis(300)).await;
            writer.store.repo::<Contact>().create(&json!({"first_name": "Live", "last_name": format!("Edit {i}")})).unwrap();
            let start = Instant::now();
            writer.syncer.push_all(&writer.store).await.unwrap();
            start
        };
        let ((arrived, got), start) = tokio::join!(poll, push);
        assert!(got >= 1, "the long-poll returned the edit");
        let t = arrived.checked_duration_since(start).expect("the long-poll waited for the push (it had nothing to catch up on)");
        took.push(t.as_secs_f64());
    }
    took.sort_by(f64::total_cmp);
    took[took.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_reaches_a_device_waiting_on_another_instance_at_once() {
    let cloud = Cloud::start().await;
    let second = cloud.another_instance().await;
    let a = first_device(&cloud, "Acme", "ada@acme.test").await;
    let same = Device::blank(&cloud.url());
    same.syncer.login(&same.store, "ada@acme.test", PASSWORD).await.unwrap();
    let other = Device::blank(&second.url());
    other.syncer.login(&other.store, "ada@acme.test", PASSWORD).await.unwrap();

    let on_same = arrival(&a, &same, 5).await;
    other.sync().await;
    let across = arrival(&a, &other, 5).await;
    println!("an edit's arrival, median of 5: {:.0} ms on the same instance, {:.0} ms across instances", on_same * 1000.0, across * 1000.0);
    assert!(across < 1.0, "across instances: {across:.3} s");

    // The listening connections are cut (as by a database restart): they are made again, and
    // edits keep arriving across instances.
    let admin = cloud.db.admin_client().await;
    let cut: i64 = admin.query_one("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN plugs_sync%'", &[]).await.unwrap().get(0);
    assert!(cut >= 2, "each instance listens on its own connection ({cut})");
    let started = Instant::now();
    loop {
        let back: i64 = admin.query_one("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN plugs_sync%'", &[]).await.unwrap().get(0);
        if back >= 2 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the listeners came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = arrival(&a, &other, 3).await;
    assert!(after < 1.0, "across instances after the cut: {after:.3} s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_runs_on_one_instance_at_a_time() {
    let cloud = Cloud::start().await;
    let pool = plugs_server::db::pool(&plugs_server::Config::new(cloud.db.admin.clone(), cloud.db.admin.clone())).unwrap();
    let mut holder = cloud.db.admin_client().await;
    let tx = holder.transaction().await.unwrap();
    tx.query_one("SELECT pg_advisory_xact_lock(x'706c756773707572'::bigint)", &[]).await.unwrap();
    assert_eq!(plugs_server::sync::purge_tombstones(&pool, Duration::ZERO).await.unwrap(), None, "another instance is purging: this one skips");
    tx.rollback().await.unwrap();
    assert_eq!(plugs_server::sync::purge_tombstones(&pool, Duration::ZERO).await.unwrap(), Some(0));
}
