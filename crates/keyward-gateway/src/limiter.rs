//! Usage limits with governor's GCRA: per key a burst limiter (N per S seconds) and a daily one,
//! built from the account's limits; per client IP a throttle on failed attempts (unknown or
//! malformed keys) so nobody can flood the call log with garbage.

use std::cell::Cell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock, QuantaInstant};
use governor::middleware::StateInformationMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use keyward_core::{IndexedKey, Published, UsageLimits};
use serde::Serialize;

type Direct = RateLimiter<NotKeyed, InMemoryState, DefaultClock, StateInformationMiddleware>;

/// The `X-RateLimit-*` figures for the burst window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RateInfo {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the burst allowance is full again.
    pub reset: u64,
}

/// A refusal: the figures plus how long to wait (`Retry-After`).
#[derive(Debug, Clone, Copy)]
pub struct Refused {
    pub info: RateInfo,
    pub retry_after: u64,
}

struct KeyLimiter {
    limits: UsageLimits,
    burst: Direct,
    daily: Direct,
}

impl KeyLimiter {
    fn new(limits: UsageLimits) -> KeyLimiter {
        let n = NonZeroU32::new(limits.burst_limit.max(1)).expect("at least 1");
        let burst_period = Duration::from_secs(u64::from(limits.burst_seconds.max(1))) / n.get();
        let d = NonZeroU32::new(limits.daily_limit.max(1)).expect("at least 1");
        let daily_period = Duration::from_secs(86_400) / d.get();
        KeyLimiter {
            limits,
            burst: RateLimiter::direct(quota(burst_period, n)).with_middleware(),
            daily: RateLimiter::direct(quota(daily_period, d)).with_middleware(),
        }
    }
}

fn quota(period: Duration, burst: NonZeroU32) -> Quota {
    Quota::with_period(period.max(Duration::from_nanos(1))).expect("non-zero period").allow_burst(burst)
}

pub struct Limiter {
    /// Per key id, read per request with no lock. Copied whole on a change (a key's first use,
    /// or its account's limits changing): a copy per key over a gateway's life, small beside the
    /// requests. A copy shares the limiters it keeps, so their counts carry over.
    keys: Published<HashMap<String, Arc<KeyLimiter>>>,
    failures: DefaultKeyedRateLimiter<IpAddr>,
    /// Tells this limiter's entries in [`LAST_REFUSAL`] from another's (tests run many).
    id: u64,
}

thread_local! {
    /// Per runtime worker: the client IP this thread last refused for failed attempts, until
    /// when governor refuses it, and whose limiter that was. A flood of bad keys comes from one
    /// address; its refusals are answered from here, without the per-IP map's lock (written by
    /// every reader) and the GCRA state. The answers are the same: a refused check changes no
    /// GCRA state, so every check before that instant would be refused too.
    static LAST_REFUSAL: Cell<Option<(u64, IpAddr, QuantaInstant)>> = const { Cell::new(None) };
}

impl Limiter {
    pub fn new(failures_per_ip_per_minute: u32) -> Limiter {
        let per_minute = NonZeroU32::new(failures_per_ip_per_minute.max(1)).expect("at least 1");
        Limiter {
            keys: Published::default(),
            failures: RateLimiter::keyed(Quota::per_minute(per_minute)),
            id: NEXT_LIMITER_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Takes one request from the key's allowance.
    pub fn check_key(&self, key: &IndexedKey) -> Result<RateInfo, Refused> {
        let current = |l: &&Arc<KeyLimiter>| l.limits == key.limits;
        if let Some(taken) = self.keys.read(|keys| keys.get(&key.key_id).filter(current).map(|l| Self::take_one(l))) {
            return taken;
        }
        // First use, or the account's limits changed: a fresh limiter (and a full allowance),
        // in a new copy of the map (the old one may be in use on other threads). Checked again
        // under the write lock: another thread may have put it in first.
        let keys = self.keys.update(|keys| {
            keys.get(&key.key_id).filter(current).is_none().then(|| {
                let mut next = keys.clone();
                next.insert(key.key_id.clone(), Arc::new(KeyLimiter::new(key.limits)));
                next
            })
        });
        Self::take_one(&keys[&key.key_id])
    }

    fn take_one(limiter: &KeyLimiter) -> Result<RateInfo, Refused> {
        let limits = limiter.limits;
        let window = u64::from(limits.burst_seconds);
        let info = |remaining: u32| RateInfo {
            limit: limits.burst_limit,
            remaining,
            reset: (u64::from(limits.burst_limit - remaining.min(limits.burst_limit)) * window)
                .div_ceil(u64::from(limits.burst_limit.max(1))),
        };
        let burst = match limiter.burst.check() {
            Ok(snapshot) => snapshot.remaining_burst_capacity(),
            Err(not_until) => {
                let wait = not_until.wait_time_from(limiter.burst.clock().now());
                return Err(Refused { info: info(0), retry_after: ceil_secs(wait) });
            }
        };
        if let Err(not_until) = limiter.daily.check() {
            let wait = not_until.wait_time_from(limiter.daily.clock().now());
            return Err(Refused { info: info(burst), retry_after: ceil_secs(wait) });
        }
        Ok(info(burst))
    }

    /// Counts a failed attempt from `ip`; `false` once that IP is over its allowance.
    pub fn allow_failure(&self, ip: IpAddr) -> bool {
        if let Some((id, refused, until)) = LAST_REFUSAL.get() {
            if id == self.id && refused == ip && self.failures.clock().now() < until {
                return false;
            }
        }
        match self.failures.check_key(&ip) {
            Ok(()) => true,
            Err(not_until) => {
                LAST_REFUSAL.set(Some((self.id, ip, not_until.earliest_possible())));
                false
            }
        }
    }

    /// Forgets idle per-IP state (called by the housekeeping task).
    pub fn forget_idle(&self) {
        self.failures.retain_recent();
    }
}

static NEXT_LIMITER_ID: AtomicU64 = AtomicU64::new(0);

fn ceil_secs(wait: Duration) -> u64 {
    wait.as_millis().div_ceil(1000).max(1) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_refusal_holds_for_its_own_limiter_and_address_until_its_wait_ends() {
        let ip: IpAddr = [10, 0, 0, 1].into();
        let (a, b) = (Limiter::new(1), Limiter::new(1));
        assert!(a.allow_failure(ip));
        assert!(!a.allow_failure(ip));
        assert!(!a.allow_failure(ip), "answered from the remembered refusal: still refused");
        assert!(b.allow_failure(ip), "another limiter's refusal does not count here");
        assert!(a.allow_failure([10, 0, 0, 2].into()), "nor for another address");

        // 6,000 a minute: one failure comes back every 10 ms once the burst is used up.
        let fast = Limiter::new(6_000);
        while fast.allow_failure(ip) {}
        assert!(!fast.allow_failure(ip));
        std::thread::sleep(Duration::from_millis(25));
        assert!(fast.allow_failure(ip), "the refusal ends when governor would allow again");
    }
}
