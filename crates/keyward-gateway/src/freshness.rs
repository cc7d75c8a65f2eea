//! Fail closed when the view of the keys grows old.
//!
//! A gateway on a team database answers from its in-memory index; if it loses the database it
//! cannot learn of a revocation. For up to `max_staleness` it keeps answering from its last view
//! (a database restart or a network blip should not take the API down); past that, every verdict
//! is UNAVAILABLE — verify answers 503, the proxy 503 — because answering VALID for a key that
//! may have been revoked minutes ago is the failure this tool exists to prevent. `/healthz` says
//! `degraded` (and 503, so a load balancer sends traffic to a gateway that can see the database).
//! It recovers by itself: the next successful poll makes the view current again.
//!
//! The hot path reads one flag; a watcher task recomputes it ten times a second.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::app::Gateway;

/// How often the watcher looks at the view's age.
const WATCH_EVERY: Duration = Duration::from_millis(100);

#[derive(Default)]
pub struct Freshness {
    stale: AtomicBool,
}

impl Freshness {
    pub fn is_stale(&self) -> bool {
        self.stale.load(Ordering::Relaxed)
    }
}

/// The view's age as `/healthz` reports it, and whether it is past the limit.
pub fn view(gateway: &Gateway) -> (Option<Duration>, bool) {
    let age = gateway.keyward.key_index_age(Utc::now());
    let stale = match gateway.config.max_staleness {
        Some(limit) => age.is_none_or(|age| age > limit),
        None => false,
    };
    (age, stale)
}

pub(crate) async fn watch(gateway: Arc<Gateway>, mut stopped: watch::Receiver<bool>) {
    if gateway.config.max_staleness.is_none() {
        return;
    }
    let mut ticker = tokio::time::interval(WATCH_EVERY);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stopped.changed() => return,
        }
        let (age, stale) = view(&gateway);
        if gateway.freshness.stale.swap(stale, Ordering::Relaxed) != stale {
            let age_ms = age.map(|a| a.as_millis() as u64);
            if stale {
                tracing::error!(
                    ?age_ms,
                    "the database has not been reached within --max-staleness: refusing every key (503) until it is"
                );
            } else {
                tracing::info!(?age_ms, "the database is reachable again: serving");
            }
        }
    }
}
