//! Preferences of this installation, shared by the desktop app and the CLI: the rotation policy
//! applied to accounts, how long a copied key stays on the clipboard, the gateway port, and the
//! desktop's own look and behaviour.
//!
//! Stored one row per setting (JSON value) so adding a setting needs no migration; a missing
//! row means the default. Every value is checked before anything is written.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actor::Actor;
use crate::audit::AuditEvent;
use crate::db;
use crate::error::{Error, Result};
use crate::keys::Grace;
use crate::keyward::{AccountRow, Keyward};
use crate::members::Role;

pub const ROTATION_PERIOD_DAYS: std::ops::RangeInclusive<i64> = 30..=730;
pub const REMINDER_LEAD_DAYS: std::ops::RangeInclusive<i64> = 0..=90;
pub const CLIPBOARD_CLEAR_SECS: std::ops::RangeInclusive<u32> = 5..=600;
pub const GATEWAY_PORTS: std::ops::RangeInclusive<u16> = 1024..=65535;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Follow the desktop's language (Japanese for `ja*`, else English).
    System,
    En,
    Ja,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    System,
    Light,
    Dark,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Rotation is recommended this many days after a key was made (30–730).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rotation_period_days: i64,
    /// A heads-up reminder this many days before rotation is due (0 = none, up to 90).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub reminder_lead_days: i64,
    /// The grace window the rotate dialog proposes first.
    pub default_grace: Grace,
    /// A copied key is wiped from the clipboard after this many seconds (5–600).
    pub clipboard_clear_secs: u32,
    /// The desktop's in-process gateway listens on 127.0.0.1 at this port.
    pub gateway_port: u16,
    pub start_at_login: bool,
    /// Closing the window keeps Keyward in the tray (gateway and reminders keep running).
    pub close_to_tray: bool,
    pub language: Language,
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            rotation_period_days: 180,
            reminder_lead_days: 14,
            default_grace: Grace::None,
            clipboard_clear_secs: 30,
            gateway_port: 8790,
            start_at_login: false,
            close_to_tray: true,
            language: Language::System,
            theme: Theme::System,
        }
    }
}

impl Settings {
    /// Every value in range, or an error naming the first one that is not and its range.
    pub fn validate(&self) -> Result<()> {
        fn check<T: PartialOrd + std::fmt::Display>(
            name: &str,
            value: T,
            range: std::ops::RangeInclusive<T>,
        ) -> Result<()> {
            if range.contains(&value) {
                Ok(())
            } else {
                Err(Error::InvalidInput(format!(
                    "{name} {value} is out of range: use {} to {}",
                    range.start(),
                    range.end()
                )))
            }
        }
        check("rotation period (days)", self.rotation_period_days, ROTATION_PERIOD_DAYS)?;
        check("reminder lead time (days)", self.reminder_lead_days, REMINDER_LEAD_DAYS)?;
        check("clipboard clear time (seconds)", self.clipboard_clear_secs, CLIPBOARD_CLEAR_SECS)?;
        check("gateway port", self.gateway_port, GATEWAY_PORTS)?;
        if self.reminder_lead_days >= self.rotation_period_days {
            return Err(Error::InvalidInput("the reminder lead time must be shorter than the rotation period".into()));
        }
        Ok(())
    }

    fn rows(&self) -> Vec<(String, String)> {
        let serde_json::Value::Object(map) = serde_json::to_value(self).expect("settings serialise") else {
            unreachable!("a struct serialises to an object")
        };
        map.into_iter().map(|(name, value)| (name, value.to_string())).collect()
    }
}

impl Keyward {
    pub async fn settings(&self) -> Result<Settings> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, value FROM settings").fetch_all(&self.pool).await?;
        let mut merged = serde_json::to_value(Settings::default()).expect("settings serialise");
        for (name, value) in rows {
            let (Some(slot), Ok(value)) = (merged.get_mut(&name), serde_json::from_str(&value)) else {
                continue; // a setting this build does not know, or a value it cannot read
            };
            *slot = value;
        }
        // A stored value of the wrong type falls back to every default rather than failing start-up.
        Ok(serde_json::from_value(merged).unwrap_or_default())
    }

    /// Validates and stores every setting. A changed rotation period or lead time applies to each account
    /// the actor is a super admin of (audited `policy_changed` there) and to accounts made later.
    pub async fn save_settings(&self, actor: &Actor, new: &Settings, now: DateTime<Utc>) -> Result<Settings> {
        new.validate()?;
        let mut tx = db::begin_write(&self.pool).await?;
        for (name, value) in new.rows() {
            sqlx::query("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        let changed: Vec<AccountRow> = sqlx::query_as(
            "UPDATE accounts SET rotation_period_days = ?, reminder_lead_days = ?
             WHERE (rotation_period_days <> ? OR reminder_lead_days <> ?)
               AND id IN (SELECT account_id FROM members WHERE name = ? AND role = ?)
             RETURNING id, name, rotation_period_days",
        )
        .bind(new.rotation_period_days)
        .bind(new.reminder_lead_days)
        .bind(new.rotation_period_days)
        .bind(new.reminder_lead_days)
        .bind(actor.name())
        .bind(Role::SuperAdmin.as_str())
        .fetch_all(&mut *tx)
        .await?;
        for account in &changed {
            let details = json!({ "rotation_period_days": new.rotation_period_days, "reminder_lead_days": new.reminder_lead_days });
            self.audit(&mut tx, actor, account, None, AuditEvent::PolicyChanged, details, now).await?;
        }
        tx.commit().await?;
        Ok(new.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_the_seed() {
        let defaults = Settings::default();
        defaults.validate().unwrap();
        assert_eq!(defaults.rotation_period_days, 180);
        assert_eq!(defaults.clipboard_clear_secs, 30);
        assert_eq!(defaults.gateway_port, 8790);
    }

    #[test]
    fn each_out_of_range_value_is_named() {
        let cases: [(fn(&mut Settings), &str); 5] = [
            (|s| s.rotation_period_days = 29, "rotation period"),
            (|s| s.reminder_lead_days = 91, "reminder lead time"),
            (|s| s.clipboard_clear_secs = 4, "clipboard clear time"),
            (|s| s.gateway_port = 80, "gateway port"),
            (
                |s| {
                    s.rotation_period_days = 30;
                    s.reminder_lead_days = 30
                },
                "shorter than the rotation period",
            ),
        ];
        for (spoil, named) in cases {
            let mut settings = Settings::default();
            spoil(&mut settings);
            let err = settings.validate().unwrap_err();
            assert!(err.to_string().contains(named), "{err}");
        }
    }
}
