//! Microsoft Teams (calendar), through Microsoft Graph. A desktop app keeps no client secret, so it
//! signs in with the device code flow: the person opens microsoft.com/devicelogin, types the code
//! shown, and signs in there; the app gets a refresh token, which goes to the keychain (the app's
//! client id and tenant are the connection's settings). Each run trades it for an access token
//! (Microsoft then issues a new refresh token, which replaces the old one in the keychain) and asks
//! again shortly before the access token expires or when Graph calls it expired.
//!
//! A run reads the online meetings of the signed-in user's calendar (`GET /v1.0/me/events` with
//! `$filter=isOnlineMeeting eq true`, changed since the last run, times in UTC through
//! `Prefer: outlook.timezone="UTC"`, paged by `@odata.nextLink` to the end) into events, and their
//! attendees into attendees (users of the organization) or contacts with a `meeting` interaction,
//! the same way as Zoom.

use super::http::{CallError, Caller, Policy};
use super::meetings::{Meeting, Person};
use super::{RunCounts, RunError, SecretStore};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::tables::integrations::Integration;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// Microsoft's sign-in and Graph hosts (a connection's `settings.base_url` replaces both).
pub const LOGIN: &str = "https://login.microsoftonline.com";
pub const GRAPH: &str = "https://graph.microsoft.com";
/// The permissions asked for: the calendar, read only, and staying signed in.
pub const SCOPE: &str = "offline_access User.Read Calendars.Read";
/// Events per page.
pub const PAGE: usize = 50;
/// The tenant when none is set: work and school accounts of any organization.
pub const TENANT: &str = "organizations";
/// Graph's documented per-app limit for Outlook resources: 10,000 requests per 10 minutes.
pub const LIMIT: (usize, Duration) = (10_000, Duration::from_secs(600));

fn shape(what: &str) -> CallError {
    CallError::Malformed(format!("Microsoft's answer has no {what}"))
}

/// A sign-in under way: what the person types, and where.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct DeviceCode {
    pub user_code: String,
    pub verification_uri: String,
    /// Microsoft's own words for the person ("To sign in, use a web browser to open…").
    pub message: String,
    /// Seconds the code stays good, and between two polls.
    pub expires_in: u64,
    pub interval: u64,
    /// What the app polls with (not shown).
    #[serde(skip_serializing)]
    #[ts(skip)]
    pub device_code: String,
}

/// Where a connection signs in and reads: hosts, tenant, client id.
#[derive(Debug, Clone)]
pub struct Hosts {
    pub login: String,
    pub graph: String,
    pub tenant: String,
    pub client_id: String,
}

impl Hosts {
    /// From a connection's settings (`client_id`, `tenant`, `base_url`).
    pub fn of(settings: &Value) -> Result<Hosts> {
        let text = |k: &str| settings.get(k).and_then(Value::as_str).map(str::trim).unwrap_or_default().to_owned();
        let client_id = text("client_id");
        if client_id.is_empty() {
            return Err(Error::invalid("client_id", "required", "the Application (client) ID of the app registered in Microsoft Entra ID"));
        }
        let tenant = match text("tenant") {
            t if t.is_empty() => TENANT.to_owned(),
            t => t,
        };
        if !tenant.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.')) {
            return Err(Error::invalid("tenant", "invalid_tenant", "a tenant id or domain (contoso.onmicrosoft.com), or organizations"));
        }
        let base = settings.get("base_url").and_then(Value::as_str).map(|b| b.trim().trim_end_matches('/').to_owned());
        Ok(Hosts { login: base.clone().unwrap_or_else(|| LOGIN.to_owned()), graph: base.unwrap_or_else(|| GRAPH.to_owned()), tenant, client_id })
    }

    fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.login, self.tenant)
    }
}

fn oauth_error(status: u16, body: &Value, message: String) -> CallError {
    let code = body.get("error").and_then(Value::as_str).unwrap_or_default();
    match code {
        "invalid_grant" | "invalid_client" | "unauthorized_client" | "interaction_required" => {
            CallError::Unauthorized(format!("Microsoft refused the sign-in ({code}): sign in again"))
        }
        _ => CallError::Rejected { status, message, body: body.clone() },
    }
}

/// Starts a sign-in: the code to show.
pub async fn start_sign_in(http: &reqwest::Client, hosts: &Hosts) -> std::result::Result<DeviceCode, CallError> {
    let mut c = Caller::new(http.clone(), 10, Duration::from_secs(1), None, Policy::default());
    let url = format!("{}/{}/oauth2/v2.0/devicecode", hosts.login, hosts.tenant);
    let v = match c.json(|h| h.post(&url).form(&[("client_id", hosts.client_id.as_str()), ("scope", SCOPE)])).await {
        Ok((_, v)) => v,
        Err(CallError::Rejected { status, message, body }) => return Err(oauth_error(status, &body, message)),
        Err(e) => return Err(e),
    };
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| shape(k));
    Ok(DeviceCode {
        user_code: text("user_code")?,
        verification_uri: text("verification_uri")?,
        message: text("message")?,
        expires_in: v.get("expires_in").and_then(Value::as_u64).unwrap_or(900),
        interval: v.get("interval").and_then(Value::as_u64).unwrap_or(5).max(1),
        device_code: text("device_code")?,
    })
}

/// Waits for the person to sign in (polling at Microsoft's interval, slower when told); the
/// refresh token. Declined or expired: a refusal in words.
pub async fn finish_sign_in(http: &reqwest::Client, hosts: &Hosts, code: &DeviceCode) -> std::result::Result<String, CallError> {
    let mut c = Caller::new(http.clone(), 10, Duration::from_secs(1), None, Policy::default());
    let url = hosts.token_url();
    let until = Instant::now() + Duration::from_secs(code.expires_in);
    let mut interval = Duration::from_secs(code.interval);
    loop {
        tokio::time::sleep(interval).await;
        let form = [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", hosts.client_id.as_str()), ("device_code", code.device_code.as_str())];
        match c.json(|h| h.post(&url).form(&form)).await {
            Ok((_, v)) => return v.get("refresh_token").and_then(Value::as_str).map(str::to_owned).ok_or_else(|| shape("refresh_token (was offline_access granted?)")),
            Err(CallError::Rejected { status, message, body }) => match body.get("error").and_then(Value::as_str).unwrap_or_default() {
                "authorization_pending" if Instant::now() < until => {}
                "slow_down" => interval += Duration::from_secs(5),
                "authorization_declined" => return Err(CallError::Unauthorized("the sign-in was declined".into())),
                "expired_token" | "authorization_pending" => return Err(CallError::Unauthorized("the code expired before the sign-in: start again".into())),
                _ => return Err(oauth_error(status, &body, message)),
            },
            Err(e) => return Err(e),
        }
    }
}

/// An HTTP client for signing in.
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().map_err(|e| Error::Offline(e.to_string()))
}

/// The whole sign-in: the code is handed to `show` (to put in front of the person), then the
/// refresh token once they signed in.
pub async fn sign_in(hosts: &Hosts, show: impl FnOnce(&DeviceCode)) -> Result<String> {
    let http = client()?;
    let code = start_sign_in(&http, hosts).await.map_err(sign_in_error)?;
    show(&code);
    finish_sign_in(&http, hosts, &code).await.map_err(sign_in_error)
}

/// A sign-in that did not end with a token, in words.
pub fn sign_in_error(e: CallError) -> Error {
    match e {
        CallError::Offline(m) => Error::Offline(m),
        CallError::Unauthorized(m) => Error::conflict(Some("client_id"), "sign_in", m),
        e => Error::conflict(None, "sign_in", e.to_string()),
    }
}

impl Store {
    /// Connects Teams with the refresh token a sign-in gave (into the keychain).
    pub fn connect_teams(&self, secrets: &dyn SecretStore, settings: &Map<String, Value>, refresh_token: &str) -> Result<Integration> {
        self.connect_integration_with(secrets, "teams", "calendar", refresh_token, settings)
    }
}

/// One run's Microsoft side.
pub(super) struct Teams<'a> {
    caller: Caller,
    hosts: Hosts,
    refresh: String,
    secrets: &'a dyn SecretStore,
    keychain_ref: String,
    token: Option<(String, Instant)>,
}

impl<'a> Teams<'a> {
    pub(super) fn new(http: reqwest::Client, _base: Option<&str>, settings: &Value, refresh: String, secrets: &'a dyn SecretStore, keychain_ref: String) -> Result<Teams<'a>> {
        Ok(Teams { caller: Caller::new(http, LIMIT.0, LIMIT.1, None, Policy::default()), hosts: Hosts::of(settings)?, refresh, secrets, keychain_ref, token: None })
    }

    pub(super) fn requests(&self) -> (u64, u64) {
        (self.caller.requests, self.caller.throttled)
    }

    /// An access token good for a while yet. A new one comes with a new refresh token, which
    /// replaces the old one in the keychain at once.
    async fn token(&mut self) -> std::result::Result<String, RunError> {
        if let Some((t, until)) = &self.token {
            if Instant::now() < *until {
                return Ok(t.clone());
            }
        }
        let url = self.hosts.token_url();
        let form = [("grant_type", "refresh_token"), ("client_id", self.hosts.client_id.as_str()), ("refresh_token", self.refresh.as_str()), ("scope", SCOPE)];
        let form: Vec<(String, String)> = form.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let v = match self.caller.json(|h| h.post(&url).form(&form)).await {
            Ok((_, v)) => v,
            Err(CallError::Rejected { status, message, body }) => return Err(oauth_error(status, &body, message).into()),
            Err(e) => return Err(e.into()),
        };
        let token = v.get("access_token").and_then(Value::as_str).ok_or_else(|| shape("access_token"))?.to_owned();
        if let Some(r) = v.get("refresh_token").and_then(Value::as_str).filter(|r| *r != self.refresh) {
            self.secrets.set(&self.keychain_ref, r)?;
            self.refresh = r.to_owned();
        }
        let life = Duration::from_secs(v.get("expires_in").and_then(Value::as_u64).unwrap_or(3600));
        let until = Instant::now() + life - (life / 10).min(Duration::from_secs(120));
        self.token = Some((token.clone(), until));
        Ok(token)
    }

    /// A GET of Graph (an absolute URL); a token refused as expired is asked for again once.
    async fn get(&mut self, url: &str) -> std::result::Result<Value, RunError> {
        for attempt in 0..2 {
            let token = self.token().await?;
            match self.caller.json(|h| h.get(url).bearer_auth(&token).header("Prefer", "outlook.timezone=\"UTC\"")).await {
                Ok((_, v)) => return Ok(v),
                Err(CallError::Unauthorized(m)) if attempt == 0 => {
                    tracing::debug!(reason = %m, "Graph refused the access token; asking for a new one");
                    self.token = None;
                }
                Err(e) => return Err(e.into()),
            }
        }
        unreachable!("the second attempt returns")
    }
}

/// A Graph time (`{"dateTime": "2026-12-01T15:00:00.0000000", "timeZone": "UTC"}`) in UTC.
fn graph_time(v: &Value) -> Option<DateTime<Utc>> {
    let t = v.get("dateTime")?.as_str()?;
    let zone = v.get("timeZone").and_then(Value::as_str).unwrap_or("UTC");
    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    match zone {
        "UTC" | "Etc/UTC" | "" => Some(naive.and_utc()),
        z => z.parse::<chrono_tz::Tz>().ok().and_then(|tz| naive.and_local_timezone(tz).earliest()).map(|t| t.with_timezone(&Utc)),
    }
}

/// A Graph event as a meeting.
fn meeting_of(e: &Value) -> std::result::Result<Meeting, CallError> {
    let id = e.get("id").and_then(Value::as_str).ok_or_else(|| shape("id on an event"))?;
    let start = e.get("start").and_then(graph_time).ok_or_else(|| shape("a start time on an event"))?;
    let end = e.get("end").and_then(graph_time).ok_or_else(|| shape("an end time on an event"))?;
    let mut ids = Map::new();
    ids.insert("teams_event_id".into(), json!(id));
    Ok(Meeting {
        key: format!("teams:{id}"),
        title: e.get("subject").and_then(Value::as_str).unwrap_or("Teams meeting").to_owned(),
        description: e.get("bodyPreview").and_then(Value::as_str).map(str::to_owned),
        start,
        end,
        timezone: e.get("originalStartTimeZone").and_then(Value::as_str).map(iana_zone).unwrap_or_else(|| "UTC".into()),
        join_url: e.pointer("/onlineMeeting/joinUrl").and_then(Value::as_str).map(str::to_owned),
        cancelled: e.get("isCancelled").and_then(Value::as_bool).unwrap_or(false),
        ids,
    })
}

/// A zone as Outlook names it (a Windows name such as "W. Europe Standard Time", or an IANA one)
/// in IANA's words, through CLDR's mapping; "UTC" for a zone with no IANA match (a custom one).
pub fn iana_zone(z: &str) -> String {
    let z = z.trim();
    if z.parse::<chrono_tz::Tz>().is_ok() {
        return z.to_owned();
    }
    localzone::win_zone_to_iana(z, None).filter(|i| i.parse::<chrono_tz::Tz>().is_ok()).unwrap_or("UTC").to_owned()
}

fn attendees(e: &Value) -> Vec<Person> {
    e.get("attendees")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        // A room or a piece of equipment is not a person.
        .filter(|a| a.get("type").and_then(Value::as_str) != Some("resource"))
        .filter(|a| a.pointer("/status/response").and_then(Value::as_str) != Some("declined"))
        .map(|a| Person {
            name: a.pointer("/emailAddress/name").and_then(Value::as_str).unwrap_or_default().to_owned(),
            email: a.pointer("/emailAddress/address").and_then(Value::as_str).unwrap_or_default().to_owned(),
            attended: false,
        })
        .collect()
}

impl Store {
    pub(super) async fn teams_run(&self, t: &mut Teams<'_>, i: &Integration, metadata: &mut Map<String, Value>, counts: &mut RunCounts) -> std::result::Result<(), RunError> {
        let since = metadata.get("events_changed_since").and_then(Value::as_str).map(str::to_owned);
        let mut filter = "isOnlineMeeting eq true".to_owned();
        if let Some(s) = &since {
            filter.push_str(&format!(" and lastModifiedDateTime ge {s}"));
        }
        let select = "id,subject,bodyPreview,start,end,originalStartTimeZone,isOnlineMeeting,onlineMeeting,isCancelled,lastModifiedDateTime,attendees,organizer";
        let mut url =
            reqwest::Url::parse_with_params(&format!("{}/v1.0/me/events", t.hosts.graph), &[("$filter", filter.as_str()), ("$select", select), ("$top", &PAGE.to_string())])
                .map_err(|e| RunError::Call(CallError::Malformed(e.to_string())))?
                .to_string();
        let mut newest = since.clone();
        loop {
            let v = t.get(&url).await?;
            let events = v.get("value").and_then(Value::as_array).ok_or_else(|| shape("value"))?;
            // The whole page is read before anything of it is written.
            let page: Vec<(Meeting, Vec<Person>, Option<String>)> = events
                .iter()
                .map(|e| Ok((meeting_of(e)?, attendees(e), e.get("lastModifiedDateTime").and_then(Value::as_str).map(str::to_owned))))
                .collect::<std::result::Result<_, CallError>>()?;
            let next = v.get("@odata.nextLink").and_then(Value::as_str).map(str::to_owned);
            for (m, people, modified) in page {
                let (event, changed) = self.take_meeting(i.id, &m, "teams")?;
                counts.pulled += u64::from(changed);
                if let Some(event) = event {
                    let taken = self.take_people(i.id, event, &m, &people, "teams")?;
                    counts.pulled += taken.made;
                    counts.skipped += taken.skipped;
                }
                if let Some(modified) = modified {
                    if newest.as_deref().is_none_or(|n| later(&modified, n)) {
                        newest = Some(modified);
                    }
                }
            }
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        if let Some(n) = newest {
            // Graph's filter takes seconds: the newest change, to the second.
            let n = DateTime::parse_from_rfc3339(&n).map(|t| t.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or(n);
            metadata.insert("events_changed_since".into(), json!(n));
        }
        Ok(())
    }
}

fn later(a: &str, b: &str) -> bool {
    match (DateTime::parse_from_rfc3339(a), DateTime::parse_from_rfc3339(b)) {
        (Ok(a), Ok(b)) => a > b,
        _ => a > b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times_are_read_in_their_zone() {
        let utc = graph_time(&json!({ "dateTime": "2026-12-01T15:00:00.0000000", "timeZone": "UTC" })).unwrap();
        assert_eq!(utc.to_rfc3339(), "2026-12-01T15:00:00+00:00");
        let paris = graph_time(&json!({ "dateTime": "2026-12-01T16:00:00.0000000", "timeZone": "Europe/Paris" })).unwrap();
        assert_eq!(paris, utc);
        assert!(graph_time(&json!({ "dateTime": "soon", "timeZone": "UTC" })).is_none());
        assert_eq!(iana_zone("W. Europe Standard Time"), "Europe/Berlin");
        assert_eq!(iana_zone("Pacific Standard Time"), "America/Los_Angeles");
        assert_eq!(iana_zone("Europe/Paris"), "Europe/Paris");
        assert_eq!(iana_zone("tzone://Microsoft/Custom"), "UTC");
    }
}
