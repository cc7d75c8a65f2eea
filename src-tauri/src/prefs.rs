//! The desktop's own preferences — its look, how long a copied key stays on the clipboard, the
//! in-process gateway's port, start at login, close to tray — stored beside the core's shared
//! settings, and what the Settings page edits: both, as one flat object.

use std::sync::atomic::Ordering;

use keyward_core::error::Invalid;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

use crate::ipc_error::{DesktopProblem, IpcError};
use crate::AppState;

pub const CLIPBOARD_CLEAR_SECS: std::ops::RangeInclusive<i64> = 5..=600;
pub const GATEWAY_PORTS: std::ops::RangeInclusive<i64> = 1024..=65535;

#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Follow the desktop's language (Japanese for `ja*`, else English).
    System,
    En,
    Ja,
}

#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    System,
    Light,
    Dark,
}

/// TS: flattened into [`Settings`], not exported on its own.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// A copied key is wiped from the clipboard after this many seconds (5–600).
    pub clipboard_clear_secs: u32,
    /// The in-process gateway listens on 127.0.0.1 at this port.
    pub gateway_port: u16,
    pub start_at_login: bool,
    /// Closing the window keeps Keyward in the tray (gateway and reminders keep running).
    pub close_to_tray: bool,
    pub language: Language,
    pub theme: Theme,
}

impl Default for Prefs {
    fn default() -> Prefs {
        Prefs {
            clipboard_clear_secs: 30,
            gateway_port: 8790,
            start_at_login: false,
            close_to_tray: true,
            language: Language::System,
            theme: Theme::System,
        }
    }
}

impl Prefs {
    pub fn validate(&self) -> Result<(), Invalid> {
        Invalid::check_range("clipboard_clear_secs", self.clipboard_clear_secs.into(), CLIPBOARD_CLEAR_SECS)?;
        Invalid::check_range("gateway_port", self.gateway_port.into(), GATEWAY_PORTS)
    }
}

/// The Settings page: the settings every front door shares and this desktop's preferences.
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(flatten)]
    pub shared: keyward_core::Settings,
    #[serde(flatten)]
    pub prefs: Prefs,
}

/// Applies what lives outside the database: close to tray, and start at login (the autostart
/// plugin writes the platform's login item).
pub fn apply<R: Runtime>(app: &AppHandle<R>, state: &AppState, before: &Prefs, now: &Prefs) -> Result<(), IpcError> {
    state.close_to_tray.store(now.close_to_tray, Ordering::Relaxed);
    if now.start_at_login != before.start_at_login {
        let launcher = app.autolaunch();
        let changed = if now.start_at_login { launcher.enable() } else { launcher.disable() };
        changed.map_err(|err| {
            tracing::warn!(%err, "start at login could not be changed");
            IpcError::from(DesktopProblem::StartAtLogin)
        })?;
    }
    Ok(())
}

/// `System` follows the desktop's locale, as the UI does with the web view's language.
pub fn resolved(language: Language) -> Language {
    match language {
        Language::System => {
            let locale = std::env::var("LC_ALL").or_else(|_| std::env::var("LANG")).unwrap_or_default();
            if locale.starts_with("ja") {
                Language::Ja
            } else {
                Language::En
            }
        }
        chosen => chosen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_each_bad_value_is_named() {
        Prefs::default().validate().unwrap();
        let clipboard = Prefs { clipboard_clear_secs: 4, ..Prefs::default() }.validate().unwrap_err();
        assert!(
            matches!(clipboard, Invalid::OutOfRange { ref field, min: 5, max: 600, .. } if field == "clipboard_clear_secs")
        );
        let port = Prefs { gateway_port: 80, ..Prefs::default() }.validate().unwrap_err();
        assert!(matches!(port, Invalid::OutOfRange { ref field, .. } if field == "gateway_port"));
    }

    #[test]
    fn the_page_is_one_flat_object() {
        let json = serde_json::to_value(Settings::default()).unwrap();
        assert_eq!(json["rotation_period_days"], 180);
        assert_eq!(json["gateway_port"], 8790);
        let partial: Settings = serde_json::from_value(serde_json::json!({ "theme": "dark" })).unwrap();
        assert_eq!(
            partial,
            Settings { prefs: Prefs { theme: Theme::Dark, ..Prefs::default() }, ..Settings::default() }
        );
    }
}
