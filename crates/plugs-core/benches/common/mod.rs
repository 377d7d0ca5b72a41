//! What the store benchmarks share: generated people and companies, and the bulk seeding.
#![allow(dead_code)]

use plugs_core::{Store, Timestamp};
use std::time::Duration;
use uuid::Uuid;

pub const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "John",
    "Radia",
    "Tim",
    "Hedy",
    "Claude",
    "Katherine",
    "Edsger",
    "Joan",
    "Donald",
    "Sophie",
    "Niklaus",
    "Anita",
    "Bjarne",
    "Shafi",
    "Guido",
    "Lynn",
    "Yukihiro",
    "Mary",
    "Vint",
    "Adele",
    "Whitfield",
    "Karen",
    "Leslie",
    "Jean",
    "Robin",
    "Carol",
    "Fernando",
    "Ivan",
    "Susan",
    "Larry",
    "Elena",
    "Marco",
    "Ingrid",
    "Pierre",
    "Aiko",
    "Chen",
    "Priya",
    "Omar",
    "Zoë",
    "Mateo",
    "Amara",
];
pub const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "McCarthy",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Shannon",
    "Johnson",
    "Dijkstra",
    "Clarke",
    "Knuth",
    "Wilson",
    "Wirth",
    "Borg",
    "Stroustrup",
    "Goldwasser",
    "van Rossum",
    "Conway",
    "Matsumoto",
    "Kenneth",
    "Cerf",
    "Goldberg",
    "Diffie",
    "Jones",
    "Lamport",
    "Sammet",
    "Milner",
    "Shaw",
    "Corbató",
    "Sutherland",
    "Kare",
    "Page",
    "Rossi",
    "Bianchi",
    "Larsen",
    "Dubois",
    "Tanaka",
    "Wei",
    "Patel",
    "Haddad",
    "Müller",
    "García",
    "Okafor",
];
pub const CO1: &[&str] = &[
    "Blue", "North", "Bright", "Iron", "Silver", "Green", "Rapid", "Quantum", "Solar", "Urban", "Vertex", "Nimbus", "Atlas", "Cobalt", "Summit", "Harbor", "Pioneer", "Crimson",
    "Echo", "Nova",
];
pub const CO2: &[&str] = &["Labs", "Systems", "Partners", "Logistics", "Media", "Capital", "Health", "Robotics", "Foods", "Energy"];
pub const TITLE: &[&str] = &["CEO", "CTO", "Head of Sales", "Marketing Manager", "Event Planner", "Engineer", "Founder", "Buyer", "Account Executive", "Procurement Lead"];
pub const INDUSTRY: &[&str] = &["Software", "Biotech", "Finance", "Retail", "Logistics", "Media", "Energy", "Hospitality", "Education", "Manufacturing"];

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as usize
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next() % xs.len()]
    }
}

pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

pub fn seed(store: &Store, n: usize, rng: &mut Rng) {
    let actor = store.actor().unwrap();
    let conn = store.connection();
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut st = conn
            .prepare("INSERT INTO contacts (id, organization_id, created_by, first_name, last_name, email, company, job_title, industry, notes, lead_score, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)")
            .unwrap();
        for i in 0..n {
            let (f, l) = (rng.pick(FIRST), rng.pick(LAST));
            let co = format!("{} {}", rng.pick(CO1), rng.pick(CO2));
            let email = format!("{}.{}{}@{}.example", f.to_lowercase(), l.to_lowercase().replace(' ', ""), i, co.to_lowercase().replace(' ', ""));
            let notes = if i % 4 == 0 { Some(format!("Met at booth {} — interested in {}", i % 300, rng.pick(INDUSTRY))) } else { None };
            st.execute(rusqlite::params![
                Uuid::now_v7().to_string(),
                actor.organization_id.to_string(),
                actor.user_id.to_string(),
                f,
                l,
                email,
                co,
                rng.pick(TITLE),
                rng.pick(INDUSTRY),
                notes,
                (rng.next() % 101) as i64,
                Timestamp::now().to_string()
            ])
            .unwrap();
        }
    }
    conn.execute_batch("COMMIT; ANALYZE").unwrap();
}
