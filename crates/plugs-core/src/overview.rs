//! What the screens summarize: the home page, a record's audit history, expense totals and the
//! breakdowns behind the charts. Read-only queries scoped to the signed-in organization.

use crate::error::{Error, Result};
use crate::repo::{self, Filter, ListQuery};
use crate::schema::TableSpec;
use crate::store::Store;
use crate::tables::{audit_logs::AuditLog, contact_interactions::ContactInteraction, contacts::Contact, events::Event, expenses::ExpenseType, notifications::Notification};
use crate::types::{Money, Timestamp};
use chrono::{Duration, Local, NaiveTime, TimeZone, Utc};
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::Serialize;
use serde_json::Value;
use std::str::FromStr;
use uuid::Uuid;

/// A scheduled interaction due soon (or overdue), with whom it is.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct FollowUp {
    pub interaction: ContactInteraction,
    pub contact_name: String,
    pub overdue: bool,
}

/// How far back Home's "people you just met" looks.
const RECENT_DAYS: i64 = 14;

/// The home page: what needs attention now.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct HomeSummary {
    pub follow_ups: Vec<FollowUp>,
    pub events_today: Vec<Event>,
    pub events_upcoming: Vec<Event>,
    pub unread: Vec<Notification>,
    pub unread_count: i64,
    pub pending_changes: i64,
    /// The people the signed-in user met lately (contacts they added in the last two weeks),
    /// newest first.
    pub recent_captures: Vec<Contact>,
    /// Contacts whose next touch has passed, the most overdue first (the first 20).
    pub losing_touch: Vec<crate::touch::LosingTouch>,
}

/// Spending in one currency, for one event or (event_id None) in all.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ExpenseTotal {
    pub currency: String,
    pub event_id: Option<Uuid>,
    pub event_name: Option<String>,
    pub count: i64,
    #[ts(type = "string")]
    pub total: Money,
}

/// A count per value of a column.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Bucket {
    pub key: String,
    pub count: i64,
}

/// Spending per expense type and currency.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ExpenseBucket {
    pub expense_type: ExpenseType,
    pub currency: String,
    pub count: i64,
    #[ts(type = "string")]
    pub total: Money,
}

/// The signed-in user's unread, unexpired notifications (?1 organization, ?2 user, ?3 now).
const UNREAD: &str = "organization_id = ?1 AND user_id = ?2 AND NOT is_deleted AND NOT is_read AND (expires_at IS NULL OR expires_at > ?3)";

/// How far ahead the home page looks for follow-ups and events.
const HORIZON_DAYS: i64 = 14;

fn rows<T: serde::de::DeserializeOwned>(store: &Store, spec: &'static TableSpec, sql_where: &str, params: Vec<SqlValue>, tail: &str) -> Result<Vec<T>> {
    let recs = repo::select(store.connection(), spec, sql_where, params, tail)?;
    recs.into_iter().map(|r| serde_json::from_value(Value::Object(r)).map_err(|e| Error::invalid(spec.name, "corrupt_row", e.to_string()))).collect()
}

fn text(s: impl ToString) -> SqlValue {
    SqlValue::Text(s.to_string())
}

impl Store {
    /// Follow-ups due within two weeks (overdue first), today's and upcoming events, unread
    /// notifications. "Today" is the local calendar day of this machine.
    pub fn home_summary(&self) -> Result<HomeSummary> {
        let a = self.actor()?;
        let now = self.now();
        let org = text(a.organization_id);
        let horizon = Timestamp::from_datetime(now.as_datetime() + Duration::days(HORIZON_DAYS));
        let local_day = now.as_datetime().with_timezone(&Local).date_naive();
        let day_start = Local.from_local_datetime(&local_day.and_time(NaiveTime::MIN)).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or(now.as_datetime());
        let (today_start, today_end) = (Timestamp::from_datetime(day_start), Timestamp::from_datetime(day_start + Duration::days(1)));

        let interactions: Vec<ContactInteraction> = rows(
            self,
            &crate::tables::contact_interactions::SPEC,
            "organization_id = ?1 AND user_id = ?2 AND status = 'scheduled' AND NOT is_deleted AND interaction_date <= ?3",
            vec![org.clone(), text(a.user_id), text(horizon)],
            "ORDER BY interaction_date, id LIMIT 50",
        )?;
        let mut follow_ups = Vec::with_capacity(interactions.len());
        for i in interactions {
            let name: String = self
                .connection()
                .prepare_cached("SELECT trim(first_name || ' ' || last_name) FROM contacts WHERE id = ?1")?
                .query_row([i.contact_id.to_string()], |r| r.get(0))
                .unwrap_or_default();
            let overdue = i.interaction_date < now;
            follow_ups.push(FollowUp { interaction: i, contact_name: name, overdue });
        }
        let events_today = rows(
            self,
            &crate::tables::events::SPEC,
            "organization_id = ?1 AND NOT is_deleted AND status <> 'cancelled' AND start_date < ?3 AND end_date >= ?2",
            vec![org.clone(), text(today_start), text(today_end)],
            "ORDER BY start_date, id LIMIT 20",
        )?;
        let events_upcoming = rows(
            self,
            &crate::tables::events::SPEC,
            "organization_id = ?1 AND NOT is_deleted AND status <> 'cancelled' AND start_date >= ?2 AND start_date < ?3",
            vec![org.clone(), text(today_end), text(horizon)],
            "ORDER BY start_date, id LIMIT 20",
        )?;
        let unread = rows(self, &crate::tables::notifications::SPEC, UNREAD, vec![org, text(a.user_id), text(now)], "ORDER BY created_at DESC, id LIMIT 20")?;
        let unread_count = self.unread_count()?;
        let since = Timestamp::from_datetime(now.as_datetime() - Duration::days(RECENT_DAYS));
        let recent_captures = rows(
            self,
            &crate::tables::contacts::SPEC,
            "organization_id = ?1 AND created_by = ?2 AND NOT is_deleted AND created_at >= ?3",
            vec![text(a.organization_id), text(a.user_id), text(since)],
            "ORDER BY created_at DESC, id DESC LIMIT 8",
        )?;
        Ok(HomeSummary {
            follow_ups,
            events_today,
            events_upcoming,
            unread,
            unread_count,
            pending_changes: self.pending_changes()?,
            recent_captures,
            losing_touch: self.losing_touch(self.now(), 20)?,
        })
    }

    /// How many of the signed-in user's notifications are unread (and not expired).
    pub fn unread_count(&self) -> Result<i64> {
        let a = self.actor()?;
        let now = self.now();
        Ok(self
            .connection()
            .prepare_cached(&format!("SELECT count(*) FROM notifications WHERE {UNREAD}"))?
            .query_row(params_from_iter([text(a.organization_id), text(a.user_id), text(now)]), |r| r.get(0))?)
    }

    /// Every audit row of one record, newest first.
    pub fn audit_history(&self, table: &str, id: Uuid) -> Result<Vec<AuditLog>> {
        let a = self.actor()?;
        Store::spec(table).ok_or_else(|| Error::invalid("table", "unknown_table", format!("there is no table '{table}'")))?;
        rows(
            self,
            &crate::tables::audit_logs::SPEC,
            "organization_id = ?1 AND table_name = ?2 AND record_id = ?3",
            vec![text(a.organization_id), text(table), text(id)],
            "ORDER BY created_at DESC, id DESC LIMIT 500",
        )
    }

    /// Totals of the expenses a list would show (same filters), per currency and event, and per
    /// currency over all events (rows with no event id). Exact sums.
    pub fn expense_totals(&self, filters: &[Filter]) -> Result<Vec<ExpenseTotal>> {
        let a = self.actor()?;
        let spec = &crate::tables::expenses::SPEC;
        let mut params = vec![text(a.organization_id)];
        let mut conds = vec!["x.organization_id = ?1".to_owned(), "NOT x.is_deleted".to_owned()];
        conds.extend(repo::filter_sql(spec, filters, &mut params, "x.")?);
        let sql = format!(
            "SELECT x.currency, x.event_id, e.title, count(*), sum(x.amount) FROM expenses x LEFT JOIN events e ON e.id = x.event_id
             WHERE {} GROUP BY x.currency, x.event_id ORDER BY x.currency, e.title",
            conds.join(" AND ")
        );
        let mut per_event: Vec<ExpenseTotal> = self
            .connection()
            .prepare_cached(&sql)?
            .query_map(params_from_iter(params), |r| {
                Ok(ExpenseTotal {
                    currency: r.get(0)?,
                    event_id: r.get::<_, Option<String>>(1)?.and_then(|s| Uuid::parse_str(&s).ok()),
                    event_name: r.get(2)?,
                    count: r.get(3)?,
                    total: Money::from_hundredths(r.get(4)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut out: Vec<ExpenseTotal> = Vec::new();
        for t in &per_event {
            match out.iter_mut().find(|o| o.currency == t.currency) {
                Some(o) => {
                    o.count += t.count;
                    o.total = Money::from_hundredths(o.total.hundredths() + t.total.hundredths());
                }
                None => out.push(ExpenseTotal { currency: t.currency.clone(), event_id: None, event_name: None, count: t.count, total: t.total }),
            }
        }
        // Expenses without an event belong to the currency total only.
        per_event.retain(|t| t.event_id.is_some());
        out.extend(per_event);
        Ok(out)
    }

    /// Contacts per lead status.
    pub fn lead_status_breakdown(&self) -> Result<Vec<Bucket>> {
        let a = self.actor()?;
        let mut st = self
            .connection()
            .prepare_cached("SELECT status, count(*) FROM contacts WHERE organization_id = ?1 AND NOT is_deleted GROUP BY status ORDER BY count(*) DESC, status")?;
        let r = st.query_map([a.organization_id.to_string()], |r| Ok(Bucket { key: r.get(0)?, count: r.get(1)? }))?.collect::<rusqlite::Result<_>>()?;
        Ok(r)
    }

    /// Spending per expense type and currency (rejected expenses left out).
    pub fn expense_breakdown(&self) -> Result<Vec<ExpenseBucket>> {
        let a = self.actor()?;
        let mut st = self.connection().prepare_cached(
            "SELECT expense_type, currency, count(*), sum(amount) FROM expenses
             WHERE organization_id = ?1 AND NOT is_deleted AND status <> 'rejected' GROUP BY expense_type, currency ORDER BY currency, sum(amount) DESC",
        )?;
        let r = st
            .query_map([a.organization_id.to_string()], |r| {
                let t: String = r.get(0)?;
                Ok((t, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<(String, String, i64, i64)>>>()?;
        r.into_iter()
            .map(|(t, currency, count, sum)| {
                Ok(ExpenseBucket {
                    expense_type: ExpenseType::from_str(&t).map_err(|e| Error::invalid("expense_type", "corrupt_row", e))?,
                    currency,
                    count,
                    total: Money::from_hundredths(sum),
                })
            })
            .collect()
    }

    /// A list request's row count (see [`crate::Table::count`]).
    pub fn count_rows(&self, table: &str, q: &ListQuery) -> Result<i64> {
        self.table(table)?.count(q)
    }
}
