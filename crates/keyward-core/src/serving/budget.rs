//! Usage limits that hold for a cluster: every gateway on a team database draws its keys'
//! allowance from one shared budget per key, a chunk at a time, ahead of the requests that
//! spend it — never a database round trip per request.
//!
//! The budget is GCRA kept at the database: per key and limit a "theoretical arrival time"
//! (TAT). Taking `k` requests at `now` moves it to `max(TAT, now) + k·T` (T: the limit's
//! interval, e.g. 10 s / 100), which is allowed while it stays within the limit's window of
//! `now`. That is the same rule governor applies inside one gateway, so the cluster accepts
//! what one gateway alone would.

use chrono::{DateTime, Utc};

use crate::domain::limits::UsageLimits;
use crate::error::Result;
use crate::keyward::Keyward;

const DAY_US: i64 = 86_400_000_000;

/// One limit as GCRA: emission interval and window, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Gcra {
    interval: i64,
    window: i64,
}

impl Gcra {
    fn burst(limits: UsageLimits) -> Gcra {
        let window = i64::from(limits.burst_seconds.max(1)) * 1_000_000;
        Gcra { interval: (window / i64::from(limits.burst_limit.max(1))).max(1), window }
    }

    fn daily(limits: UsageLimits) -> Gcra {
        Gcra { interval: (DAY_US / i64::from(limits.daily_limit.max(1))).max(1), window: DAY_US }
    }

    /// How many of `want` requests fit at `now` given `tat`.
    fn fits(self, tat: i64, now: i64, want: i64) -> i64 {
        let start = tat.max(now);
        ((now + self.window - start) / self.interval).clamp(0, want)
    }

    /// The TAT after taking `k` at `now`.
    fn after(self, tat: i64, now: i64, k: i64) -> i64 {
        if k == 0 {
            tat
        } else {
            tat.max(now) + k * self.interval
        }
    }
}

impl Keyward {
    /// Takes up to `want` requests from `key_id`'s shared burst and daily budgets at `now`;
    /// returns how many were granted (0 when either is spent). PostgreSQL only: a row lock on
    /// the key's budget, not the writers' lock, so leases for different keys never wait on
    /// each other.
    pub async fn lease_budget(&self, key_id: &str, limits: UsageLimits, want: u32, now: DateTime<Utc>) -> Result<u32> {
        let now = now.timestamp_micros();
        let (burst, daily) = (Gcra::burst(limits), Gcra::daily(limits));
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO limit_budgets (key_id, burst_tat, daily_tat) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING",
        )
        .bind(key_id)
        .execute(&mut *tx)
        .await?;
        let (burst_tat, daily_tat): (i64, i64) =
            sqlx::query_as("SELECT burst_tat, daily_tat FROM limit_budgets WHERE key_id = $1 FOR UPDATE")
                .bind(key_id)
                .fetch_one(&mut *tx)
                .await?;
        let granted = burst.fits(burst_tat, now, i64::from(want)).min(daily.fits(daily_tat, now, i64::from(want)));
        if granted > 0 {
            sqlx::query("UPDATE limit_budgets SET burst_tat = $2, daily_tat = $3 WHERE key_id = $1")
                .bind(key_id)
                .bind(burst.after(burst_tat, now, granted))
                .bind(daily.after(daily_tat, now, granted))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(granted as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: UsageLimits = UsageLimits { burst_limit: 100, burst_seconds: 10, daily_limit: 1_000 };

    #[test]
    fn a_full_bucket_gives_the_burst_then_one_per_interval() {
        let burst = Gcra::burst(LIMITS);
        assert_eq!(burst.interval, 100_000);
        let now = 1_000_000_000;
        assert_eq!(burst.fits(0, now, 500), 100, "the whole burst at once, no more");
        let tat = burst.after(0, now, 100);
        assert_eq!(burst.fits(tat, now, 1), 0);
        assert_eq!(burst.fits(tat, now + 100_000, 5), 1, "one more per interval");
        assert_eq!(burst.fits(tat, now + 10_000_000, 500), 100, "full again after the window");
    }

    #[test]
    fn the_daily_limit_caps_what_the_burst_would_allow() {
        let daily = Gcra::daily(LIMITS);
        let now = 5 * DAY_US;
        assert_eq!(daily.fits(0, now, 5_000), 1_000);
        assert_eq!(daily.fits(daily.after(0, now, 1_000), now + 3_600_000_000, 100), 41, "1,000 a day: 41 an hour");
    }
}
