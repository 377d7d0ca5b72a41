//! TypeScript declarations of the types the UI receives, generated from these Rust types (the UI
//! never keeps a hand-written copy). `ui/src/bindings.ts` is this output; a test fails when it is stale.

use ts_rs::TS;

/// The whole `bindings.ts` file.
pub fn typescript() -> String {
    // JSON numbers, not bigint, for 64-bit integers (file sizes are far below 2^53).
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        <crate::types::Timestamp as TS>::decl(&cfg),
        <crate::types::Money as TS>::decl(&cfg),
        <crate::tables::audit_logs::AuditAction as TS>::decl(&cfg),
        <crate::tables::contact_interactions::InteractionType as TS>::decl(&cfg),
        <crate::tables::contact_interactions::InteractionStatus as TS>::decl(&cfg),
        <crate::tables::contacts::ContactType as TS>::decl(&cfg),
        <crate::tables::contacts::ContactStatus as TS>::decl(&cfg),
        <crate::tables::contacts::Priority as TS>::decl(&cfg),
        <crate::tables::event_agenda_items::AgendaType as TS>::decl(&cfg),
        <crate::tables::event_agenda_items::AgendaStatus as TS>::decl(&cfg),
        <crate::tables::event_attendees::AttendeeStatus as TS>::decl(&cfg),
        <crate::tables::events::EventType as TS>::decl(&cfg),
        <crate::tables::events::EventStatus as TS>::decl(&cfg),
        <crate::tables::expenses::ExpenseType as TS>::decl(&cfg),
        <crate::tables::expenses::ExpenseStatus as TS>::decl(&cfg),
        <crate::tables::integration_logs::IntegrationOperation as TS>::decl(&cfg),
        <crate::tables::integration_logs::IntegrationLogStatus as TS>::decl(&cfg),
        <crate::tables::integrations::Provider as TS>::decl(&cfg),
        <crate::tables::integrations::IntegrationType as TS>::decl(&cfg),
        <crate::tables::integrations::IntegrationStatus as TS>::decl(&cfg),
        <crate::tables::media::MediaType as TS>::decl(&cfg),
        <crate::tables::media::MediaStatus as TS>::decl(&cfg),
        <crate::tables::media::AccessLevel as TS>::decl(&cfg),
        <crate::tables::media_collections::CollectionType as TS>::decl(&cfg),
        <crate::tables::notifications::NotificationType as TS>::decl(&cfg),
        <crate::tables::notifications::Channel as TS>::decl(&cfg),
        <crate::tables::analytics_events::AnalyticsEvent as TS>::decl(&cfg),
        <crate::tables::audit_logs::AuditLog as TS>::decl(&cfg),
        <crate::tables::contact_interactions::ContactInteraction as TS>::decl(&cfg),
        <crate::tables::contacts::Contact as TS>::decl(&cfg),
        <crate::tables::event_agenda_items::EventAgendaItem as TS>::decl(&cfg),
        <crate::tables::event_attendees::EventAttendee as TS>::decl(&cfg),
        <crate::tables::events::Event as TS>::decl(&cfg),
        <crate::tables::expenses::Expense as TS>::decl(&cfg),
        <crate::tables::integration_logs::IntegrationLog as TS>::decl(&cfg),
        <crate::tables::integrations::Integration as TS>::decl(&cfg),
        <crate::tables::media::Media as TS>::decl(&cfg),
        <crate::tables::media_collection_items::MediaCollectionItem as TS>::decl(&cfg),
        <crate::tables::media_collections::MediaCollection as TS>::decl(&cfg),
        <crate::tables::notifications::Notification as TS>::decl(&cfg),
        <crate::tables::organizations::Organization as TS>::decl(&cfg),
        <crate::tables::users::User as TS>::decl(&cfg),
        <crate::error::ErrorPayload as TS>::decl(&cfg),
        <crate::repo::Page<()> as TS>::decl(&cfg),
        <crate::repo::ListRequest as TS>::decl(&cfg),
        <crate::workspace::NewWorkspace as TS>::decl(&cfg),
        <crate::workspace::WorkspaceStatus as TS>::decl(&cfg),
        <crate::overview::FollowUp as TS>::decl(&cfg),
        <crate::overview::HomeSummary as TS>::decl(&cfg),
        <crate::overview::ExpenseTotal as TS>::decl(&cfg),
        <crate::overview::Bucket as TS>::decl(&cfg),
        <crate::overview::ExpenseBucket as TS>::decl(&cfg),
        <crate::views::ContactPerformance as TS>::decl(&cfg),
        <crate::views::EventAnalytics as TS>::decl(&cfg),
        <crate::files::Upload as TS>::decl(&cfg),
        <crate::settings::AppSettings as TS>::decl(&cfg),
        <crate::sync::SyncState as TS>::decl(&cfg),
        <crate::sync::Progress as TS>::decl(&cfg),
        <crate::sync::files::FileProgress as TS>::decl(&cfg),
        <crate::files::FileHere as TS>::decl(&cfg),
        <crate::sync::SyncStatus as TS>::decl(&cfg),
        <crate::search::ContactRow as TS>::decl(&cfg),
        <crate::tagging::TagCount as TS>::decl(&cfg),
        <crate::tagging::TagReport as TS>::decl(&cfg),
        <crate::interop::ImportNote as TS>::decl(&cfg),
        <crate::interop::ImportMerge as TS>::decl(&cfg),
        <crate::interop::ImportReport as TS>::decl(&cfg),
        <crate::matching::Reason as TS>::decl(&cfg),
        <crate::capture::Capture as TS>::decl(&cfg),
        <crate::capture::Captured as TS>::decl(&cfg),
        <crate::capture::CaptureEvent as TS>::decl(&cfg),
        <crate::capture::LikelyMatch as TS>::decl(&cfg),
        <crate::capture::Lead as TS>::decl(&cfg),
        <crate::scan::Scanned as TS>::decl(&cfg),
        <crate::scan::ScannedField as TS>::decl(&cfg),
        <crate::capture::MemberLeads as TS>::decl(&cfg),
        <crate::capture::EventLeads as TS>::decl(&cfg),
        <crate::backup::TableCount as TS>::decl(&cfg),
        <crate::backup::FileEntry as TS>::decl(&cfg),
        <crate::backup::BackupInfo as TS>::decl(&cfg),
        <crate::backup::BackupReport as TS>::decl(&cfg),
        <crate::backup::StagedRestore as TS>::decl(&cfg),
        <crate::backup::BackupSettings as TS>::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p plugs-core --test bindings`. Do not edit.\n\n\
         export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;\n",
    );
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}
