//! Zoom (video), with a Server-to-Server OAuth app: the account id and client id are the
//! connection's settings, the client secret is in the keychain. An access token is asked for at
//! the start of a run (`POST https://zoom.us/oauth/token?grant_type=account_credentials`), asked
//! for again shortly before it expires and when Zoom calls it expired.
//!
//! A run reads the user's meetings (`GET /v2/users/me/meetings`, scheduled and previous ones, paged
//! by `next_page_token`) into events (`meeting`, times in UTC, the meeting's time zone kept), then
//! each meeting's registrants (`GET /v2/meetings/{id}/registrants`) and, once it has ended, its
//! participants (`GET /v2/past_meetings/{uuid}/participants`), page by page: users of the
//! organization become attendees, others contacts with a `meeting` interaction (see
//! `meetings.rs`). Each page is taken in one transaction with its links, so a run killed halfway
//! and run again takes each person once. A meeting whose participants were all taken is not read
//! again.

use super::http::{CallError, Caller, Policy, RateHeaders};
use super::meetings::{Meeting, Person};
use super::{RunCounts, RunError};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::tables::integrations::Integration;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Zoom's API and OAuth hosts (a connection's `settings.base_url` replaces both, for a test).
pub const API: &str = "https://api.zoom.us";
pub const OAUTH: &str = "https://zoom.us";
/// Zoom's "Medium" rate limit for a Pro account: 20 requests a second.
pub const LIMIT: (usize, Duration) = (20, Duration::from_secs(1));
/// Participants and meetings per page (Zoom gives up to 300).
pub const PAGE: usize = 100;

fn shape(what: &str) -> CallError {
    CallError::Malformed(format!("Zoom's answer has no {what}"))
}

/// One run's Zoom side.
pub(super) struct Zoom {
    caller: Caller,
    api: String,
    oauth: String,
    account: String,
    client: String,
    secret: String,
    token: Option<(String, Instant)>,
}

impl Zoom {
    pub(super) fn new(http: reqwest::Client, base: Option<&str>, settings: &Value, secret: String) -> Result<Zoom> {
        let text = |k: &str| settings.get(k).and_then(Value::as_str).map(str::trim).unwrap_or_default().to_owned();
        let (account, client) = (text("account_id"), text("client_id"));
        if account.is_empty() || client.is_empty() {
            return Err(Error::conflict(Some("settings"), "required", "the Zoom connection needs its app's Account ID and Client ID: connect Zoom again"));
        }
        let base = base.map(|b| b.trim_end_matches('/').to_owned());
        Ok(Zoom {
            caller: Caller::new(http, LIMIT.0, LIMIT.1, Some(RateHeaders { max: "x-ratelimit-limit", interval_ms: "x-ratelimit-interval-ms" }), Policy::default()),
            api: format!("{}/v2", base.as_deref().unwrap_or(API)),
            oauth: base.unwrap_or_else(|| OAUTH.to_owned()),
            account,
            client,
            secret,
            token: None,
        })
    }

    pub(super) fn requests(&self) -> (u64, u64) {
        (self.caller.requests, self.caller.throttled)
    }

    /// A token good for a while yet: the one held, or a new one.
    async fn token(&mut self) -> std::result::Result<String, CallError> {
        if let Some((t, until)) = &self.token {
            if Instant::now() < *until {
                return Ok(t.clone());
            }
        }
        let url = format!("{}/oauth/token", self.oauth);
        let (client, secret, account) = (self.client.clone(), self.secret.clone(), self.account.clone());
        let v = match self.caller.json(|h| h.post(&url).basic_auth(&client, Some(&secret)).query(&[("grant_type", "account_credentials"), ("account_id", account.as_str())])).await
        {
            Ok((_, v)) => v,
            // Zoom answers a wrong account or client with 400 or 401: the credential is refused.
            Err(CallError::Rejected { status: 400, message, .. }) => return Err(CallError::Unauthorized(message)),
            Err(e) => return Err(e),
        };
        let token = v.get("access_token").and_then(Value::as_str).ok_or_else(|| shape("access_token"))?.to_owned();
        let life = Duration::from_secs(v.get("expires_in").and_then(Value::as_u64).unwrap_or(3600));
        // Asked for again a minute before it expires (a tenth of its life, for a short one).
        let until = Instant::now() + life - (life / 10).min(Duration::from_secs(60));
        self.token = Some((token.clone(), until));
        Ok(token)
    }

    /// A GET of the API (a path with its query): a token refused as expired is asked for again once.
    async fn get(&mut self, path: &str) -> std::result::Result<Value, CallError> {
        let url = format!("{}{path}", self.api);
        for attempt in 0..2 {
            let token = self.token().await?;
            match self.caller.json(|h| h.get(&url).bearer_auth(&token)).await {
                Ok((_, v)) => return Ok(v),
                Err(CallError::Unauthorized(m)) if attempt == 0 => {
                    tracing::debug!(reason = %m, "Zoom refused the access token; asking for a new one");
                    self.token = None;
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the second attempt returns")
    }

    /// Every page of a list, through `next_page_token`; each page handed to `each` as it comes.
    async fn pages(&mut self, path: &str, key: &str, mut each: impl FnMut(&[Value]) -> std::result::Result<(), RunError>) -> std::result::Result<(), RunError> {
        let mut token = String::new();
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let mut p = format!("{path}{sep}page_size={PAGE}");
            if !token.is_empty() {
                p.push_str(&format!("&next_page_token={}", enc(&token)));
            }
            let v = self.get(&p).await?;
            let items = v.get(key).and_then(Value::as_array).ok_or_else(|| shape(key))?;
            each(items)?;
            token = v.get("next_page_token").and_then(Value::as_str).unwrap_or_default().to_owned();
            if token.is_empty() {
                return Ok(());
            }
        }
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A meeting UUID in a path: encoded, and encoded twice when it starts with `/` or holds `//`
/// (as Zoom asks).
pub fn uuid_in_path(uuid: &str) -> String {
    if uuid.starts_with('/') || uuid.contains("//") {
        enc(&enc(uuid))
    } else {
        enc(uuid)
    }
}

fn time(v: &Value, k: &str) -> Option<DateTime<Utc>> {
    v.get(k).and_then(Value::as_str).and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|t| t.with_timezone(&Utc))
}

/// A Zoom meeting as an event.
fn meeting_of(m: &Value) -> std::result::Result<Option<(Meeting, i64)>, CallError> {
    let uuid = m.get("uuid").and_then(Value::as_str).ok_or_else(|| shape("uuid on a meeting"))?;
    let id = m.get("id").and_then(Value::as_i64).ok_or_else(|| shape("id on a meeting"))?;
    // An instant meeting that never started has no time: nothing to keep.
    let Some(start) = time(m, "start_time") else { return Ok(None) };
    let minutes = m.get("duration").and_then(Value::as_i64).unwrap_or(60).max(1);
    let mut ids = Map::new();
    ids.insert("zoom_meeting_id".into(), json!(id));
    ids.insert("zoom_uuid".into(), json!(uuid));
    Ok(Some((
        Meeting {
            key: format!("zoom:{uuid}"),
            title: m.get("topic").and_then(Value::as_str).unwrap_or("Zoom meeting").to_owned(),
            description: m.get("agenda").and_then(Value::as_str).map(str::to_owned),
            start,
            end: start + chrono::Duration::minutes(minutes),
            timezone: m.get("timezone").and_then(Value::as_str).filter(|t| !t.is_empty()).unwrap_or("UTC").to_owned(),
            join_url: m.get("join_url").and_then(Value::as_str).map(str::to_owned),
            cancelled: false,
            ids,
        },
        id,
    )))
}

fn people(items: &[Value], attended: bool) -> Vec<Person> {
    items
        .iter()
        .map(|p| {
            let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
            let name = match text("name") {
                n if n.is_empty() => format!("{} {}", text("first_name"), text("last_name")).trim().to_owned(),
                n => n,
            };
            let email = match text("user_email") {
                e if e.is_empty() => text("email"),
                e => e,
            };
            Person { name, email, attended }
        })
        .collect()
}

impl Store {
    pub(super) async fn zoom_run(&self, z: &mut Zoom, i: &Integration, _metadata: &mut Map<String, Value>, counts: &mut RunCounts) -> std::result::Result<(), RunError> {
        let mut meetings: Vec<(Meeting, i64)> = vec![];
        let mut seen = BTreeSet::new();
        for kind in ["scheduled", "previous_meetings"] {
            let mut page_err = None;
            z.pages(&format!("/users/me/meetings?type={kind}"), "meetings", |items| {
                for m in items {
                    match meeting_of(m) {
                        Ok(Some((m, id))) if seen.insert(m.key.clone()) => meetings.push((m, id)),
                        Ok(_) => {}
                        Err(e) => page_err = Some(e),
                    }
                }
                Ok(())
            })
            .await?;
            if let Some(e) = page_err {
                return Err(e.into());
            }
        }
        let now = self.now().as_datetime();
        for (m, id) in &meetings {
            let (event, changed) = self.take_meeting(i.id, m, "zoom")?;
            counts.pulled += u64::from(changed);
            let Some(event) = event else { continue };
            if self.meeting_done(i.id, &m.key)? {
                continue;
            }
            let mut taken = super::meetings::Taken::default();
            // Registrants (a meeting without registration has none: Zoom says so with a 4xx).
            let r = z
                .pages(&format!("/meetings/{id}/registrants?status=approved"), "registrants", |items| {
                    let t = self.take_people(i.id, event, m, &people(items, false), "zoom")?;
                    taken.made += t.made;
                    taken.skipped += t.skipped;
                    Ok(())
                })
                .await;
            match r {
                Ok(()) | Err(RunError::Call(CallError::Rejected { status: 300..=404, .. })) => {}
                Err(e) => return Err(e),
            }
            if m.end < now {
                let r = z
                    .pages(&format!("/past_meetings/{}/participants", uuid_in_path(&m.key["zoom:".len()..])), "participants", |items| {
                        let t = self.take_people(i.id, event, m, &people(items, true), "zoom")?;
                        taken.made += t.made;
                        taken.skipped += t.skipped;
                        Ok(())
                    })
                    .await;
                match r {
                    Ok(()) => self.set_meeting_done(i.id, event, &m.key)?,
                    // Not held (Zoom: "Meeting does not exist"): nobody came.
                    Err(RunError::Call(CallError::Rejected { status: 404, .. })) => {}
                    Err(e) => return Err(e),
                }
            }
            counts.pulled += taken.made;
            counts.skipped += taken.skipped;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_with_slashes_are_encoded_twice() {
        assert_eq!(super::uuid_in_path("4444AAAiAAAAAiAiAiiAii=="), "4444AAAiAAAAAiAiAiiAii%3D%3D");
        assert_eq!(super::uuid_in_path("/ajXp112QmuoKj4854875=="), "%252FajXp112QmuoKj4854875%253D%253D");
        assert_eq!(super::uuid_in_path("ab//cd"), "ab%252F%252Fcd");
    }
}
