//! Import and export on the real SQLite file: each sample file's quirks, bad entries reported
//! while the rest import, merges, dry runs, round trips, iCalendar and expenses CSV, the CLI.

use assert_cmd::Command;
use plugs_core::interop::{ImportOptions, ImportReport};
use plugs_core::tables::contacts::Contact;
use plugs_core::tables::media::Media;
use plugs_core::workspace::NewWorkspace;
use plugs_core::{Filter, ListQuery, Store};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/interop").join(name)
}

fn workspace(dir: &Path) -> Store {
    let store = Store::open_dir(dir).unwrap();
    store.init_workspace(&NewWorkspace { organization_name: "Acme".into(), first_name: "Ada".into(), last_name: "Admin".into(), email: "ada@acme.test".into() }).unwrap();
    store
}

fn import(store: &Store, name: &str) -> ImportReport {
    store.import_contacts(&std::fs::read(fixture(name)).unwrap(), &ImportOptions::default(), |_, _| {}).unwrap()
}

fn contacts(store: &Store) -> Vec<Contact> {
    let mut out = Vec::new();
    let mut q = ListQuery { limit: Some(1000), ..Default::default() };
    loop {
        let p = store.repo::<Contact>().list(&q).unwrap();
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
}

fn by_last(store: &Store, last: &str) -> Vec<Contact> {
    contacts(store).into_iter().filter(|c| c.last_name == last).collect()
}

fn count(store: &Store, sql: &str) -> i64 {
    store.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn each_sample_file_imports_with_its_quirks() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());

    // vCard 3.0: structured N, two emails (the preferred one wins), types, ORG unit, escapes,
    // URLs, unknown properties, an embedded photo, a folded line.
    let r = import(&store, "vcard30.vcf");
    assert_eq!((r.format.as_str(), r.created, r.merged, r.media, r.refused.len()), ("vcard", 2, 0, 1, 0), "{r:?}");
    let chidi = &by_last(&store, "Okafor")[0];
    assert_eq!((chidi.first_name.as_str(), chidi.email.as_deref(), chidi.phone.as_deref()), ("Chidi", Some("chidi@home.test"), Some("+234 803 555 0101")));
    assert_eq!((chidi.company.as_deref(), chidi.job_title.as_deref()), (Some("Lagos Tech Hub"), Some("Head of Partnerships")));
    assert_eq!(chidi.linkedin_url.as_deref(), Some("https://www.linkedin.com/in/chidi-okafor"));
    assert_eq!(chidi.notes.as_deref(), Some("Met at the booth, wants a demo.\nFollow up in March; bring the deck."));
    let m = &chidi.metadata;
    assert_eq!(m["emails"], json!([{ "value": "chidi.work@lagostech.test", "types": ["work"] }]));
    assert_eq!(m["phones"], json!([{ "value": "+234 1 555 0102", "types": ["work", "voice"] }]));
    assert_eq!(m["org_units"], json!(["Partnerships"]));
    assert_eq!(m["middle_name"], "Emeka");
    assert_eq!(m["urls"], json!(["https://lagostech.test"]));
    assert_eq!((&m["email_types"], &m["phone_types"]), (&json!(["home"]), &json!(["cell"])), "the column's email and phone keep their types");
    assert_eq!(m["birthday"], "1985-04-12");
    assert_eq!(m["vcard"]["X-SOCIALPROFILE"], json!([{ "value": "https://twitter.test/chidi", "params": "TYPE=twitter" }]), "kept with its parameters");
    let photos = store.repo::<Media>().list(&ListQuery { filters: vec![Filter::Eq("related_contact".into(), json!(chidi.id))], ..Default::default() }).unwrap().items;
    assert_eq!(photos.len(), 1);
    let (mime, bytes) = store.media_bytes(photos[0].id).unwrap();
    assert_eq!((mime.as_str(), &bytes[1..4]), ("image/png", &b"PNG"[..]));
    let astrid = &by_last(&store, "Lindqvist")[0];
    assert!(astrid.notes.as_deref().unwrap().contains("longer than seventy -five octets; the reader must join them"), "{:?}", astrid.notes);

    // vCard 4.0: PREF=1, tel: URI, data: URI photo, a photo linked by address.
    let r = import(&store, "vcard40.vcf");
    assert_eq!((r.created, r.media, r.refused.len()), (2, 1, 0), "{r:?}");
    let mariana = &by_last(&store, "Costa")[0];
    assert_eq!((mariana.email.as_deref(), mariana.phone.as_deref()), (Some("mariana.costa@mail.test"), Some("+55-11-5555-0199")));
    assert_eq!(mariana.metadata["vcard"]["KIND"], json!(["individual"]));
    assert_eq!(by_last(&store, "Watanabe")[0].avatar_url.as_deref(), Some("https://photos.example.test/kenji.jpg"));

    // vCard 2.1: QUOTED-PRINTABLE with soft line breaks, Latin-1 and UTF-8 charsets, bare types.
    let r = import(&store, "vcard21.vcf");
    assert_eq!((r.created, r.refused.len()), (1, 0), "{r:?}");
    let rene = &by_last(&store, "François")[0];
    assert_eq!((rene.first_name.as_str(), rene.phone.as_deref()), ("René", Some("+33 6 55 55 01 23")));
    assert_eq!(rene.notes.as_deref(), Some("Café au salon du livre, très intéressé"));

    // LinkedIn: the notes above the header, quoted commas, Connected On; Chidi is already here
    // (same name and company), so his row merges instead of duplicating.
    let r = import(&store, "linkedin_connections.csv");
    assert_eq!((r.format.as_str(), r.created, r.merged, r.refused.len()), ("linkedin", 2, 1, 0), "{r:?}");
    assert_eq!(r.merges[0].contact_id, chidi.id);
    assert_eq!(r.merges[0].location, "row 3 (line 7)");
    assert_eq!(by_last(&store, "Okafor").len(), 1, "no duplicate");
    let priya = &by_last(&store, "Raman")[0];
    assert_eq!((priya.company.as_deref(), priya.job_title.as_deref()), (Some("Raman, Shah & Co"), Some("Managing Partner")));
    assert_eq!(priya.metadata["linkedin_connected_on"], "03 Feb 2025");
    assert_eq!(by_last(&store, "Ortega")[0].first_name, "Tomás");

    // Google Contacts: BOM, "a ::: b" multi-values, labels.
    let r = import(&store, "google_contacts.csv");
    assert_eq!((r.format.as_str(), r.encoding.as_str(), r.created), ("google", "UTF-8 (with BOM)", 2), "{r:?}");
    let aisha = &by_last(&store, "Bello")[0];
    assert_eq!(
        (aisha.email.as_deref(), aisha.phone.as_deref(), aisha.company.as_deref(), aisha.job_title.as_deref()),
        (Some("aisha@bello.test"), Some("+234 809 555 0150"), Some("DevFest Lagos"), Some("Organizer"))
    );
    assert_eq!(aisha.metadata["emails"], json!([{ "value": "aisha.b@devfest.test", "types": ["work"] }, { "value": "aisha@home.test", "types": ["home"] }]), "with their labels");
    assert_eq!((&aisha.metadata["email_types"], &aisha.metadata["phone_types"]), (&json!(["work"]), &json!(["cell"])));
    assert_eq!(aisha.metadata["labels"], json!(["myContacts", "Speakers"]));
    assert_eq!(aisha.linkedin_url.as_deref(), Some("https://www.linkedin.com/in/aisha-bello"), "the website that is a LinkedIn profile");
    assert_eq!((&aisha.metadata["birthday"], &aisha.metadata["nickname"]), (&json!("1990-02-02"), &json!("Ash")));

    // Any CSV: Windows-1252, semicolons, its own headers mapped automatically, the rest kept.
    let r = import(&store, "generic_latin1.csv");
    assert_eq!((r.format.as_str(), r.encoding.as_str(), r.created), ("csv", "Windows-1252", 2), "{r:?}");
    let j = &by_last(&store, "Müller")[0];
    assert_eq!((j.first_name.as_str(), j.company.as_deref()), ("Jürgen", Some("Bäckerei Müller")));
    assert_eq!(j.metadata["csv"], json!({ "Fax": "+49 555 0100" }), "what has no column is kept");
    assert_eq!(j.industry.as_deref(), Some("Food"), "German for industry");
    assert_eq!(by_last(&store, "Dupont")[0].company.as_deref(), Some("Café €uro"));
}

#[test]
fn bad_entries_are_reported_with_their_place_and_the_rest_import_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let audit_before = count(&store, "SELECT count(*) FROM audit_logs");
    let r = import(&store, "broken.vcf");
    assert_eq!(r.created, 3, "{r:?}");
    let refused: Vec<(&str, &str)> = r.refused.iter().map(|n| (n.location.as_str(), n.reason.as_str())).collect();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert_eq!(refused[0], ("card 3 (line 11)", "first_name: no name in this entry (no first or last name, email or company)"));
    assert!(refused[1].0 == "card 4 (line 18)" && refused[1].1.contains("not a property"), "{refused:?}");
    assert!(refused[2].0 == "card 6 (line 24)" && refused[2].1.contains("cut off"), "{refused:?}");
    // A person is not refused for a secondary field: the odd value is kept, with a warning.
    let warned: Vec<(&str, &str)> = r.warnings.iter().map(|n| (n.location.as_str(), n.reason.as_str())).collect();
    assert!(warned.contains(&("card 2 (line 6)", "email: 'not-an-email' kept in metadata ('not-an-email' is not an email address)")), "{warned:?}");
    let bad = &by_last(&store, "Bad")[0];
    assert_eq!((bad.email.as_deref(), bad.metadata["import_kept"]["email"].as_str()), (None, Some("not-an-email")));
    let names: Vec<String> = contacts(&store).iter().map(|c| format!("{} {}", c.first_name, c.last_name)).collect();
    assert_eq!(names, vec!["Good Also", "Email Bad", "Gina Good"]);
    // Nothing of a refused entry was written: three creates, three audit rows.
    assert_eq!(count(&store, "SELECT count(*) FROM audit_logs") - audit_before, 3);

    // Files that are not contact lists at all.
    let bin = store.import_contacts(&std::fs::read(fixture("garbage.bin")).unwrap(), &ImportOptions::default(), |_, _| {}).unwrap_err().to_payload();
    assert_eq!((bin.field.as_deref(), bin.code.as_str()), (Some("file"), "not_contacts"));
    let empty = store.import_contacts(b"  \n", &ImportOptions::default(), |_, _| {}).unwrap_err().to_payload();
    assert_eq!(empty.code, "empty");
    let no_names = store.import_contacts(b"Fax,Branche\n1,2\n", &ImportOptions::default(), |_, _| {}).unwrap_err().to_payload();
    assert_eq!(no_names.code, "no_name_column");
    // 4 KB of 0xFF bytes: not a contacts file, said in a sentence, not 4,000 characters of header.
    let ff = store.import_contacts(&[0xFF; 4096], &ImportOptions::default(), |_, _| {}).unwrap_err().to_payload();
    assert_eq!((ff.field.as_deref(), ff.code.as_str()), (Some("file"), "not_contacts"), "{ff:?}");
    assert!(ff.message.len() < 200 && ff.message.contains("not a contacts file"), "{}", ff.message);
    let wide = format!("Fax,{}\n1,2\n", (0..40).map(|i| format!("Column {i} {}", "x".repeat(100))).collect::<Vec<_>>().join(","));
    let wide = store.import_contacts(wide.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap_err().to_payload();
    assert!(wide.code == "no_name_column" && wide.message.len() < 600 && wide.message.contains("and 33 more"), "{}", wide.message);

    // A huge line is reported for its card; its neighbours import.
    let huge = format!("BEGIN:VCARD\nN:Before;B;;;\nEND:VCARD\nBEGIN:VCARD\nN:Huge;H;;;\nNOTE:{}\nEND:VCARD\nBEGIN:VCARD\nN:After;A;;;\nEND:VCARD\n", "x".repeat(21 * 1024 * 1024));
    let r = store.import_contacts(huge.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
    assert_eq!(r.created, 2);
    assert_eq!(r.refused.len(), 1);
    assert!(r.refused[0].reason.contains("longer than 20 MB"), "{:?}", r.refused);

    // Mangled versions of every sample never panic: each gives a report or a clear error.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for name in ["vcard30.vcf", "vcard40.vcf", "vcard21.vcf", "linkedin_connections.csv", "google_contacts.csv", "generic_latin1.csv"] {
        let base = std::fs::read(fixture(name)).unwrap();
        for _ in 0..60 {
            let mut b = base.clone();
            match next() % 3 {
                0 => b.truncate((next() as usize) % b.len()),
                1 => {
                    for _ in 0..8 {
                        let i = (next() as usize) % b.len();
                        b[i] = next() as u8;
                    }
                }
                _ => {
                    let i = (next() as usize) % b.len();
                    let cut = b[i..].to_vec();
                    b.extend_from_slice(&cut);
                }
            }
            let o = ImportOptions { dry_run: true, ..Default::default() };
            if let Err(e) = store.import_contacts(&b, &o, |_, _| {}) {
                assert!(!e.to_payload().message.is_empty());
            }
        }
    }
}

#[test]
fn a_dry_run_reports_exactly_what_the_import_then_does_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    import(&store, "vcard30.vcf");
    let before = (count(&store, "SELECT count(*) FROM contacts"), count(&store, "SELECT count(*) FROM sync_outbox"), count(&store, "SELECT count(*) FROM audit_logs"));
    let bytes = std::fs::read(fixture("linkedin_connections.csv")).unwrap();
    let dry = store.import_contacts(&bytes, &ImportOptions { dry_run: true, ..Default::default() }, |_, _| {}).unwrap();
    assert!(dry.dry_run);
    assert_eq!((dry.created, dry.merged), (2, 1));
    let after = (count(&store, "SELECT count(*) FROM contacts"), count(&store, "SELECT count(*) FROM sync_outbox"), count(&store, "SELECT count(*) FROM audit_logs"));
    assert_eq!(before, after, "a dry run writes nothing");
    let real = store.import_contacts(&bytes, &ImportOptions::default(), |_, _| {}).unwrap();
    assert_eq!((real.created, real.merged, real.refused.len()), (dry.created, dry.merged, dry.refused.len()));
    assert_eq!(real.merges.iter().map(|m| &m.fields).collect::<Vec<_>>(), dry.merges.iter().map(|m| &m.fields).collect::<Vec<_>>());
}

#[test]
fn merges_fill_empty_fields_and_overwrite_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let c = store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.test", "company": "Navy" })).unwrap();
    let csv = b"First Name,Last Name,Email,Company,Phone\nGrace B.,Hopper,GRACE@Navy.Test,Remington Rand,+1 555 0100\n";
    let r = store.import_contacts(csv, &ImportOptions::default(), |_, _| {}).unwrap();
    assert_eq!((r.created, r.merged), (0, 1), "matched by email in any case");
    assert_eq!(r.merges[0].fields, vec!["phone"]);
    let now: Contact = store.repo::<Contact>().get(c.id).unwrap();
    assert_eq!((now.first_name.as_str(), now.company.as_deref(), now.phone.as_deref()), ("Grace", Some("Navy"), Some("+1 555 0100")));
    let r = store.import_contacts(csv, &ImportOptions { overwrite: true, ..Default::default() }, |_, _| {}).unwrap();
    assert_eq!(r.merges[0].fields, vec!["first_name", "email", "company"]);
    let now: Contact = store.repo::<Contact>().get(c.id).unwrap();
    assert_eq!((now.first_name.as_str(), now.company.as_deref()), ("Grace B.", Some("Remington Rand")));
    // The merge went through the one write path: audited.
    let audits: Vec<_> = store.audit_history("contacts", c.id).unwrap();
    assert_eq!(audits.len(), 3);
    // Same name and company: the same person when an email is missing on one side, another
    // person when both have emails and they differ.
    let r = store
        .import_contacts(
            b"First Name,Last Name,Company,Email\nGrace B.,Hopper,Remington Rand,\nGrace B.,Hopper,Remington Rand,other.grace@rr.test\n",
            &ImportOptions::default(),
            |_, _| {},
        )
        .unwrap();
    assert_eq!((r.merged, r.created), (1, 1), "{r:?}");
    assert_eq!(r.merges[0].contact_id, c.id);
}

fn comparable(c: &Contact) -> Value {
    let v = serde_json::to_value(c).unwrap();
    let keys = USER_COLUMNS.iter().filter(|k| **k != "metadata");
    Value::Object(keys.map(|k| ((*k).to_owned(), v[*k].clone())).collect())
}

#[test]
fn export_then_import_yields_the_same_contacts() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let repo = store.repo::<Contact>();
    repo.create(&json!({
        "first_name": "Zoë", "last_name": "O'Brien-Ñúñez", "email": "zoe@obrien.test", "phone": "+353 1 555 0100",
        "company": "Smith, Jones; and Partners", "job_title": "VP, Sales", "linkedin_url": "https://www.linkedin.com/in/zoe",
        "notes": format!("Line one, with comma; and semicolon\nLine two \\ backslash — {}", "long ".repeat(40)),
        "industry": "Fintech", "contact_type": "plug", "status": "hot_lead", "priority": "high", "lead_score": 87, "bio": "Speaker 🎤",
        "metadata": { "emails": [{ "value": "zoe@alt.test" }], "source": "booth", "tags": ["investor", "berlin-2026"] }
    }))
    .unwrap();
    repo.create(&json!({ "first_name": "Li", "last_name": "Wei", "contact_type": "contact", "status": "existing_client", "priority": "low" })).unwrap();
    for (i, n) in ["Ana", "Bo", "Cy"].iter().enumerate() {
        repo.create(&json!({ "first_name": n, "last_name": "Same", "company": format!("Co {i}"), "email": format!("{}@same.test", n.to_lowercase()) })).unwrap();
    }
    let want: Vec<Value> = contacts(&store).iter().map(comparable).collect();
    for format in ["vcard", "csv"] {
        let data = store.export(format).unwrap();
        let other_dir = tempfile::tempdir().unwrap();
        let other = workspace(other_dir.path());
        let r = other.import_contacts(data.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
        assert_eq!((r.created, r.merged, r.refused.len()), (5, 0, 0), "{format}: {r:?}");
        let got: Vec<Value> = contacts(&other).iter().map(comparable).collect();
        assert_eq!(got, want, "{format} round trip");
        let zoe = by_last(&other, "O'Brien-Ñúñez").remove(0);
        assert_eq!(zoe.metadata["tags"], json!(["berlin-2026", "investor"]), "{format}: the tags come back");
        if format == "vcard" {
            let zoe = by_last(&other, "O'Brien-Ñúñez").remove(0);
            assert_eq!(zoe.metadata["emails"], json!([{ "value": "zoe@alt.test" }]));
            assert_eq!(zoe.metadata["source"], "booth");
            assert!(data.contains("CATEGORIES:investor,berlin-2026") || data.contains("CATEGORIES:berlin-2026,investor"), "tags travel as CATEGORIES");
            for line in data.split("\r\n") {
                assert!(line.len() <= 75, "folded at 75 octets: {line}");
            }
            // Importing the export again into the same store merges, it does not duplicate.
            let again = other.import_contacts(data.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
            assert_eq!((again.created, again.merged), (0, 5));
        }
    }
}

fn unfold(ics: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in ics.split("\r\n") {
        if let Some(rest) = l.strip_prefix(' ') {
            out.last_mut().unwrap().push_str(rest);
        } else if !l.is_empty() {
            out.push(l.to_owned());
        }
    }
    out
}

#[test]
fn calendar_and_expense_exports_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let ev = store
        .table("events")
        .unwrap()
        .create(
            serde_json::from_value(json!({
                "title": "Summit, Day 1; Lisbon", "event_type": "conference", "status": "published", "timezone": "Europe/Lisbon",
                "start_date": "2026-12-01T09:00:00Z", "end_date": "2026-12-01T18:00:00Z", "location": "Lisbon", "venue": "FIL",
                "description": format!("Doors open at 8.\nBring badges. {}", "Very long description ".repeat(10)), "budget": "5000.00", "currency": "EUR"
            }))
            .unwrap(),
        )
        .unwrap();
    let ev_id = ev["id"].as_str().unwrap().to_owned();
    store
        .table("event_agenda_items")
        .unwrap()
        .create(
            serde_json::from_value(
                json!({ "event_id": ev_id, "title": "Keynote", "start_time": "2026-12-01T09:30:00Z", "end_time": "2026-12-01T10:15:00Z", "agenda_type": "presentation" }),
            )
            .unwrap(),
        )
        .unwrap();
    let c = store.repo::<Contact>().create(&json!({ "first_name": "Grace", "last_name": "Hopper" })).unwrap();
    store
        .table("contact_interactions")
        .unwrap()
        .create(
            serde_json::from_value(
                json!({ "contact_id": c.id, "interaction_type": "follow_up", "status": "scheduled", "interaction_date": "2026-12-02T15:00:00Z", "subject": "Send the deck" }),
            )
            .unwrap(),
        )
        .unwrap();
    for (amount, cur) in [("1234.50", "EUR"), ("0.10", "EUR"), ("0.20", "USD")] {
        store
            .table("expenses")
            .unwrap()
            .create(
                serde_json::from_value(
                    json!({ "title": "Booth, \"premium\"", "amount": amount, "currency": cur, "expense_type": "venue", "expense_date": "2026-11-20", "event_id": ev_id }),
                )
                .unwrap(),
            )
            .unwrap();
    }

    let ics = store.export("ics").unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert!(ics.split("\r\n").all(|l| l.len() <= 75), "folded");
    assert!(!ics.replace("\r\n", "").contains('\n'), "only CRLF line breaks; newlines in text are escaped");
    let lines = unfold(&ics);
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 3);
    assert!(lines.contains(&format!("UID:{ev_id}@theplugs")));
    assert!(lines.contains(&"SUMMARY:Summit\\, Day 1\\; Lisbon".to_owned()));
    assert!(lines.contains(&"DTSTART:20261201T090000Z".to_owned()) && lines.contains(&"DTEND:20261201T180000Z".to_owned()));
    assert!(lines.iter().any(|l| l.starts_with("DESCRIPTION:Doors open at 8.\\nBring badges.")));
    assert!(lines.contains(&format!("RELATED-TO;RELTYPE=PARENT:{ev_id}@theplugs")));
    assert!(lines.contains(&"SUMMARY:Follow-up with Grace Hopper: Send the deck".to_owned()));
    assert!(lines.contains(&"DTSTART:20261202T150000Z".to_owned()));
    // Stable UIDs: a second export names the same events the same way.
    let uids = |s: &str| unfold(s).into_iter().filter(|l| l.starts_with("UID:")).collect::<Vec<_>>();
    assert_eq!(uids(&ics), uids(&store.export("ics").unwrap()));

    let csv = store.export("expenses-csv").unwrap();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let amounts: Vec<(String, String)> = rows.iter().map(|r| (r[4].to_owned(), r[5].to_owned())).collect();
    let mut sorted = amounts.clone();
    sorted.sort();
    assert_eq!(sorted, vec![("0.10".into(), "EUR".into()), ("0.20".into(), "USD".into()), ("1234.50".into(), "EUR".into())]);
    assert_eq!(&rows[0][2], "Booth, \"premium\"");
    assert_eq!(&rows[0][9], "Summit, Day 1; Lisbon");

    let bad = store.export("pdf").unwrap_err().to_payload();
    assert_eq!((bad.field.as_deref(), bad.code.as_str()), (Some("format"), "invalid_choice"));
}

fn plugs(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("plugs").expect("the plugs binary is built by `cargo test --workspace`");
    c.arg("--data-dir").arg(dir);
    c
}

#[test]
fn the_cli_imports_with_a_dry_run_and_a_mapping_and_exports_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    drop(workspace(dir.path()));
    let out = plugs(dir.path()).args(["--json", "import", "--dry-run"]).arg(fixture("broken.vcf")).assert().success().get_output().stdout.clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!((report["dry_run"].as_bool(), report["created"].as_u64(), report["refused"].as_array().map(Vec::len)), (Some(true), Some(3), Some(3)));
    let out = plugs(dir.path()).arg("import").arg(fixture("broken.vcf")).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("created 3") && text.contains("refused card 3 (line 11): first_name: no name in this entry"), "{text}");
    assert!(text.contains("card 2 (line 6): email: 'not-an-email' kept in metadata"), "{text}");
    let out =
        plugs(dir.path()).args(["--json", "import", "--map", "Branche=industry,Fax=ignore"]).arg(fixture("generic_latin1.csv")).assert().success().get_output().stdout.clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["created"], 2);
    let store = Store::open_dir(dir.path()).unwrap();
    let j = by_last(&store, "Müller").remove(0);
    assert_eq!((j.industry.as_deref(), j.metadata.get("csv")), (Some("Food"), None));
    drop(store);
    plugs(dir.path())
        .args(["import", "--map", "Fax=nonsense"])
        .arg(fixture("generic_latin1.csv"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("'nonsense' is not a contact column"));
    let out_file = dir.path().join("contacts.vcf");
    plugs(dir.path()).args(["export", "--format", "vcard", "--out"]).arg(&out_file).assert().success();
    let vcf = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(vcf.matches("BEGIN:VCARD").count(), 5, "three from the vCard file, two from the CSV");
    let out = plugs(dir.path()).args(["export", "--format", "csv"]).assert().success().get_output().stdout.clone();
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 6);
}

#[test]
fn an_entry_that_fails_halfway_leaves_nothing_of_itself() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    // The photo of card 1 cannot be saved (the media folder is a file): the contact it belongs
    // to, already inserted when that fails, must go too; card 2 imports.
    std::fs::write(store.media_dir(), b"not a folder").unwrap();
    let before = (count(&store, "SELECT count(*) FROM audit_logs"), count(&store, "SELECT count(*) FROM sync_outbox"));
    let r = import(&store, "vcard30.vcf");
    assert_eq!((r.created, r.media, r.refused.len()), (1, 0, 1), "{r:?}");
    assert!(r.refused[0].location == "card 1 (line 1)" && r.refused[0].reason.starts_with("photo: cannot create"), "{:?}", r.refused);
    assert!(by_last(&store, "Okafor").is_empty());
    assert_eq!(by_last(&store, "Lindqvist").len(), 1);
    let after = (count(&store, "SELECT count(*) FROM audit_logs"), count(&store, "SELECT count(*) FROM sync_outbox"));
    assert_eq!((after.0 - before.0, after.1 - before.1), (1, 1), "one contact's audit row and change record, nothing of the other");
}

#[test]
fn a_large_import_stays_searchable_including_contacts_merged_within_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    // 120 rows: the last 20 repeat the first 20 (email in other case) and bring a job title,
    // which merges into contacts created earlier in the same chunk.
    let mut csv = String::from("First Name,Last Name,Email,Company,Title\n");
    for i in 0..100 {
        csv.push_str(&format!("Given{i},Family{i},p{i}@example.test,Firm{i},\n"));
    }
    for i in 0..20 {
        csv.push_str(&format!("Given{i},Family{i},P{i}@EXAMPLE.TEST,Firm{i},Quartermaster{i}\n"));
    }
    let r = store.import_contacts(csv.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
    assert_eq!((r.created, r.merged, r.refused.len()), (100, 20, 0), "{r:?}");
    // The search index matches the rows exactly, and the trigger that keeps it is back.
    store.connection().execute_batch("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')").unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM sqlite_master WHERE name = 'contacts_fts_after_insert'"), 1);
    let hit = store.search_contacts("quartermaster7", &[], 10).unwrap();
    assert_eq!(hit.iter().map(|c| c.last_name.as_str()).collect::<Vec<_>>(), vec!["Family7"]);
    assert_eq!(store.search_contacts("family55", &[], 10).unwrap().len(), 1);
    assert_eq!(store.search_contacts("firm3", &[], 50).unwrap().len(), 11, "Firm3 and Firm30..Firm39");
    // A contact written afterwards, outside any import, is indexed by the trigger.
    store.repo::<Contact>().create(&json!({"first_name": "Later", "last_name": "Zanzibar"})).unwrap();
    assert_eq!(store.search_contacts("zanzibar", &[], 10).unwrap().len(), 1);
    store.connection().execute_batch("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')").unwrap();
    // A dry run of the same file changes nothing, the index included.
    let dry = store.import_contacts(csv.as_bytes(), &ImportOptions { dry_run: true, ..Default::default() }, |_, _| {}).unwrap();
    assert_eq!((dry.created, dry.merged), (0, 120));
    store.connection().execute_batch("INSERT INTO contacts_fts (contacts_fts) VALUES ('integrity-check')").unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM sqlite_master WHERE name = 'contacts_fts_after_insert'"), 1);
}

/// A small HTTP/1.1 server for linked photos: `/name` answers what `route` gives for it
/// (status, content type, body, declared length); counts the requests per path.
/// A photo host's answer to a path: status, content type, body, and a declared length if any.
type PhotoAnswer = (u16, &'static str, Vec<u8>, Option<u64>);

fn photo_server(route: fn(&str) -> PhotoAnswer) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap() <= 2 {
                        break;
                    }
                }
                log.lock().unwrap().push(path.clone());
                let (status, mime, body, declared) = route(&path);
                let head = format!("HTTP/1.1 {status} X\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", declared.unwrap_or(body.len() as u64));
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    (base, seen)
}

#[test]
fn linked_photos_are_downloaded_into_media_items_and_the_ones_that_cannot_be_keep_their_link() {
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 a small photo \xFF\xD9";
    let (base, seen) = photo_server(|path| match path {
        "/kenji.jpg" => (200, "image/jpeg", JPEG.to_vec(), None),
        "/profile" => (200, "text/html; charset=utf-8", b"<html>a profile page</html>".to_vec(), None),
        "/huge.png" => (200, "image/png", b"\x89PNG".to_vec(), Some(64 * 1024 * 1024)),
        _ => (404, "text/plain", b"no such photo".to_vec(), None),
    });
    // A closed port on this machine: the host cannot be reached.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        drop(l);
        format!("http://{a}")
    };
    let card = |n: &str, photo: &str| format!("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{n} Photo\r\nN:Photo;{n};;;\r\nPHOTO:{photo}\r\nEND:VCARD\r\n");
    let file = [
        card("Kenji", &format!("{base}/kenji.jpg")),
        card("Page", &format!("{base}/profile")),
        card("Gone", &format!("{base}/gone.jpg")),
        card("Huge", &format!("{base}/huge.png")),
        card("Far", &format!("{closed}/far.jpg")),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());

    // A dry run downloads nothing and says so.
    let dry = store.import_contacts(file.as_bytes(), &ImportOptions { dry_run: true, ..Default::default() }, |_, _| {}).unwrap();
    assert_eq!((dry.created, dry.media, dry.warnings.len()), (5, 0, 5), "{dry:?}");
    assert!(seen.lock().unwrap().is_empty());

    let r = store.import_contacts(file.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
    assert_eq!((r.created, r.media, r.refused.len()), (5, 1, 0), "{r:?}");
    // The downloaded photo is a media item of its contact, with its bytes and its address.
    let kenji = &by_last(&store, "Photo").into_iter().find(|c| c.first_name == "Kenji").unwrap();
    let media: Vec<Media> = store.repo::<Media>().list(&ListQuery { filters: vec![Filter::Eq("related_contact".into(), json!(kenji.id))], ..Default::default() }).unwrap().items;
    assert_eq!(media.len(), 1);
    assert_eq!((media[0].mime_type.as_str(), media[0].file_size), ("image/jpeg", JPEG.len() as i64));
    assert_eq!(media[0].metadata["source_url"], json!(format!("{base}/kenji.jpg")), "the address it came from");
    assert_eq!(media[0].metadata["sha256"], json!(plugs_core::files::sha256_hex(JPEG)), "kept like any attached file, to be uploaded");
    let (_, bytes) = store.media_bytes(media[0].id).unwrap();
    assert_eq!(bytes, JPEG);
    assert_eq!(kenji.avatar_url, None);
    // The others say why, by card, and keep the address as the avatar link.
    let why = |card: usize| r.warnings.iter().find(|w| w.location.starts_with(&format!("card {card} "))).map(|w| w.reason.clone()).unwrap_or_default();
    assert!(why(2).contains("not an image (content type text/html)"), "{:?}", r.warnings);
    assert!(why(3).contains("the server answered 404"), "{:?}", r.warnings);
    assert!(why(4).contains("larger than 10 MiB"), "{:?}", r.warnings);
    assert!(why(5).contains("could not be reached"), "{:?}", r.warnings);
    for (n, url) in [("Page", format!("{base}/profile")), ("Far", format!("{closed}/far.jpg"))] {
        let c = by_last(&store, "Photo").into_iter().find(|c| c.first_name == n).unwrap();
        assert_eq!(c.avatar_url, Some(url));
    }
    let mut paths = seen.lock().unwrap().clone();
    paths.sort();
    assert_eq!(paths, ["/gone.jpg", "/huge.png", "/kenji.jpg", "/profile"]);
}

#[test]
fn messy_exports_import_every_person_keeping_what_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let meta = |c: &Contact, path: &[&str]| path.iter().fold(c.metadata.clone(), |v, k| v.get(*k).cloned().unwrap_or(Value::Null));

    // Classic Outlook for Windows (cp1252, every column of its header set).
    let r = import(&store, "outlook_desktop.csv");
    assert_eq!((r.created, r.refused.len()), (3, 0), "{r:?}");
    let carla = &by_last(&store, "Tanaka")[0];
    assert_eq!((carla.job_title.as_deref(), carla.company.as_deref()), (Some("Head of Partnerships"), Some("Kestrel")), "the honorific is not a job title");
    assert_eq!(meta(carla, &["csv", "Title"]), json!("Ms."));
    assert_eq!((carla.phone.as_deref(), carla.email.as_deref()), (Some("+1 212 555 0199"), Some("carla@kestrel.example")));
    assert_eq!(meta(carla, &["phones"]), json!([{ "value": "+12125550100x204", "types": ["work"] }]), "the business phone, with its label and its extension");
    assert_eq!(meta(carla, &["phone_types"]), json!(["cell"]), "the mobile phone is the column's");
    assert_eq!(meta(carla, &["addresses"]), json!([{ "types": ["work"], "city": "New York" }]));
    assert_eq!((meta(carla, &["labels"]), meta(carla, &["org_units"])), (json!(["Investors", "Events"]), json!(["Partnerships"])));
    assert_eq!(meta(carla, &["emails"]), json!([{ "value": "carla.tanaka@home.example" }]), "E-mail 2 joins the emails");
    assert_eq!(carla.priority.as_str(), "medium", "Outlook's Normal");
    let vcf = unfold(&store.export("vcard").unwrap());
    assert!(vcf.iter().any(|l| l == "TEL;VALUE=uri;TYPE=work:tel:+1-212-555-0100;ext=204"), "the extension as RFC 3966 says: {vcf:?}");
    assert!(store.export("csv").unwrap().contains(",+12125550100x204,work,"), "and in its stored form in CSV");
    let ravi = &by_last(&store, "Patel")[0];
    assert_eq!((ravi.email.as_deref(), ravi.phone.as_deref(), ravi.priority.as_str()), (None, Some("+44 20 7946 0958"), "high"), "a business phone alone is the phone");
    assert!(meta(ravi, &["import_kept", "email"]).as_str().unwrap().starts_with("/o=ExchangeLabs/"), "the X.500 address is kept");
    assert!(r.warnings.iter().any(|w| w.location.starts_with("row 2") && w.reason.starts_with("email: '/o=ExchangeLabs")), "{:?}", r.warnings);
    let mateus = contacts(&store).into_iter().find(|c| c.first_name == "Mateus").unwrap();
    assert_eq!((mateus.last_name.as_str(), mateus.phone.as_deref(), mateus.priority.as_str()), ("", Some("+55 11 5555-0100"), "low"), "one name is a name");

    // Microsoft 365 / Outlook.com (UTF-8 with a BOM), three emails and three phones.
    let r = import(&store, "outlook365.csv");
    assert_eq!((r.created, r.refused.len()), (2, 0), "{r:?}");
    let grace = &by_last(&store, "Hopper")[0];
    assert_eq!((grace.job_title.as_deref(), grace.email.as_deref(), grace.phone.as_deref()), (Some("Computer Scientist"), Some("grace@navy.example"), Some("+1 202 555 0103")));
    assert_eq!(meta(grace, &["emails"]).as_array().unwrap().len(), 2);
    assert_eq!(meta(grace, &["phones"]), json!([{ "value": "+1 202 555 0102", "types": ["home"] }, { "value": "+1 202 555 0101", "types": ["work"] }]));
    let lin = &by_last(&store, "Wei")[0];
    assert_eq!(lin.job_title, None);
    assert!(meta(lin, &["import_kept", "job_title"]).as_str().unwrap().starts_with("A title that goes on"), "a title too long is kept, the person imported");

    // Excel in French, German and Spanish: headers with accents, `;`, cp1252.
    assert_eq!(import(&store, "excel_fr.csv").created, 2);
    let amelie = &by_last(&store, "Léger")[0];
    assert_eq!((amelie.first_name.as_str(), amelie.company.as_deref(), amelie.job_title.as_deref()), ("Amélie", Some("Société Générale"), Some("Directrice")));
    assert_eq!((amelie.email.as_deref(), amelie.priority.as_str(), amelie.notes.as_deref()), (Some("amelie@sg.example"), "high", Some("Rencontrée à VivaTech")));
    assert_eq!(import(&store, "excel_de.csv").created, 1);
    let jurgen = &by_last(&store, "Weiß")[0];
    assert_eq!((jurgen.company.as_deref(), jurgen.job_title.as_deref(), jurgen.email.as_deref()), (Some("Müller GmbH"), Some("Geschäftsführer"), Some("juergen@mueller.example")));
    assert_eq!(import(&store, "excel_es.csv").created, 1);
    let jose = &by_last(&store, "Núñez")[0];
    assert_eq!(
        (jose.first_name.as_str(), jose.company.as_deref(), jose.job_title.as_deref(), jose.phone.as_deref()),
        ("José", Some("Telefónica"), Some("Director de Ventas"), Some("+34 91 555 0100"))
    );

    // vCard 4.0: a one-name card with a phone extension; a card with only a company.
    let r = import(&store, "one_name_ext.vcf");
    assert_eq!((r.created, r.refused.len()), (2, 0), "{r:?}");
    let m = contacts(&store).into_iter().find(|c| c.email.as_deref() == Some("iara@samba.example")).unwrap();
    assert_eq!((m.first_name.as_str(), m.last_name.as_str()), ("Iara", ""));
    assert_eq!((m.phone.as_deref(), meta(&m, &["phone_types"])), (Some("+12125550100x204"), json!(["work"])), "the extension in its stored form: {:?}", m.metadata);
    let studio = contacts(&store).into_iter().find(|c| c.company.as_deref() == Some("Samba Studio")).unwrap();
    assert_eq!(studio.first_name, "Samba Studio", "called after its company");

    // A NUL in a file is removed, with a warning, never stored.
    // (Past the first 4 KB, where a file is judged text or binary.)
    let mut file = String::from("First Name,Last Name,Notes\n");
    for i in 0..80 {
        file.push_str(&format!("Padding{i},Row,an ordinary row of the file to pass the first kilobytes\n"));
    }
    file.push_str("Nul,Byte,a\0b\n");
    let r = store.import_contacts(file.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
    assert_eq!(r.created, 81, "{r:?}");
    assert!(r.warnings.iter().any(|w| w.reason == "notes: a NUL character was removed"), "{:?}", r.warnings);
    assert_eq!(by_last(&store, "Byte")[0].notes.as_deref(), Some("ab"));
}

/// Every sample file that holds contacts.
const SAMPLES: &[&str] = &[
    "vcard21.vcf",
    "vcard30.vcf",
    "vcard40.vcf",
    "broken.vcf",
    "one_name_ext.vcf",
    "extensions.vcf",
    "apple_contacts.vcf",
    "linkedin_connections.csv",
    "google_contacts.csv",
    "google_linkedin.csv",
    "generic_latin1.csv",
    "outlook_desktop.csv",
    "outlook365.csv",
    "outlook_extensions.csv",
    "excel_fr.csv",
    "excel_de.csv",
    "excel_es.csv",
];

/// The contact columns that are the user's data (not ids, authorship or stamps).
const USER_COLUMNS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "job_title",
    "linkedin_url",
    "bio",
    "avatar_url",
    "contact_type",
    "status",
    "priority",
    "business_type",
    "network_type",
    "industry",
    "notes",
    "lead_score",
    "metadata",
];

/// What another app reads of an export: the columns and metadata parts written as standard vCard
/// properties or named CSV columns (the rest travels in X-PLUGS-METADATA / the `metadata` column).
const STANDARD_COLUMNS: &[&str] = &["first_name", "last_name", "email", "phone", "company", "job_title", "linkedin_url", "avatar_url", "notes"];
const STANDARD_METADATA: &[&str] = &[
    "email_types",
    "phone_types",
    "emails",
    "phones",
    "addresses",
    "labels",
    "urls",
    "org_units",
    "middle_name",
    "name_prefix",
    "name_suffix",
    "nickname",
    "birthday",
    "anniversary",
];

/// Each contact of a store by name and email: the given columns, the given metadata keys (all
/// of it for `None`), and its photo (type and bytes) when asked.
fn snapshot(store: &Store, columns: &[&str], metadata: Option<&[&str]>, photos: bool) -> std::collections::BTreeMap<String, Value> {
    let mut out = std::collections::BTreeMap::new();
    for c in contacts(store) {
        let v = serde_json::to_value(&c).unwrap();
        let mut m: serde_json::Map<String, Value> = columns.iter().map(|k| ((*k).to_owned(), v[*k].clone())).collect();
        if let Some(keys) = metadata {
            m.insert("metadata".into(), Value::Object(keys.iter().filter_map(|k| c.metadata.get(*k).map(|v| ((*k).to_owned(), v.clone()))).collect()));
        }
        if photos {
            let media = store.repo::<Media>().list(&ListQuery { filters: vec![Filter::Eq("related_contact".into(), json!(c.id))], ..Default::default() }).unwrap().items;
            let photo: Vec<Value> = media
                .iter()
                .map(|p| {
                    let (mime, bytes) = store.media_bytes(p.id).unwrap();
                    json!([mime, bytes])
                })
                .collect();
            m.insert("photo".into(), Value::Array(photo));
        }
        let key = format!("{} {} <{}>", c.first_name, c.last_name, c.email.as_deref().unwrap_or_default());
        assert!(out.insert(key.clone(), Value::Object(m)).is_none(), "two contacts are {key}");
    }
    out
}

/// The first difference between two snapshots, named field by field.
fn differences(want: &std::collections::BTreeMap<String, Value>, got: &std::collections::BTreeMap<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for k in want.keys().chain(got.keys()).collect::<std::collections::BTreeSet<_>>() {
        match (want.get(k), got.get(k)) {
            (Some(a), Some(b)) if a != b => {
                for f in a.as_object().unwrap().keys().chain(b.as_object().unwrap().keys()).collect::<std::collections::BTreeSet<_>>() {
                    if a.get(f) != b.get(f) {
                        out.push(format!("{k}: {f}: {} became {}", a.get(f).unwrap_or(&Value::Null), b.get(f).unwrap_or(&Value::Null)));
                    }
                }
            }
            (Some(_), None) => out.push(format!("{k}: missing after the round trip")),
            (None, Some(_)) => out.push(format!("{k}: appeared in the round trip")),
            _ => {}
        }
    }
    out
}

/// A vCard export as another app reads it: without our own X-PLUGS- properties.
fn without_our_properties(vcf: &str) -> String {
    unfold(vcf).into_iter().filter(|l| !l.starts_with("X-PLUGS-")).map(|l| l + "\r\n").collect()
}

/// A CSV export without its `metadata` column.
fn without_metadata_column(csv: &str) -> String {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut skip = usize::MAX;
    for (i, r) in rdr.records().enumerate() {
        let r = r.unwrap();
        if i == 0 {
            skip = r.iter().position(|h| h == "metadata").unwrap();
        }
        w.write_record(r.iter().enumerate().filter(|(j, _)| *j != skip).map(|(_, v)| v)).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn every_sample_comes_back_whole_from_each_export() {
    for name in SAMPLES {
        let dir = tempfile::tempdir().unwrap();
        let first = workspace(dir.path());
        let r = import(&first, name);
        assert!(r.created > 0, "{name}: {r:?}");
        let whole = snapshot(&first, USER_COLUMNS, None, true);
        let standard = snapshot(&first, STANDARD_COLUMNS, Some(STANDARD_METADATA), true);
        for format in ["vcard", "csv"] {
            let data = first.export(format).unwrap();
            // Our own export back in whole; and as another app reads it, what it has standard
            // properties and named columns for.
            let other_app = if format == "vcard" { without_our_properties(&data) } else { without_metadata_column(&data) };
            for (what, bytes, want) in [("export", &data, &whole), ("export without our own fields", &other_app, &standard)] {
                let dir = tempfile::tempdir().unwrap();
                let second = workspace(dir.path());
                let r = second.import_contacts(bytes.as_bytes(), &ImportOptions::default(), |_, _| {}).unwrap();
                assert_eq!((r.created, r.merged, r.refused.len()), (want.len(), 0, 0), "{name} → {format} {what}: {r:?}");
                // A CSV carries no embedded photo; its link is the avatar column.
                let photos = format == "vcard";
                let mut want = want.clone();
                if !photos {
                    want.values_mut().for_each(|c| drop(c.as_object_mut().unwrap().remove("photo")));
                }
                let got =
                    if std::ptr::eq(bytes, &data) { snapshot(&second, USER_COLUMNS, None, photos) } else { snapshot(&second, STANDARD_COLUMNS, Some(STANDARD_METADATA), photos) };
                let diff = differences(&want, &got);
                assert!(diff.is_empty(), "{name} → {format} {what} → import:\n  {}\n\n{bytes}", diff.join("\n  "));
            }
        }
    }
}

#[test]
fn extensions_profiles_addresses_categories_and_photos_from_each_tool() {
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let meta = |c: &Contact, k: &str| c.metadata.get(k).cloned().unwrap_or(Value::Null);
    let one = |last: &str| by_last(&store, last).remove(0);

    // vCard 4.0 (RFC 6350): every spelling of an extension, in the column and in the list.
    let r = import(&store, "extensions.vcf");
    assert_eq!((r.created, r.media, r.refused.len()), (2, 1, 0), "{r:?}");
    let carla = one("Tanaka");
    assert_eq!((carla.email.as_deref(), carla.phone.as_deref()), (Some("carla@kestrel.example"), Some("+12125550100x204")));
    assert_eq!((meta(&carla, "email_types"), meta(&carla, "phone_types")), (json!(["work"]), json!(["work"])));
    assert_eq!(
        meta(&carla, "emails"),
        json!([{ "value": "carla.tanaka@home.example", "types": ["home"], "pref": 2 }, { "value": "carla.events@kestrel.example", "types": ["work"] }])
    );
    assert_eq!(
        meta(&carla, "phones"),
        json!([
            { "value": "+1-212-555-0199", "types": ["voice", "cell"] },
            { "value": "+12125550100x205", "types": ["work"] },
            { "value": "+12125550101x7", "types": ["home"] },
            { "value": "+12125550102x31", "types": ["fax"] },
            { "value": "+12125550103x9", "types": ["work"] },
        ])
    );
    assert_eq!(
        meta(&carla, "addresses"),
        json!([
            { "types": ["work"], "pref": 1, "extended": "Suite 400", "street": "350 Fifth Avenue", "city": "New York", "region": "NY", "postal_code": "10118", "country": "USA" },
            { "types": ["home"], "street": "1 Main St\nApt 2", "city": "Brooklyn", "region": "NY", "postal_code": "11201", "country": "USA" },
        ])
    );
    assert_eq!(meta(&carla, "labels"), json!(["Investors", "Events, 2025"]));
    assert_eq!((meta(&carla, "birthday"), meta(&carla, "anniversary")), (json!("--0412"), json!("20090808")));
    assert_eq!((carla.linkedin_url.as_deref(), meta(&carla, "urls")), (Some("https://www.linkedin.com/in/carla-tanaka"), json!(["https://kestrel.example"])));
    assert_eq!(meta(&carla, "vcard"), json!({ "GENDER": ["F"], "LANG": [{ "value": "en", "params": "TYPE=work;PREF=1" }] }));
    assert_eq!(one("Berg").phone.as_deref(), Some("+4685550123x4567"));

    // The export writes them as RFC 6350 and RFC 3966 say.
    let vcf = unfold(&store.export("vcard").unwrap());
    for line in [
        "TEL;VALUE=uri;TYPE=work;PREF=1:tel:+1-212-555-0100;ext=204",
        "TEL;VALUE=uri;TYPE=work:tel:+1-212-555-0100;ext=205",
        "TEL;VALUE=text;TYPE=voice,cell:+1-212-555-0199",
        "TEL;VALUE=uri;TYPE=cell;PREF=1:tel:+4685550123;ext=4567",
        "EMAIL;TYPE=home;PREF=2:carla.tanaka@home.example",
        "EMAIL;TYPE=work:carla.events@kestrel.example",
        "ADR;TYPE=work;PREF=1:;Suite 400;350 Fifth Avenue;New York;NY;10118;USA",
        "ADR;TYPE=home:;;1 Main St\\nApt 2;Brooklyn;NY;11201;USA",
        "CATEGORIES:Investors,Events\\, 2025",
        "ORG:Kestrel;Partnerships",
        "URL;TYPE=linkedin:https://www.linkedin.com/in/carla-tanaka",
        "X-SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/carla-tanaka",
        "BDAY:--0412",
        "LANG;TYPE=work;PREF=1:en",
    ] {
        assert!(vcf.iter().any(|l| l == line), "{line} in\n{}", vcf.join("\n"));
    }
    assert!(vcf.iter().any(|l| l.starts_with("PHOTO:data:image/png;base64,iVBORw0KGgo")), "the photo is embedded");
    assert!(!vcf.iter().any(|l| l.contains(":tel:tel:") || l.contains("TEL;VALUE=text:tel:")), "no tel: inside a value");
    let csv = store.export("csv").unwrap();
    assert!(csv.contains(",+12125550100x204,work,") && csv.contains("+12125550101x7,home"), "{csv}");

    // Apple Contacts (vCard 3.0): type=pref, X-SOCIALPROFILE for LinkedIn, ADR with types,
    // CATEGORIES, an embedded JPEG, Apple's own properties kept.
    let r = import(&store, "apple_contacts.vcf");
    assert_eq!((r.created, r.media, r.refused.len()), (2, 1, 0), "{r:?}");
    let ada = one("Lovelace");
    assert_eq!((ada.email.as_deref(), ada.phone.as_deref()), (Some("ada@engines.example"), Some("+442079460018x12")));
    assert_eq!(ada.linkedin_url.as_deref(), Some("https://www.linkedin.com/in/ada-lovelace"), "from X-SOCIALPROFILE;type=linkedin");
    assert_eq!(meta(&ada, "phones"), json!([{ "value": "+44 7700 900123", "types": ["cell", "voice"] }, { "value": "+442079460019x7", "types": ["home", "voice"] }]));
    assert_eq!(
        meta(&ada, "addresses")[0],
        json!({ "types": ["work"], "pref": 1, "street": "12 St James's Square", "city": "London", "postal_code": "SW1Y 4JH", "country": "United Kingdom" })
    );
    assert_eq!(meta(&ada, "addresses")[1]["types"], json!(["home"]));
    assert_eq!((meta(&ada, "labels"), meta(&ada, "nickname"), meta(&ada, "name_prefix")), (json!(["Investors", "Speakers"]), json!("Ada"), json!("Countess")));
    assert_eq!(meta(&ada, "tags"), json!(["investors", "speakers"]), "labels are tags too");
    assert_eq!(meta(&ada, "vcard")["X-SOCIALPROFILE"], json!([{ "value": "https://twitter.com/ada", "params": "TYPE=twitter;X-USER=ada" }]));
    let photos = store.repo::<Media>().list(&ListQuery { filters: vec![Filter::Eq("related_contact".into(), json!(ada.id))], ..Default::default() }).unwrap().items;
    assert_eq!(photos.iter().map(|p| p.mime_type.as_str()).collect::<Vec<_>>(), ["image/jpeg"]);
    let sofia = by_last(&store, "Reyes").into_iter().find(|c| c.email.as_deref() == Some("sofia@nimbus.example")).unwrap();
    assert_eq!((sofia.phone.as_deref(), sofia.linkedin_url.as_deref()), (Some("+14155550134x88"), Some("https://www.linkedin.com/in/sofia-reyes")));

    // Google Contacts CSV: labels, a LinkedIn web site, an address in parts, extensions.
    let dir = tempfile::tempdir().unwrap();
    let store = workspace(dir.path());
    let one = |last: &str| by_last(&store, last).remove(0);
    let r = import(&store, "google_linkedin.csv");
    assert_eq!((r.format.as_str(), r.created, r.refused.len()), ("google", 2, 0), "{r:?}");
    let sofia = one("Reyes");
    assert_eq!(sofia.linkedin_url.as_deref(), Some("https://www.linkedin.com/in/sofia-reyes"), "the web site that is a LinkedIn profile");
    assert_eq!((sofia.phone.as_deref(), meta(&sofia, "phone_types")), (Some("+14155550134x88"), json!(["work"])));
    assert_eq!(meta(&sofia, "phones"), json!([{ "value": "+1 415 555 0199", "types": ["cell"] }]));
    assert_eq!(meta(&sofia, "emails"), json!([{ "value": "sofia@reyes.example", "types": ["home"] }]));
    assert_eq!(
        meta(&sofia, "addresses"),
        json!([{ "types": ["work"], "extended": "Floor 12", "street": "350 Mission St", "city": "San Francisco", "region": "CA", "postal_code": "94105", "country": "US" }])
    );
    assert_eq!(
        (meta(&sofia, "urls"), meta(&sofia, "labels"), meta(&sofia, "org_units")),
        (json!(["https://sofia.example/blog"]), json!(["myContacts", "VIP"]), json!(["Platform"]))
    );
    assert_eq!((meta(&sofia, "middle_name"), meta(&sofia, "name_prefix"), meta(&sofia, "name_suffix")), (json!("Isabel"), json!("Dr."), json!("PhD")));
    assert_eq!(sofia.avatar_url.as_deref(), Some("https://photos.example.test/sofia.jpg"));
    let kwame = one("Mensah");
    assert_eq!((kwame.phone.as_deref(), meta(&kwame, "birthday")), (Some("+233305550101x22"), json!("--03-06")));
    assert_eq!(meta(&kwame, "addresses"), json!([{ "types": ["home"], "po_box": "PO Box 123", "city": "Accra", "country": "Ghana" }]));

    // Outlook: extensions in its Business, Home and Mobile phone columns; its addresses.
    let r = import(&store, "outlook_extensions.csv");
    assert_eq!((r.created, r.refused.len()), (2, 0), "{r:?}");
    let nadia = one("Haddad");
    assert_eq!((nadia.phone.as_deref(), meta(&nadia, "phone_types")), (Some("+12125550142x5"), json!(["cell"])));
    assert_eq!(meta(&nadia, "phones"), json!([{ "value": "+12125550141x2", "types": ["home"] }, { "value": "+12125550140x310", "types": ["work"] }]));
    assert_eq!(nadia.linkedin_url.as_deref(), Some("https://www.linkedin.com/in/nadia-haddad"));
    assert_eq!(
        meta(&nadia, "addresses"),
        json!([
            { "types": ["work"], "street": "1 Liberty Plaza\nFloor 20", "city": "New York", "region": "NY", "postal_code": "10006", "country": "United States" },
            { "types": ["home"], "street": "20 Pine St", "city": "Hoboken", "region": "NJ", "postal_code": "07030", "country": "United States" },
        ])
    );
    let tomas = one("Novak");
    assert_eq!(
        (tomas.phone.as_deref(), meta(&tomas, "addresses")),
        (Some("+420255550100x15"), json!([{ "types": ["other"], "street": "Vodičkova 1", "city": "Praha", "country": "Czechia" }]))
    );
}
