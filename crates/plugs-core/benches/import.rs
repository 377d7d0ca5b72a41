//! Import benchmark: 100k contacts from a vCard file and from a CSV file, through the whole
//! import (decode, parse, duplicate check, validation, insert, search index, audit row, change
//! record, in transactions of 100 ms each), against a bare INSERT of the same 100k rows in one
//! transaction with the search index written in one statement, measured in the same run.
//!
//! Run: `cargo bench -p plugs-core --bench import` (PLUGS_BENCH_CONTACTS to change the count).

// The allocator the app and the CLI run with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use plugs_core::interop::ImportOptions;
use plugs_core::workspace::NewWorkspace;
use plugs_core::Store;
use std::time::{Duration, Instant};
use uuid::Uuid;

const FIRST: &[&str] =
    &["Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "John", "Radia", "Tim", "Hedy", "Zoë", "Mateo", "Amara", "Priya", "Omar"];
const LAST: &[&str] = &["Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Müller", "García", "Okafor", "Patel", "Tanaka", "Dubois"];
const CO: &[&str] = &["Blue Labs", "North Systems", "Bright Partners", "Iron Logistics", "Silver Media", "Green Capital", "Rapid Health", "Quantum Robotics"];

struct Person {
    first: String,
    last: String,
    email: String,
    phone: String,
    company: String,
    title: String,
    note: String,
}

fn people(n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| Person {
            first: FIRST[i % FIRST.len()].to_owned(),
            last: format!("{}{}", LAST[(i / 7) % LAST.len()], i),
            email: format!("p{i}@{}.example", CO[i % CO.len()].to_lowercase().replace(' ', "")),
            phone: format!("+1 555 {:04} {:03}", i % 10000, i % 1000),
            company: CO[(i / 3) % CO.len()].to_owned(),
            title: "Head of Sales".into(),
            note: format!("Met at booth {}; wants a demo, call back", i % 300),
        })
        .collect()
}

fn vcard(ps: &[Person]) -> String {
    let mut s = String::new();
    for p in ps {
        s.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:{};{};;;\r\nFN:{} {}\r\nEMAIL;TYPE=INTERNET,WORK:{}\r\nTEL;TYPE=CELL:{}\r\nORG:{}\r\nTITLE:{}\r\nNOTE:{}\r\nEND:VCARD\r\n",
            p.last,
            p.first,
            p.first,
            p.last,
            p.email,
            p.phone,
            p.company,
            p.title,
            p.note.replace(';', "\\;").replace(',', "\\,")
        ));
    }
    s
}

fn csv(ps: &[Person]) -> String {
    let mut s = String::from("First Name,Last Name,Email,Phone,Company,Title,Notes\r\n");
    for p in ps {
        s.push_str(&format!("{},{},{},{},{},{},\"{}\"\r\n", p.first, p.last, p.email, p.phone, p.company, p.title, p.note));
    }
    s
}

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Bench".into(), first_name: "B".into(), last_name: "B".into(), email: "b@bench.test".into() }).unwrap();
    (dir, store)
}

/// The same rows by bare INSERTs in one transaction. With `one_statement_index`, the search index
/// is written in one statement at the end instead of by the insert trigger row by row.
fn bare(ps: &[Person], one_statement_index: bool) -> Duration {
    let (_d, store) = fresh();
    let a = store.actor().unwrap();
    let now = store.now().to_string();
    let t = Instant::now();
    let conn = store.connection();
    conn.execute_batch("BEGIN").unwrap();
    let trigger: String = conn.query_row("SELECT sql FROM sqlite_master WHERE name = 'contacts_fts_after_insert'", [], |r| r.get(0)).unwrap();
    if one_statement_index {
        conn.execute_batch("DROP TRIGGER contacts_fts_after_insert").unwrap();
    }
    {
        let mut st = conn
            .prepare("INSERT INTO contacts (id, organization_id, created_by, first_name, last_name, email, phone, company, job_title, notes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)")
            .unwrap();
        for p in ps {
            st.execute(rusqlite::params![
                Uuid::now_v7().to_string(),
                a.organization_id.to_string(),
                a.user_id.to_string(),
                p.first,
                p.last,
                p.email,
                p.phone,
                p.company,
                p.title,
                p.note,
                now
            ])
            .unwrap();
        }
    }
    if one_statement_index {
        conn.execute_batch("INSERT INTO contacts_fts (rowid, first_name, last_name, email, company, job_title, industry, notes) SELECT rowid, first_name, last_name, email, company, job_title, industry, notes FROM contacts").unwrap();
        conn.execute_batch(&trigger).unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
    t.elapsed()
}

fn import(data: &str) -> Duration {
    let (_d, store) = fresh();
    let t = Instant::now();
    let r = store.import_contacts(data.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
    let e = t.elapsed();
    assert!(r.refused.is_empty(), "{:?}", &r.refused[..r.refused.len().min(3)]);
    assert_eq!(r.created, data.matches("\r\n").count().min(r.created));
    e
}

fn main() {
    if std::env::var_os(plugs_core::vault::PASSPHRASE_ENV).is_none() && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        // No keychain here: the stores' keys are wrapped with a passphrase, as on a server.
        plugs_core::vault::set_passphrase(Some("a passphrase for the benchmark"));
    }
    let n: usize = std::env::var("PLUGS_BENCH_CONTACTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let ps = people(n);
    let (v, c) = (vcard(&ps), csv(&ps));
    println!("{n} contacts: vCard {:.1} MB, CSV {:.1} MB", v.len() as f64 / 1e6, c.len() as f64 / 1e6);
    let t = Instant::now();
    let (d, _, _) = plugs_core::interop::read(v.as_bytes(), &ImportOptions::default()).unwrap();
    println!("reading the vCard file alone: {:.2} s ({} drafts)", t.elapsed().as_secs_f64(), d.len());
    drop(d);
    let slow = bare(&ps, false);
    // Rounds interleave the baseline and the imports, so the disk's and the machine's changing pace
    // reaches each alike; medians are reported (PLUGS_BENCH_ROUNDS, 5 by default).
    let rounds: usize = std::env::var("PLUGS_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let (mut bases, mut tvs, mut tcs, mut ratios_v, mut ratios_c) = (vec![], vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        let base = bare(&ps, true);
        let tv = import(&v);
        let tc = import(&c);
        println!(
            "round {}: baseline {:.2} s, vCard {:.2} s ({:.2}x), CSV {:.2} s ({:.2}x)",
            round + 1,
            base.as_secs_f64(),
            tv.as_secs_f64(),
            tv.as_secs_f64() / base.as_secs_f64(),
            tc.as_secs_f64(),
            tc.as_secs_f64() / base.as_secs_f64()
        );
        ratios_v.push(tv.as_secs_f64() / base.as_secs_f64());
        ratios_c.push(tc.as_secs_f64() / base.as_secs_f64());
        bases.push(base);
        tvs.push(tv);
        tcs.push(tc);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let median_f = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (base, tv, tc) = (median(&mut bases), median(&mut tvs), median(&mut tcs));
    let (rv, rc) = (median_f(&mut ratios_v), median_f(&mut ratios_c));
    println!("bare INSERT, one transaction, indexed by the trigger row by row: {:.2} s", slow.as_secs_f64());
    println!("bare INSERT, one transaction, indexed in one statement (the baseline, median): {:.2} s", base.as_secs_f64());
    println!("import vCard 3.0 (median):   {:.2} s ({:.0} contacts/s; median of the rounds' ratios {:.2}x the bare insert)", tv.as_secs_f64(), n as f64 / tv.as_secs_f64(), rv);
    println!("import CSV (median):         {:.2} s ({:.0} contacts/s; median of the rounds' ratios {:.2}x the bare insert)", tc.as_secs_f64(), n as f64 / tc.as_secs_f64(), rc);
}
