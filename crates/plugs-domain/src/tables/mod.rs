//! One module per table: the row type, the enums of its CHECK lists, its spec and its rules.

pub mod analytics_events;
pub mod audit_logs;
pub mod contact_interactions;
pub mod contacts;
pub mod event_agenda_items;
pub mod event_attendees;
pub mod events;
pub mod expenses;
pub mod integration_logs;
pub mod integrations;
pub mod media;
pub mod media_collection_items;
pub mod media_collections;
pub mod notifications;
pub mod organizations;
pub mod users;

use crate::schema::TableSpec;

/// Every table of the schema, parents before children (the order rows can be applied in).
pub static ALL: &[&TableSpec] = &[
    &organizations::SPEC,
    &users::SPEC,
    &contacts::SPEC,
    &contact_interactions::SPEC,
    &events::SPEC,
    &event_attendees::SPEC,
    &event_agenda_items::SPEC,
    &expenses::SPEC,
    &media::SPEC,
    &media_collections::SPEC,
    &media_collection_items::SPEC,
    &notifications::SPEC,
    &integrations::SPEC,
    &integration_logs::SPEC,
    &analytics_events::SPEC,
    &audit_logs::SPEC,
];

/// The spec of a table by name.
pub fn spec(name: &str) -> Option<&'static TableSpec> {
    ALL.iter().copied().find(|s| s.name == name)
}

/// The derived values a write of `table` may change: each parent table's declaration.
pub fn derived_from(table: &str) -> impl Iterator<Item = (&'static TableSpec, &'static crate::schema::Derived)> + '_ {
    ALL.iter().flat_map(|s| s.derived.iter().map(move |d| (*s, d))).filter(move |(_, d)| d.from == table)
}
