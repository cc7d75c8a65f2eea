//! Members of an account and their roles. Only super admins manage members, and an account
//! always keeps at least one super admin.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::domain::audit::AuditEvent;
use crate::domain::key_rows::drop_person_shares;
use crate::error::{Clash, Error, Invalid, Missing, Result};
use crate::keyward::{AccountRow, Keyward};
use crate::serde_names::{display_as_serde_name, from_name, stored_as_serde_name};
use crate::store::is_unique_violation;
use crate::time::{to_millis, Timestamp};

/// An account role: `super-admin` or `member`, the same words in the database, JSON and the CLI.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    SuperAdmin,
    Member,
}

impl std::str::FromStr for Role {
    type Err = Error;
    fn from_str(text: &str) -> Result<Role> {
        from_name(text.trim()).ok_or_else(|| Invalid::Role { role: text.to_owned() }.into())
    }
}

display_as_serde_name!(Role);
stored_as_serde_name!(Role);

/// A member removed; a super admin of an account with an active key may have seen or copied it
/// (rotate it to be sure they cannot use it).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Removal {
    pub member: String,
    pub may_hold_key: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Member {
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = String, format = DateTime)]
    pub added_at: Timestamp,
}

/// A member name as given, trimmed: 1 to 64 characters, no spaces or control characters.
pub(crate) fn member_name(name: &str) -> Result<&str> {
    let name = name.trim();
    let ok = (1..=64).contains(&name.chars().count()) && !name.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(name).ok_or_else(|| Invalid::MemberName { name: name.to_owned() }.into())
}

/// An email as given, trimmed; empty means none.
pub(crate) fn email_address(email: Option<&str>) -> Result<Option<&str>> {
    let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else { return Ok(None) };
    let ok = matches!(email.split_once('@'), Some((local, domain))
        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(Some(email)).ok_or_else(|| Invalid::Email { email: email.to_owned() }.into())
}

impl Keyward {
    pub async fn add_member(
        &self,
        actor: &Actor,
        account: &str,
        name: &str,
        email: Option<&str>,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        let name = member_name(name)?;
        let email = email_address(email)?;
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "add a member", now).await?;
        let mut tx = self.begin_write().await?;
        let inserted =
            sqlx::query("INSERT INTO members (account_id, name, email, role, added_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&account.id)
                .bind(name)
                .bind(email)
                .bind(role)
                .bind(to_millis(now))
                .execute(&mut *tx)
                .await;
        if let Err(err) = inserted {
            return Err(if is_unique_violation(&err) {
                Clash::MemberExists { account: account.name, member: name.to_owned() }.into()
            } else {
                err.into()
            });
        }
        let details = json!({ "member": name, "email": email, "role": role });
        self.audit(&mut tx, actor, &account, None, AuditEvent::MemberAdded, details, now).await?;
        self.commit(tx).await?;
        self.member(&account, name).await
    }

    pub async fn list_members(&self, actor: &Actor, account: &str, now: DateTime<Utc>) -> Result<Vec<Member>> {
        let account = self.account(account).await?;
        self.require_member(actor, &account, "list members", now).await?;
        Ok(sqlx::query_as(
            "SELECT name, email, role, added_at FROM members WHERE account_id = $1 ORDER BY role DESC, name",
        )
        .bind(&account.id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn remove_member(&self, actor: &Actor, account: &str, name: &str, now: DateTime<Utc>) -> Result<Removal> {
        let name = name.trim();
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "remove a member", now).await?;
        let mut tx = self.begin_write().await?;
        let member = self.member(&account, name).await?;
        let was_super_admin = member.role == Role::SuperAdmin;
        if was_super_admin {
            self.keep_a_super_admin(&mut tx, &account, name).await?;
            drop_person_shares(&mut tx, &account, name).await?;
        }
        sqlx::query("DELETE FROM members WHERE account_id = $1 AND name = $2")
            .bind(&account.id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "member": name });
        self.audit(&mut tx, actor, &account, None, AuditEvent::MemberRemoved, details, now).await?;
        self.commit(tx).await?;
        let may_hold_key = was_super_admin && self.find_active_key(&account).await?.is_some();
        Ok(Removal { member: name.to_owned(), may_hold_key })
    }

    pub async fn set_role(
        &self,
        actor: &Actor,
        account: &str,
        name: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        let name = name.trim();
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "change a member's role", now).await?;
        let mut tx = self.begin_write().await?;
        let member = self.member(&account, name).await?;
        if member.role == role {
            return Ok(member);
        }
        if member.role == Role::SuperAdmin {
            self.keep_a_super_admin(&mut tx, &account, name).await?;
            drop_person_shares(&mut tx, &account, name).await?;
        }
        sqlx::query("UPDATE members SET role = $1 WHERE account_id = $2 AND name = $3")
            .bind(role)
            .bind(&account.id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "member": name, "from": member.role, "to": role });
        self.audit(&mut tx, actor, &account, None, AuditEvent::RoleChanged, details, now).await?;
        self.commit(tx).await?;
        self.member(&account, name).await
    }

    /// Sets (or with `None` clears) the address a member's email reminders go to.
    pub async fn set_member_email(
        &self,
        actor: &Actor,
        account: &str,
        name: &str,
        email: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        let name = name.trim();
        let email = email_address(email)?;
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "change a member's email", now).await?;
        let mut tx = self.begin_write().await?;
        let member = self.member(&account, name).await?;
        if member.email.as_deref() == email {
            return Ok(member);
        }
        sqlx::query("UPDATE members SET email = $1 WHERE account_id = $2 AND name = $3")
            .bind(email)
            .bind(&account.id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "member": name, "from": member.email, "to": email });
        self.audit(&mut tx, actor, &account, None, AuditEvent::EmailChanged, details, now).await?;
        self.commit(tx).await?;
        self.member(&account, name).await
    }

    async fn member(&self, account: &AccountRow, name: &str) -> Result<Member> {
        sqlx::query_as("SELECT name, email, role, added_at FROM members WHERE account_id = $1 AND name = $2")
            .bind(&account.id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Missing::Member { account: account.name.clone(), member: name.to_owned() }.into())
    }

    /// Refuses to take away the last super admin `leaving`: nobody could manage the key then.
    async fn keep_a_super_admin(
        &self,
        tx: &mut sqlx::AnyConnection,
        account: &AccountRow,
        leaving: &str,
    ) -> Result<()> {
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM members WHERE account_id = $1 AND role = 'super-admin' AND name <> $2",
        )
        .bind(&account.id)
        .bind(leaving)
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 {
            return Err(Clash::LastSuperAdmin { account: account.name.clone(), member: leaving.to_owned() }.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_emails() {
        assert_eq!("super-admin".parse::<Role>().unwrap(), Role::SuperAdmin);
        assert!("admin".parse::<Role>().is_err());
        assert_eq!(" member ".parse::<Role>().unwrap(), Role::Member);
        assert_eq!(Role::SuperAdmin.to_string(), "super-admin");
        assert_eq!(email_address(Some(" ana@example.com ")).unwrap(), Some("ana@example.com"));
        assert_eq!(email_address(Some("  ")).unwrap(), None, "blank means none");
        for bad in ["ana", "@example.com", "ana@example", "ana @x.com", "ana@.com"] {
            assert!(email_address(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(member_name(" ana ").unwrap(), "ana");
        assert!(member_name("ana maria").is_err());
        assert!(member_name("  ").is_err());
    }
}
