//! What members may see of an account's key: hint, age, who made it, when rotation is due,
//! and the rotated-away keys whose grace window is still running.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::actor::Actor;
use crate::error::Result;
use crate::keyward::Keyward;
use crate::time::{to_millis, Timestamp};

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct KeyStatus {
    pub account: String,
    pub active: Option<ActiveKey>,
    /// Rotated-away keys still accepted until `valid_until`.
    pub grace: Vec<GraceKey>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ActiveKey {
    pub key_id: String,
    pub hint: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Who generated the key, or rotated the previous one into it.
    pub created_by: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub age_days: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rotation_period_days: i64,
    #[schema(value_type = String, format = DateTime)]
    pub rotation_due_at: Timestamp,
    pub rotation_due: bool,
    /// The last call the gateway let through with this key (written at most once a minute).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct ActiveRow {
    id: String,
    hint: String,
    created_at: i64,
    created_by: String,
    last_used_at: Option<i64>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct GraceKey {
    pub key_id: String,
    pub hint: String,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = String, format = DateTime)]
    pub valid_until: Timestamp,
}

impl Keyward {
    pub async fn key_status(&self, actor: &Actor, account: &str, now: DateTime<Utc>) -> Result<KeyStatus> {
        let account = self.account(account).await?;
        self.require_member(actor, &account, "status", now).await?;
        let active = sqlx::query_as::<_, ActiveRow>(
            "SELECT id, hint, created_at, created_by, last_used_at FROM api_keys WHERE account_id = $1 AND retired_at IS NULL",
        )
        .bind(&account.id)
        .fetch_optional(&self.pool)
        .await?
        .map(|key| {
            let created_at = Timestamp::from(key.created_at);
            let due_at = created_at.0 + Duration::days(account.rotation_period_days);
            ActiveKey {
                key_id: key.id,
                hint: key.hint,
                created_at,
                created_by: key.created_by,
                age_days: (now - created_at.0).num_days(),
                rotation_period_days: account.rotation_period_days,
                rotation_due_at: Timestamp(due_at),
                rotation_due: now >= due_at,
                last_used_at: key.last_used_at.map(Timestamp::from),
            }
        });
        let grace = sqlx::query_as(
            "SELECT id AS key_id, hint, expires_at AS valid_until FROM api_keys
             WHERE account_id = $1 AND retired_at IS NOT NULL AND expires_at > $2 ORDER BY expires_at",
        )
        .bind(&account.id)
        .bind(to_millis(now))
        .fetch_all(&self.pool)
        .await?;
        Ok(KeyStatus { account: account.name, active, grace })
    }
}
