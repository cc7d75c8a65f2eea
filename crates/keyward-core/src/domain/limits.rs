//! Usage limits per account, applied per key by the gateway: a burst (N requests per S seconds)
//! and a daily total. HubSpot's API-key defaults: 100 per 10 s, 250,000 per day.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::domain::audit::AuditEvent;
use crate::error::{Error, Invalid, Result};
use crate::keyward::Keyward;
use crate::store;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct UsageLimits {
    #[sqlx(try_from = "i64")]
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    pub burst_limit: u32,
    #[sqlx(try_from = "i64")]
    #[schema(minimum = 1, maximum = 86_400)]
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    pub burst_seconds: u32,
    #[sqlx(try_from = "i64")]
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    pub daily_limit: u32,
}

pub const BURST_LIMIT: std::ops::RangeInclusive<i64> = 1..=1_000_000_000;
pub const BURST_SECONDS: std::ops::RangeInclusive<i64> = 1..=86_400;
pub const DAILY_LIMIT: std::ops::RangeInclusive<i64> = 1..=1_000_000_000;

impl Default for UsageLimits {
    fn default() -> UsageLimits {
        UsageLimits { burst_limit: 100, burst_seconds: 10, daily_limit: 250_000 }
    }
}

impl UsageLimits {
    /// Parses `N/SECONDS` (e.g. `100/10`) for the burst.
    pub fn parse_burst(text: &str) -> Result<(u32, u32)> {
        let bad = || Error::from(Invalid::BurstLimit { text: text.to_owned() });
        let (n, s) = text.split_once('/').ok_or_else(bad)?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        let s: u32 = s.trim().parse().map_err(|_| bad())?;
        Ok((n, s))
    }

    /// Every limit in its range: a burst of 0 requests or over 0 seconds would refuse (or divide)
    /// everything, so the gateway never sees one.
    pub fn check(&self) -> Result<()> {
        Invalid::check_range("burst_limit", self.burst_limit.into(), BURST_LIMIT)?;
        Invalid::check_range("burst_seconds", self.burst_seconds.into(), BURST_SECONDS)?;
        Invalid::check_range("daily_limit", self.daily_limit.into(), DAILY_LIMIT)?;
        Ok(())
    }
}

impl Keyward {
    pub async fn usage_limits(&self, account: &str) -> Result<UsageLimits> {
        let account = self.account(account).await?;
        Ok(sqlx::query_as("SELECT burst_limit, burst_seconds, daily_limit FROM accounts WHERE id = $1")
            .bind(&account.id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Changes an account's limits (super admins only); running gateways pick them up.
    pub async fn set_usage_limits(
        &self,
        actor: &Actor,
        account: &str,
        limits: UsageLimits,
        now: DateTime<Utc>,
    ) -> Result<UsageLimits> {
        limits.check()?;
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "change usage limits", now).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE accounts SET burst_limit = $1, burst_seconds = $2, daily_limit = $3 WHERE id = $4")
            .bind(i64::from(limits.burst_limit))
            .bind(i64::from(limits.burst_seconds))
            .bind(i64::from(limits.daily_limit))
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        store::bump_key_revision(&mut tx, self.backend()).await?;
        let details = json!({
            "burst": format!("{}/{}", limits.burst_limit, limits.burst_seconds),
            "daily": limits.daily_limit,
        });
        self.audit(&mut tx, actor, &account, None, AuditEvent::LimitsChanged, details, now).await?;
        self.commit(tx).await?;
        self.after_key_change().await;
        Ok(limits)
    }
}
