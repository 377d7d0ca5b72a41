//! Commands the UI calls: each one takes the store and asks the core. They are declared once, in
//! the `commands!` list below, which defines the Tauri commands, the invoke handler, and the typed
//! TypeScript wrappers of `ui/src/commands.ts` (a test fails when that file is stale).

use plugs_core::backup::{BackupInfo, BackupReport, BackupSettings, StagedRestore};
use plugs_core::capture::{Capture, CaptureEvent, Captured, EventLeads, LikelyMatch};
use plugs_core::files::Upload;
use plugs_core::integrations::teams::{DeviceCode, Hosts};
use plugs_core::integrations::RunReport;

/// The Microsoft sign-in under way (Teams): where, its code, and the connection's settings.
static TEAMS_SIGN_IN: std::sync::Mutex<Option<(Hosts, DeviceCode, Record)>> = std::sync::Mutex::new(None);
use plugs_core::interop::ImportReport;
use plugs_core::merge::{DuplicatePair, MergeReport, MergeRequest};
use plugs_core::overview::{Bucket, ExpenseBucket, ExpenseTotal, HomeSummary};
use plugs_core::scan::Scanned;
use plugs_core::search::ContactRow;
use plugs_core::settings::AppSettings;
use plugs_core::sync::SyncStatus;
use plugs_core::tables::integration_logs::IntegrationLog;
use plugs_core::tables::{
    audit_logs::AuditLog,
    contact_interactions::{ContactInteraction, ContactInteractionId, ContactInteractionPatch, NewContactInteraction},
    contacts::{Contact, ContactId, ContactPatch, NewContact},
    event_agenda_items::{EventAgendaItem, EventAgendaItemId, EventAgendaItemPatch, NewEventAgendaItem},
    event_attendees::{EventAttendee, EventAttendeeId, EventAttendeePatch, NewEventAttendee},
    events::{Event, EventId, EventPatch, NewEvent},
    expenses::{Expense, ExpenseId, ExpensePatch, NewExpense},
    integrations::{Integration, IntegrationId, IntegrationPatch, NewIntegration},
    media::{Media, MediaId, MediaPatch, NewMedia},
    media_collection_items::{MediaCollectionItem, MediaCollectionItemId, MediaCollectionItemPatch, NewMediaCollectionItem},
    media_collections::{MediaCollection, MediaCollectionId, MediaCollectionPatch, NewMediaCollection},
    notifications::{NewNotification, Notification, NotificationId, NotificationPatch},
    users::{NewUser, User, UserId, UserPatch},
};
use plugs_core::tagging::{SavedList, TagCount, TagReport};
use plugs_core::touch::{Cadence, LosingTouch, TagCadence, Touch};
use plugs_core::views::{ContactPerformance, EventAnalytics};
use plugs_core::workspace::{NewWorkspace, WorkspaceStatus};
use plugs_core::{ErrorPayload, ListRequest, Page, Record, Store};
use std::sync::Mutex;
use tauri::State;
use uuid::Uuid;

use crate::background::Sync;
#[cfg(test)]
use crate::typescript::{Signature, TsType};

/// The card reader, its OCR engine loaded on the first scan and kept.
/// A media row's bytes on this device, downloaded first when they are on the server only.
async fn fetch(db: std::path::PathBuf, id: Uuid) -> Answer<std::path::PathBuf> {
    tauri::async_runtime::spawn_blocking(move || plugs_core::sync::files::fetch_blocking(&db, id))
        .await
        .map_err(|_| plugs_core::Error::invalid("file", "failed", "the download stopped unexpectedly").to_payload())?
        .map_err(|e| e.to_payload())
}

fn scanner() -> &'static plugs_scan::Scanner {
    static SCANNER: std::sync::OnceLock<plugs_scan::Scanner> = std::sync::OnceLock::new();
    SCANNER.get_or_init(plugs_scan::Scanner::default)
}

/// The one store of the app.
pub struct AppStore(pub Mutex<Store>);

/// What every command answers: a value, or `{code, field, message}`.
pub type Answer<T> = Result<T, ErrorPayload>;

fn with<T>(s: &State<AppStore>, f: impl FnOnce(&Store) -> plugs_core::Result<T>) -> Answer<T> {
    let store = s.0.lock().map_err(|_| ErrorPayload { code: "busy".into(), field: None, message: "the store is unavailable".into() })?;
    f(&store).map_err(|e| e.to_payload())
}

fn id(field: &str, s: &str) -> plugs_core::Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| plugs_core::Error::invalid(field, "invalid_format", format!("'{s}' is not a UUID")))
}

/// A row's fields as the UI sends them: typed in TypeScript as `T` (`NewContact`, `ContactPatch`),
/// read here as the record it is, so that the core's checks answer a bad value with its field and
/// the reason in words (a strict decode would refuse "12,50" as an amount without naming the field),
/// and refuse a field `T` does not have ("contacts has no field 'x'", "is set by The Plugs").
#[derive(serde::Deserialize)]
#[serde(transparent)]
pub struct Input<T>(pub Record, #[serde(skip)] std::marker::PhantomData<T>);

/// Declares the commands. Each is `fn name(state: &StateType, ...; arg: Type, ...) -> Type { body }`;
/// every command runs off the main thread (async), so a slow one never freezes the window. The
/// `tables` section gives each table its typed commands (`create_contact(NewContact)`,
/// `update_contact(ContactId, ContactPatch)`, …): the core validates and fills the rest.
macro_rules! commands {
    (
        $( $(#[doc = $doc:literal])* fn $name:ident( $($st:ident : &$sty:ty),* ; $($arg:ident : $aty:ty),* ) -> $ret:ty $body:block )*
        tables {
            $( $row:ident in $table:literal ($new:ident, $patch:ident, $idt:ident):
                $create:ident, $get:ident, $update:ident, $delete:ident, $restore:ident, $list:ident, $count:ident; )*
        }
    ) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command]
            #[allow(clippy::unused_async)]
            pub async fn $name( $($st: State<'_, $sty>,)* $($arg: $aty),* ) -> Answer<$ret> $body
        )*

        $(
            #[doc = concat!("Creates a row of `", $table, "`; the core validates it and fills the defaults.")]
            #[tauri::command]
            #[allow(clippy::unused_async)]
            pub async fn $create(s: State<'_, AppStore>, sync: State<'_, Sync>, fields: Input<$new>) -> Answer<$row> {
                let r = with(&s, |st| st.repo::<$row>().create(&fields.0));
                sync.nudge();
                r
            }

            #[doc = concat!("One row of `", $table, "` by id (a soft-deleted one too).")]
            #[tauri::command]
            #[allow(clippy::unused_async)]
            pub async fn $get(s: State<'_, AppStore>, id: $idt) -> Answer<$row> {
                with(&s, |st| st.repo::<$row>().get(id.0))
            }

            #[doc = concat!("Changes the given fields of a row of `", $table, "` (null clears one).")]
            #[tauri::command]
            #[allow(clippy::unused_async)]
            pub async fn $update(s: State<'_, AppStore>, sync: State<'_, Sync>, id: $idt, fields: Input<$patch>) -> Answer<$row> {
                let r = with(&s, |st| st.repo::<$row>().update(id.0, &fields.0));
                sync.nudge();
                r
            }

            #[doc = concat!("Deletes a row of `", $table, "` (a tombstone that syncs, where the table keeps them).")]
            #[tauri::command]
            #[allow(clippy::unused_async)]
            pub async fn $delete(s: State<'_, AppStore>, sync: State<'_, Sync>, id: $idt) -> Answer<$row> {
                let r = with(&s, |st| st.repo::<$row>().delete(id.0));
                sync.nudge();
                r
            }

            #[doc = concat!("Brings a soft-deleted row of `", $table, "` back.")]
            #[tauri::command]
            #[allow(clippy::unused_async)]
            pub async fn $restore(s: State<'_, AppStore>, sync: State<'_, Sync>, id: $idt) -> Answer<$row> {
                let r = with(&s, |st| st.repo::<$row>().restore(id.0));
                sync.nudge();
                r
            }

            #[doc = concat!("One page of `", $table, "`, filtered and sorted; `next_cursor` fetches the next.")]
            #[tauri::command]
            #[allow(clippy::unused_async)]
            pub async fn $list(s: State<'_, AppStore>, request: ListRequest) -> Answer<Page<$row>> {
                with(&s, |st| st.repo::<$row>().list(&request.query()))
            }

            #[doc = concat!("How many rows of `", $table, "` a list request shows over all its pages.")]
            #[tauri::command]
            #[allow(clippy::unused_async)]
            pub async fn $count(s: State<'_, AppStore>, request: ListRequest) -> Answer<i64> {
                with(&s, |st| st.count_rows($table, &request.query()))
            }
        )*

        /// The invoke handler of every command above.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + std::marker::Sync + 'static {
            tauri::generate_handler![$($name,)* $($create, $get, $update, $delete, $restore, $list, $count),*]
        }

        /// The commands' TypeScript signatures.
        #[cfg(test)]
        pub fn signatures() -> Vec<Signature> {
            let mut all = vec![$(
                Signature {
                    name: stringify!($name),
                    doc: concat!($($doc, "\n"),*),
                    args: vec![$((stringify!($arg), <$aty as TsType>::ts())),*],
                    ret: <$ret as TsType>::ts(),
                }
            ),*];
            $(
                let (row, id) = (<$row as TsType>::ts(), <$idt as TsType>::ts());
                all.extend([
                    Signature { name: stringify!($create), doc: concat!(" Creates a row of `", $table, "`; the core validates it and fills the defaults.\n"), args: vec![("fields", <$new as TsType>::ts())], ret: row.clone() },
                    Signature { name: stringify!($get), doc: concat!(" One row of `", $table, "` by id (a soft-deleted one too).\n"), args: vec![("id", id.clone())], ret: row.clone() },
                    Signature { name: stringify!($update), doc: concat!(" Changes the given fields of a row of `", $table, "` (null clears one).\n"), args: vec![("id", id.clone()), ("fields", <$patch as TsType>::ts())], ret: row.clone() },
                    Signature { name: stringify!($delete), doc: concat!(" Deletes a row of `", $table, "` (a tombstone that syncs, where the table keeps them).\n"), args: vec![("id", id.clone())], ret: row.clone() },
                    Signature { name: stringify!($restore), doc: concat!(" Brings a soft-deleted row of `", $table, "` back.\n"), args: vec![("id", id.clone())], ret: row.clone() },
                    Signature { name: stringify!($list), doc: concat!(" One page of `", $table, "`, filtered and sorted; `next_cursor` fetches the next.\n"), args: vec![("request", <ListRequest as TsType>::ts())], ret: format!("Page<{row}>") },
                    Signature { name: stringify!($count), doc: concat!(" How many rows of `", $table, "` a list request shows over all its pages.\n"), args: vec![("request", <ListRequest as TsType>::ts())], ret: "number".into() },
                ]);
            )*
            all
        }
    };
}

commands! {
    /// Whether a workspace exists, who works in it, and how many changes wait to sync.
    fn workspace_status(s: &AppStore;) -> WorkspaceStatus {
        with(&s, |st| st.workspace_status())
    }

    /// First launch: creates the local organization and its admin user, with no server.
    fn init_workspace(s: &AppStore; input: NewWorkspace) -> () {
        with(&s, |st| st.init_workspace(&input).map(|_| ()))
    }


    /// Captures someone just met (one transaction): a new contact, or the meeting added to a known
    /// one; linked to the event met at; with an optional follow-up.
    fn capture_contact(s: &AppStore, sync: &Sync; capture: Capture) -> Captured {
        let r = with(&s, |st| st.capture(&capture));
        sync.nudge();
        r
    }

    /// Reads a business card photo or a badge QR code (offline) into a draft for the capture form:
    /// nothing is saved until the person checks it and presses Save.
    fn scan_card(; image: Upload) -> Scanned {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(image.data_base64.trim())
            .map_err(|_| plugs_core::Error::invalid("scan", "invalid_format", "the picture did not arrive intact").to_payload())?;
        // OCR takes a fraction of a second to a second: off the async workers.
        let scanned = tauri::async_runtime::spawn_blocking(move || scanner().scan(&bytes).map(|o| o.scanned))
            .await
            .map_err(|_| plugs_core::Error::invalid("scan", "failed", "the scan stopped unexpectedly").to_payload())?;
        scanned.map_err(|e| e.to_payload())
    }

    /// The event captures are linked to now (chosen for today, or going on), if any.
    fn capture_event(s: &AppStore;) -> Option<CaptureEvent> {
        with(&s, |st| st.capture_event())
    }

    /// Links today's captures on this device to an event (null: to none).
    fn choose_capture_event(s: &AppStore; event_id: Option<String>) -> () {
        with(&s, |st| st.choose_capture_event(event_id.as_deref().map(|e| self::id("event_id", e)).transpose()?))
    }

    /// Known contacts who look like the person being typed.
    fn likely_matches(s: &AppStore; fields: Record) -> Vec<LikelyMatch> {
        with(&s, |st| st.likely_matches(&fields, 5))
    }

    /// The people met at an event, with the count per team member.
    fn event_leads(s: &AppStore; event_id: String) -> EventLeads {
        with(&s, |st| st.event_leads(self::id("event_id", &event_id)?))
    }

    /// The workspace's companies, most used first (capture's autocomplete).
    fn companies(s: &AppStore;) -> Vec<String> {
        with(&s, |st| st.companies(500))
    }







    /// Full-text contact search (names weigh most), with equality filters.
    fn search_contacts(s: &AppStore; query: String, equals: Record, limit: usize) -> Vec<Contact> {
        let filters = ListRequest { equals, ..Default::default() }.filters();
        with(&s, |st| st.search_contacts(&query, &filters, limit))
    }

    /// The same search, answering only the fields a result list shows, with the list's filters
    /// (equality, ranges, parts of text).
    fn search_contact_rows(s: &AppStore; query: String, request: ListRequest, limit: usize) -> Vec<ContactRow> {
        let filters = request.filters();
        with(&s, |st| st.search_contact_rows(&query, &filters, limit))
    }

    /// How many contacts the same search finds in all (the list shows the best of them).
    fn count_contact_search(s: &AppStore; query: String, request: ListRequest) -> i64 {
        let filters = request.filters();
        with(&s, |st| st.count_contact_search(&query, &filters))
    }

    /// Adds and removes tags on contacts or events, all or nothing (a bad tag changes no row).
    fn tag_rows(s: &AppStore, sync: &Sync; table: String, ids: Vec<String>, add: Vec<String>, remove: Vec<String>) -> TagReport {
        let r = with(&s, |st| {
            let ids = ids.iter().map(|i| self::id("ids", i)).collect::<plugs_core::Result<Vec<_>>>()?;
            st.tag_rows(&table, &ids, &add, &remove)
        });
        sync.nudge();
        r
    }

    /// Adds and removes tags on every contact a search or the list's filters find (all of them, not
    /// only those shown), all or nothing.
    fn tag_matching_contacts(s: &AppStore, sync: &Sync; query: String, request: ListRequest, add: Vec<String>, remove: Vec<String>) -> TagReport {
        let filters = request.filters();
        let r = with(&s, |st| {
            let ids = st.contact_ids_matching(&query, &filters)?;
            st.tag_rows("contacts", &ids, &add, &remove)
        });
        sync.nudge();
        r
    }

    /// Connects a provider (again: the credential is swapped): the credential goes to the OS
    /// keychain, the row keeps a reference to it.
    fn connect_integration(s: &AppStore, sync: &Sync; provider: String, integration_type: String, secret: String, settings: Record) -> Integration {
        let r = with(&s, |st| st.connect_integration_with(&plugs_core::integrations::KeychainSecrets, &provider, &integration_type, &secret, &settings));
        sync.nudge();
        r
    }

    /// Changes a connection's settings (what Mailchimp is sent, how often it runs, …).
    fn configure_integration(s: &AppStore, sync: &Sync; provider: String, settings: Record) -> Integration {
        let r = with(&s, |st| st.configure_integration(&provider, &settings));
        sync.nudge();
        r
    }

    /// Starts signing in to Microsoft for Teams: the code to show, and where to type it.
    fn teams_sign_in_start(s: &AppStore; settings: Record) -> DeviceCode {
        // Signing in again: the connection's settings, with what the form changed.
        let mut settings_now = with(&s, |st| match st.integration_for("teams") {
            Ok(i) => Ok(i.settings.as_object().cloned().unwrap_or_default()),
            Err(_) => Ok(Record::new()),
        })?;
        settings_now.extend(settings);
        let settings = settings_now;
        let hosts = plugs_core::integrations::teams::Hosts::of(&serde_json::Value::Object(settings.clone())).map_err(|e| e.to_payload())?;
        let http = plugs_core::integrations::teams::client().map_err(|e| e.to_payload())?;
        let code = plugs_core::integrations::teams::start_sign_in(&http, &hosts).await.map_err(|e| plugs_core::integrations::teams::sign_in_error(e).to_payload())?;
        *TEAMS_SIGN_IN.lock().unwrap_or_else(|p| p.into_inner()) = Some((hosts, code.clone(), settings));
        Ok(code)
    }

    /// Waits for the Microsoft sign-in started last, then connects Teams (the refresh token into
    /// the keychain).
    fn teams_sign_in_finish(s: &AppStore, sync: &Sync;) -> Integration {
        let pending = TEAMS_SIGN_IN.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some((hosts, code, settings)) = pending else {
            return Err(plugs_core::Error::conflict(None, "sign_in", "no sign-in was started: start again").to_payload());
        };
        let http = plugs_core::integrations::teams::client().map_err(|e| e.to_payload())?;
        let refresh = plugs_core::integrations::teams::finish_sign_in(&http, &hosts, &code).await.map_err(|e| plugs_core::integrations::teams::sign_in_error(e).to_payload());
        TEAMS_SIGN_IN.lock().unwrap_or_else(|p| p.into_inner()).take();
        let refresh = refresh?;
        let r = with(&s, |st| st.connect_teams(&plugs_core::integrations::KeychainSecrets, &settings, &refresh));
        sync.nudge();
        r
    }

    /// Disconnects a provider: its credential leaves the keychain, the connection is switched off.
    fn disconnect_integration(s: &AppStore, sync: &Sync; provider: String) -> Integration {
        let r = with(&s, |st| st.disconnect_integration(&plugs_core::integrations::KeychainSecrets, &provider));
        sync.nudge();
        r
    }

    /// Runs a connection now (docs/integrations.md), off the window's threads: pulls, pushes, logs.
    fn run_integration(s: &AppStore, sync: &Sync; provider: String) -> RunReport {
        let db = with(&s, |st| Ok(st.path().to_owned()))?;
        let r = tauri::async_runtime::spawn_blocking(move || {
            let store = plugs_core::Store::open_helper(&db)?;
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(store.run_integration(&plugs_core::integrations::KeychainSecrets, &provider))
        })
        .await
        .map_err(|_| plugs_core::Error::invalid("provider", "failed", "the run stopped unexpectedly").to_payload())?
        .map_err(|e| e.to_payload());
        sync.nudge();
        r
    }

    /// A connection's runs, newest first.
    fn integration_logs(s: &AppStore; provider: String, limit: usize) -> Vec<IntegrationLog> {
        with(&s, |st| Ok(st.integration_logs(&provider, limit.min(100))?.items))
    }

    /// Merges contacts into one, keeping the chosen value of each field (plugs_core::merge); the
    /// report's merge_id undoes it.
    fn merge_contacts(s: &AppStore, sync: &Sync; request: MergeRequest) -> MergeReport {
        let r = with(&s, |st| st.merge_contacts(&request));
        sync.nudge();
        r
    }

    /// Undoes a merge: the merged contacts back as they were, with their history.
    fn undo_merge(s: &AppStore, sync: &Sync; merge_id: String) -> () {
        let r = with(&s, |st| st.undo_merge(self::id("merge_id", &merge_id)?));
        sync.nudge();
        r
    }

    /// Contacts that look like one person across the whole base, strongest reasons first.
    fn duplicate_suggestions(s: &AppStore; limit: usize) -> Vec<DuplicatePair> {
        with(&s, |st| st.duplicate_suggestions(limit))
    }

    /// The saved lists (a name for a search and the contacts list's filters), by name.
    fn saved_lists(s: &AppStore;) -> Vec<SavedList> {
        with(&s, |st| st.saved_lists())
    }

    /// Saves a search and filters under a name (a list of the same name is replaced).
    fn save_list(s: &AppStore; name: String, query: String, request: ListRequest) -> SavedList {
        with(&s, |st| st.save_list(&name, &query, &request))
    }

    /// Forgets a saved list.
    fn delete_saved_list(s: &AppStore; id: String) -> () {
        with(&s, |st| st.delete_saved_list(self::id("id", &id)?))
    }

    /// The tags on live contacts, with how many carry each, by name.
    fn contact_tags(s: &AppStore;) -> Vec<TagCount> {
        with(&s, |st| st.contact_tags())
    }

    /// A contact's keep-in-touch (its cadence or its tag's, last and next touch, snooze), if any.
    fn touch_of(s: &AppStore; contact_id: String) -> Option<Touch> {
        with(&s, |st| st.touch_of(self::id("contact_id", &contact_id)?))
    }

    /// Sets a contact's own cadence (null: back to its tags' default; every 0: never).
    fn set_keep_in_touch(s: &AppStore, sync: &Sync; contact_id: String, cadence: Option<Cadence>) -> () {
        let r = with(&s, |st| st.set_keep_in_touch(self::id("contact_id", &contact_id)?, cadence));
        sync.nudge();
        r
    }

    /// Puts a contact's next touch off until a time (null ends the snooze).
    fn snooze_touch(s: &AppStore, sync: &Sync; contact_id: String, until: Option<String>) -> () {
        let r = with(&s, |st| {
            let until = until.map(|u| plugs_core::Timestamp::parse(&u).map_err(|_| plugs_core::Error::invalid("until", "invalid_format", format!("'{u}' is not a time")))).transpose()?;
            st.snooze_touch(self::id("contact_id", &contact_id)?, until)
        });
        sync.nudge();
        r
    }

    /// Logs a touch: a completed interaction now (a call unless said), which moves the next touch.
    fn log_touch(s: &AppStore, sync: &Sync; contact_id: String, interaction_type: Option<String>) -> String {
        let r = with(&s, |st| st.log_touch(self::id("contact_id", &contact_id)?, interaction_type.as_deref(), None).map(|id| id.to_string()));
        sync.nudge();
        r
    }

    /// The contacts whose next touch has passed, the most overdue first.
    fn losing_touch(s: &AppStore; limit: usize) -> Vec<LosingTouch> {
        with(&s, |st| st.losing_touch(st.now(), limit))
    }

    /// The default cadence per tag.
    fn tag_cadences(s: &AppStore;) -> Vec<TagCadence> {
        with(&s, |st| Ok(st.tag_cadences()?.into_iter().map(|(tag, cadence)| TagCadence { tag, cadence }).collect()))
    }

    /// Sets (or with null clears) a tag's default cadence.
    fn set_tag_cadence(s: &AppStore; tag: String, cadence: Option<Cadence>) -> () {
        with(&s, |st| st.set_tag_cadence(&tag, cadence))
    }

    /// Due follow-ups, today's and upcoming events, unread notifications, pending changes.
    fn home_summary(s: &AppStore;) -> HomeSummary {
        with(&s, |st| st.home_summary())
    }

    /// The audit trail of one record, newest first.
    fn audit_history(s: &AppStore; table: String, id: String) -> Vec<AuditLog> {
        with(&s, |st| st.audit_history(&table, self::id("id", &id)?))
    }

    /// Checks an attendee in (capacity and order rules in the core).
    fn check_in(s: &AppStore, sync: &Sync; attendee_id: String) -> EventAttendee {
        let r = with(&s, |st| st.check_in(self::id("attendee_id", &attendee_id)?));
        sync.nudge();
        r
    }

    /// Checks an attendee out.
    fn check_out(s: &AppStore, sync: &Sync; attendee_id: String) -> EventAttendee {
        let r = with(&s, |st| st.check_out(self::id("attendee_id", &attendee_id)?));
        sync.nudge();
        r
    }

    /// Approves an expense (admins).
    fn approve_expense(s: &AppStore, sync: &Sync; id: String) -> Expense {
        let r = with(&s, |st| st.approve_expense(self::id("id", &id)?));
        sync.nudge();
        r
    }

    /// Rejects an expense (admins).
    fn reject_expense(s: &AppStore, sync: &Sync; id: String) -> Expense {
        let r = with(&s, |st| st.reject_expense(self::id("id", &id)?));
        sync.nudge();
        r
    }

    /// Marks an approved expense paid (admins).
    fn pay_expense(s: &AppStore, sync: &Sync; id: String) -> Expense {
        let r = with(&s, |st| st.mark_expense_paid(self::id("id", &id)?));
        sync.nudge();
        r
    }

    /// Marks one notification read (sets read_at).
    fn mark_notification_read(s: &AppStore, sync: &Sync; id: String) -> Notification {
        let r = with(&s, |st| st.mark_notification_read(self::id("id", &id)?));
        sync.nudge();
        r
    }

    /// Marks all of the user's notifications read; answers how many.
    fn mark_all_notifications_read(s: &AppStore, sync: &Sync;) -> usize {
        let r = with(&s, |st| st.mark_all_notifications_read());
        sync.nudge();
        r
    }

    /// Marks a scheduled follow-up done.
    fn complete_follow_up(s: &AppStore, sync: &Sync; interaction_id: String) -> () {
        let r = with(&s, |st| st.complete_follow_up(self::id("interaction_id", &interaction_id)?));
        sync.nudge();
        r
    }

    /// Expense totals per currency and per event, for the same filters as the list.
    fn expense_totals(s: &AppStore; request: ListRequest) -> Vec<ExpenseTotal> {
        with(&s, |st| st.expense_totals(&request.filters()))
    }

    /// The `contact_performance_summary` view.
    fn contact_performance(s: &AppStore;) -> Vec<ContactPerformance> {
        with(&s, |st| st.contact_performance())
    }

    /// The `event_analytics` view.
    fn event_analytics(s: &AppStore;) -> Vec<EventAnalytics> {
        with(&s, |st| st.event_analytics())
    }

    /// Contacts per lead status.
    fn lead_status_breakdown(s: &AppStore;) -> Vec<Bucket> {
        with(&s, |st| st.lead_status_breakdown())
    }

    /// Spending per expense type and currency.
    fn expense_breakdown(s: &AppStore;) -> Vec<ExpenseBucket> {
        with(&s, |st| st.expense_breakdown())
    }

    /// Attaches a file to a contact, an event or an expense (its receipt).
    fn attach_media(s: &AppStore, sync: &Sync; upload: Upload) -> Media {
        let r = with(&s, |st| st.attach_upload(&upload));
        sync.nudge();
        r
    }

    /// An attached image as a data: URL, for a preview (its thumbnail when it has one).
    fn media_preview(s: &AppStore; id: String) -> String {
        with(&s, |st| st.media_data_url(self::id("id", &id)?))
    }

    /// An attached image whole, as a data: URL (downloaded first when it is on the server only).
    fn media_full(s: &AppStore; id: String) -> String {
        let (db, mid) = with(&s, |st| Ok((st.path().to_owned(), self::id("id", &id)?)))?;
        fetch(db.clone(), mid).await?;
        with(&s, |st| {
            let (mime, bytes) = st.media_bytes(mid)?;
            if !plugs_domain::files::file_type(&bytes[..bytes.len().min(8192)], &mime).previewable {
                return Err(plugs_core::Error::invalid("file", "not_an_image", "this file is not an image: download it to open it"));
            }
            use base64::Engine;
            Ok(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
        })
    }

    /// Saves a file into the Downloads folder (downloaded first when it is on the server only),
    /// never overwriting: the path written.
    fn media_download(s: &AppStore; id: String) -> String {
        let (db, mid, m) = with(&s, |st| {
            let mid = self::id("id", &id)?;
            Ok((st.path().to_owned(), mid, st.repo::<Media>().get(mid)?))
        })?;
        fetch(db, mid).await?;
        // The bytes in clear (the copy kept here is sealed with the store's key).
        let (_, bytes) = with(&s, |st| st.media_bytes(mid))?;
        let dir = std::env::var_os("PLUGS_DOWNLOAD_DIR").map(std::path::PathBuf::from).or_else(dirs::download_dir).or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir);
        let name = plugs_domain::files::safe_file_name(&m.file_name).unwrap_or_else(|| "file".into());
        let (stem, ext) = match name.rsplit_once('.') {
            Some((a, b)) if !a.is_empty() => (a.to_owned(), format!(".{b}")),
            _ => (name.clone(), String::new()),
        };
        let mut to = dir.join(&name);
        let mut n = 1;
        while to.exists() {
            n += 1;
            to = dir.join(format!("{stem} ({n}){ext}"));
        }
        std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&to, &bytes)).map_err(|e| plugs_core::Error::invalid("file", "io", format!("cannot write {}: {e}", to.display())).to_payload())?;
        Ok(to.to_string_lossy().into_owned())
    }

    /// The device's preferences and server link.
    fn get_settings(s: &AppStore;) -> AppSettings {
        with(&s, |st| st.app_settings())
    }

    /// Changes one preference (theme, keep_running, reminder_lead_minutes).
    fn set_setting(s: &AppStore; key: String, value: String) -> () {
        with(&s, |st| st.set_app_setting(&key, &value))
    }

    /// The automatic backup's settings (folder, how often, how many kept, whether its passphrase
    /// is saved in the keychain).
    fn backup_settings(s: &AppStore;) -> BackupSettings {
        with(&s, |st| st.backup_settings())
    }

    /// Changes the automatic backup's settings (every_hours 0: off).
    fn set_backup_settings(s: &AppStore; dir: String, every_hours: i64, keep: i64) -> BackupSettings {
        with(&s, |st| st.set_backup_settings(&dir, every_hours, keep))
    }

    /// Saves the automatic backups' passphrase in the OS keychain (null: forgets it, and automatic
    /// backups stop).
    fn save_backup_passphrase(; passphrase: Option<String>) -> () {
        crate::background::blocking(move || plugs_core::backup::save_passphrase(passphrase.as_deref())).await
    }

    /// Writes an encrypted backup now: to `file`, or into the backup folder; with the given
    /// passphrase, or the one saved in the keychain.
    fn backup_now(s: &AppStore; file: Option<String>, passphrase: Option<String>) -> BackupReport {
        let db = with(&s, |st| Ok(st.path().to_owned()))?;
        crate::background::blocking(move || {
            let store = Store::open_helper(&db)?;
            let pass = match passphrase {
                Some(p) => p,
                None => plugs_core::backup::saved_passphrase()?.ok_or_else(|| plugs_core::Error::invalid("passphrase", "required", "type the backup passphrase (none is saved)"))?,
            };
            let file = match file.filter(|f| !f.trim().is_empty()) {
                Some(f) => std::path::PathBuf::from(f.trim()),
                None => plugs_core::backup::auto_dir(&store)?.join(format!("plugs-{}.{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ"), plugs_core::backup::EXTENSION)),
            };
            store.backup(&file, &pass)
        })
        .await
    }

    /// Opens and verifies a backup without changing anything: what a restore would bring back.
    fn check_backup(; file: String, passphrase: String) -> BackupInfo {
        crate::background::blocking(move || plugs_core::backup::inspect(std::path::Path::new(file.trim()), &passphrase)).await
    }

    /// Verifies a backup and stages it: it replaces this device's data when the app starts again
    /// (the data it replaces is kept aside). The UI then restarts the app.
    fn restore_backup(s: &AppStore; file: String, passphrase: String) -> StagedRestore {
        let db = with(&s, |st| Ok(st.path().to_owned()))?;
        crate::background::blocking(move || {
            let dir = db.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
            plugs_core::backup::stage_restore(&dir, std::path::Path::new(file.trim()), &passphrase)
        })
        .await
    }

    /// Restarts the app (after a restore is staged).
    fn restart_app(app: &AppHandleState;) -> () {
        app.0.restart();
    }

    /// Signs in to a server; this device's offline workspace joins that account's organization.
    fn sign_in(s: &AppStore, sync: &Sync; server: String, email: String, password: String) -> () {
        let db = with(&s, |st| Ok(st.path().to_owned()))?;
        crate::background::sign_in(&sync, db, server, crate::background::SignIn::Login { email, password }).await?;
        with(&s, |st| st.refresh_actor())
    }

    /// Registers this workspace on a server as a new organization, and signs in.
    fn register_on_server(s: &AppStore, sync: &Sync; server: String, password: String) -> () {
        let db = with(&s, |st| Ok(st.path().to_owned()))?;
        crate::background::sign_in(&sync, db, server, crate::background::SignIn::Register { password }).await?;
        with(&s, |st| st.refresh_actor())
    }

    /// Signs out: the server session ends and the keychain forgets the tokens; data stays.
    fn sign_out(s: &AppStore, sync: &Sync;) -> () {
        let db = with(&s, |st| Ok(st.path().to_owned()))?;
        crate::background::sign_out(&sync, db).await
    }

    /// The sync engine's status (null when this device does not sync with a server).
    fn sync_status(sync: &Sync;) -> Option<SyncStatus> {
        Ok(sync.status())
    }

    /// "Sync now".
    fn sync_now(sync: &Sync;) -> () {
        sync.nudge();
        Ok(())
    }

    /// The window's first screen is interactive. With PLUGS_READY_FILE set (start-up benchmark),
    /// the time since the process started is written there, in milliseconds.
    fn ui_ready(;) -> () {
        if let Some(path) = std::env::var_os("PLUGS_READY_FILE") {
            let ms = crate::STARTED.get().map(|t| t.elapsed().as_secs_f64() * 1000.0).unwrap_or(0.0);
            let _ = std::fs::write(path, format!("{ms:.1}"));
        }
        Ok(())
    }

    /// Imports contacts from a file (vCard, LinkedIn, Google or any CSV; format "auto" detects),
    /// on its own connection so the window stays usable; progress arrives as `import-progress`
    /// events `{done, total}`. A dry run reports what would happen and changes nothing;
    /// `overwrite` lets merges replace non-empty fields; `mapping` overrides CSV columns
    /// ("Surname=last_name,Fax=ignore").
    fn import_contacts(s: &AppStore, sync: &Sync, app: &AppHandleState; file_name: String, data_base64: String, format: String, dry_run: bool, overwrite: bool, mapping: String) -> ImportReport {
        let db = with(&s, |st| Ok(st.path().to_owned()))?;
        let handle = app.0.clone();
        let report = crate::background::import(db, handle, file_name, data_base64, crate::background::ImportChoice { format, dry_run, overwrite, mapping }).await?;
        sync.nudge();
        Ok(report)
    }

    /// Exports contacts (vcard, csv), events with agenda and follow-ups (ics) or expenses
    /// (expenses-csv); answers the file's text.
    fn export_data(s: &AppStore; format: String) -> String {
        with(&s, |st| st.export(&format))
    }

    /// Exports to a file the user picks in the system's save dialog (its folder and name proposed:
    /// Downloads, `the-plugs-contacts-2026-12-02.vcf`): the path written, or null when the dialog
    /// was cancelled. `PLUGS_EXPORT_DIR` skips the dialog and writes there (scripts and tests).
    fn export_to_file(s: &AppStore, app: &AppHandleState; format: String) -> Option<String> {
        let text = with(&s, |st| st.export(&format))?;
        let (what, ext) = match format.as_str() {
            "vcard" => ("contacts", "vcf"),
            "csv" => ("contacts", "csv"),
            "ics" => ("events", "ics"),
            _ => ("expenses", "csv"),
        };
        let name = format!("the-plugs-{what}-{}.{ext}", chrono::Local::now().format("%Y-%m-%d"));
        let to = match std::env::var_os("PLUGS_EXPORT_DIR") {
            Some(dir) => Some(std::path::PathBuf::from(dir).join(&name)),
            None => crate::save_dialog::ask(&app.0, &name).await,
        };
        let Some(to) = to else { return Ok(None) };
        // Written beside it first, then renamed: a failed write never leaves half a file.
        let part = to.with_extension(format!("{ext}.part"));
        std::fs::write(&part, text.as_bytes()).and_then(|_| std::fs::rename(&part, &to)).map_err(|e| {
            let _ = std::fs::remove_file(&part);
            plugs_core::Error::invalid("file", "not_written", format!("{} could not be written: {e}", to.display())).to_payload()
        })?;
        Ok(Some(to.display().to_string()))
    }

    tables {
        Contact in "contacts" (NewContact, ContactPatch, ContactId):
            create_contact, get_contact, update_contact, delete_contact, restore_contact, list_contacts, count_contacts;
        ContactInteraction in "contact_interactions" (NewContactInteraction, ContactInteractionPatch, ContactInteractionId):
            create_contact_interaction, get_contact_interaction, update_contact_interaction, delete_contact_interaction, restore_contact_interaction, list_contact_interactions, count_contact_interactions;
        Event in "events" (NewEvent, EventPatch, EventId):
            create_event, get_event, update_event, delete_event, restore_event, list_events, count_events;
        EventAttendee in "event_attendees" (NewEventAttendee, EventAttendeePatch, EventAttendeeId):
            create_event_attendee, get_event_attendee, update_event_attendee, delete_event_attendee, restore_event_attendee, list_event_attendees, count_event_attendees;
        EventAgendaItem in "event_agenda_items" (NewEventAgendaItem, EventAgendaItemPatch, EventAgendaItemId):
            create_event_agenda_item, get_event_agenda_item, update_event_agenda_item, delete_event_agenda_item, restore_event_agenda_item, list_event_agenda_items, count_event_agenda_items;
        Expense in "expenses" (NewExpense, ExpensePatch, ExpenseId):
            create_expense, get_expense, update_expense, delete_expense, restore_expense, list_expenses, count_expenses;
        Media in "media" (NewMedia, MediaPatch, MediaId):
            create_media, get_media, update_media, delete_media, restore_media, list_media, count_media;
        MediaCollection in "media_collections" (NewMediaCollection, MediaCollectionPatch, MediaCollectionId):
            create_media_collection, get_media_collection, update_media_collection, delete_media_collection, restore_media_collection, list_media_collections, count_media_collections;
        MediaCollectionItem in "media_collection_items" (NewMediaCollectionItem, MediaCollectionItemPatch, MediaCollectionItemId):
            create_media_collection_item, get_media_collection_item, update_media_collection_item, delete_media_collection_item, restore_media_collection_item, list_media_collection_items, count_media_collection_items;
        Notification in "notifications" (NewNotification, NotificationPatch, NotificationId):
            create_notification, get_notification, update_notification, delete_notification, restore_notification, list_notifications, count_notifications;
        Integration in "integrations" (NewIntegration, IntegrationPatch, IntegrationId):
            create_integration, get_integration, update_integration, delete_integration, restore_integration, list_integrations, count_integrations;
        User in "users" (NewUser, UserPatch, UserId):
            create_user, get_user, update_user, delete_user, restore_user, list_users, count_users;
    }
}

/// The app's handle, for commands that send events.
pub struct AppHandleState(pub tauri::AppHandle);

/// Whether closing the window keeps the app (reminders, sync) running in the tray. On by default.
pub fn keep_running(store: &Store) -> bool {
    store.app_settings().map(|s| s.keep_running).unwrap_or(true)
}

#[cfg(test)]
mod tests {
    /// `ui/src/commands.ts` is what the command list generates; regenerate with
    /// `UPDATE_BINDINGS=1 cargo test -p plugs-desktop`.
    #[test]
    fn typescript_commands_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/commands.ts");
        let want = crate::typescript::file(&super::signatures());
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(have == want, "ui/src/commands.ts is stale: run UPDATE_BINDINGS=1 cargo test -p plugs-desktop");
    }
}
