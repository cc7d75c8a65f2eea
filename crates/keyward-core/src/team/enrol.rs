//! Redeeming a code: the code is spent, the person is made (or found) and the device recorded,
//! in one transaction, so a refused enrolment leaves the code as it was.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

use super::codes::normalised;
use super::{digest, Session, TeamRole};
use crate::domain::api_key::random_base62;
use crate::domain::audit::AuditEvent;
use crate::domain::members::{email_address, member_name};
use crate::error::{Error, Result, SignIn, TeamProblem};
use crate::time::to_millis;
use crate::Keyward;

/// Below this a device token is not one this program made.
const MIN_TOKEN_CHARS: usize = 32;

/// What a device sends to enrol: the code it was given, who it is for, and its own credentials
/// (the token in clear this once, over TLS; the age recipient, which is public).
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Enrolment {
    pub code: String,
    /// The person's name: 1 to 64 characters, no spaces.
    #[schema(pattern = r"^\s*[^\s\x00-\x1f\x7f-\x9f]{1,64}\s*$")]
    pub name: String,
    /// Where reminders go (empty: none).
    #[schema(
        pattern = r"^\s*$|^\s*[^@\s\x00-\x1f\x7f-\x9f]+@[^\s\x00-\x1f\x7f-\x9f.][^\s\x00-\x1f\x7f-\x9f]*\.[^\s\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f.]\s*$"
    )]
    pub email: Option<String>,
    pub label: String,
    pub token: String,
    pub recipient: String,
}

/// Without the code and the token.
impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Enrolment {{ name: {}, label: {}, recipient: {} }}", self.name, self.label, self.recipient)
    }
}

impl Keyward {
    pub async fn enrol(&self, enrolment: &Enrolment, now: DateTime<Utc>) -> Result<Session> {
        let name = member_name(&enrolment.name)?;
        let email = email_address(enrolment.email.as_deref())?;
        let label = enrolment.label.trim();
        let label = if label.is_empty() { "device" } else { label };
        if enrolment.token.len() < MIN_TOKEN_CHARS || enrolment.recipient.parse::<age::x25519::Recipient>().is_err() {
            return Err(TeamProblem::Credentials.into());
        }
        let mut tx = self.begin_write().await?;
        let spent = sqlx::query(
            "UPDATE team_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
             RETURNING purpose, name, email, team_role",
        )
        .bind(to_millis(now))
        .bind(digest(&normalised(&enrolment.code)))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::SignIn(SignIn::Code))?;
        let purpose: String = spent.try_get("purpose")?;
        let invited: Option<String> = spent.try_get("name")?;
        if let Some(invited) = invited.filter(|invited| invited != name) {
            return Err(TeamProblem::InvitedSomeoneElse { name: invited }.into());
        }
        let code_email: Option<String> = spent.try_get("email")?;
        let role: TeamRole = spent.try_get::<String, _>("team_role")?.parse()?;
        let known: Option<(String, Option<String>, String)> =
            sqlx::query_as("SELECT id, email, team_role FROM people WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
        let (person_id, email, role) = match known {
            // A known person's new device; a setup code also makes them an owner (recovery).
            Some((id, known_email, known_role)) => {
                let role = if purpose == "setup" { TeamRole::Owner } else { known_role.parse()? };
                sqlx::query("UPDATE people SET team_role = $1 WHERE id = $2")
                    .bind(role)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                (id, known_email, role)
            }
            None => {
                let id = format!("per_{}", random_base62(16));
                let email = email.map(str::to_owned).or(code_email);
                sqlx::query("INSERT INTO people (id, name, email, team_role, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&id)
                    .bind(name)
                    .bind(&email)
                    .bind(role)
                    .bind(to_millis(now))
                    .execute(&mut *tx)
                    .await?;
                (id, email, role)
            }
        };
        let device = format!("dev_{}", random_base62(16));
        sqlx::query(
            "INSERT INTO devices (id, person_id, label, token_hash, recipient, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&device)
        .bind(&person_id)
        .bind(label)
        .bind(digest(&enrolment.token))
        .bind(&enrolment.recipient)
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
        let details = json!({ "person": name, "label": label, "code": purpose, "team_role": role });
        self.audit_team(&mut tx, name, &device, AuditEvent::DeviceEnrolled, details, now).await?;
        self.commit(tx).await?;
        tracing::info!(person = name, device, "device enrolled");
        Ok(Session { person: name.to_owned(), email, role, device, device_label: label.to_owned() })
    }
}
