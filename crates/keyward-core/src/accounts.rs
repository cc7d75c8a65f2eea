//! Accounts: a unique name (lowercase letters, digits, `-`, 1–63 characters) and a display
//! name. Whoever creates an account becomes its first super admin.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::audit::AuditEvent;
use crate::db::{self, to_millis, Timestamp};
use crate::error::{is_unique_violation, Error, Result};
use crate::keyward::{AccountRow, Keyward};
use crate::members::Role;

const MAX_DISPLAY_NAME: usize = 100;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Account {
    pub name: String,
    pub display_name: String,
    #[sqlx(try_from = "i64")]
    pub created_at: Timestamp,
    pub created_by: String,
    pub rotation_period_days: i32,
    pub reminder_lead_days: i32,
    /// The local actor's role in this account, if they are a member.
    #[sqlx(try_from = "Option<String>")]
    pub your_role: RoleOption,
    pub has_active_key: bool,
}

/// `Option<Role>` read straight from a nullable column.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RoleOption(pub Option<Role>);

impl From<Option<String>> for RoleOption {
    fn from(text: Option<String>) -> RoleOption {
        RoleOption(text.as_deref().and_then(Role::parse))
    }
}

pub fn validate_account_name(name: &str) -> Result<()> {
    let ok = (1..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "\"{name}\" is not a valid account name: use 1 to 63 lowercase letters, digits or '-' (e.g. \"acme-prod\")"
        )))
    }
}

const ACCOUNT_COLUMNS: &str =
    "SELECT a.name, a.display_name, a.created_at, a.created_by, a.rotation_period_days, a.reminder_lead_days,
        m.role AS your_role,
        EXISTS (SELECT 1 FROM api_keys k WHERE k.account_id = a.id AND k.retired_at IS NULL) AS has_active_key
     FROM accounts a LEFT JOIN members m ON m.account_id = a.id AND m.name = ?";

impl Keyward {
    pub async fn create_account(
        &self,
        actor: &Actor,
        name: &str,
        display_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        validate_account_name(name)?;
        let display_name = display_name.map(str::trim).filter(|d| !d.is_empty()).unwrap_or(name);
        if display_name.chars().count() > MAX_DISPLAY_NAME {
            return Err(Error::InvalidInput(format!(
                "the display name is longer than {MAX_DISPLAY_NAME} characters: shorten it"
            )));
        }
        let settings = self.settings().await?;
        let account = AccountRow {
            id: format!("acc_{}", crate::api_key::random_base62(16)),
            name: name.to_owned(),
            rotation_period_days: settings.rotation_period_days,
        };
        let mut tx = db::begin_write(&self.pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO accounts (id, name, display_name, rotation_period_days, reminder_lead_days, created_at, created_by)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&account.id)
        .bind(name)
        .bind(display_name)
        .bind(account.rotation_period_days)
        .bind(settings.reminder_lead_days)
        .bind(to_millis(now))
        .bind(actor.name())
        .execute(&mut *tx)
        .await;
        if let Err(err) = inserted {
            return Err(if is_unique_violation(&err) {
                Error::Conflict(format!("an account named \"{name}\" already exists: pick another name"))
            } else {
                err.into()
            });
        }
        sqlx::query("INSERT INTO members (account_id, name, role, added_at) VALUES (?, ?, ?, ?)")
            .bind(&account.id)
            .bind(actor.name())
            .bind(Role::SuperAdmin.as_str())
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
        let details = json!({ "display_name": display_name, "super_admin": actor.name() });
        self.audit(&mut tx, actor, &account, None, AuditEvent::AccountCreated, details, now).await?;
        tx.commit().await?;
        self.show_account(actor, name).await
    }

    /// Every account, with the actor's role in each (None where they are not a member).
    pub async fn list_accounts(&self, actor: &Actor) -> Result<Vec<Account>> {
        let sql = format!("{ACCOUNT_COLUMNS} ORDER BY a.name");
        Ok(sqlx::query_as(&sql).bind(actor.name()).fetch_all(&self.pool).await?)
    }

    pub async fn show_account(&self, actor: &Actor, name: &str) -> Result<Account> {
        let sql = format!("{ACCOUNT_COLUMNS} WHERE a.name = ?");
        sqlx::query_as(&sql)
            .bind(actor.name())
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::account_not_found(name))
    }
}

#[cfg(test)]
mod tests {
    use super::validate_account_name;

    #[test]
    fn account_names() {
        for good in ["a", "acme", "acme-prod-2", &"x".repeat(63)] {
            assert!(validate_account_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Acme", "acme_prod", "acme prod", "ácme", &"x".repeat(64)] {
            assert!(validate_account_name(bad).is_err(), "{bad}");
        }
    }
}
