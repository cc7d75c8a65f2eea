//! Accounts: a unique name (lowercase letters, digits, `-`, 1–63 characters) and a display
//! name. Whoever creates an account becomes its first super admin.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::domain::audit::AuditEvent;
use crate::domain::members::Role;
use crate::error::{Clash, Invalid, Missing, Result};
use crate::keyward::{AccountRow, Keyward};
use crate::store::is_unique_violation;
use crate::time::{to_millis, Timestamp};

const MAX_DISPLAY_NAME: usize = 100;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Account {
    pub name: String,
    pub display_name: String,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub created_by: String,
    pub rotation_period_days: i32,
    pub reminder_lead_days: i32,
    /// The local actor's role in this account, if they are a member.
    pub your_role: Option<Role>,
    #[sqlx(try_from = "crate::store::Flag")]
    pub has_active_key: bool,
}

/// An account name as given, trimmed: 1 to 63 lowercase letters, digits or `-`.
pub fn account_name(name: &str) -> Result<&str> {
    let name = name.trim();
    let ok = (1..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then_some(name).ok_or_else(|| Invalid::AccountName { name: name.to_owned() }.into())
}

const ACCOUNT_COLUMNS: &str =
    "SELECT a.name, a.display_name, a.created_at, a.created_by, a.rotation_period_days, a.reminder_lead_days,
        m.role AS your_role,
        CASE WHEN EXISTS (SELECT 1 FROM api_keys k WHERE k.account_id = a.id AND k.retired_at IS NULL)
             THEN 1 ELSE 0 END AS has_active_key
     FROM accounts a LEFT JOIN members m ON m.account_id = a.id AND m.name = $1";

impl Keyward {
    pub async fn create_account(
        &self,
        actor: &Actor,
        name: &str,
        display_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        let name = account_name(name)?;
        let display_name = display_name.map(str::trim).filter(|d| !d.is_empty()).unwrap_or(name);
        if display_name.chars().count() > MAX_DISPLAY_NAME {
            return Err(Invalid::DisplayName { max: MAX_DISPLAY_NAME as u32 }.into());
        }
        let settings = self.settings().await?;
        let account = AccountRow {
            id: format!("acc_{}", crate::domain::api_key::random_base62(16)),
            name: name.to_owned(),
            rotation_period_days: settings.rotation_period_days,
        };
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO accounts (id, name, display_name, rotation_period_days, reminder_lead_days, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
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
                Clash::AccountExists { account: name.to_owned() }.into()
            } else {
                err.into()
            });
        }
        // In a team the creator's reminders go to the address the team knows for them.
        sqlx::query(
            "INSERT INTO members (account_id, name, email, role, added_at)
             VALUES ($1, $2, (SELECT email FROM people WHERE name = $2), $3, $4)",
        )
        .bind(&account.id)
        .bind(actor.name())
        .bind(Role::SuperAdmin)
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
        let details = json!({ "display_name": display_name, "super_admin": actor.name() });
        self.audit(&mut tx, actor, &account, None, AuditEvent::AccountCreated, details, now).await?;
        self.commit(tx).await?;
        self.show_account(actor, name).await
    }

    /// Every account, with the actor's role in each (None where they are not a member).
    pub async fn list_accounts(&self, actor: &Actor) -> Result<Vec<Account>> {
        let sql = format!("{ACCOUNT_COLUMNS} ORDER BY a.name");
        Ok(sqlx::query_as(&sql).bind(actor.name()).fetch_all(&self.pool).await?)
    }

    pub async fn show_account(&self, actor: &Actor, name: &str) -> Result<Account> {
        let sql = format!("{ACCOUNT_COLUMNS} WHERE a.name = $2");
        sqlx::query_as(&sql)
            .bind(actor.name())
            .bind(name.trim())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Missing::Account { account: name.trim().to_owned() }.into())
    }
}

#[cfg(test)]
mod tests {
    use super::account_name;

    #[test]
    fn account_names() {
        for good in ["a", "acme", "acme-prod-2", &"x".repeat(63)] {
            assert_eq!(account_name(&format!(" {good} ")).unwrap(), good, "trimmed");
        }
        for bad in ["", "Acme", "acme_prod", "acme prod", "ácme", &"x".repeat(64)] {
            assert!(account_name(bad).is_err(), "{bad}");
        }
    }
}
