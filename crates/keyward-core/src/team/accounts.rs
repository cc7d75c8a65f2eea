//! Accounts in a team: only owners create them, and their members are people of the team (with
//! the email the team knows for them). Everything else is the accounts' own rules.

use chrono::{DateTime, Utc};

use super::{Session, TeamRole};
use crate::domain::members::Role;
use crate::error::{Error, Result, TeamProblem};
use crate::{Account, Keyward, Member};

impl Keyward {
    /// The accounts a person of the team belongs to, with their role in each; owners see every
    /// account (they make them, and someone must see one that lost its members).
    pub async fn team_accounts(&self, by: &Session) -> Result<Vec<Account>> {
        let all = self.list_accounts(&by.actor()).await?;
        Ok(match by.role {
            TeamRole::Owner => all,
            TeamRole::Member => all.into_iter().filter(|a| a.your_role.is_some()).collect(),
        })
    }

    pub async fn create_team_account(
        &self,
        by: &Session,
        name: &str,
        display_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        if by.role != TeamRole::Owner {
            return Err(Error::NotAnOwner { person: by.person.clone() });
        }
        self.create_account(&by.actor(), name, display_name, now).await
    }

    /// Adds a person of the team to an account (by a super admin of it).
    pub async fn add_team_member(
        &self,
        by: &Session,
        account: &str,
        person: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        let person = person.trim();
        let email: Option<Option<String>> = sqlx::query_scalar("SELECT email FROM people WHERE name = $1")
            .bind(person)
            .fetch_optional(&self.pool)
            .await?;
        let Some(email) = email else {
            return Err(TeamProblem::NoPerson { name: person.to_owned() }.into());
        };
        self.add_member(&by.actor(), account, person, email.as_deref(), role, now).await
    }
}
