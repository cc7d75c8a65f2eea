//! The settings every front door shares: the rotation policy applied to accounts and the grace
//! window a rotation proposes first. A front door keeps its own preferences (the desktop's look,
//! clipboard time and gateway port) in the same table through [`Keyward::preferences`].
//!
//! Stored one row per setting (JSON value) so adding a setting needs no migration; a missing
//! row means the default. Every value is checked before anything is written.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actor::Actor;
use crate::domain::audit::AuditEvent;
use crate::domain::keys::Grace;
use crate::domain::members::Role;
use crate::domain::reminders::check_policy;
use crate::error::Result;
use crate::keyward::{AccountRow, Keyward};

pub const ROTATION_PERIOD_DAYS: std::ops::RangeInclusive<i64> = 30..=730;
pub const REMINDER_LEAD_DAYS: std::ops::RangeInclusive<i64> = 0..=90;

/// TS: not exported on its own; the desktop's settings flatten it into theirs.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Rotation is recommended this many days after a key was made (30–730).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rotation_period_days: i64,
    /// A heads-up reminder this many days before rotation is due (0 = none, up to 90).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub reminder_lead_days: i64,
    /// The grace window a rotation proposes first.
    pub default_grace: Grace,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { rotation_period_days: 180, reminder_lead_days: 14, default_grace: Grace::None }
    }
}

impl Settings {
    /// Every value in range, or an error naming the first one that is not and its range.
    pub fn validate(&self) -> Result<()> {
        check_policy(self.rotation_period_days, self.reminder_lead_days)
    }
}

/// A struct's fields as (name, JSON value) rows.
fn rows(prefs: &impl Serialize) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(prefs) else {
        unreachable!("preferences are a struct of plain values, which serialises to an object")
    };
    map.into_iter().map(|(name, value)| (name, value.to_string())).collect()
}

async fn write_rows(tx: &mut sqlx::AnyConnection, prefs: &impl Serialize) -> Result<()> {
    for (name, value) in rows(prefs) {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

impl Keyward {
    /// The shared settings, each missing or unreadable one at its default.
    pub async fn settings(&self) -> Result<Settings> {
        self.preferences().await
    }

    /// A front door's own preferences, stored beside the shared settings one row per field (so
    /// field names must not collide with [`Settings`]'). Each field missing or unreadable is at
    /// its default; a field this build does not know is left alone.
    pub async fn preferences<T: Serialize + DeserializeOwned + Default>(&self) -> Result<T> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, value FROM settings").fetch_all(&self.pool).await?;
        let mut merged = serde_json::to_value(T::default()).expect("preferences serialise");
        for (name, value) in rows {
            let (Some(slot), Ok(value)) = (merged.get_mut(&name), serde_json::from_str(&value)) else {
                continue; // a setting of another front door or a newer build, or a value it cannot read
            };
            *slot = value;
        }
        // A stored value of the wrong type falls back to every default rather than failing start-up.
        Ok(serde_json::from_value(merged).unwrap_or_default())
    }

    /// Stores a front door's own preferences (it checks them first); no audit row: they change
    /// how one desktop looks and behaves, not who may do what.
    pub async fn save_preferences<T: Serialize>(&self, prefs: &T) -> Result<()> {
        let mut tx = self.begin_write().await?;
        write_rows(&mut tx, prefs).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Validates and stores every setting. A changed rotation period or lead time applies to each account
    /// the actor is a super admin of (audited `policy_changed` there) and to accounts made later.
    pub async fn save_settings(&self, actor: &Actor, new: &Settings, now: DateTime<Utc>) -> Result<Settings> {
        new.validate()?;
        let mut tx = self.begin_write().await?;
        write_rows(&mut tx, new).await?;
        let changed: Vec<AccountRow> = sqlx::query_as(
            "UPDATE accounts SET rotation_period_days = $1, reminder_lead_days = $2
             WHERE (rotation_period_days <> $3 OR reminder_lead_days <> $4)
               AND id IN (SELECT account_id FROM members WHERE name = $5 AND role = $6)
             RETURNING id, name, rotation_period_days",
        )
        .bind(new.rotation_period_days)
        .bind(new.reminder_lead_days)
        .bind(new.rotation_period_days)
        .bind(new.reminder_lead_days)
        .bind(actor.name())
        .bind(Role::SuperAdmin)
        .fetch_all(&mut *tx)
        .await?;
        for account in &changed {
            let details = json!({ "rotation_period_days": new.rotation_period_days, "reminder_lead_days": new.reminder_lead_days });
            self.audit(&mut tx, actor, account, None, AuditEvent::PolicyChanged, details, now).await?;
        }
        self.commit(tx).await?;
        Ok(new.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_rotation_after_180_days_and_a_14_day_heads_up() {
        let defaults = Settings::default();
        defaults.validate().unwrap();
        assert_eq!(defaults.rotation_period_days, 180);
        assert_eq!(defaults.reminder_lead_days, 14);
    }

    #[test]
    fn each_out_of_range_value_is_named() {
        type Spoil = fn(&mut Settings);
        let cases: [(Spoil, &str); 3] = [
            (|s| s.rotation_period_days = 29, "rotation period days 29 is out of range: use 30 to 730"),
            (|s| s.reminder_lead_days = 91, "reminder lead days 91 is out of range: use 0 to 90"),
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
