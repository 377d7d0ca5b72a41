//! The schema's two reporting views, as typed queries scoped to the signed-in organization.

use crate::error::Result;
use crate::store::Store;
use crate::tables::contacts::{ContactStatus, ContactType};
use crate::tables::events::{EventStatus, EventType};
use crate::types::{Money, Timestamp};
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

/// One row of `contact_performance_summary`.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ContactPerformance {
    pub contact_type: ContactType,
    pub status: ContactStatus,
    pub total_contacts: i64,
    pub avg_lead_score: f64,
    pub total_interactions: i64,
    pub last_interaction_date: Option<Timestamp>,
}

/// One row of `event_analytics`. Sums and averages are exact; they add amounts of every currency,
/// as the view does.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EventAnalytics {
    pub event_type: EventType,
    pub status: EventStatus,
    pub event_count: i64,
    pub avg_attendees: f64,
    pub total_expenses: Option<Money>,
    #[ts(type = "string | null")]
    pub avg_expense_per_event: Option<Decimal>,
    /// The people met at these events (by a capture there; one person met at two events counts twice).
    pub leads: i64,
}

fn parse<T: FromStr<Err = String>>(i: usize, s: String) -> rusqlite::Result<T> {
    T::from_str(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
}

impl Store {
    /// Contacts grouped by type and status, with interaction counts.
    pub fn contact_performance(&self) -> Result<Vec<ContactPerformance>> {
        let org = self.actor()?.organization_id.to_string();
        let mut st = self.conn.prepare_cached(
            "SELECT contact_type, status, total_contacts, avg_lead_score, total_interactions, last_interaction_date
             FROM contact_performance_summary WHERE organization_id = ?1 ORDER BY contact_type, status",
        )?;
        let rows = st.query_map([org], |r| {
            Ok(ContactPerformance {
                contact_type: parse(0, r.get(0)?)?,
                status: parse(1, r.get(1)?)?,
                total_contacts: r.get(2)?,
                avg_lead_score: r.get::<_, Option<f64>>(3)?.unwrap_or(0.0),
                total_interactions: r.get(4)?,
                last_interaction_date: r.get::<_, Option<String>>(5)?.map(|s| parse(5, s)).transpose()?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Events grouped by type and status, with attendance and spending.
    pub fn event_analytics(&self) -> Result<Vec<EventAnalytics>> {
        let org = self.actor()?.organization_id.to_string();
        let mut st = self.conn.prepare_cached(
            "SELECT event_type, status, event_count, avg_attendees, total_expenses, expense_count
             FROM event_analytics WHERE organization_id = ?1 ORDER BY event_type, status",
        )?;
        let rows = st.query_map([org], |r| {
            let total: Option<i64> = r.get(4)?;
            let count: i64 = r.get(5)?;
            Ok(EventAnalytics {
                event_type: parse(0, r.get(0)?)?,
                status: parse(1, r.get(1)?)?,
                event_count: r.get(2)?,
                avg_attendees: r.get::<_, Option<f64>>(3)?.unwrap_or(0.0),
                total_expenses: total.map(Money::from_hundredths),
                avg_expense_per_event: total.filter(|_| count > 0).map(|t| (Decimal::new(t, 2) / Decimal::from(count)).round_dp(2)),
                leads: 0,
            })
        })?;
        let mut out: Vec<EventAnalytics> = rows.collect::<rusqlite::Result<_>>()?;
        let org = self.actor()?.organization_id.to_string();
        let mut st = self.conn.prepare_cached(
            "SELECT e.event_type, e.status, count(DISTINCT e.id || ' ' || i.contact_id)
             FROM contact_interactions i
             JOIN events e ON e.id = json_extract(i.metadata, '$.event_id') AND e.organization_id = i.organization_id AND NOT e.is_deleted
             JOIN contacts c ON c.id = i.contact_id AND NOT c.is_deleted
             WHERE i.organization_id = ?1 AND NOT i.is_deleted AND i.interaction_type = 'event'
             GROUP BY e.event_type, e.status",
        )?;
        let leads = st.query_map([org], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
        for l in leads {
            let (t, status, n) = l?;
            if let Some(row) = out.iter_mut().find(|a| a.event_type.as_str() == t && a.status.as_str() == status) {
                row.leads = n;
            }
        }
        Ok(out)
    }
}
