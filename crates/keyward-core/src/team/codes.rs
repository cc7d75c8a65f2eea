//! Enrolment codes: 20 characters from an alphabet without look-alikes (100 random bits),
//! shown in groups of four. Only their hash is stored; each is good for one enrolment within
//! 24 hours.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::OsRng;
use rand::{Rng, TryRngCore};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{digest, Session, TeamRole};
use crate::actor::Actor;
use crate::domain::audit::AuditEvent;
use crate::domain::members::{email_address, member_name};
use crate::error::{Error, Result};
use crate::time::{to_millis, Timestamp};
use crate::Keyward;

pub const CODE_LIFETIME: Duration = Duration::hours(24);
/// Crockford's base 32: no I, L, O or U, so a code read aloud or retyped survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_CHARS: usize = 20;

/// A code as handed to its person, with when it stops working.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IssuedCode {
    pub code: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

/// A fresh code, `XXXX-XXXX-XXXX-XXXX-XXXX`.
fn new_code() -> String {
    let mut rng = OsRng.unwrap_err();
    let chars: Vec<u8> = (0..CODE_CHARS).map(|_| ALPHABET[rng.random_range(0..32)]).collect();
    chars.chunks(4).map(|group| String::from_utf8_lossy(group).into_owned()).collect::<Vec<_>>().join("-")
}

/// A code as someone typed it: case, spaces and dashes do not matter; look-alikes are read as
/// the letter they resemble.
pub(crate) fn normalised(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

impl Keyward {
    /// A code that enrols its redeemer as an owner (`keyward team setup-code`: an operator with
    /// access to the database, for the first owner or to recover a team with none left).
    /// A code for a first (or recovering) owner, made by an operator with database access
    /// (`actor`: who ran it, for the audit trail).
    pub async fn create_setup_code(&self, actor: &Actor, now: DateTime<Utc>) -> Result<IssuedCode> {
        self.store_code("setup", None, None, TeamRole::Owner, actor.name(), now).await
    }

    /// An invitation, by an owner, for `name`: a new person with `role`, or a new device of the
    /// person of that name (their role stays).
    pub async fn invite(
        &self,
        by: &Session,
        name: &str,
        email: Option<&str>,
        role: TeamRole,
        now: DateTime<Utc>,
    ) -> Result<IssuedCode> {
        let (name, email) = (member_name(name)?, email_address(email)?);
        if by.role != TeamRole::Owner {
            return Err(Error::NotAnOwner { person: by.person.clone() });
        }
        self.store_code("invite", Some(name), email, role, &by.person, now).await
    }

    async fn store_code(
        &self,
        purpose: &str,
        name: Option<&str>,
        email: Option<&str>,
        role: TeamRole,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<IssuedCode> {
        let code = new_code();
        let expires_at = now + CODE_LIFETIME;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO team_codes (code_hash, purpose, name, email, team_role, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(digest(&normalised(&code)))
        .bind(purpose)
        .bind(name)
        .bind(email)
        .bind(role)
        .bind(by)
        .bind(to_millis(now))
        .bind(to_millis(expires_at))
        .execute(&mut *tx)
        .await?;
        let (event, details) = match name {
            Some(name) => (AuditEvent::Invited, json!({ "person": name, "team_role": role })),
            None => (AuditEvent::SetupCodeIssued, json!({})),
        };
        self.audit_team(&mut tx, by, &self.device, event, details, now).await?;
        self.commit(tx).await?;
        Ok(IssuedCode { code, expires_at: Timestamp(expires_at) })
    }

    /// Whether the team has any person yet (a fresh team database: the server prints a setup code).
    pub async fn team_is_empty(&self) -> Result<bool> {
        let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(&self.pool).await?;
        Ok(people == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_five_groups_of_four_from_the_alphabet() {
        let code = new_code();
        assert_eq!(code.len(), 24);
        assert!(code.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| ALPHABET.contains(&b))));
        assert_ne!(new_code(), code);
    }

    #[test]
    fn typing_slips_do_not_matter() {
        assert_eq!(normalised(" abcd-efgh o1il "), "ABCDEFGH0111");
        assert_eq!(normalised("ABCD-EFGH-0111"), normalised("abcdefgh0ili"));
    }
}
