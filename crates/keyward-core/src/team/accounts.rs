//! Accounts in a team: only owners create them, and their members are people of the team (with
//! the email the team knows for them). Everything else is the accounts' own rules.

use chrono::{DateTime, Utc};

use super::{Session, TeamRole};
use crate::domain::members::Role;
use crate::error::{Error, Result, TeamProblem};
use crate::{Account, Keyward, Member};

impl Keyward {
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
