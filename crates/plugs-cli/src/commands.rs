//! The command tree and what each command asks of the core.

use crate::output::Output;
use clap::{Arg, ArgAction, ArgMatches, Command};
use plugs_core::schema::{Column, Kind, Ops, SoftDelete, TableSpec};
use plugs_core::workspace::NewWorkspace;
use plugs_core::{Error, Filter, ListQuery, Record, Result, Store};
use serde_json::{json, Value};
use std::path::PathBuf;
use uuid::Uuid;

/// An entity of the command line: its name, its table, and the columns a list shows.
struct Entity {
    name: &'static str,
    table: &'static str,
    about: &'static str,
    columns: &'static [&'static str],
}

const ENTITIES: &[Entity] = &[
    Entity { name: "org", table: "organizations", about: "The organization (workspace)", columns: &["id", "name", "domain", "subscription_plan"] },
    Entity { name: "user", table: "users", about: "People of the organization", columns: &["id", "first_name", "last_name", "email", "is_admin", "is_active"] },
    Entity { name: "contact", table: "contacts", about: "Contacts", columns: &["id", "first_name", "last_name", "company", "email", "status", "lead_score"] },
    Entity {
        name: "interaction",
        table: "contact_interactions",
        about: "Interactions with contacts (and scheduled follow-ups)",
        columns: &["id", "contact_id", "interaction_type", "interaction_date", "status", "subject"],
    },
    Entity { name: "event", table: "events", about: "Events", columns: &["id", "title", "event_type", "status", "start_date", "current_attendees", "max_attendees"] },
    Entity {
        name: "attendee",
        table: "event_attendees",
        about: "Event registrations and attendance",
        columns: &["id", "event_id", "user_id", "status", "check_in_time", "check_out_time"],
    },
    Entity { name: "agenda", table: "event_agenda_items", about: "Event agenda items", columns: &["id", "event_id", "sort_order", "start_time", "end_time", "title"] },
    Entity { name: "expense", table: "expenses", about: "Expenses", columns: &["id", "title", "amount", "currency", "expense_date", "status", "event_id"] },
    Entity { name: "media", table: "media", about: "Files attached to contacts and events", columns: &["id", "title", "media_type", "file_name", "file_size", "status"] },
    Entity { name: "collection", table: "media_collections", about: "Media collections", columns: &["id", "name", "collection_type"] },
    Entity { name: "collection-item", table: "media_collection_items", about: "Media in a collection, in order", columns: &["id", "collection_id", "media_id", "sort_order"] },
    Entity { name: "notification", table: "notifications", about: "Your notifications", columns: &["id", "title", "notification_type", "is_read", "created_at"] },
    Entity { name: "integration", table: "integrations", about: "Third-party integrations", columns: &["id", "provider", "integration_type", "status", "is_active"] },
    Entity { name: "integration-log", table: "integration_logs", about: "Integration runs", columns: &["id", "integration_id", "operation", "status", "started_at"] },
    Entity { name: "analytics", table: "analytics_events", about: "Usage analytics events", columns: &["id", "event_name", "event_category", "event_timestamp"] },
    Entity { name: "audit", table: "audit_logs", about: "The audit trail", columns: &["created_at", "action", "table_name", "record_id", "user_id"] },
];

fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

fn describe(c: &Column) -> String {
    let what = match c.kind {
        Kind::Uuid { references: Some(t) } => format!("id of a row of {t}"),
        Kind::Uuid { .. } => "UUID".into(),
        Kind::Text { max: Some(n), .. } => format!("text, at most {n} characters"),
        Kind::Text { .. } => "text".into(),
        Kind::Enum(v) => format!("one of: {}", v.join(", ")),
        Kind::Int { min, max } if max >= i32::MAX as i64 => format!("whole number ≥ {min}"),
        Kind::Int { min, max } => format!("whole number {min}..={max}"),
        Kind::Bool => "true or false".into(),
        Kind::Json(_) => "JSON".into(),
        Kind::Timestamp => "time, RFC 3339 (2026-11-24T14:00:00Z)".into(),
        Kind::Date => "date, YYYY-MM-DD".into(),
        Kind::Money => "amount, e.g. 12.50".into(),
        Kind::Inet => "IP address".into(),
    };
    if c.required_on_create() {
        format!("{what} (required)")
    } else {
        what
    }
}

fn field_args<'a>(cols: impl Iterator<Item = &'a Column>) -> Vec<Arg> {
    cols.map(|c| Arg::new(c.name).long(kebab(c.name)).value_name("VALUE").help(describe(c)).allow_hyphen_values(true)).collect()
}

fn id_arg() -> Arg {
    Arg::new("id").required(true).value_name("ID").help("the record's id")
}

fn entity_command(e: &Entity, spec: &'static TableSpec) -> Command {
    let mut cmd = Command::new(e.name).about(e.about).subcommand_required(true).arg_required_else_help(true);
    let writable = !matches!(spec.ops, Ops::ReadOnly | Ops::Update);
    if writable {
        cmd = cmd.subcommand(Command::new("add").about(format!("Create a {} row", spec.name)).args(field_args(spec.creatable())));
    }
    let filters = spec.columns.iter().filter(|c| !matches!(c.kind, Kind::Json(_)));
    cmd = cmd
        .subcommand(
            Command::new("list")
                .about("List rows (deleted ones hidden)")
                .args(field_args(filters).into_iter().map(|a| a.help("only rows with this value")))
                .arg(Arg::new("sort").long("sort").value_name("COLUMN").help(format!("one of: {}", spec.sortable.join(", "))))
                .arg(Arg::new("desc").long("desc").action(ArgAction::SetTrue).help("sort descending"))
                .arg(Arg::new("min").long("min").value_name("COLUMN=VALUE").action(ArgAction::Append).help("only rows where COLUMN >= VALUE"))
                .arg(Arg::new("max").long("max").value_name("COLUMN=VALUE").action(ArgAction::Append).help("only rows where COLUMN <= VALUE"))
                .arg(Arg::new("limit").long("limit").value_name("N").value_parser(clap::value_parser!(usize)).help("page size (default 50, at most 1000)"))
                .arg(Arg::new("cursor").long("cursor").value_name("CURSOR").help("the page after this cursor"))
                .arg(Arg::new("all").long("all").action(ArgAction::SetTrue).help("every page"))
                .arg(Arg::new("include-deleted").long("include-deleted").action(ArgAction::SetTrue).help("include deleted rows")),
        )
        .subcommand(Command::new("show").about("Show one row").arg(id_arg()));
    if matches!(spec.ops, Ops::All | Ops::Update) {
        cmd = cmd.subcommand(Command::new("update").about("Change the given fields only (an empty value clears one)").arg(id_arg()).args(field_args(spec.updatable())));
    }
    if spec.ops == Ops::All {
        cmd = cmd.subcommand(Command::new("delete").about("Delete (recoverable with restore)").arg(id_arg()));
        if spec.soft_delete != SoftDelete::None {
            cmd = cmd.subcommand(Command::new("restore").about("Bring a deleted row back").arg(id_arg()));
        }
    }
    match e.name {
        "contact" => cmd
            .subcommand(
                Command::new("search")
                    .about("Full-text search as you type (names, email, company, job title, industry, notes)")
                    .arg(Arg::new("query").required(true).num_args(1..).value_name("WORDS"))
                    .arg(Arg::new("limit").long("limit").value_name("N").value_parser(clap::value_parser!(usize)).default_value("50")),
            )
            .subcommand(
                Command::new("tag")
                    .about("Add tags to contacts (all or nothing; #, case and spaces do not matter: '#Angel Investor' is angel-investor)")
                    .arg(Arg::new("tags").long("tag").required(true).num_args(1..).value_name("TAG"))
                    .arg(Arg::new("ids").required(true).num_args(1..).value_name("CONTACT_ID")),
            )
            .subcommand(
                Command::new("untag")
                    .about("Remove tags from contacts")
                    .arg(Arg::new("tags").long("tag").required(true).num_args(1..).value_name("TAG"))
                    .arg(Arg::new("ids").required(true).num_args(1..).value_name("CONTACT_ID")),
            )
            .subcommand(Command::new("tags").about("The tags in use, with how many contacts carry each"))
            .subcommand(
                Command::new("merge")
                    .about("Merge contacts into one: the first is kept and takes the others' interactions, files and tags; the others become tombstones pointing at it (undo with unmerge)")
                    .arg(Arg::new("keep").required(true).value_name("KEEP_ID"))
                    .arg(Arg::new("others").required(true).num_args(1..).value_name("OTHER_ID"))
                    .arg(Arg::new("take").long("take").num_args(1).action(ArgAction::Append).value_name("FIELD=CONTACT_ID").help("take this field's value from that contact (the kept one's by default)")),
            )
            .subcommand(Command::new("unmerge").about("Undo a merge made on this device").arg(Arg::new("merge").required(true).value_name("MERGE_ID")))
            .subcommand(Command::new("duplicates").about("Contacts that look like one person (same email, name and company, phone, or name)").arg(
                Arg::new("limit").long("limit").value_name("N").value_parser(clap::value_parser!(usize)).default_value("50"),
            ))
            .subcommand(
                Command::new("keep-in-touch")
                    .about("Set how often to be in touch with a contact (e.g. 2w, 3m, 10d; 0 for never; 'tags' to follow its tags' default), or with --tag the default of a tag")
                    .arg(Arg::new("every").required(true).value_name("EVERY"))
                    .arg(Arg::new("id").value_name("CONTACT_ID").required_unless_present("tag"))
                    .arg(Arg::new("tag").long("tag").value_name("TAG").conflicts_with("id").help("set the default cadence of this tag instead")),
            )
            .subcommand(
                Command::new("touched")
                    .about("Log a touch with a contact now (a completed interaction: its next touch moves on)")
                    .arg(id_arg())
                    .arg(Arg::new("type").long("type").value_name("TYPE").default_value("call").help("meeting, call, email, linkedin, event")),
            )
            .subcommand(Command::new("losing-touch").about("Contacts whose next touch has passed, the most overdue first").arg(
                Arg::new("limit").long("limit").value_name("N").value_parser(clap::value_parser!(usize)).default_value("50"),
            ))
            .subcommand(
                Command::new("capture")
                    .about("Capture someone just met: linked to the event going on (or --event), with an optional follow-up; one name is enough")
                    .args(field_args(spec.creatable()))
                    .arg(Arg::new("event").long("event").value_name("EVENT_ID").conflicts_with("no-event").help("the event met at (default: the event of the moment)"))
                    .arg(Arg::new("no-event").long("no-event").action(ArgAction::SetTrue).help("not met at an event"))
                    .arg(Arg::new("follow-up").long("follow-up").value_name("DAYS").value_parser(clap::value_parser!(u32)).help("schedule a follow-up in DAYS days (1 to 365)"))
                    .arg(Arg::new("add-to").long("add-to").value_name("CONTACT_ID").help("log the meeting on this known contact instead (fills its empty fields)")),
            )
            .subcommand(
                Command::new("scan")
                    .about("Read a business card photo or a badge QR code (offline): the fields found, each with its confidence, and known contacts who look like the person; nothing is saved")
                    .arg(Arg::new("file").required(true).value_name("FILE").help("an image: PNG, JPEG, WebP, GIF, BMP or TIFF")),
            )
            .subcommand(
                Command::new("matches")
                    .about("Known contacts who look like this person (same email, phone, name and company)")
                    .args(field_args(spec.creatable().filter(|c| ["first_name", "last_name", "email", "phone", "company"].contains(&c.name)))),
            ),
        "event" => cmd.subcommand(Command::new("leads").about("The people met at an event, and how many each team member met").arg(id_arg())).subcommand(
            Command::new("capture-here")
                .about("Link today's captures on this device to this event (or --none)")
                .arg(Arg::new("id").value_name("ID").required_unless_present("none"))
                .arg(Arg::new("none").long("none").action(ArgAction::SetTrue).help("no event today")),
        ),
        "media" => cmd
            .subcommand(
                Command::new("attach")
                    .about("Attach a file (at most 50 MB) to a contact, an event or an expense; it uploads at the next sync")
                    .arg(Arg::new("file").required(true).value_name("FILE"))
                    .arg(Arg::new("contact-id").long("contact-id").value_name("ID"))
                    .arg(Arg::new("event-id").long("event-id").value_name("ID"))
                    .arg(Arg::new("expense-id").long("expense-id").value_name("ID").help("the expense whose receipt this is"))
                    .arg(Arg::new("title").long("title").value_name("TITLE")),
            )
            .subcommand(
                Command::new("get")
                    .about("Write a file's bytes to --out (downloaded from the server when they are not on this device)")
                    .arg(id_arg())
                    .arg(Arg::new("out").long("out").short('o').required(true).value_name("FILE").help("where to write it (- for standard output)")),
            ),
        "attendee" => cmd
            .subcommand(Command::new("check-in").about("Check an attendee in now").arg(id_arg()))
            .subcommand(Command::new("check-out").about("Check an attendee out now").arg(id_arg())),
        "expense" => cmd
            .subcommand(Command::new("approve").about("Approve (admins)").arg(id_arg()))
            .subcommand(Command::new("reject").about("Reject (admins)").arg(id_arg()))
            .subcommand(Command::new("pay").about("Mark an approved expense paid (admins)").arg(id_arg())),
        "integration" => cmd.subcommand(
            Command::new("connect")
                .about("Connect an integration: the credential goes to the OS keychain, never the database")
                .long_about(
                    "Connect an integration: the credential goes to the OS keychain, never the database.\n\n\
                     hubspot    a private app's access token (--secret-stdin, or typed)\n\
                     mailchimp  an API key (…-us6) and --list-id (the audience); --push all|tag:<tag>|list:<saved list>\n\
                     zoom       a Server-to-Server OAuth app: --account-id, --client-id, and its client secret\n\
                     teams      --client-id of an app registered in Microsoft Entra ID (public client): signs in with a code\n\
                                shown here, typed at microsoft.com/devicelogin; nothing secret is typed here",
                )
                .arg(Arg::new("provider").long("provider").required(true).value_name("PROVIDER").value_parser(["hubspot", "mailchimp", "zoom", "teams"]))
                .arg(Arg::new("integration-type").long("integration-type").value_name("TYPE").help("crm, email, video or calendar (the provider's, by default)"))
                .arg(Arg::new("secret-stdin").long("secret-stdin").action(ArgAction::SetTrue).help("read the credential from standard input"))
                .arg(Arg::new("base-url").long("base-url").value_name("URL").help("the provider's API address (a sandbox); its public host by default"))
                .args(setting_args()),
        )
        .subcommand(Command::new("configure").about("Change a connection's settings").arg(Arg::new("provider").value_name("PROVIDER").required(true)).args(setting_args()))
        .subcommand(
            Command::new("run")
                .about("Run a connection now: pull what changed there, push what changed here, log the run")
                .arg(Arg::new("provider").value_name("PROVIDER").required(true)),
        )
        .subcommand(
            Command::new("logs")
                .about("A connection's runs, newest first")
                .arg(Arg::new("provider").value_name("PROVIDER").required(true))
                .arg(Arg::new("limit").long("limit").value_parser(clap::value_parser!(usize)).value_name("N")),
        ),
        "notification" => cmd.subcommand(
            Command::new("read")
                .about("Mark read")
                .arg(Arg::new("id").value_name("ID").required_unless_present("all"))
                .arg(Arg::new("all").long("all").action(ArgAction::SetTrue).help("mark every notification read")),
        ),
        _ => cmd,
    }
}

/// The whole command tree.
pub fn cli() -> Command {
    let mut cmd = Command::new("plugs")
        .about("The Plugs: contacts, events and expenses, offline first")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("data-dir")
                .long("data-dir")
                .global(true)
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("where the database lives (default: the app's data dir; env PLUGS_DATA_DIR)"),
        )
        .arg(Arg::new("json").long("json").global(true).action(ArgAction::SetTrue).help("print JSON (records keyed by column name)"))
        .after_help(crate::output::EXIT_CODES)
        .subcommand(
            Command::new("man")
                .hide(true)
                .about("Write the manual pages (roff): plugs.1 on standard output, or plugs.1 and one page per command into DIR")
                .arg(Arg::new("dir").value_name("DIR").value_parser(clap::value_parser!(PathBuf))),
        )
        .subcommand(
            Command::new("init")
                .about("Create the local workspace: an organization and you, its admin")
                .arg(Arg::new("organization-name").long("organization-name").required(true).value_name("NAME"))
                .arg(Arg::new("first-name").long("first-name").required(true).value_name("NAME"))
                .arg(Arg::new("last-name").long("last-name").required(true).value_name("NAME"))
                .arg(Arg::new("email").long("email").required(true).value_name("EMAIL")),
        )
        .subcommand(
            Command::new("report")
                .about("Reports from the schema's views")
                .subcommand_required(true)
                .subcommand(Command::new("contacts").about("contact_performance_summary"))
                .subcommand(Command::new("events").about("event_analytics")),
        )
        .subcommand(Command::new("status").about("The workspace, signed-in user, sync and pending changes"))
        .subcommand(Command::new("check").about("Check the local database for damage (every page, index and constraint)"))
        .subcommand(
            Command::new("repair")
                .about(
                    "Rebuild a damaged local database from what can still be read, keeping changes not yet synced; the damaged file is kept beside it; a device that syncs then gets the rest back from the server",
                )
                .arg(Arg::new("fresh").long("fresh").action(ArgAction::SetTrue).help(
                    "start again from an empty store, for one whose key is lost: the locked store is moved into previous/ (never deleted); sign in again to get the team's data back",
                )),
        )
        .subcommand(
            Command::new("store-passphrase")
                .about("Lock this device's store with a passphrase too (besides the OS keychain), so it opens where no keychain answers (over SSH), or change that passphrase")
                .arg(passphrase_stdin()),
        )
        .subcommand(
            Command::new("backup")
                .about("Write an encrypted backup of this device's data and files to FILE (restore it anywhere with its passphrase; opens with `age -d` too)")
                .arg(Arg::new("file").required(true).value_name("FILE").value_parser(clap::value_parser!(PathBuf)))
                .arg(passphrase_stdin()),
        )
        .subcommand(
            Command::new("restore")
                .about("Replace this device's data with a backup, once it is verified (passphrase, integrity, schema, counts, files); the data it replaces is kept aside")
                .arg(Arg::new("file").required(true).value_name("FILE").value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("check").long("check").action(ArgAction::SetTrue).help("only verify the backup and show what it holds; change nothing"))
                .arg(passphrase_stdin()),
        )
        .subcommand(
            Command::new("login")
                .about("Sign in to a server; a workspace made offline here joins your organization there")
                .arg(Arg::new("server").long("server").required(true).value_name("URL"))
                .arg(Arg::new("email").long("email").required(true).value_name("EMAIL"))
                .arg(Arg::new("password-stdin").long("password-stdin").action(ArgAction::SetTrue).help("read the password from standard input")),
        )
        .subcommand(
            Command::new("register")
                .about("Make this device's workspace a new organization on a server, and sign in")
                .arg(Arg::new("server").long("server").required(true).value_name("URL"))
                .arg(Arg::new("password-stdin").long("password-stdin").action(ArgAction::SetTrue).help("read the password from standard input")),
        )
        .subcommand(Command::new("logout").about("Sign out of the server (local data and pending changes stay)"))
        .subcommand(
            Command::new("remind")
                .about("Fire due reminders as desktop notifications (follow-ups, agenda items, events, notifications)")
                .arg(Arg::new("watch").long("watch").action(ArgAction::SetTrue).help("keep reminding until interrupted"))
                .arg(
                    Arg::new("lead").long("lead").value_name("MINUTES").value_parser(clap::value_parser!(i64)).default_value("10").help("how long before an item's time to remind"),
                ),
        )
        .subcommand(crate::interop::import_command())
        .subcommand(crate::interop::export_command())
        .subcommand(
            Command::new("sync")
                .about("Push local changes and pull the organization's (once, or --watch to keep syncing)")
                .arg(Arg::new("watch").long("watch").action(ArgAction::SetTrue).help("keep syncing in the background until interrupted")),
        );
    for e in ENTITIES {
        cmd = cmd.subcommand(entity_command(e, Store::spec(e.table).expect("entities name real tables")));
    }
    cmd
}

fn data_dir(m: &ArgMatches) -> Result<PathBuf> {
    match m.get_one::<PathBuf>("data-dir") {
        Some(d) => Ok(d.clone()),
        None => plugs_core::default_data_dir().ok_or_else(|| Error::invalid("data-dir", "required", "no app data dir on this system; pass --data-dir")),
    }
}

fn open(m: &ArgMatches) -> Result<Store> {
    let dir = data_dir(m)?;
    if !dir.join(plugs_core::store::DB_FILE).exists() && std::fs::create_dir_all(&dir).is_err() {
        return Err(Error::ReadOnly(format!("{} cannot be made (its parent folder is read-only)", dir.display())));
    }
    open_dir_unlocking(&dir)
}

/// Opens the store in `dir`; where its key needs a passphrase that was not given (or no keychain
/// can keep a new store's key) and a person is at the terminal, asks for it.
fn open_dir_unlocking(dir: &std::path::Path) -> Result<Store> {
    use std::io::IsTerminal;
    match Store::open_dir(dir) {
        Err(Error::Locked(why)) if std::io::stdin().is_terminal() && plugs_core::vault::passphrase()?.is_none() => {
            let creating = !plugs_core::vault::key_file(&dir.join(plugs_core::store::DB_FILE)).exists();
            eprintln!("{why}");
            let p = rpassword::prompt_password(if creating { "New passphrase for this device's store: " } else { "Passphrase of this device's store: " })?;
            if creating && rpassword::prompt_password("The same passphrase again: ")? != p {
                return Err(Error::invalid("passphrase", "mismatch", "the two passphrases differ; nothing was made"));
            }
            plugs_core::vault::set_passphrase(Some(&p));
            Store::open_dir(dir)
        }
        other => other,
    }
}

fn passphrase_stdin() -> Arg {
    Arg::new("passphrase-stdin").long("passphrase-stdin").action(ArgAction::SetTrue).help("read the passphrase from standard input (or set PLUGS_BACKUP_PASSPHRASE)")
}

/// A backup's passphrase: PLUGS_BACKUP_PASSPHRASE, standard input, or a prompt (twice when a
/// backup is made, so a typing mistake does not lock the backup away).
fn backup_passphrase(m: &ArgMatches, confirm: bool) -> Result<String> {
    if let Ok(p) = std::env::var("PLUGS_BACKUP_PASSPHRASE") {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    let field = |e: Error| match e {
        Error::Invalid { code, message, .. } => Error::Invalid { field: "passphrase".into(), code, message },
        other => other,
    };
    let interactive = !m.get_flag("passphrase-stdin") && std::io::IsTerminal::is_terminal(&std::io::stdin());
    let p = crate::sync::secret(m, "passphrase-stdin", "Backup passphrase: ").map_err(field)?;
    if confirm && interactive && crate::sync::secret(m, "passphrase-stdin", "The same passphrase again: ").map_err(field)? != p {
        return Err(Error::invalid("passphrase", "mismatch", "the two passphrases differ; nothing was written"));
    }
    Ok(p)
}

fn holds(info: &plugs_core::backup::BackupInfo) -> String {
    let n = |t: &str| info.tables.iter().find(|c| c.table == t).map(|c| c.rows).unwrap_or(0);
    let plural = |k: i64, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    format!(
        "{}, {}, {}, {}, {}",
        plural(n("contacts"), "contact", "contacts"),
        plural(n("contact_interactions"), "interaction", "interactions"),
        plural(n("events"), "event", "events"),
        plural(n("expenses"), "expense", "expenses"),
        plural(info.files.len() as i64, "file", "files")
    )
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} kB", b as f64 / (1 << 10) as f64),
        b => format!("{b} bytes"),
    }
}

fn ms(took: u64) -> String {
    if took >= 1000 {
        format!("{:.1} s", took as f64 / 1000.0)
    } else {
        format!("{took} ms")
    }
}

/// `plugs restore`: verify, then replace (the replaced data kept aside), then resync.
fn restore(m: &ArgMatches, sub: &ArgMatches) -> Result<Output> {
    let file = sub.get_one::<PathBuf>("file").expect("required");
    let pass = backup_passphrase(sub, false)?;
    let tables = |info: &plugs_core::backup::BackupInfo| info.tables.iter().map(|c| format!("  {:<24} {}", c.table, c.rows)).collect::<Vec<_>>().join("\n");
    if sub.get_flag("check") {
        let info = plugs_core::backup::inspect(file, &pass)?;
        return Ok(Output::Message(
            format!(
                "{} is a whole backup made {} by The Plugs {} (schema {}{}): {}. Nothing was changed.\n{}",
                file.display(),
                info.created_at,
                info.app_version,
                info.schema_version,
                info.organization.as_deref().map(|o| format!(", {o}")).unwrap_or_default(),
                holds(&info),
                tables(&info)
            ),
            json!({ "ok": true, "backup": info }),
        ));
    }
    let dir = data_dir(m)?;
    let r = plugs_core::backup::restore(&dir, file, &pass)?;
    let mut text = format!("Restored {} ({}) into {} in {}.\n{}", file.display(), holds(&r.info), dir.display(), ms(r.took_ms), tables(&r.info));
    if let Some(p) = &r.previous {
        text.push_str(&format!("\nThe data it replaced is kept in {p}"));
    }
    if r.new_device && r.resync {
        text.push_str("\nThis is a new device for the server: sign in again (plugs login) to sync; the first sync is a full resync.");
    } else if r.resync {
        text.push_str("\nThe next sync is a full resync with the server (changes the backup had waiting are sent once).");
    }
    // Opening the store brings an older backup to this version's schema.
    drop(Store::open_dir(&dir)?);
    Ok(Output::Message(text, json!(r)))
}

/// `plugs repair`: rebuild, then (on a device that syncs) get the rest back from the server.
fn repair(m: &ArgMatches, sub: &ArgMatches) -> Result<Output> {
    let dir = data_dir(m)?;
    if sub.get_flag("fresh") {
        let aside = Store::start_over_dir(&dir)?;
        return Ok(Output::Message(
            format!(
                "started {} again from an empty store; the old one is kept in {}.\nSign in to the server again (plugs login) to get the team's data back.",
                dir.display(),
                aside.display()
            ),
            json!({ "kept": aside }),
        ));
    }
    let report = Store::repair_dir(&dir)?;
    let kept: usize = report.kept.iter().map(|(_, n)| n).sum();
    let mut text = format!(
        "rebuilt {} from what could be read: {kept} rows kept ({} changes not yet synced){}{}.\nThe damaged file is kept as {}",
        dir.join(plugs_core::store::DB_FILE).display(),
        report.pending,
        if report.damaged_tables.is_empty() { String::new() } else { format!("; damage in: {}", report.damaged_tables.join(", ")) },
        if report.orphans_dropped == 0 { String::new() } else { format!("; {} rows whose parent was lost were dropped", report.orphans_dropped) },
        report.damaged_copy.display()
    );
    let mut synced = None;
    if report.resync {
        let store = Store::open_dir(&dir)?;
        match crate::sync::once(&store) {
            Ok(Output::Message(line, j)) => {
                text.push_str(&format!("\nfull resync from the server: {line}"));
                synced = Some(j);
            }
            Ok(_) => {}
            Err(e) => text.push_str(&format!("\nfull resync from the server: not now ({e}); the next sync does it")),
        }
    }
    Ok(Output::Message(text, json!({ "repair": report, "sync": synced })))
}

fn uuid_of(field: &str, s: &str) -> Result<Uuid> {
    Uuid::parse_str(s.trim()).map_err(|_| Error::invalid(field, "invalid_format", format!("'{s}' is not a UUID")))
}

fn parse_id(m: &ArgMatches) -> Result<Uuid> {
    let s = m.get_one::<String>("id").map(String::as_str).unwrap_or_default();
    Uuid::parse_str(s.trim()).map_err(|_| Error::invalid("id", "invalid_format", format!("'{s}' is not a UUID")))
}

/// The given column flags as a record of typed JSON values.
fn fields<'a>(m: &ArgMatches, cols: impl Iterator<Item = &'a Column>) -> Result<Record> {
    let mut r = Record::new();
    for c in cols {
        if let Some(v) = m.get_one::<String>(c.name) {
            r.insert(c.name.to_owned(), c.json_from_text(v)?);
        }
    }
    Ok(r)
}

fn bound(spec: &TableSpec, s: &str, flag: &str) -> Result<(String, Value)> {
    let (k, v) = s.split_once('=').ok_or_else(|| Error::invalid(flag, "invalid_format", format!("'{s}' is not COLUMN=VALUE")))?;
    let k = k.trim().replace('-', "_");
    let col = spec.column(&k).ok_or_else(|| Error::invalid(flag, "unknown_field", format!("{} has no field '{k}'", spec.name)))?;
    Ok((k, col.json_from_text(v)?))
}

pub fn run(m: &ArgMatches) -> Result<Output> {
    let (name, sub) = m.subcommand().expect("a subcommand is required");
    if name == "repair" {
        return repair(m, sub);
    }
    if name == "store-passphrase" {
        let store = open(m)?;
        let interactive = !sub.get_flag("passphrase-stdin") && std::io::IsTerminal::is_terminal(&std::io::stdin());
        let p = crate::sync::secret(sub, "passphrase-stdin", "New passphrase for this device's store: ")?;
        if interactive && crate::sync::secret(sub, "passphrase-stdin", "The same passphrase again: ")? != p {
            return Err(Error::invalid("passphrase", "mismatch", "the two passphrases differ; nothing was changed"));
        }
        plugs_core::vault::set_store_passphrase(store.path(), &p)?;
        let how = plugs_core::vault::describe(store.path());
        return Ok(Output::Message(format!("{}: {how}", store.path().display()), json!({ "path": store.path(), "at_rest": how })));
    }
    if name == "restore" {
        return restore(m, sub);
    }
    let store = open(m)?;
    // A damaged page met after the check at open is said like damage found at open.
    run_on(&store, name, sub).map_err(|e| match e {
        Error::Database(d) => plugs_core::store::damaged(store.path(), d),
        other => other,
    })
}

fn run_on(store: &Store, name: &str, sub: &ArgMatches) -> Result<Output> {
    match name {
        "check" => {
            store.check_integrity()?;
            Ok(Output::Message(format!("{}: no damage found", store.path().display()), json!({ "path": store.path(), "ok": true })))
        }
        "init" => {
            let g = |k: &str| sub.get_one::<String>(k).cloned().unwrap_or_default();
            let (org, user) =
                store.init_workspace(&NewWorkspace { organization_name: g("organization-name"), first_name: g("first-name"), last_name: g("last-name"), email: g("email") })?;
            Ok(Output::Message(
                format!("Workspace '{}' created; signed in as {} {} (admin).\nData: {}", org.name, user.first_name, user.last_name, store.path().display()),
                json!({ "organization": org, "user": user }),
            ))
        }
        "status" => {
            let pending = store.pending_changes()?;
            let actor = store.actor().ok();
            let link = store.sync_link()?;
            let mut text = match &actor {
                Some(a) => format!("workspace: user {} in organization {}\npending changes: {pending}", a.user_id, a.organization_id),
                None => "no workspace yet (run: plugs init, or plugs login)".to_owned(),
            };
            match &link {
                Some(l) => text.push_str(&format!(
                    "\nserver: {} as {}\nlast sync: {}",
                    l.server,
                    l.email.as_deref().unwrap_or("?"),
                    l.last_success.map(|t| t.to_string()).unwrap_or_else(|| "never".into())
                )),
                None => text.push_str("\nserver: none (offline workspace)"),
            }
            let (up_n, up_bytes) = plugs_core::sync::files::upload_queue(store).unwrap_or((0, 0));
            if up_n > 0 {
                text.push_str(&format!("\nfiles to upload: {up_n} ({:.1} MB)", up_bytes as f64 / 1_048_576.0));
            }
            text.push_str(&format!("\ndata: {}", store.path().display()));
            let at_rest = plugs_core::vault::describe(store.path());
            text.push_str(&format!("\nat rest: {at_rest}"));
            Ok(Output::Message(
                text,
                json!({ "initialized": actor.is_some(), "user_id": actor.as_ref().map(|a| a.user_id), "organization_id": actor.as_ref().map(|a| a.organization_id),
                        "pending_changes": pending, "files_to_upload": up_n, "bytes_to_upload": up_bytes, "sync": link, "data": store.path(), "at_rest": at_rest }),
            ))
        }
        "login" | "register" | "logout" | "sync" => crate::sync::run(store, name, sub),
        "backup" => {
            let file = sub.get_one::<PathBuf>("file").expect("required");
            let pass = backup_passphrase(sub, true)?;
            let r = store.backup(file, &pass)?;
            Ok(Output::Message(format!("Backup written to {}: {}, {} ({})", r.file, holds(&r.info), size(r.bytes), ms(r.took_ms)), json!(r)))
        }
        "remind" => crate::remind::run(store, sub),
        "import" => crate::interop::import(store, sub),
        "export" => crate::interop::export(store, sub),
        "report" => {
            let (which, _) = sub.subcommand().expect("required");
            let (items, columns): (Vec<Value>, Vec<&'static str>) = match which {
                "contacts" => (
                    store.contact_performance()?.into_iter().map(|r| serde_json::to_value(r).unwrap_or_default()).collect(),
                    vec!["contact_type", "status", "total_contacts", "avg_lead_score", "total_interactions", "last_interaction_date"],
                ),
                _ => (
                    store.event_analytics()?.into_iter().map(|r| serde_json::to_value(r).unwrap_or_default()).collect(),
                    vec!["event_type", "status", "event_count", "avg_attendees", "total_expenses", "avg_expense_per_event"],
                ),
            };
            Ok(Output::List { items, columns, next_cursor: None })
        }
        entity => {
            let e = ENTITIES.iter().find(|e| e.name == entity).expect("clap only accepts known entities");
            run_entity(store, e, sub)
        }
    }
}

fn run_entity(store: &Store, e: &Entity, m: &ArgMatches) -> Result<Output> {
    let table = store.table(e.table)?;
    let spec = table.spec();
    let (verb, a) = m.subcommand().expect("a verb is required");
    let rec = |r: Record| Ok(Output::Record(Value::Object(r)));
    let val = |v: serde_json::Result<Value>| v.map(Output::Record).map_err(|x| Error::invalid("output", "serialize", x.to_string()));
    match verb {
        "add" => rec(table.create(fields(a, spec.creatable())?)?),
        "show" => rec(table.get(parse_id(a)?)?),
        "update" => {
            let patch = fields(a, spec.updatable())?;
            if patch.is_empty() {
                return Err(Error::invalid("fields", "required", "give at least one field to change"));
            }
            rec(table.update(parse_id(a)?, patch)?)
        }
        "delete" => rec(table.delete(parse_id(a)?)?),
        "restore" => rec(table.restore(parse_id(a)?)?),
        "list" => {
            let mut q = ListQuery {
                sort: a.get_one::<String>("sort").map(|s| s.replace('-', "_")),
                descending: a.get_flag("desc"),
                limit: a.get_one::<usize>("limit").copied(),
                cursor: a.get_one::<String>("cursor").cloned(),
                include_deleted: a.get_flag("include-deleted"),
                ..Default::default()
            };
            for (k, v) in fields(a, spec.columns.iter().filter(|c| !matches!(c.kind, Kind::Json(_))))? {
                q.filters.push(if v.is_null() { Filter::IsNull(k, true) } else { Filter::Eq(k, v) });
            }
            for s in a.get_many::<String>("min").into_iter().flatten() {
                let (k, v) = bound(spec, s, "min")?;
                q.filters.push(Filter::Gte(k, v));
            }
            for s in a.get_many::<String>("max").into_iter().flatten() {
                let (k, v) = bound(spec, s, "max")?;
                q.filters.push(Filter::Lte(k, v));
            }
            let mut items = vec![];
            loop {
                let page = table.list(&q)?;
                items.extend(page.items.into_iter().map(Value::Object));
                match page.next_cursor {
                    Some(c) if a.get_flag("all") => q.cursor = Some(c),
                    next => return Ok(Output::List { items, columns: e.columns.to_vec(), next_cursor: next }),
                }
            }
        }
        "search" => {
            let words: Vec<String> = a.get_many::<String>("query").into_iter().flatten().cloned().collect();
            let limit = a.get_one::<usize>("limit").copied().unwrap_or(50);
            let found = store.search_contacts(&words.join(" "), &[], limit)?;
            Ok(Output::List { items: found.into_iter().map(|c| serde_json::to_value(c).unwrap_or_default()).collect(), columns: e.columns.to_vec(), next_cursor: None })
        }
        "tag" | "untag" => {
            let tags: Vec<String> = a.get_many::<String>("tags").into_iter().flatten().cloned().collect();
            let ids = a.get_many::<String>("ids").into_iter().flatten().map(|i| uuid_of("ids", i)).collect::<Result<Vec<_>>>()?;
            let (add, remove) = if verb == "tag" { (tags, vec![]) } else { (vec![], tags) };
            let r = store.tag_rows("contacts", &ids, &add, &remove)?;
            let changed = if r.changed == 1 { "1 contact changed".to_owned() } else { format!("{} contacts changed", r.changed) };
            Ok(Output::Message(format!("{changed}, {} already so", r.unchanged), serde_json::to_value(r).unwrap_or_default()))
        }
        "merge" => {
            let keep = uuid_of("keep", a.get_one::<String>("keep").map(String::as_str).unwrap_or_default())?;
            let others = a.get_many::<String>("others").into_iter().flatten().map(|i| uuid_of("others", i)).collect::<Result<Vec<_>>>()?;
            let mut fields = std::collections::BTreeMap::new();
            for t in a.get_many::<String>("take").into_iter().flatten() {
                let (f, id) = t.split_once('=').ok_or_else(|| Error::invalid("take", "invalid_format", format!("'{t}' is not FIELD=CONTACT_ID")))?;
                fields.insert(f.trim().replace('-', "_"), uuid_of("take", id)?);
            }
            let r = store.merge_contacts(&plugs_core::merge::MergeRequest { keep, others, fields })?;
            let text = format!(
                "merged {} into {}; {} interactions and {} files moved; undo: plugs contact unmerge {}",
                r.merged.len(),
                r.keep,
                r.interactions_moved,
                r.files_moved,
                r.merge_id
            );
            Ok(Output::Message(text, serde_json::to_value(r).unwrap_or_default()))
        }
        "unmerge" => {
            let id = uuid_of("merge", a.get_one::<String>("merge").map(String::as_str).unwrap_or_default())?;
            store.undo_merge(id)?;
            Ok(Output::Message(format!("merge {id} undone"), serde_json::json!({ "undone": id })))
        }
        "duplicates" => {
            let limit = a.get_one::<usize>("limit").copied().unwrap_or(50);
            let items = store
                .duplicate_suggestions(limit)?
                .into_iter()
                .map(|p| serde_json::json!({ "a": p.a.id, "a_name": format!("{} {}", p.a.first_name, p.a.last_name), "b": p.b.id, "b_name": format!("{} {}", p.b.first_name, p.b.last_name), "why": p.why }))
                .collect();
            Ok(Output::List { items, columns: vec!["a_name", "b_name", "why", "a", "b"], next_cursor: None })
        }
        "tags" => {
            let items = store.contact_tags()?.into_iter().map(|t| serde_json::to_value(t).unwrap_or_default()).collect();
            Ok(Output::List { items, columns: vec!["tag", "count"], next_cursor: None })
        }
        "keep-in-touch" => {
            let every = a.get_one::<String>("every").cloned().unwrap_or_default();
            let cadence = cadence(&every)?;
            match a.get_one::<String>("tag") {
                Some(tag) => {
                    store.set_tag_cadence(tag, cadence)?;
                    Ok(Output::Message(format!("#{} now: {every}", plugs_core::tagging::normalize_tag(tag)?), serde_json::json!({ "tag": tag, "cadence": cadence })))
                }
                None => {
                    let id = parse_id(a)?;
                    store.set_keep_in_touch(id, cadence)?;
                    val(serde_json::to_value(store.touch_of(id)?))
                }
            }
        }
        "touched" => {
            let id = parse_id(a)?;
            store.log_touch(id, a.get_one::<String>("type").map(String::as_str), None)?;
            val(serde_json::to_value(store.touch_of(id)?))
        }
        "losing-touch" => {
            let limit = a.get_one::<usize>("limit").copied().unwrap_or(50);
            let items = store.losing_touch(store.now(), limit)?.into_iter().map(|l| serde_json::to_value(l).unwrap_or_default()).collect();
            Ok(Output::List { items, columns: vec!["contact_id", "first_name", "last_name", "next_touch", "days_overdue"], next_cursor: None })
        }
        "connect" => {
            let provider = a.get_one::<String>("provider").cloned().unwrap_or_default();
            let mut settings = settings_of(a);
            if let Some(url) = a.get_one::<String>("base-url") {
                settings.insert("base_url".into(), json!(url.trim()));
            }
            let kind = a.get_one::<String>("integration-type").cloned().unwrap_or_default();
            let secrets = plugs_core::integrations::KeychainSecrets;
            let made = if provider == "teams" {
                let hosts = plugs_core::integrations::teams::Hosts::of(&serde_json::Value::Object(settings.clone()))?;
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                let refresh = rt.block_on(plugs_core::integrations::teams::sign_in(&hosts, |code| eprintln!("{}", code.message)))?;
                store.connect_teams(&secrets, &settings, &refresh)?
            } else {
                let secret = crate::sync::whole_secret(a, "secret-stdin", "Credential: ")?;
                store.connect_integration_with(&secrets, &provider, &kind, &secret, &settings)?
            };
            val(serde_json::to_value(made))
        }
        "configure" => {
            let provider = a.get_one::<String>("provider").cloned().unwrap_or_default();
            val(serde_json::to_value(store.configure_integration(&provider, &settings_of(a))?))
        }
        "run" => {
            let provider = a.get_one::<String>("provider").cloned().unwrap_or_default();
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let r = rt.block_on(store.run_integration(&plugs_core::integrations::KeychainSecrets, &provider))?;
            let text = format!("{} run {}: {}", provider, r.status, r.message);
            Ok(Output::Message(text, serde_json::to_value(&r).unwrap_or_default()))
        }
        "logs" => {
            let provider = a.get_one::<String>("provider").cloned().unwrap_or_default();
            let page = store.integration_logs(&provider, a.get_one::<usize>("limit").copied().unwrap_or(plugs_core::repo::DEFAULT_PAGE))?;
            Ok(Output::List {
                items: page.items.into_iter().map(|l| serde_json::to_value(l).unwrap_or_default()).collect(),
                columns: vec!["started_at", "status", "records_processed", "records_failed", "message"],
                next_cursor: page.next_cursor,
            })
        }
        "capture" => {
            let event = if a.get_flag("no-event") {
                None
            } else {
                match a.get_one::<String>("event") {
                    Some(s) => Some(Uuid::parse_str(s).map_err(|_| Error::invalid("event", "invalid_format", format!("'{s}' is not an event id")))?),
                    None => store.capture_event()?.map(|e| e.event.id),
                }
            };
            let add_to = match a.get_one::<String>("add-to") {
                Some(s) => Some(Uuid::parse_str(s).map_err(|_| Error::invalid("add_to", "invalid_format", format!("'{s}' is not a contact id")))?),
                None => None,
            };
            let c =
                plugs_core::capture::Capture { contact: fields(a, spec.creatable())?, event_id: event, follow_up_days: a.get_one::<u32>("follow-up").copied(), add_to, card: None };
            val(serde_json::to_value(store.capture(&c)?))
        }
        "scan" => {
            // Tesseract's threads are limited as the program loads (see plugs_scan): the command
            // starts itself again with the limit the first time.
            plugs_scan::single_threaded_ocr();
            let file = a.get_one::<String>("file").cloned().unwrap_or_default();
            let bytes = std::fs::read(&file).map_err(|e| Error::invalid("file", "unreadable", format!("cannot read {file}: {e}")))?;
            let scanned = plugs_scan::Scanner::default().scan(&bytes)?.scanned;
            let matches = store.likely_matches(&scanned.contact, 5)?;
            let mut text = format!("read from {} ({}); check before saving:\n", if scanned.source == "qr" { "a QR code" } else { "the printed card" }, scanned.kind);
            for f in &scanned.fields {
                text.push_str(&format!("  {:<13} {}  ({:.0}%)\n", f.field, f.value, f.confidence * 100.0));
            }
            for l in &scanned.other_lines {
                text.push_str(&format!("  also on the card: {l}\n"));
            }
            for m in &matches {
                text.push_str(&format!("  already known? {} {} ({}): {}\n", m.contact.first_name, m.contact.last_name, m.contact.id, m.why));
            }
            let mut v = serde_json::to_value(&scanned).unwrap_or_default();
            v["likely_matches"] = serde_json::to_value(&matches).unwrap_or_default();
            Ok(Output::Message(text.trim_end().to_owned(), v))
        }
        "matches" => {
            let found = store.likely_matches(&fields(a, spec.creatable())?, 10)?;
            let items = found
                .into_iter()
                .map(|m| {
                    let mut v = serde_json::to_value(&m.contact).unwrap_or_default();
                    v["phone"] = json!(m.phone);
                    v["why"] = json!(m.why);
                    v
                })
                .collect();
            Ok(Output::List { items, columns: vec!["id", "first_name", "last_name", "company", "email", "phone", "why"], next_cursor: None })
        }
        "attach" => {
            let file = a.get_one::<String>("file").cloned().unwrap_or_default();
            let bytes = std::fs::read(&file).map_err(|e| Error::invalid("file", "unreadable", format!("cannot read {file}: {e}")))?;
            let idof = |k: &str| -> Result<Option<Uuid>> {
                a.get_one::<String>(k)
                    .map(|s| Uuid::parse_str(s.trim()).map_err(|_| Error::invalid(k.replace('-', "_"), "invalid_format", format!("'{s}' is not an id"))))
                    .transpose()
            };
            let u = plugs_core::files::Upload {
                file_name: std::path::Path::new(&file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                mime_type: String::new(),
                data_base64: String::new(),
                title: a.get_one::<String>("title").cloned(),
                related_contact: idof("contact-id")?,
                related_event: idof("event-id")?,
                expense_id: idof("expense-id")?,
            };
            val(serde_json::to_value(store.attach_file(&u, &bytes)?))
        }
        "get" => {
            let id = parse_id(a)?;
            let out = a.get_one::<String>("out").cloned().unwrap_or_default();
            crate::sync::fetch_media(store, id)?;
            let m: plugs_core::tables::media::Media = store.repo::<plugs_core::tables::media::Media>().get(id)?;
            // The bytes in clear (the copy kept here is sealed with the store's key).
            let (_, bytes) = store.media_bytes(id)?;
            if out == "-" {
                std::io::Write::write_all(&mut std::io::stdout(), &bytes).map_err(|e| Error::invalid("out", "io", e.to_string()))?;
                return Ok(Output::Message(String::new(), json!({ "id": id, "bytes": bytes.len() })));
            }
            std::fs::write(&out, &bytes).map_err(|e| Error::invalid("out", "io", format!("cannot write {out}: {e}")))?;
            let n = bytes.len();
            Ok(Output::Message(format!("wrote {} ({n} bytes) to {out}", m.file_name), json!({ "id": id, "file_name": m.file_name, "bytes": n, "out": out })))
        }
        "leads" => val(serde_json::to_value(store.event_leads(parse_id(a)?)?)),
        "capture-here" => {
            let id = if a.get_flag("none") { None } else { Some(parse_id(a)?) };
            store.choose_capture_event(id)?;
            Ok(Output::Message(
                match id {
                    Some(id) => format!("today's captures on this device are linked to event {id}"),
                    None => "today's captures on this device are linked to no event".into(),
                },
                json!({ "event_id": id }),
            ))
        }
        "check-in" => val(serde_json::to_value(store.check_in(parse_id(a)?)?)),
        "check-out" => val(serde_json::to_value(store.check_out(parse_id(a)?)?)),
        "approve" => val(serde_json::to_value(store.approve_expense(parse_id(a)?)?)),
        "reject" => val(serde_json::to_value(store.reject_expense(parse_id(a)?)?)),
        "pay" => val(serde_json::to_value(store.mark_expense_paid(parse_id(a)?)?)),
        "read" if a.get_flag("all") => {
            let n = store.mark_all_notifications_read()?;
            Ok(Output::Message(format!("{n} notifications marked read"), json!({ "marked_read": n })))
        }
        "read" => val(serde_json::to_value(store.mark_notification_read(parse_id(a)?)?)),
        other => Err(Error::invalid("command", "unknown", format!("unknown verb {other}"))),
    }
}

/// A cadence as typed: `2w`, `3m`, `10d`, `1y`, `0` (never), or `tags` (none of its own).
fn cadence(s: &str) -> Result<Option<plugs_core::touch::Cadence>> {
    use plugs_core::touch::{Cadence, CadenceUnit};
    let t = s.trim().to_lowercase();
    if t == "tags" || t == "default" {
        return Ok(None);
    }
    if t == "0" || t == "never" {
        return Ok(Some(Cadence { every: 0, unit: CadenceUnit::Days }));
    }
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, u) = t.split_at(split);
    let every: u32 =
        n.parse().map_err(|_| Error::invalid("every", "invalid_format", format!("'{s}' is not a cadence: a number and d, w, m or y (2w, 3m), 0 for never, or tags")))?;
    let (every, unit) = match u.trim() {
        "d" | "day" | "days" => (every, CadenceUnit::Days),
        "w" | "week" | "weeks" => (every, CadenceUnit::Weeks),
        "m" | "month" | "months" => (every, CadenceUnit::Months),
        "y" | "year" | "years" => (every * 12, CadenceUnit::Months),
        _ => return Err(Error::invalid("every", "invalid_format", format!("'{s}' is not a cadence: a number and d, w, m or y (2w, 3m), 0 for never, or tags"))),
    };
    Ok(Some(Cadence { every, unit }))
}

/// The settings a connection takes on the command line.
fn setting_args() -> Vec<Arg> {
    vec![
        Arg::new("list-id").long("list-id").value_name("AUDIENCE").help("Mailchimp: the audience's id"),
        Arg::new("push").long("push").value_name("WHICH").help("Mailchimp: the contacts sent: all, tag:<tag> or list:<saved list name or id>"),
        Arg::new("double-opt-in").long("double-opt-in").value_parser(clap::value_parser!(bool)).value_name("BOOL").help("Mailchimp: new members confirm by email first (pending)"),
        Arg::new("account-id").long("account-id").value_name("ID").help("Zoom: the app's Account ID"),
        Arg::new("client-id").long("client-id").value_name("ID").help("Zoom: the app's Client ID; Teams: the Application (client) ID"),
        Arg::new("tenant").long("tenant").value_name("TENANT").help("Teams: the tenant id or domain (organizations by default)"),
        Arg::new("sync-frequency")
            .long("sync-frequency")
            .value_name("EVERY")
            .value_parser(plugs_core::integrations::FREQUENCIES)
            .help("how often the app runs it by itself (hourly by default)"),
    ]
}

fn settings_of(a: &ArgMatches) -> serde_json::Map<String, serde_json::Value> {
    let mut s = serde_json::Map::new();
    for (arg, key) in
        [("list-id", "list_id"), ("push", "push"), ("account-id", "account_id"), ("client-id", "client_id"), ("tenant", "tenant"), ("sync-frequency", "sync_frequency")]
    {
        if let Some(v) = a.get_one::<String>(arg) {
            s.insert(key.into(), json!(v.trim()));
        }
    }
    if let Some(b) = a.get_one::<bool>("double-opt-in") {
        s.insert("double_opt_in".into(), json!(b));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_tree_is_consistent() {
        super::cli().debug_assert();
    }
}
