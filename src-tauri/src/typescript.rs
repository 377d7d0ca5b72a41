//! The TypeScript side of the command list: each command becomes a typed wrapper around
//! `invoke`, its argument and answer types named as in `ui/src/bindings.ts` (generated from the
//! same Rust types by ts-rs).

use std::collections::BTreeSet;

/// One command as the UI sees it.
pub struct Signature {
    pub name: &'static str,
    pub doc: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub ret: String,
}

/// A Rust type's TypeScript spelling.
pub trait TsType {
    fn ts() -> String;
}

macro_rules! plain {
    ($($t:ty => $s:literal),* $(,)?) => { $(impl TsType for $t { fn ts() -> String { $s.into() } })* };
}
plain!(String => "string", bool => "boolean", usize => "number", i64 => "number", () => "null", plugs_core::Record => "Fields");

impl<T: TsType> TsType for Option<T> {
    fn ts() -> String {
        format!("{} | null", T::ts())
    }
}

impl<T: TsType> TsType for Vec<T> {
    fn ts() -> String {
        format!("Array<{}>", T::ts())
    }
}

impl<T: TsType> TsType for plugs_core::Page<T> {
    fn ts() -> String {
        format!("Page<{}>", T::ts())
    }
}

/// Types declared in `bindings.ts`, by the name ts-rs gives them.
macro_rules! declared {
    ($($t:ty),* $(,)?) => { $(impl TsType for $t { fn ts() -> String { <$t as ts_rs::TS>::name(&ts_rs::Config::new().with_large_int("number")) } })* };
}
declared!(
    plugs_core::workspace::WorkspaceStatus,
    plugs_core::workspace::NewWorkspace,
    plugs_core::ListRequest,
    plugs_core::overview::HomeSummary,
    plugs_core::overview::ExpenseTotal,
    plugs_core::overview::Bucket,
    plugs_core::overview::ExpenseBucket,
    plugs_core::views::ContactPerformance,
    plugs_core::views::EventAnalytics,
    plugs_core::files::Upload,
    plugs_core::settings::AppSettings,
    plugs_core::sync::SyncStatus,
    plugs_core::tables::audit_logs::AuditLog,
    plugs_core::tables::contacts::Contact,
    plugs_core::tables::event_attendees::EventAttendee,
    plugs_core::tables::expenses::Expense,
    plugs_core::tables::media::Media,
    plugs_core::tables::notifications::Notification,
    plugs_core::tables::contact_interactions::ContactInteraction,
    plugs_core::tables::contact_interactions::NewContactInteraction,
    plugs_core::tables::contact_interactions::ContactInteractionPatch,
    plugs_core::tables::contact_interactions::ContactInteractionId,
    plugs_core::tables::contacts::NewContact,
    plugs_core::tables::contacts::ContactPatch,
    plugs_core::tables::contacts::ContactId,
    plugs_core::tables::event_agenda_items::EventAgendaItem,
    plugs_core::tables::event_agenda_items::NewEventAgendaItem,
    plugs_core::tables::event_agenda_items::EventAgendaItemPatch,
    plugs_core::tables::event_agenda_items::EventAgendaItemId,
    plugs_core::tables::event_attendees::NewEventAttendee,
    plugs_core::tables::event_attendees::EventAttendeePatch,
    plugs_core::tables::event_attendees::EventAttendeeId,
    plugs_core::tables::events::Event,
    plugs_core::tables::events::NewEvent,
    plugs_core::tables::events::EventPatch,
    plugs_core::tables::events::EventId,
    plugs_core::tables::expenses::NewExpense,
    plugs_core::tables::expenses::ExpensePatch,
    plugs_core::tables::expenses::ExpenseId,
    plugs_core::tables::integrations::Integration,
    plugs_core::tables::integration_logs::IntegrationLog,
    plugs_core::tables::integrations::NewIntegration,
    plugs_core::tables::integrations::IntegrationPatch,
    plugs_core::tables::integrations::IntegrationId,
    plugs_core::tables::media::NewMedia,
    plugs_core::tables::media::MediaPatch,
    plugs_core::tables::media::MediaId,
    plugs_core::tables::media_collection_items::MediaCollectionItem,
    plugs_core::tables::media_collection_items::NewMediaCollectionItem,
    plugs_core::tables::media_collection_items::MediaCollectionItemPatch,
    plugs_core::tables::media_collection_items::MediaCollectionItemId,
    plugs_core::tables::media_collections::MediaCollection,
    plugs_core::tables::media_collections::NewMediaCollection,
    plugs_core::tables::media_collections::MediaCollectionPatch,
    plugs_core::tables::media_collections::MediaCollectionId,
    plugs_core::tables::notifications::NewNotification,
    plugs_core::tables::notifications::NotificationPatch,
    plugs_core::tables::notifications::NotificationId,
    plugs_core::tables::users::User,
    plugs_core::tables::users::NewUser,
    plugs_core::tables::users::UserPatch,
    plugs_core::tables::users::UserId,
    plugs_core::interop::ImportReport,
    plugs_core::search::ContactRow,
    plugs_core::tagging::TagCount,
    plugs_core::tagging::TagReport,
    plugs_core::integrations::RunReport,
    plugs_core::integrations::teams::DeviceCode,
    plugs_core::tagging::SavedList,
    plugs_core::touch::Cadence,
    plugs_core::touch::CadenceUnit,
    plugs_core::touch::Touch,
    plugs_core::merge::MergeRequest,
    plugs_core::merge::MergeReport,
    plugs_core::merge::DuplicatePair,
    plugs_core::touch::TagCadence,
    plugs_core::touch::LosingTouch,
    plugs_core::capture::Capture,
    plugs_core::capture::Captured,
    plugs_core::capture::CaptureEvent,
    plugs_core::capture::LikelyMatch,
    plugs_core::capture::EventLeads,
    plugs_core::scan::Scanned,
    plugs_core::backup::BackupSettings,
    plugs_core::backup::BackupReport,
    plugs_core::backup::BackupInfo,
    plugs_core::backup::StagedRestore,
);

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The whole `commands.ts`.
pub fn file(sigs: &[Signature]) -> String {
    let mut names = BTreeSet::new();
    for s in sigs {
        for t in s.args.iter().map(|(_, t)| t).chain([&s.ret]) {
            for word in t.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
                if word.starts_with(|c: char| c.is_ascii_uppercase()) && !["Array", "Fields"].contains(&word) {
                    names.insert(word.to_owned());
                }
            }
        }
    }
    let mut out = String::from(
        "// Generated from the Rust command list (src-tauri/src/commands.rs) by\n// `UPDATE_BINDINGS=1 cargo test -p plugs-desktop`. Do not edit.\n\n\
         import { invoke } from \"@tauri-apps/api/core\";\n",
    );
    let names = names.into_iter().collect::<Vec<_>>().join(", ");
    out.push_str(&format!("import type {{ {names}, JsonValue }} from \"./bindings\";\n"));
    out.push_str(&format!("export type {{ {names} }} from \"./bindings\";\n\n"));
    out.push_str("/** One row: column name to value. */\nexport type Fields = { [key in string]?: JsonValue };\n\nexport const commands = {\n");
    for s in sigs {
        for line in s.doc.lines() {
            out.push_str(&format!("  /**{line} */\n"));
        }
        let params: Vec<String> = s.args.iter().map(|(n, t)| format!("{}: {t}", camel(n))).collect();
        let keys: Vec<String> = s.args.iter().map(|(n, _)| camel(n)).collect();
        let call = if keys.is_empty() { format!("\"{}\"", s.name) } else { format!("\"{}\", {{ {} }}", s.name, keys.join(", ")) };
        out.push_str(&format!("  {}: ({}) => invoke<{}>({call}),\n", camel(s.name), params.join(", "), s.ret));
    }
    out.push_str("};\n");
    out
}
