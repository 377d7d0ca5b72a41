//! The SQLite copy refuses what the seed schema refuses and takes what it takes: a table of cases,
//! each inserted with plain SQL (no Rust validation in between), for every table and constraint.

use plugs_core::Store;
use rusqlite::types::Value as Sql;
use rusqlite::Connection;

/// A value in a case, rendered for SQLite by the store's type mapping.
#[derive(Clone, Debug)]
enum V {
    Null,
    T(&'static str),
    S(String),
    I(i64),
    B(bool),
    /// A DECIMAL(12,2) amount, written as a decimal.
    M(&'static str),
}

fn sql(v: &V) -> Sql {
    match v {
        V::Null => Sql::Null,
        V::T(s) => Sql::Text((*s).into()),
        V::S(s) => Sql::Text(s.clone()),
        V::I(i) => Sql::Integer(*i),
        V::B(b) => Sql::Integer(*b as i64),
        V::M(m) => Sql::Integer(plugs_core::Money::parse(m).expect("case amounts are valid decimals").hundredths()),
    }
}

fn long(n: usize) -> V {
    V::S("x".repeat(n))
}

const ORG: &str = "01900000-0000-7000-8000-000000000001";
const ORG2: &str = "01900000-0000-7000-8000-000000000002";
const USER: &str = "01900000-0000-7000-8000-000000000011";
const USER2: &str = "01900000-0000-7000-8000-000000000012";
const CONTACT: &str = "01900000-0000-7000-8000-000000000021";
const EVENT: &str = "01900000-0000-7000-8000-000000000031";
const INTEGRATION: &str = "01900000-0000-7000-8000-000000000041";
const MEDIA: &str = "01900000-0000-7000-8000-000000000051";
const COLLECTION: &str = "01900000-0000-7000-8000-000000000061";
const MISSING: &str = "01900000-0000-7000-8000-0000000000ff";
const NEW_ID: &str = "01900000-0000-7000-8000-000000000999";
const T0: &str = "2026-11-24T09:00:00.000000Z";
const T1: &str = "2026-11-24T17:00:00.000000Z";

/// A valid row of each table (beside the parents the setup writes).
fn base(table: &str) -> Vec<(&'static str, V)> {
    use V::*;
    let id = ("id", T(NEW_ID));
    let org = ("organization_id", T(ORG));
    match table {
        "organizations" => vec![id, ("name", T("Other Org")), ("domain", T("other.test"))],
        "users" => vec![id, org, ("email", T("new@acme.test")), ("password_hash", T("!")), ("first_name", T("New")), ("last_name", T("User"))],
        "contacts" => vec![id, org, ("created_by", T(USER)), ("first_name", T("Grace")), ("last_name", T("Hopper"))],
        "contact_interactions" => vec![id, org, ("contact_id", T(CONTACT)), ("user_id", T(USER)), ("interaction_type", T("call")), ("interaction_date", T(T0))],
        "events" => vec![id, org, ("created_by", T(USER)), ("title", T("Expo")), ("start_date", T(T0)), ("end_date", T(T1))],
        "event_attendees" => vec![id, org, ("event_id", T(EVENT)), ("user_id", T(USER2))],
        "event_agenda_items" => vec![id, org, ("event_id", T(EVENT)), ("created_by", T(USER)), ("title", T("Keynote")), ("start_time", T(T0)), ("end_time", T(T1))],
        "expenses" => vec![id, org, ("created_by", T(USER)), ("title", T("Taxi")), ("amount", M("12.50")), ("expense_date", T("2026-11-24"))],
        "media" => vec![
            id,
            org,
            ("uploaded_by", T(USER)),
            ("title", T("Badge")),
            ("file_name", T("b.png")),
            ("file_path", T("/m/b.png")),
            ("media_type", T("image")),
            ("mime_type", T("image/png")),
            ("file_size", I(1024)),
        ],
        "media_collections" => vec![id, org, ("created_by", T(USER)), ("name", T("Booth photos"))],
        "media_collection_items" => vec![id, ("collection_id", T(COLLECTION)), ("media_id", T(MEDIA))],
        "notifications" => vec![id, org, ("user_id", T(USER)), ("title", T("Follow up")), ("message", T("Call Grace"))],
        "integrations" => vec![id, org, ("provider", T("hubspot")), ("integration_type", T("crm")), ("credentials", T(r#"{"keychain_ref":"hubspot"}"#))],
        "integration_logs" => vec![id, org, ("integration_id", T(INTEGRATION)), ("operation", T("sync")), ("status", T("success")), ("started_at", T(T0))],
        "analytics_events" => vec![id, org, ("event_name", T("contact_created")), ("event_category", T("contacts")), ("event_timestamp", T(T0))],
        "audit_logs" => vec![id, org, ("table_name", T("contacts")), ("record_id", T(CONTACT)), ("action", T("create"))],
        t => panic!("no base row for {t}"),
    }
}

/// (table, what the case shows, columns to set over the base row, accepted?)
/// A case: its name, its table, the row's values, and whether the seed accepts it.
type Case = (&'static str, &'static str, Vec<(&'static str, V)>, bool);

fn cases() -> Vec<Case> {
    use V::*;
    let mut c = vec![];
    let mut add = |t, what, set: Vec<(&'static str, V)>, ok| c.push((t, what, set, ok));
    // Every table takes its valid base row.
    for t in TABLES {
        add(t, "valid row", vec![], true);
    }
    // Identity and tenancy on every table that has them.
    for t in TABLES {
        add(t, "id NULL", vec![("id", Null)], false);
        add(t, "id not a UUID", vec![("id", T("not-a-uuid"))], false);
        add(t, "id upper-case / wrong shape", vec![("id", T("01900000-0000-7000-8000-00000000099G"))], false);
        add(
            t,
            "duplicate id",
            vec![(
                "id",
                T(match t {
                    "organizations" => ORG,
                    "users" => USER,
                    "contacts" => CONTACT,
                    "events" => EVENT,
                    "integrations" => INTEGRATION,
                    "media" => MEDIA,
                    "media_collections" => COLLECTION,
                    _ => continue,
                }),
            )],
            false,
        );
    }
    for t in [
        "users",
        "contacts",
        "contact_interactions",
        "events",
        "event_attendees",
        "event_agenda_items",
        "expenses",
        "media",
        "media_collections",
        "notifications",
        "integrations",
        "integration_logs",
        "audit_logs",
    ] {
        add(t, "organization_id NULL", vec![("organization_id", Null)], false);
        add(t, "organization_id unknown", vec![("organization_id", T(MISSING))], false);
    }
    add("analytics_events", "organization_id may be NULL", vec![("organization_id", Null)], true);
    add("analytics_events", "organization_id unknown", vec![("organization_id", T(MISSING))], false);
    // Timestamps: fixed-precision UTC text only.
    for (t, col) in [("contacts", "created_at"), ("events", "start_date"), ("notifications", "expires_at"), ("integration_logs", "started_at"), ("audit_logs", "created_at")] {
        add(t, "timestamp without microseconds", vec![(col, T("2026-11-24T09:00:00Z"))], false);
        add(t, "timestamp with an offset", vec![(col, T("2026-11-24T09:00:00.000000+01:00"))], false);
        add(t, "impossible date", vec![(col, T("2026-02-30T09:00:00.000000Z"))], false);
        add(t, "not a time", vec![(col, T("yesterday"))], false);
    }
    add("contacts", "timestamp in the fixed format", vec![("created_at", T("2024-02-29T23:59:59.999999Z"))], true);
    // Booleans are 0/1.
    for (t, col) in [("organizations", "is_active"), ("users", "is_admin"), ("contacts", "is_deleted"), ("notifications", "is_read"), ("integrations", "is_active")] {
        add(t, "boolean 2", vec![(col, I(2))], false);
        add(t, "boolean as text", vec![(col, T("yes"))], false);
        add(t, "boolean true", vec![(col, B(true))], true);
    }
    // JSON columns must hold JSON.
    for (t, col) in [
        ("organizations", "settings"),
        ("contacts", "metadata"),
        ("events", "venue_details"),
        ("media", "tags"),
        ("notifications", "data"),
        ("integrations", "credentials"),
        ("integration_logs", "error_details"),
        ("analytics_events", "properties"),
        ("audit_logs", "new_values"),
    ] {
        add(t, "invalid JSON", vec![(col, T("{not json"))], false);
        add(t, "valid JSON", vec![(col, T(r#"{"k":[1,2]}"#))], true);
    }
    // organizations
    add("organizations", "name NULL", vec![("name", Null)], false);
    add("organizations", "name 256 chars", vec![("name", long(256))], false);
    add("organizations", "name 255 chars", vec![("name", long(255))], true);
    add("organizations", "name 255 multibyte chars", vec![("name", S("é".repeat(255)))], true);
    add("organizations", "domain 256 chars", vec![("domain", long(256))], false);
    add("organizations", "domain UNIQUE", vec![("domain", T("acme.test"))], false);
    add("organizations", "subscription_plan 51 chars", vec![("subscription_plan", long(51))], false);
    // users
    for (col, n) in [
        ("email", 255),
        ("password_hash", 255),
        ("first_name", 50),
        ("last_name", 50),
        ("phone", 20),
        ("avatar_url", 500),
        ("job_title", 100),
        ("company", 100),
        ("linkedin_url", 255),
    ] {
        add("users", "VARCHAR length + 1", vec![(col, long(n + 1))], false);
    }
    for col in ["email", "password_hash", "first_name", "last_name"] {
        add("users", "NOT NULL", vec![(col, Null)], false);
    }
    add("users", "UNIQUE (organization_id, email)", vec![("email", T("ada@acme.test"))], false);
    add("users", "same email in another organization", vec![("email", T("ada@acme.test")), ("organization_id", T(ORG2))], true);
    add("users", "created_by unknown", vec![("created_by", T(MISSING))], false);
    add("users", "updated_by unknown", vec![("updated_by", T(MISSING))], false);
    add("users", "created_by known", vec![("created_by", T(USER))], true);
    // contacts
    for (col, vals) in [
        ("contact_type", ["target", "contact", "plug"].as_slice()),
        ("status", &["new_client", "existing_client", "hot_lead", "cold_lead"]),
        ("priority", &["high", "medium", "low"]),
    ] {
        for v in vals {
            add("contacts", "enum value", vec![(col, T(v))], true);
        }
        add("contacts", "enum value not in list", vec![(col, T("other"))], false);
        add("contacts", "enum value wrong case", vec![(col, S(vals[0].to_uppercase()))], false);
    }
    add("contacts", "lead_score -1", vec![("lead_score", I(-1))], false);
    add("contacts", "lead_score 101", vec![("lead_score", I(101))], false);
    add("contacts", "lead_score 0", vec![("lead_score", I(0))], true);
    add("contacts", "lead_score 100", vec![("lead_score", I(100))], true);
    add("contacts", "lead_score as text", vec![("lead_score", T("high"))], false);
    for (col, n) in [
        ("first_name", 50),
        ("last_name", 50),
        ("email", 255),
        ("phone", 20),
        ("company", 100),
        ("job_title", 100),
        ("linkedin_url", 255),
        ("avatar_url", 500),
        ("business_type", 50),
        ("network_type", 50),
        ("industry", 100),
    ] {
        add("contacts", "VARCHAR length + 1", vec![(col, long(n + 1))], false);
        add("contacts", "VARCHAR at length", vec![(col, long(n))], true);
    }
    add("contacts", "created_by NULL", vec![("created_by", Null)], false);
    add("contacts", "created_by unknown", vec![("created_by", T(MISSING))], false);
    add("contacts", "first_name NULL", vec![("first_name", Null)], false);
    // contact_interactions
    for v in ["meeting", "call", "email", "linkedin", "event", "follow_up"] {
        add("contact_interactions", "interaction_type value", vec![("interaction_type", T(v))], true);
    }
    add("contact_interactions", "interaction_type not in list", vec![("interaction_type", T("sms"))], false);
    add("contact_interactions", "interaction_type NULL", vec![("interaction_type", Null)], false);
    for v in ["completed", "scheduled", "cancelled"] {
        add("contact_interactions", "status value", vec![("status", T(v))], true);
    }
    add("contact_interactions", "status not in list", vec![("status", T("done"))], false);
    add("contact_interactions", "interaction_date NULL", vec![("interaction_date", Null)], false);
    add("contact_interactions", "contact unknown", vec![("contact_id", T(MISSING))], false);
    add("contact_interactions", "user unknown", vec![("user_id", T(MISSING))], false);
    add("contact_interactions", "subject 256 chars", vec![("subject", long(256))], false);
    // events
    for v in ["conference", "workshop", "networking", "meeting"] {
        add("events", "event_type value", vec![("event_type", T(v))], true);
    }
    add("events", "event_type not in list", vec![("event_type", T("party"))], false);
    for v in ["draft", "published", "ongoing", "completed", "cancelled"] {
        add("events", "status value", vec![("status", T(v))], true);
    }
    add("events", "status not in list", vec![("status", T("open"))], false);
    add("events", "end_date = start_date", vec![("end_date", T(T0))], false);
    add("events", "end_date before start_date", vec![("start_date", T(T1)), ("end_date", T(T0))], false);
    add("events", "end_date NULL", vec![("end_date", Null)], false);
    add("events", "current_attendees -1", vec![("current_attendees", I(-1))], false);
    add("events", "current_attendees over max", vec![("max_attendees", I(10)), ("current_attendees", I(11))], false);
    add("events", "current_attendees at max", vec![("max_attendees", I(10)), ("current_attendees", I(10))], true);
    add("events", "no max, any current", vec![("max_attendees", Null), ("current_attendees", I(5000))], true);
    add("events", "current_attendees over 32 bits", vec![("current_attendees", I(1 << 31))], false);
    add("events", "budget 12 digits", vec![("budget", M("9999999999.99"))], true);
    add("events", "budget 13 digits", vec![("budget", I(1_000_000_000_000))], false);
    add("events", "budget as a float", vec![("budget", T("12.5"))], false);
    add("events", "currency 4 chars", vec![("currency", T("EURO"))], false);
    add("events", "timezone 51 chars", vec![("timezone", long(51))], false);
    add("events", "title NULL", vec![("title", Null)], false);
    add("events", "title 256 chars", vec![("title", long(256))], false);
    add("events", "registration_url 501 chars", vec![("registration_url", long(501))], false);
    // event_attendees
    for v in ["registered", "confirmed", "attended", "no_show", "cancelled"] {
        add("event_attendees", "status value", vec![("status", T(v))], true);
    }
    add("event_attendees", "status not in list", vec![("status", T("waitlisted"))], false);
    add("event_attendees", "UNIQUE (event_id, user_id)", vec![("user_id", T(USER))], false);
    add("event_attendees", "check-out without check-in", vec![("check_out_time", T(T1))], false);
    add("event_attendees", "check-in and check-out", vec![("check_in_time", T(T0)), ("check_out_time", T(T1))], true);
    add("event_attendees", "check-in only", vec![("check_in_time", T(T0))], true);
    add("event_attendees", "event unknown", vec![("event_id", T(MISSING))], false);
    // event_agenda_items
    add("event_agenda_items", "end_time = start_time", vec![("end_time", T(T0))], false);
    add("event_agenda_items", "end_time before start_time", vec![("start_time", T(T1)), ("end_time", T(T0))], false);
    for v in ["presentation", "break", "networking", "workshop"] {
        add("event_agenda_items", "agenda_type value", vec![("agenda_type", T(v))], true);
    }
    add("event_agenda_items", "agenda_type not in list", vec![("agenda_type", T("lunch"))], false);
    add("event_agenda_items", "status not in list", vec![("status", T("late"))], false);
    add("event_agenda_items", "speaker unknown", vec![("speaker_id", T(MISSING))], false);
    add("event_agenda_items", "sort_order negative", vec![("sort_order", I(-3))], true);
    // expenses
    add("expenses", "amount -0.01", vec![("amount", M("-0.01"))], false);
    add("expenses", "amount 0", vec![("amount", M("0"))], true);
    add("expenses", "amount NULL", vec![("amount", Null)], false);
    add("expenses", "amount 13 digits", vec![("amount", I(1_000_000_000_000))], false);
    for v in ["travel", "accommodation", "catering", "venue", "marketing", "other"] {
        add("expenses", "expense_type value", vec![("expense_type", T(v))], true);
    }
    add("expenses", "expense_type not in list", vec![("expense_type", T("food"))], false);
    for v in ["pending", "approved", "rejected", "paid"] {
        add("expenses", "status value", vec![("status", T(v))], true);
    }
    add("expenses", "status not in list", vec![("status", T("void"))], false);
    add("expenses", "expense_date NULL", vec![("expense_date", Null)], false);
    add("expenses", "expense_date impossible", vec![("expense_date", T("2026-02-30"))], false);
    add("expenses", "expense_date with a time", vec![("expense_date", T("2026-11-24T10:00:00Z"))], false);
    add("expenses", "event unknown", vec![("event_id", T(MISSING))], false);
    add("expenses", "approved_by unknown", vec![("approved_by", T(MISSING))], false);
    add("expenses", "category 51 chars", vec![("category", long(51))], false);
    // media
    for v in ["image", "video", "document", "audio"] {
        add("media", "media_type value", vec![("media_type", T(v))], true);
    }
    add("media", "media_type not in list", vec![("media_type", T("3d"))], false);
    add("media", "media_type NULL", vec![("media_type", Null)], false);
    add("media", "file_size 0", vec![("file_size", I(0))], false);
    add("media", "file_size beyond 32 bits (BIGINT)", vec![("file_size", I(5_000_000_000))], true);
    add("media", "status not in list", vec![("status", T("done"))], false);
    add("media", "access_level not in list", vec![("access_level", T("secret"))], false);
    for v in ["public", "private", "organization"] {
        add("media", "access_level value", vec![("access_level", T(v))], true);
    }
    add("media", "mime_type NULL", vec![("mime_type", Null)], false);
    add("media", "file_path 501 chars", vec![("file_path", long(501))], false);
    add("media", "related_contact unknown", vec![("related_contact", T(MISSING))], false);
    add("media", "related_event known", vec![("related_event", T(EVENT))], true);
    // media_collections
    for v in ["event_photos", "contact_media", "general"] {
        add("media_collections", "collection_type value", vec![("collection_type", T(v))], true);
    }
    add("media_collections", "collection_type not in list", vec![("collection_type", T("album"))], false);
    add("media_collections", "name NULL", vec![("name", Null)], false);
    // media_collection_items
    add("media_collection_items", "UNIQUE (collection_id, media_id)", vec![("media_id", T("01900000-0000-7000-8000-000000000052"))], false);
    add("media_collection_items", "another media in the same collection", vec![("media_id", T(MEDIA))], true);
    add("media_collection_items", "collection unknown", vec![("collection_id", T(MISSING))], false);
    add("media_collection_items", "media unknown", vec![("media_id", T(MISSING))], false);
    // notifications
    for v in ["info", "success", "warning", "error", "reminder"] {
        add("notifications", "notification_type value", vec![("notification_type", T(v))], true);
    }
    add("notifications", "notification_type not in list", vec![("notification_type", T("alert"))], false);
    for v in ["in_app", "email", "sms", "push"] {
        add("notifications", "channel value", vec![("channel", T(v))], true);
    }
    add("notifications", "channel not in list", vec![("channel", T("fax"))], false);
    add("notifications", "message NULL", vec![("message", Null)], false);
    add("notifications", "user unknown", vec![("user_id", T(MISSING))], false);
    // integrations
    for v in ["hubspot", "mailchimp", "teams"] {
        add("integrations", "provider value", vec![("provider", T(v))], true);
    }
    add("integrations", "provider not in list", vec![("provider", T("salesforce"))], false);
    add("integrations", "provider NULL", vec![("provider", Null)], false);
    add("integrations", "UNIQUE (organization_id, provider)", vec![("provider", T("zoom"))], false);
    add("integrations", "same provider in another organization", vec![("provider", T("zoom")), ("organization_id", T(ORG2))], true);
    for v in ["crm", "email", "video", "calendar"] {
        add("integrations", "integration_type value", vec![("integration_type", T(v))], true);
    }
    add("integrations", "integration_type not in list", vec![("integration_type", T("chat"))], false);
    add("integrations", "status not in list", vec![("status", T("broken"))], false);
    add("integrations", "credentials NULL", vec![("credentials", Null)], false);
    // integration_logs
    for v in ["sync", "export", "import", "webhook"] {
        add("integration_logs", "operation value", vec![("operation", T(v))], true);
    }
    add("integration_logs", "operation not in list", vec![("operation", T("pull"))], false);
    for v in ["success", "failed", "partial"] {
        add("integration_logs", "status value", vec![("status", T(v))], true);
    }
    add("integration_logs", "status NULL", vec![("status", Null)], false);
    add("integration_logs", "started_at NULL", vec![("started_at", Null)], false);
    add("integration_logs", "integration unknown", vec![("integration_id", T(MISSING))], false);
    // analytics_events
    add("analytics_events", "event_name 101 chars", vec![("event_name", long(101))], false);
    add("analytics_events", "event_category 51 chars", vec![("event_category", long(51))], false);
    add("analytics_events", "session_id 101 chars", vec![("session_id", long(101))], false);
    add("analytics_events", "event_timestamp NULL", vec![("event_timestamp", Null)], false);
    add("analytics_events", "ip_address v4", vec![("ip_address", T("192.0.2.10"))], true);
    add("analytics_events", "ip_address v6 with prefix", vec![("ip_address", T("2001:db8::1/64"))], true);
    add("analytics_events", "ip_address not an address", vec![("ip_address", T("not an ip"))], false);
    add("analytics_events", "user unknown", vec![("user_id", T(MISSING))], false);
    // audit_logs
    for v in ["create", "update", "delete", "restore"] {
        add("audit_logs", "action value", vec![("action", T(v))], true);
    }
    add("audit_logs", "action not in list", vec![("action", T("purge"))], false);
    add("audit_logs", "action NULL", vec![("action", Null)], false);
    add("audit_logs", "record_id NULL", vec![("record_id", Null)], false);
    add("audit_logs", "table_name 101 chars", vec![("table_name", long(101))], false);
    c
}

const TABLES: [&str; 16] = [
    "organizations",
    "users",
    "contacts",
    "contact_interactions",
    "events",
    "event_attendees",
    "event_agenda_items",
    "expenses",
    "media",
    "media_collections",
    "media_collection_items",
    "notifications",
    "integrations",
    "integration_logs",
    "analytics_events",
    "audit_logs",
];

fn insert(conn: &Connection, table: &str, row: &[(&str, V)]) -> rusqlite::Result<usize> {
    let cols: Vec<&str> = row.iter().map(|(c, _)| *c).collect();
    let marks: Vec<String> = (1..=row.len()).map(|i| format!("?{i}")).collect();
    let sql_text = format!("INSERT INTO {table} ({}) VALUES ({})", cols.join(", "), marks.join(", "));
    conn.execute(&sql_text, rusqlite::params_from_iter(row.iter().map(|(_, v)| sql(v))))
}

/// The parents every case refers to, plus the rows the UNIQUE cases collide with.
fn setup(conn: &Connection) {
    use V::*;
    let rows: Vec<(&str, Vec<(&str, V)>)> = vec![
        ("organizations", vec![("id", T(ORG)), ("name", T("Acme")), ("domain", T("acme.test"))]),
        ("organizations", vec![("id", T(ORG2)), ("name", T("Globex"))]),
        (
            "users",
            vec![("id", T(USER)), ("organization_id", T(ORG)), ("email", T("ada@acme.test")), ("password_hash", T("!")), ("first_name", T("Ada")), ("last_name", T("Lovelace"))],
        ),
        (
            "users",
            vec![("id", T(USER2)), ("organization_id", T(ORG)), ("email", T("bob@acme.test")), ("password_hash", T("!")), ("first_name", T("Bob")), ("last_name", T("Builder"))],
        ),
        ("contacts", vec![("id", T(CONTACT)), ("organization_id", T(ORG)), ("created_by", T(USER)), ("first_name", T("Grace")), ("last_name", T("Hopper"))]),
        ("events", vec![("id", T(EVENT)), ("organization_id", T(ORG)), ("created_by", T(USER)), ("title", T("Summit")), ("start_date", T(T0)), ("end_date", T(T1))]),
        ("event_attendees", vec![("id", T("01900000-0000-7000-8000-000000000071")), ("organization_id", T(ORG)), ("event_id", T(EVENT)), ("user_id", T(USER))]),
        ("integrations", vec![("id", T(INTEGRATION)), ("organization_id", T(ORG)), ("provider", T("zoom")), ("integration_type", T("video")), ("credentials", T("{}"))]),
        (
            "media",
            vec![
                ("id", T(MEDIA)),
                ("organization_id", T(ORG)),
                ("uploaded_by", T(USER)),
                ("title", T("Logo")),
                ("file_name", T("l.png")),
                ("file_path", T("/l.png")),
                ("media_type", T("image")),
                ("mime_type", T("image/png")),
                ("file_size", I(10)),
            ],
        ),
        (
            "media",
            vec![
                ("id", T("01900000-0000-7000-8000-000000000052")),
                ("organization_id", T(ORG)),
                ("uploaded_by", T(USER)),
                ("title", T("Flyer")),
                ("file_name", T("f.pdf")),
                ("file_path", T("/f.pdf")),
                ("media_type", T("document")),
                ("mime_type", T("application/pdf")),
                ("file_size", I(10)),
            ],
        ),
        ("media_collections", vec![("id", T(COLLECTION)), ("organization_id", T(ORG)), ("created_by", T(USER)), ("name", T("Booth"))]),
        (
            "media_collection_items",
            vec![("id", T("01900000-0000-7000-8000-000000000081")), ("collection_id", T(COLLECTION)), ("media_id", T("01900000-0000-7000-8000-000000000052"))],
        ),
    ];
    for (t, r) in rows {
        insert(conn, t, &r).unwrap_or_else(|e| panic!("setup row of {t}: {e}"));
    }
}

#[test]
fn every_seed_constraint_holds_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let conn = store.connection();
    setup(conn);
    let mut failures = vec![];
    let all = cases();
    // Several distinct-value cases would collide on the base row's UNIQUE columns; they are fine to
    // run one by one because each runs inside its own rolled-back savepoint.
    for (table, what, set, ok) in &all {
        let mut row = base(table);
        for (col, v) in set {
            match row.iter_mut().find(|(c, _)| c == col) {
                Some(slot) => slot.1 = v.clone(),
                None => row.push((col, v.clone())),
            }
        }
        conn.execute_batch("SAVEPOINT c").unwrap();
        let res = insert(conn, table, &row);
        conn.execute_batch("ROLLBACK TO c; RELEASE c").unwrap();
        if res.is_ok() != *ok {
            failures.push(format!("{table}: {what} {set:?}: expected {}, got {res:?}", if *ok { "accepted" } else { "rejected" }));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases disagree with the seed:\n{}", failures.len(), all.len(), failures.join("\n"));
    assert!(all.len() > 250, "the case table covers every table and constraint ({} cases)", all.len());
}

#[test]
fn unique_collisions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let conn = store.connection();
    setup(conn);
    use V::*;
    let dup_item = vec![("id", T(NEW_ID)), ("collection_id", T(COLLECTION)), ("media_id", T("01900000-0000-7000-8000-000000000052"))];
    assert!(insert(conn, "media_collection_items", &dup_item).is_err(), "UNIQUE (collection_id, media_id)");
    let mut dup_integration = base("integrations");
    dup_integration[2] = ("provider", T("zoom"));
    assert!(insert(conn, "integrations", &dup_integration).is_err(), "UNIQUE (organization_id, provider): zoom is taken");
}

#[test]
fn cascades_follow_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let conn = store.connection();
    setup(conn);
    let count = |t: &str| conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get::<_, i64>(0)).unwrap();
    // Deleting an event removes its attendees (ON DELETE CASCADE).
    conn.execute("DELETE FROM events WHERE id = ?1", [EVENT]).unwrap();
    assert_eq!(count("event_attendees"), 0);
    // Deleting a collection removes its items.
    conn.execute("DELETE FROM media_collections WHERE id = ?1", [COLLECTION]).unwrap();
    assert_eq!(count("media_collection_items"), 0);
    // A user referenced by a contact (no cascade) cannot be removed.
    assert!(conn.execute("DELETE FROM users WHERE id = ?1", [USER]).is_err());
    // Deleting the organization takes its rows along.
    conn.execute("DELETE FROM media", []).unwrap();
    conn.execute("DELETE FROM contacts", []).unwrap();
    conn.execute("UPDATE users SET created_by = NULL", []).unwrap();
    conn.execute("DELETE FROM organizations WHERE id = ?1", [ORG]).unwrap();
    assert_eq!(count("users"), 0);
    assert_eq!(count("integrations"), 0);
}

#[test]
fn every_seed_index_and_view_exists_and_partial_indexes_skip_tombstones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).unwrap();
    let conn = store.connection();
    let index_names = |sql: &'static str| -> Vec<&'static str> {
        let mut v: Vec<&str> = sql.lines().filter_map(|l| l.trim().strip_prefix("CREATE INDEX ")).map(|l| l.split_whitespace().next().unwrap()).collect();
        v.sort();
        v
    };
    let names = index_names(include_str!("../../../migrations/server/V1__seed_schema.sql"));
    assert_eq!(names.len(), 59, "the seed declares 59 indexes");
    assert_eq!(names, index_names(include_str!("../../../migrations/local/V1__schema.sql")), "the local copy declares the seed's indexes");
    for n in &names {
        let sql: String = conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1", [n], |r| r.get(0)).unwrap_or_else(|_| panic!("index {n} missing"));
        let partial =
            !(n.starts_with("idx_media_collection_items") || n.starts_with("idx_integration_logs") || n.starts_with("idx_analytics_events") || n.starts_with("idx_audit_logs"));
        assert_eq!(sql.contains("WHERE NOT is_deleted"), partial, "{n}: {sql}");
    }
    for v in ["contact_performance_summary", "event_analytics"] {
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'view' AND name = ?1", [v], |r| r.get(0)).unwrap();
        assert_eq!(n, 1, "view {v}");
    }
    let tables: i64 = conn
        .query_row(
            &format!("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ({})", TABLES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",")),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 16);
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}
