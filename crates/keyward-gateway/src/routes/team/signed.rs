//! Signing a team request in: the device token of `Authorization: Bearer …`, looked up on every
//! request. Failed sign-ins (bad tokens, bad codes) are limited per client IP, and an IP over
//! its allowance is refused before anything is looked up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use keyward_core::error::SignIn;
use keyward_core::team::Session;
use keyward_core::Error;

use super::Refusal;
use crate::app::Caller;

pub struct SignInGuard {
    failures: DefaultKeyedRateLimiter<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

impl SignInGuard {
    /// `per_minute` failed sign-ins allowed per client IP: a burst of that many, then one more
    /// each 60/`per_minute` seconds.
    pub fn new(per_minute: u32) -> SignInGuard {
        let per_minute = NonZeroU32::new(per_minute.max(1)).expect("at least 1");
        SignInGuard { failures: RateLimiter::keyed(Quota::per_minute(per_minute)), blocked: Mutex::default() }
    }

    /// Refuses an IP that used up its failed sign-ins, until it has one again.
    pub fn admit(&self, ip: IpAddr) -> Result<(), Refusal> {
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        match blocked.get(&ip) {
            Some(until) if Instant::now() < *until => Err(Refusal(Error::SignIn(SignIn::TooMany))),
            Some(_) => {
                blocked.remove(&ip);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a failed sign-in; passes the refusal on.
    pub fn failed(&self, ip: IpAddr, err: Error) -> Refusal {
        if !matches!(err, Error::SignIn(_)) {
            return Refusal(err);
        }
        if let Err(not_until) = self.failures.check_key(&ip) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            self.blocked.lock().unwrap_or_else(|e| e.into_inner()).insert(ip, Instant::now() + wait);
            return Refusal(Error::SignIn(SignIn::TooMany));
        }
        Refusal(err)
    }

    pub fn forget_idle(&self) {
        self.failures.retain_recent();
        self.blocked.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, until| Instant::now() < *until);
    }
}

/// The signed-in person and device of a team request.
pub struct Signed(pub Session);

impl FromRequestParts<Arc<Caller>> for Signed {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, caller: &Arc<Caller>) -> Result<Signed, Refusal> {
        let guard = &caller.gateway.sign_ins;
        let ip = caller.addr.ip();
        guard.admit(ip)?;
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        match caller.gateway.keyward.sign_in(token, Utc::now()).await {
            Ok(session) => Ok(Signed(session)),
            Err(err) => Err(guard.failed(ip, err)),
        }
    }
}
