//! The device's preferences, as the settings screen shows them. Kept in `local_settings` under
//! `app.*` (never synced); the server link comes from the sync settings.

use crate::error::{Error, Result};
use crate::reminders::ReminderSettings;
use crate::store::Store;
use serde::Serialize;

/// Colour scheme of the window.
pub const THEMES: &[&str] = &["light", "dark"];

/// Everything the settings screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AppSettings {
    #[ts(type = "\"light\" | \"dark\"")]
    pub theme: String,
    /// Whether closing the window keeps reminders and sync running behind the tray.
    pub keep_running: bool,
    /// How long before a follow-up, agenda item or event its reminder fires.
    pub reminder_lead_minutes: i64,
    /// How much room downloaded files may take on this device, in MB.
    pub media_cache_mb: i64,
    pub server_url: Option<String>,
    pub signed_in_as: Option<String>,
    /// How the store is kept on this device ("encrypted (SQLCipher); key in the OS keychain").
    pub at_rest: String,
}

impl Store {
    /// The device's preferences.
    pub fn app_settings(&self) -> Result<AppSettings> {
        let link = self.sync_link()?;
        Ok(AppSettings {
            theme: self.setting("app.theme")?.filter(|t| THEMES.contains(&t.as_str())).unwrap_or_else(|| "light".into()),
            keep_running: self.setting("app.keep_running")?.as_deref() != Some("false"),
            reminder_lead_minutes: self.setting("app.reminder_lead_minutes")?.and_then(|v| v.parse().ok()).unwrap_or(ReminderSettings::default().lead.num_minutes()),
            media_cache_mb: self.setting(crate::files::CACHE_SETTING)?.and_then(|v| v.parse().ok()).unwrap_or(crate::files::CACHE_DEFAULT_MB),
            signed_in_as: link.as_ref().and_then(|l| l.email.clone()),
            at_rest: crate::vault::describe(self.path()),
            server_url: link.map(|l| l.server),
        })
    }

    /// Changes one preference: `theme` (light | dark), `keep_running` (true | false),
    /// `reminder_lead_minutes` (0 to 10080), `media_cache_mb` (0 to 1048576).
    pub fn set_app_setting(&self, key: &str, value: &str) -> Result<()> {
        let v = value.trim();
        let ok = match key {
            "theme" => THEMES.contains(&v),
            "keep_running" => v == "true" || v == "false",
            "reminder_lead_minutes" => v.parse::<i64>().is_ok_and(|m| (0..=10080).contains(&m)),
            "media_cache_mb" => v.parse::<i64>().is_ok_and(|m| (0..=1_048_576).contains(&m)),
            _ => return Err(Error::invalid("key", "invalid_choice", format!("'{key}' is not a setting (theme, keep_running, reminder_lead_minutes, media_cache_mb)"))),
        };
        if !ok {
            let why = match key {
                "theme" => "must be light or dark",
                "keep_running" => "must be true or false",
                "media_cache_mb" => "must be a whole number of megabytes between 0 and 1048576 (1 TB)",
                _ => "must be a whole number of minutes between 0 and 10080 (a week)",
            };
            return Err(Error::invalid(key, "invalid_value", format!("'{v}' {why}")));
        }
        self.set_setting_value(&format!("app.{key}"), v)
    }

    /// When reminders fire, from the preferences.
    pub fn reminder_settings(&self) -> Result<ReminderSettings> {
        let lead = self.app_settings()?.reminder_lead_minutes;
        Ok(ReminderSettings { lead: chrono::Duration::minutes(lead), ..ReminderSettings::default() })
    }
}
