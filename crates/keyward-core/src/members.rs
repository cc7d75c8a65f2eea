//! Members of an account and their roles. Only super admins manage members, and an account
//! always keeps at least one super admin.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::audit::AuditEvent;
use crate::db::{self, to_millis, Timestamp};
use crate::error::{is_unique_violation, Error, Result};
use crate::keyward::{AccountRow, Keyward};

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Role {
    #[serde(rename = "super-admin")]
    SuperAdmin,
    #[serde(rename = "member")]
    Member,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "super-admin" => Some(Role::SuperAdmin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SuperAdmin => "super-admin",
            Role::Member => "member",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = Error;
    fn from_str(text: &str) -> Result<Role> {
        Role::parse(text)
            .ok_or_else(|| Error::InvalidInput(format!("\"{text}\" is not a role: use \"super-admin\" or \"member\"")))
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Member {
    pub name: String,
    pub email: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: RoleText,
    #[sqlx(try_from = "i64")]
    pub added_at: Timestamp,
}

/// A role read from its column (the schema's CHECK keeps it one of the two).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RoleText(pub Role);

impl From<String> for RoleText {
    fn from(text: String) -> RoleText {
        RoleText(Role::parse(&text).unwrap_or(Role::Member))
    }
}

fn validate_member_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.chars().count()) && !name.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(()).ok_or_else(|| {
        Error::InvalidInput(format!(
            "\"{name}\" is not a valid member name: use the person's user name (1 to 64 characters, no spaces)"
        ))
    })
}

fn validate_email(email: &str) -> Result<()> {
    let ok = matches!(email.split_once('@'), Some((local, domain))
        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !email.chars().any(char::is_whitespace);
    ok.then_some(()).ok_or_else(|| {
        Error::InvalidInput(format!("\"{email}\" is not an email address: use the form name@example.com"))
    })
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
        validate_member_name(name)?;
        if let Some(email) = email {
            validate_email(email)?;
        }
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "add a member", now).await?;
        let mut tx = db::begin_write(&self.pool).await?;
        let inserted =
            sqlx::query("INSERT INTO members (account_id, name, email, role, added_at) VALUES (?, ?, ?, ?, ?)")
                .bind(&account.id)
                .bind(name)
                .bind(email)
                .bind(role.as_str())
                .bind(to_millis(now))
                .execute(&mut *tx)
                .await;
        if let Err(err) = inserted {
            return Err(if is_unique_violation(&err) {
                Error::Conflict(format!(
                    "{name} is already a member of {}: use `keyward member set-role` to change their role",
                    account.name
                ))
            } else {
                err.into()
            });
        }
        let details = json!({ "member": name, "email": email, "role": role.as_str() });
        self.audit(&mut tx, actor, &account, None, AuditEvent::MemberAdded, details, now).await?;
        tx.commit().await?;
        self.member(&account, name).await
    }

    pub async fn list_members(&self, actor: &Actor, account: &str, now: DateTime<Utc>) -> Result<Vec<Member>> {
        let account = self.account(account).await?;
        self.require_member(actor, &account, "list members", now).await?;
        Ok(sqlx::query_as(
            "SELECT name, email, role, added_at FROM members WHERE account_id = ? ORDER BY role DESC, name",
        )
        .bind(&account.id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn remove_member(&self, actor: &Actor, account: &str, name: &str, now: DateTime<Utc>) -> Result<()> {
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "remove a member", now).await?;
        let mut tx = db::begin_write(&self.pool).await?;
        let member = self.member(&account, name).await?;
        if member.role.0 == Role::SuperAdmin {
            self.keep_a_super_admin(&mut tx, &account, name).await?;
        }
        sqlx::query("DELETE FROM members WHERE account_id = ? AND name = ?")
            .bind(&account.id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "member": name });
        self.audit(&mut tx, actor, &account, None, AuditEvent::MemberRemoved, details, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_role(
        &self,
        actor: &Actor,
        account: &str,
        name: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "change a member's role", now).await?;
        let mut tx = db::begin_write(&self.pool).await?;
        let member = self.member(&account, name).await?;
        if member.role.0 == role {
            return Ok(member);
        }
        if member.role.0 == Role::SuperAdmin {
            self.keep_a_super_admin(&mut tx, &account, name).await?;
        }
        sqlx::query("UPDATE members SET role = ? WHERE account_id = ? AND name = ?")
            .bind(role.as_str())
            .bind(&account.id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "member": name, "from": member.role.0.as_str(), "to": role.as_str() });
        self.audit(&mut tx, actor, &account, None, AuditEvent::RoleChanged, details, now).await?;
        tx.commit().await?;
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
        if let Some(email) = email {
            validate_email(email)?;
        }
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "change a member's email", now).await?;
        let mut tx = db::begin_write(&self.pool).await?;
        let member = self.member(&account, name).await?;
        if member.email.as_deref() == email {
            return Ok(member);
        }
        sqlx::query("UPDATE members SET email = ? WHERE account_id = ? AND name = ?")
            .bind(email)
            .bind(&account.id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "member": name, "from": member.email, "to": email });
        self.audit(&mut tx, actor, &account, None, AuditEvent::EmailChanged, details, now).await?;
        tx.commit().await?;
        self.member(&account, name).await
    }

    async fn member(&self, account: &AccountRow, name: &str) -> Result<Member> {
        sqlx::query_as("SELECT name, email, role, added_at FROM members WHERE account_id = ? AND name = ?")
            .bind(&account.id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "{name} is not a member of {}: `keyward member list {}` shows who is",
                    account.name, account.name
                ))
            })
    }

    /// Refuses to take away the last super admin `leaving`: nobody could manage the key then.
    async fn keep_a_super_admin(
        &self,
        tx: &mut sqlx::SqliteConnection,
        account: &AccountRow,
        leaving: &str,
    ) -> Result<()> {
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM members WHERE account_id = ? AND role = 'super-admin' AND name <> ?",
        )
        .bind(&account.id)
        .bind(leaving)
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 {
            return Err(Error::Conflict(format!(
                "{leaving} is the last super admin of {}: make someone else a super admin first",
                account.name
            )));
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
        assert!(validate_email("ana@example.com").is_ok());
        for bad in ["ana", "@example.com", "ana@example", "ana @x.com", "ana@.com"] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
        assert!(validate_member_name("ana").is_ok());
        assert!(validate_member_name("ana maria").is_err());
    }
}
