//! Signing a request in by its device token, and the devices of a team. Every request looks the
//! token up (an indexed read), so a revoked device is refused by every replica at once.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::Row;

use super::{digest, Device, Revoked, Session, TeamRole};
use crate::domain::audit::{list_team, AuditEntry, AuditEvent};
use crate::error::{Error, Result, SignIn, TeamProblem};
use crate::time::to_millis;
use crate::Keyward;

/// `last_seen_at` is written at most this often per device (not on every request).
const SEEN_EVERY: Duration = Duration::minutes(1);

impl Keyward {
    /// The person and device a device token belongs to; a revoked or unknown token is refused.
    pub async fn sign_in(&self, token: &str, now: DateTime<Utc>) -> Result<Session> {
        let row = sqlx::query(
            "SELECT d.id, d.label, d.last_seen_at, p.name, p.email, p.team_role
             FROM devices d JOIN people p ON p.id = d.person_id
             WHERE d.token_hash = $1 AND d.revoked_at IS NULL",
        )
        .bind(digest(token))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(SignIn::Token)
        .map_err(crate::Error::SignIn)?;
        let device: String = row.try_get("id")?;
        if now.timestamp_millis() - row.try_get::<i64, _>("last_seen_at")? >= SEEN_EVERY.num_milliseconds() {
            sqlx::query("UPDATE devices SET last_seen_at = $1 WHERE id = $2")
                .bind(to_millis(now))
                .bind(&device)
                .execute(&self.pool)
                .await?;
        }
        Ok(Session {
            person: row.try_get("name")?,
            email: row.try_get("email")?,
            role: row.try_get::<String, _>("team_role")?.parse()?,
            device,
            device_label: row.try_get("label")?,
        })
    }

    /// Every device of the team for an owner; one's own for anyone else. Newest first.
    pub async fn devices(&self, by: &Session) -> Result<Vec<Device>> {
        let rows = sqlx::query(
            "SELECT d.id, p.name AS person, d.label, d.created_at, d.last_seen_at, d.revoked_at
             FROM devices d JOIN people p ON p.id = d.person_id
             WHERE $1 OR p.name = $2 ORDER BY d.created_at DESC, d.id",
        )
        .bind(by.role == TeamRole::Owner)
        .bind(&by.person)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Device {
                    id: row.try_get("id")?,
                    person: row.try_get("person")?,
                    label: row.try_get("label")?,
                    created_at: row.try_get::<i64, _>("created_at")?.into(),
                    last_seen_at: row.try_get::<i64, _>("last_seen_at")?.into(),
                    revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
                })
            })
            .collect()
    }

    /// Revokes a device (an owner's any, anyone's their own): its next request is refused, and
    /// its key shares are deleted. Revoking a revoked device changes nothing. Returns the device as
    /// it now is, and the accounts whose active key it could open: whoever held it may still
    /// have those keys, so they should be rotated.
    /// The team's own trail (setup codes, invitations, enrolments, revocations); owners only.
    pub async fn team_audit_entries(&self, by: &Session, limit: Option<i64>) -> Result<Vec<AuditEntry>> {
        if by.role != TeamRole::Owner {
            return Err(Error::NotAnOwner { person: by.person.clone() });
        }
        list_team(&self.pool, limit).await
    }

    pub async fn revoke_device(&self, by: &Session, device: &str, now: DateTime<Utc>) -> Result<Revoked> {
        let visible = self.devices(by).await?;
        let found = visible.into_iter().find(|d| d.id == device.trim());
        let Some(mut found) = found else {
            return Err(TeamProblem::NoDevice { device: device.trim().to_owned() }.into());
        };
        let may_hold_keys_of: Vec<String> = sqlx::query_scalar(
            "SELECT a.name FROM key_shares s JOIN api_keys k ON k.id = s.key_id JOIN accounts a ON a.id = k.account_id
             WHERE s.device_id = $1 AND k.retired_at IS NULL ORDER BY a.name",
        )
        .bind(&found.id)
        .fetch_all(&self.pool)
        .await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(to_millis(now))
            .bind(&found.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM key_shares WHERE device_id = $1").bind(&found.id).execute(&mut *tx).await?;
        let details = json!({ "device": found.id, "person": found.person, "may_hold_keys_of": may_hold_keys_of });
        self.audit_team(&mut tx, &by.person, &self.device, AuditEvent::DeviceRevoked, details, now).await?;
        self.commit(tx).await?;
        tracing::info!(device = found.id, by = by.person, "device revoked");
        found.revoked = true;
        Ok(Revoked { device: found, may_hold_keys_of })
    }
}
