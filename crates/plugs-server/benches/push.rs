//! Push throughput of the server over a real PostgreSQL: 100 organizations, one device each,
//! pushing 4-row batches (3 new contacts and an edit of an earlier one) in a closed loop over
//! loopback HTTP. Reports pushes/s and latency; the same source runs against any version of the
//! server, so a before/after comparison is two runs of this file on one machine.
//!
//! `cargo bench -p plugs-server --bench push` (PLUGS_BENCH_SECS, PLUGS_BENCH_ORGS to change the run;
//! PLUGS_BENCH_DEVICES spreads that many devices over the organizations, one each by default, to
//! show how pushes of one organization wait for each other while organizations do not).

use plugs_server::{Application, Config};
use plugs_testkit::TestDb;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn contact(org: &str, user: &str, first: &str) -> Value {
    json!({ "id": Uuid::now_v7(), "organization_id": org, "created_by": user, "first_name": first, "last_name": "Bench", "company": "Load", "email": format!("{first}@load.test") })
}

fn upsert(row: &Value, fields: &[&str]) -> Value {
    let t = now();
    let f: serde_json::Map<String, Value> = fields.iter().map(|k| ((*k).to_owned(), Value::String(t.clone()))).collect();
    json!({ "mutation_id": Uuid::now_v7(), "table": "contacts", "record_id": row["id"], "kind": "upsert", "fields": f, "row": row })
}

#[tokio::main]
async fn main() {
    let secs = env("PLUGS_BENCH_SECS", 15);
    let orgs = env("PLUGS_BENCH_ORGS", 100) as usize;
    let device_count = env("PLUGS_BENCH_DEVICES", orgs as u64) as usize;
    let db = TestDb::new().await;
    plugs_server::db::migrate(&db.admin).await.expect("migrations apply");
    let mut config = Config::new(db.app.clone(), db.admin.clone());
    config.database_role = db.role.clone();
    let app = Application::build(config).await.expect("the server starts");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    let http = reqwest::Client::new();
    let mut devices = vec![];
    for i in 0..orgs {
        let r: Value = http
            .post(format!("{base}/v1/register"))
            .json(
                &json!({ "organization_name": format!("Org {i}"), "first_name": "A", "last_name": "B", "email": format!("a{i}@org{i}.test"), "password": "correct horse battery" }),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let org = r["organization"]["id"].as_str().unwrap().to_owned();
        let user = r["user"]["id"].as_str().unwrap().to_owned();
        devices.push((r["access_token"].as_str().unwrap().to_owned(), org, user));
    }
    let devices: Vec<(String, String, String)> = (0..device_count).map(|i| devices[i % orgs].clone()).collect();
    println!("push benchmark: {orgs} organizations, {device_count} devices, 4-row pushes, {secs} s closed loop");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let warmup = Instant::now() + Duration::from_secs(2);
    let mut tasks = vec![];
    for (token, org, user) in devices {
        let http = http.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let device = Uuid::now_v7();
            let mut lat = vec![];
            let mut errors = 0u64;
            let mut earlier: Option<Value> = None;
            let mut n = 0u64;
            while Instant::now() < deadline {
                let mut changes = vec![];
                for k in 0..3 {
                    changes.push(upsert(&contact(&org, &user, &format!("c{n}x{k}")), &["first_name", "last_name", "company", "email", "created_by"]));
                }
                let edit = match &earlier {
                    Some(e) => {
                        let mut e = e.clone();
                        e["job_title"] = json!(format!("Title {n}"));
                        upsert(&e, &["job_title"])
                    }
                    None => upsert(&contact(&org, &user, &format!("c{n}e")), &["first_name", "last_name", "company", "email", "created_by"]),
                };
                earlier = Some(changes[0]["row"].clone());
                changes.push(edit);
                let t = Instant::now();
                let r = http.post(format!("{base}/v1/sync/push")).bearer_auth(&token).json(&json!({ "device_id": device, "client_time": now(), "changes": changes })).send().await;
                let ok = match r {
                    Ok(r) if r.status().is_success() => {
                        r.json::<Value>().await.map(|b| b["results"].as_array().is_some_and(|a| a.iter().all(|x| x["outcome"] == "applied"))).unwrap_or(false)
                    }
                    _ => false,
                };
                if t >= warmup {
                    lat.push(t.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                n += 1;
            }
            (lat, errors)
        }));
    }
    let mut all = vec![];
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    all.sort();
    let measured = secs.saturating_sub(2).max(1) as f64;
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default();
    println!(
        "pushes: {} in {measured:.0} s = {:.0} pushes/s ({:.0} rows/s); latency p50 {:.1} ms, p99 {:.1} ms; errors {errors}",
        all.len(),
        all.len() as f64 / measured,
        all.len() as f64 * 4.0 / measured,
        pct(0.5).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0
    );
}
