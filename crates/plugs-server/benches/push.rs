//! Push throughput of the server over a real PostgreSQL: 100 organizations, one device each,
//! pushing 4-row batches (3 new contacts and an edit of an earlier one) in a closed loop over
//! loopback HTTP. Reports pushes/s and latency; the same source runs against any version of the
//! server, so a before/after comparison is two runs of this file on one machine.
//!
//! `cargo bench -p plugs-server --bench push` (PLUGS_BENCH_SECS, PLUGS_BENCH_ORGS, PLUGS_BENCH_SEED
//! (contacts each organization holds before the run, 1,000) to change the run;
//! PLUGS_BENCH_DEVICES spreads that many devices over the organizations, one each by default, to
//! show how pushes of one organization wait for each other while organizations do not).
//!
//! `PLUGS_BENCH_MODE=open`: an open loop instead — each device syncs (a 4-row push, then a pull
//! from its cursor) every PLUGS_BENCH_EVERY_MS (5,000) on its own schedule, whether or not the
//! last sync has answered, as devices in the field do. Reports push and pull latency, and every
//! 30 s the process's resident size and PostgreSQL's connection count (the soak:
//! `PLUGS_BENCH_MODE=open PLUGS_BENCH_DEVICES=500 PLUGS_BENCH_SECS=600`).

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
    // A server at team scale holds data: each organization starts with PLUGS_BENCH_SEED contacts
    // (1,000 by default; 100,000 in all), and the statistics are gathered as autovacuum does a
    // minute into any server's life, so plans are those of a server in service, not of empty tables.
    let seed = env("PLUGS_BENCH_SEED", 1000);
    if seed > 0 {
        let t = Instant::now();
        let admin = db.admin_client().await;
        admin
            .execute(
                "INSERT INTO contacts (organization_id, created_by, first_name, last_name, email, company)
                 SELECT u.organization_id, u.id, 'Seed' || g, 'Contact', 'seed' || g || '@' || u.organization_id || '.test', 'Company ' || (g % 97)
                 FROM users u, generate_series(1, $1::int) g",
                &[&(seed as i32)],
            )
            .await
            .expect("seed contacts");
        admin.batch_execute("ANALYZE").await.expect("analyze");
        println!("seeded {} contacts ({seed} per organization) in {:.1} s", seed * orgs as u64, t.elapsed().as_secs_f64());
    }
    let devices: Vec<(String, String, String)> = (0..device_count).map(|i| devices[i % orgs].clone()).collect();
    if std::env::var("PLUGS_BENCH_MODE").as_deref() == Ok("open") {
        open_loop(&db, &http, &base, devices, secs, env("PLUGS_BENCH_EVERY_MS", 5000)).await;
        return;
    }
    // Each push is followed by the device's pull (PLUGS_BENCH_PULLS=0: pushes alone).
    let with_pulls = env("PLUGS_BENCH_PULLS", 1) != 0;
    println!("push benchmark: {orgs} organizations, {device_count} devices, 4-row pushes{}, {secs} s closed loop", if with_pulls { " each followed by its pull" } else { "" });
    let deadline = Instant::now() + Duration::from_secs(secs);
    let warmup = Instant::now() + Duration::from_secs(2);
    // The processor time PostgreSQL, this process (the server and the load generator) and the
    // whole machine spend over the measured window: the machine's own limit, in the same run.
    let cpu = tokio::spawn(async move {
        tokio::time::sleep_until(tokio::time::Instant::from_std(warmup)).await;
        let a = cpu_ticks();
        tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).await;
        let b = cpu_ticks();
        [b[0] - a[0], b[1] - a[1], b[2] - a[2], b[3] - a[3]]
    });
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
            let (mut cursor, mut pull_lat) = (0i64, vec![]);
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
                // Then the device pulls from its cursor, as a device does after each push.
                if with_pulls {
                    let t = Instant::now();
                    let r = http.get(format!("{base}/v1/sync/pull?cursor={cursor}&limit=500")).bearer_auth(&token).send().await;
                    let ok = match r {
                        Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                            Ok(b) => {
                                cursor = b["cursor"].as_i64().unwrap_or(cursor).max(cursor);
                                true
                            }
                            Err(_) => false,
                        },
                        _ => false,
                    };
                    if t >= warmup {
                        pull_lat.push(t.elapsed());
                        if !ok {
                            errors += 1;
                        }
                    }
                }
                n += 1;
            }
            (lat, pull_lat, errors)
        }));
    }
    let (mut all, mut pulls) = (vec![], vec![]);
    let mut errors = 0;
    for t in tasks {
        let (l, p, e) = t.await.unwrap();
        all.extend(l);
        pulls.extend(p);
        errors += e;
    }
    all.sort();
    pulls.sort();
    let [pg, me, busy, total] = cpu.await.unwrap();
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
    if with_pulls {
        let p = |q: f64| pulls.get(((pulls.len() as f64 * q) as usize).min(pulls.len().saturating_sub(1))).copied().unwrap_or_default().as_secs_f64() * 1000.0;
        println!("pulls: {} ({:.0}/s); latency p50 {:.1} ms, p99 {:.1} ms", pulls.len(), pulls.len() as f64 / measured, p(0.5), p(0.99));
    }
    // Processor time per push (with its pull), in ms; ticks are 1/100 s.
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    let per = |ticks: u64| ticks as f64 * 10.0 / all.len().max(1) as f64;
    println!(
        "processor time per push{}: PostgreSQL {:.2} ms, the server and the load generator {:.2} ms; the machine busy {:.0}% of its {cores:.0} cores",
        if with_pulls { " and its pull" } else { "" },
        per(pg),
        per(me),
        busy as f64 * 100.0 / total.max(1) as f64
    );
    println!(
        "the machine's own limit: {:.0} pushes/s if PostgreSQL had every core to itself ({cores:.0} × 1000 ms / {:.2} ms), {:.0} pushes/s with the server's share as measured",
        cores * 1000.0 / per(pg).max(0.001),
        per(pg),
        cores * 1000.0 / (per(pg) + per(me)).max(0.001)
    );
}

/// Processor ticks so far: [PostgreSQL's processes, this process, the machine busy, the machine
/// in all] (PostgreSQL's backends are long-lived pool connections, so their counters hold).
fn cpu_ticks() -> [u64; 4] {
    let ticks = |stat: &str| -> u64 {
        // After the command name in parentheses: utime and stime are fields 14 and 15.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
    };
    let mut pg = 0;
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            if let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) {
                if stat.contains("(postgres)") {
                    pg += ticks(&stat);
                }
            }
        }
    }
    let me = std::fs::read_to_string("/proc/self/stat").map(|s| ticks(&s)).unwrap_or(0);
    let (mut busy, mut total) = (0, 0);
    if let Some(line) = std::fs::read_to_string("/proc/stat").ok().and_then(|s| s.lines().next().map(str::to_owned)) {
        let v: Vec<u64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
        total = v.iter().take(8).sum();
        // idle and iowait are the 4th and 5th.
        busy = total - v.get(3).copied().unwrap_or(0) - v.get(4).copied().unwrap_or(0);
    }
    [pg, me, busy, total]
}

fn changes_for(org: &str, user: &str, n: u64, earlier: &mut Option<Value>) -> Vec<Value> {
    let mut changes = vec![];
    for k in 0..3 {
        changes.push(upsert(&contact(org, user, &format!("c{n}x{k}")), &["first_name", "last_name", "company", "email", "created_by"]));
    }
    let edit = match earlier.as_ref() {
        Some(e) => {
            let mut e = e.clone();
            e["job_title"] = json!(format!("Title {n}"));
            upsert(&e, &["job_title"])
        }
        None => upsert(&contact(org, user, &format!("c{n}e")), &["first_name", "last_name", "company", "email", "created_by"]),
    };
    *earlier = Some(changes[0]["row"].clone());
    changes.push(edit);
    changes
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// Devices syncing on their own schedule (push, then pull), whatever the server's pace.
async fn open_loop(db: &TestDb, http: &reqwest::Client, base: &str, devices: Vec<(String, String, String)>, secs: u64, every_ms: u64) {
    let n = devices.len();
    println!("open loop: {n} devices each syncing (a 4-row push, then a pull) every {every_ms} ms for {secs} s: {:.0} syncs/s", n as f64 * 1000.0 / every_ms as f64);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let warmup = start + Duration::from_secs(10.min(secs / 4));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(bool, Duration, bool, u64)>();
    let admin = db.admin_client().await;
    let sampler = {
        tokio::spawn(async move {
            let mut samples = vec![];
            while Instant::now() < deadline {
                tokio::time::sleep(Duration::from_secs(30).min(deadline.saturating_duration_since(Instant::now()))).await;
                let conns: i64 = admin.query_one("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'", &[]).await.map(|r| r.get(0)).unwrap_or(-1);
                let s = (start.elapsed().as_secs(), rss_kib(), conns, load_average());
                println!("  t={:>4} s  rss {:>7} KiB  PostgreSQL connections {:>3}  load {}", s.0, s.1, s.2, s.3);
                samples.push(s);
            }
            samples
        })
    };
    for (i, (token, org, user)) in devices.into_iter().enumerate() {
        let (http, base, tx) = (http.clone(), base.to_owned(), tx.clone());
        // Each device's first sync at its own offset in the period.
        let offset = Duration::from_millis(every_ms * i as u64 / n as u64);
        tokio::spawn(async move {
            let device = Uuid::now_v7();
            let cursor = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
            let mut earlier = None;
            let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + offset, Duration::from_millis(every_ms));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut k = 0u64;
            loop {
                ticker.tick().await;
                if Instant::now() >= deadline {
                    break;
                }
                let changes = changes_for(&org, &user, k, &mut earlier);
                k += 1;
                let (http, base, token, tx, cursor) = (http.clone(), base.clone(), token.clone(), tx.clone(), cursor.clone());
                // Not waited for: the next tick comes on time whatever this one does.
                tokio::spawn(async move {
                    let counted = Instant::now() >= warmup;
                    let t = Instant::now();
                    let r =
                        http.post(format!("{base}/v1/sync/push")).bearer_auth(&token).json(&json!({ "device_id": device, "client_time": now(), "changes": changes })).send().await;
                    let ok = match r {
                        Ok(r) if r.status().is_success() => {
                            r.json::<Value>().await.map(|b| b["results"].as_array().is_some_and(|a| a.iter().all(|x| x["outcome"] == "applied"))).unwrap_or(false)
                        }
                        _ => false,
                    };
                    if counted {
                        let _ = tx.send((true, t.elapsed(), ok, start.elapsed().as_secs()));
                    }
                    let t = Instant::now();
                    let from = cursor.load(std::sync::atomic::Ordering::Relaxed);
                    let r = http.get(format!("{base}/v1/sync/pull?cursor={from}&limit=500")).bearer_auth(&token).send().await;
                    let ok = match r {
                        Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                            Ok(b) => {
                                if let Some(c) = b["cursor"].as_i64() {
                                    cursor.fetch_max(c, std::sync::atomic::Ordering::Relaxed);
                                }
                                true
                            }
                            Err(_) => false,
                        },
                        _ => false,
                    };
                    if counted {
                        let _ = tx.send((false, t.elapsed(), ok, start.elapsed().as_secs()));
                    }
                });
            }
        });
    }
    drop(tx);
    let mut pushes = vec![];
    let mut pulls = vec![];
    let mut errors = 0u64;
    // Push latencies by minute, to tell a slow stretch from a slow run.
    let mut windows: std::collections::BTreeMap<u64, Vec<Duration>> = std::collections::BTreeMap::new();
    // Answers still out at the deadline are waited for a little, then the run ends.
    let stop = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline + Duration::from_secs(5)));
    tokio::pin!(stop);
    loop {
        tokio::select! {
            m = rx.recv() => match m {
                Some((push, d, ok, at)) => {
                    if !ok { errors += 1; }
                    if push {
                        pushes.push(d);
                        windows.entry(at / 60).or_default().push(d);
                    } else {
                        pulls.push(d)
                    }
                }
                None => break,
            },
            _ = &mut stop => break,
        }
    }
    let samples = sampler.await.unwrap_or_default();
    let measured = deadline.duration_since(warmup).as_secs_f64();
    let pct = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1))).copied().unwrap_or_default().as_secs_f64() * 1000.0
    };
    if windows.len() > 1 {
        let line: Vec<String> = windows.iter_mut().map(|(m, v)| format!("{}: {:.0}", m + 1, pct(v, 0.99))).collect();
        println!("push p99 by minute (ms): {}", line.join(", "));
    }
    println!(
        "pushes {} ({:.0}/s): p50 {:.1} ms, p99 {:.1} ms; pulls {}: p50 {:.1} ms, p99 {:.1} ms; errors {errors}",
        pushes.len(),
        pushes.len() as f64 / measured,
        pct(&mut pushes, 0.5),
        pct(&mut pushes, 0.99),
        pulls.len(),
        pct(&mut pulls, 0.5),
        pct(&mut pulls, 0.99)
    );
    // Resident size after warm-up (the first sample) against the last, and the connections' ceiling.
    if let (Some(first), Some(last)) = (samples.first(), samples.last()) {
        let most = samples.iter().map(|s| s.2).max().unwrap_or(0);
        println!(
            "resident size {} KiB at t={} s, {} KiB at t={} s ({:+.1}%); PostgreSQL connections at most {most}",
            first.1,
            first.0,
            last.1,
            last.0,
            (last.1 as f64 / first.1.max(1) as f64 - 1.0) * 100.0
        );
    }
}
