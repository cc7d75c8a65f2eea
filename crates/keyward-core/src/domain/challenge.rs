//! Captcha-style confirmation for rotate and deactivate.
//!
//! The core issues a challenge bound to exactly one (action, account, key, actor): a random
//! 6-character code without look-alike characters, valid 120 s, single use, void after 3 wrong
//! answers. Only the code's SHA-256 is stored; answers are compared in constant time. Scripts
//! may confirm explicitly instead; the audit row records which way it was confirmed.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::OsRng;
use rand::{Rng, TryRngCore};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::actor::Actor;
use crate::domain::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::keyward::{AccountRow, Keyward};
use crate::serde_names::{display_as_serde_name, stored_as_serde_name};
use crate::time::{to_millis, Timestamp};

/// No 0/O, 1/I/L, 2/Z, 5/S, 8/B: nothing a person can misread.
const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";
const CODE_LEN: usize = 6;
pub const CHALLENGE_TTL_SECS: i64 = 120;
pub const MAX_WRONG_ANSWERS: i64 = 3;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Rotate,
    Deactivate,
}

display_as_serde_name!(Action);
stored_as_serde_name!(Action);

/// How a rotate or deactivate is confirmed (in a team request's body: `"explicit"` or
/// `{"challenge": {"id": …, "code": …}}`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    /// The code a person read from a challenge and typed back.
    Challenge { id: String, code: String },
    /// An explicit flag from automation (`--yes`).
    Explicit,
}

/// What a person is shown: the code to type back and until when it holds.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Challenge {
    pub id: String,
    pub code: String,
    pub action: Action,
    pub account: String,
    pub key_id: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ChallengeRefusal {
    #[error("this action needs confirmation: answer a challenge code, or confirm explicitly in scripts")]
    Required,
    #[error("there is no such challenge: ask for a new code")]
    Unknown,
    #[error("this code was issued for another action, key or person: ask for a new code")]
    Mismatch,
    #[error("the code expired ({CHALLENGE_TTL_SECS} s): ask for a new code")]
    Expired,
    #[error("this code was already used: ask for a new code")]
    Used,
    #[error("three wrong answers voided this code: ask for a new code")]
    Burned,
    #[error("wrong code: {attempts_left} attempt(s) left")]
    Wrong {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        attempts_left: i64,
    },
}

impl From<ChallengeRefusal> for Error {
    fn from(refusal: ChallengeRefusal) -> Error {
        Error::Confirmation(refusal)
    }
}

#[derive(sqlx::FromRow)]
struct ChallengeRow {
    action: Action,
    account_id: String,
    key_id: String,
    actor: String,
    code_hash: String,
    expires_at: i64,
    failed_attempts: i64,
    spent_at: Option<i64>,
}

/// What the challenge must have been issued for.
pub(crate) struct Expected<'a> {
    pub action: Action,
    pub account: &'a AccountRow,
    pub key_id: &'a str,
    pub actor: &'a Actor,
}

fn new_code() -> String {
    let mut rng = OsRng.unwrap_err();
    (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect()
}

fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().to_ascii_uppercase().as_bytes()))
}

/// The pure judgement of one answer; `Wrong` means the caller must count a failure.
fn check_answer(
    row: &ChallengeRow,
    expected: &Expected<'_>,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<(), ChallengeRefusal> {
    let matches = row.action == expected.action
        && row.account_id == expected.account.id
        && row.key_id == expected.key_id
        && row.actor == expected.actor.name();
    if !matches {
        return Err(ChallengeRefusal::Mismatch);
    }
    if row.spent_at.is_some() {
        return Err(ChallengeRefusal::Used);
    }
    if row.failed_attempts >= MAX_WRONG_ANSWERS {
        return Err(ChallengeRefusal::Burned);
    }
    if to_millis(now) >= row.expires_at {
        return Err(ChallengeRefusal::Expired);
    }
    let given = code_hash(answer);
    if bool::from(given.as_bytes().ct_eq(row.code_hash.as_bytes())) {
        Ok(())
    } else {
        Err(ChallengeRefusal::Wrong { attempts_left: MAX_WRONG_ANSWERS - row.failed_attempts - 1 })
    }
}

impl Keyward {
    /// Issues a challenge for `action` on the account's active key. Super admins only.
    pub async fn issue_challenge(
        &self,
        actor: &Actor,
        account: &str,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<Challenge> {
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, &action.to_string(), now).await?;
        let key = self.active_key(&account).await?;
        let code = new_code();
        let id = format!("chl_{}", crate::domain::api_key::random_base62(16));
        let expires_at = now + Duration::seconds(CHALLENGE_TTL_SECS);
        sqlx::query(
            "INSERT INTO challenges (id, action, account_id, key_id, actor, code_hash, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(action)
        .bind(&account.id)
        .bind(&key.id)
        .bind(actor.name())
        .bind(code_hash(&code))
        .bind(to_millis(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(Challenge { id, code, action, account: account.name, key_id: key.id, expires_at: Timestamp(expires_at) })
    }

    /// Checks a confirmation before any change is made. A wrong code counts as a failed
    /// attempt and is audited `challenge_failed`. Returns how it was confirmed, for the audit row.
    pub(crate) async fn check_confirmation(
        &self,
        confirmation: &Confirmation,
        expected: &Expected<'_>,
        now: DateTime<Utc>,
    ) -> Result<&'static str> {
        let (id, code) = match confirmation {
            Confirmation::Explicit => return Ok("explicit"),
            Confirmation::Challenge { id, code } => (id, code),
        };
        let row: ChallengeRow = sqlx::query_as("SELECT * FROM challenges WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(ChallengeRefusal::Unknown)?;
        match check_answer(&row, expected, code, now) {
            Ok(()) => Ok("challenge"),
            Err(refusal) => {
                self.record_failure(id, &refusal, expected, now).await?;
                Err(refusal.into())
            }
        }
    }

    async fn record_failure(
        &self,
        id: &str,
        refusal: &ChallengeRefusal,
        expected: &Expected<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if matches!(refusal, ChallengeRefusal::Wrong { .. }) {
            sqlx::query("UPDATE challenges SET failed_attempts = failed_attempts + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let details = json!({ "action": expected.action, "challenge": id, "refusal": refusal });
        self.audit(
            &mut tx,
            expected.actor,
            expected.account,
            Some(expected.key_id),
            AuditEvent::ChallengeFailed,
            details,
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Spends the challenge inside the change's own transaction, so two racing uses of one
    /// code can't both succeed.
    pub(crate) async fn spend_challenge(
        tx: &mut sqlx::AnyConnection,
        confirmation: &Confirmation,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Confirmation::Challenge { id, .. } = confirmation else { return Ok(()) };
        let spent = sqlx::query(
            "UPDATE challenges SET spent_at = $1
             WHERE id = $2 AND spent_at IS NULL AND failed_attempts < $3 AND expires_at > $4",
        )
        .bind(to_millis(now))
        .bind(id)
        .bind(MAX_WRONG_ANSWERS)
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
        if spent.rows_affected() != 1 {
            return Err(ChallengeRefusal::Used.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_unambiguous_characters() {
        for _ in 0..500 {
            let code = new_code();
            assert_eq!(code.len(), CODE_LEN);
            assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
        }
        assert!(!CODE_ALPHABET.iter().any(|b| b"0O1IL2Z5S8B".contains(b)));
    }

    #[test]
    fn answers_are_case_and_space_insensitive() {
        assert_eq!(code_hash(" ac3d4e "), code_hash("AC3D4E"));
    }
}
