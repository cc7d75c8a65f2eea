//! The gateway's shared state and its router with request limits ([`crate::server`] serves it).

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, Method};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use keyward_core::store::Backend;
use keyward_core::{CallRecord, IndexedKey, Keyward};
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::budget::ClusterBudget;
use crate::call_log::{CallLog, Writer};
use crate::config::GatewayConfig;
use crate::freshness::{self, Freshness};
use crate::limiter::{Limiter, RateInfo};
use crate::metrics::Metrics;
use crate::outcome::Outcome;
use crate::presented::user_agent;
use crate::routes;
use crate::routes::team::signed::SignInGuard;

pub struct Gateway {
    pub keyward: Keyward,
    pub config: GatewayConfig,
    pub limiter: Limiter,
    pub calls: CallLog,
    pub metrics: Arc<Metrics>,
    pub http: reqwest::Client,
    pub freshness: Freshness,
    /// The cluster's share of each key's limits (team databases only).
    pub budget: Option<ClusterBudget>,
    /// Failed team sign-ins per client IP.
    pub sign_ins: SignInGuard,
}

/// The verdict on one presented key.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub outcome: Outcome,
    pub key: Option<Arc<IndexedKey>>,
    pub rate: Option<RateInfo>,
    pub retry_after: Option<u64>,
    /// When the request was judged: the time of its call-log row.
    pub at: DateTime<Utc>,
    fingerprint: Option<String>,
}

/// What one keyed request was, for its call-log row.
pub struct Call<'a> {
    pub method: &'a Method,
    /// Already scrubbed of secrets ([`crate::presented::scrubbed_path`]).
    pub path: Cow<'static, str>,
    pub headers: &'a HeaderMap,
    pub ip: IpAddr,
    pub started: Instant,
}

/// What the requests of one connection share, the router's state: the gateway and the client's
/// address. Made once per connection: axum clones a router's state for every request, and with
/// the gateway's `Arc` as the state that was two atomic writes per request to one counter both
/// runtime workers share.
pub struct Caller {
    pub gateway: Arc<Gateway>,
    pub addr: SocketAddr,
}

/// A started gateway: its state and the background tasks that serve it.
pub struct Running {
    pub gateway: Arc<Gateway>,
    writer: Writer,
    poller: JoinHandle<()>,
    housekeeping: JoinHandle<()>,
    stop: watch::Sender<bool>,
}

impl Gateway {
    /// Loads the key index and starts the change poller, the call-log writer and the hourly
    /// retention purge.
    pub async fn start(keyward: Keyward, config: GatewayConfig) -> keyward_core::Result<Running> {
        keyward.load_key_index().await?;
        let budget = (keyward.backend() == Backend::Postgres).then(|| ClusterBudget::start(keyward.clone()));
        let metrics = Arc::new(Metrics::default());
        let (calls, writer) = CallLog::start(&keyward, config.call_log_queue, Arc::clone(&metrics))?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with default TLS roots builds");
        let sign_ins = SignInGuard::new(config.failed_sign_ins_per_ip_per_minute);
        let gateway = Arc::new(Gateway {
            limiter: Limiter::new(config.failures_per_ip_per_minute),
            keyward,
            config,
            calls,
            metrics,
            http,
            freshness: Freshness::default(),
            budget,
            sign_ins,
        });
        let poller = {
            let (keyward, every) = (gateway.keyward.clone(), gateway.config.key_poll_interval);
            tokio::spawn(async move { keyward.follow_key_changes(every).await })
        };
        let (stop, stopped) = watch::channel(false);
        let housekeeping = tokio::spawn(housekeeping(Arc::clone(&gateway), stopped.clone()));
        tokio::spawn(freshness::watch(Arc::clone(&gateway), stopped));
        Ok(Running { gateway, writer, poller, housekeeping, stop })
    }

    /// Verifies a presented key and takes it through its limits. `None`: the client IP has
    /// used up its allowance of failed attempts (answer 429, log nothing).
    pub fn assess(&self, key: &str, ip: IpAddr) -> Option<Verdict> {
        // The wall clock is read once, and only when the verdict needs it: a throttled flood of
        // malformed keys never reads it (on a VM, a clock read is a good part of that answer).
        let mut judged_at = None;
        if self.freshness.is_stale() {
            let (rate, retry_after, fingerprint) = (None, None, None);
            return Some(Verdict {
                outcome: Outcome::Unavailable,
                key: None,
                rate,
                retry_after,
                at: Utc::now(),
                fingerprint,
            });
        }
        let checked = self.keyward.check_key(key, || *judged_at.insert(Utc::now()));
        let mut outcome = Outcome::from(checked.code);
        let (mut rate, mut retry_after, mut fingerprint) = (None, None, None);
        match outcome {
            Outcome::Valid => match self.limiter.check_key(checked.key.as_deref().expect("a valid key is known")) {
                Ok(granted) if self.cluster_allows(checked.key.as_deref()) => rate = Some(granted),
                Ok(granted) => {
                    outcome = Outcome::RateLimited;
                    rate = Some(RateInfo { remaining: 0, ..granted });
                    retry_after = Some(1);
                }
                Err(refused) => {
                    outcome = Outcome::RateLimited;
                    rate = Some(refused.info);
                    retry_after = Some(refused.retry_after);
                }
            },
            Outcome::Malformed | Outcome::NotFound => {
                if !self.limiter.allow_failure(ip) {
                    self.metrics.throttled.inc();
                    return None;
                }
                // An unknown key is named by its hash's first 8 hex characters, so repeated
                // calls with the same stale key can be told apart; a malformed string is not a key.
                if outcome == Outcome::NotFound {
                    fingerprint = Some(hex::encode(&Sha256::digest(key.as_bytes())[..4]));
                }
            }
            Outcome::Revoked | Outcome::Expired | Outcome::RateLimited | Outcome::Unavailable => {}
        }
        let at = judged_at.unwrap_or_else(Utc::now);
        Some(Verdict { outcome, key: checked.key, rate, retry_after, at, fingerprint })
    }

    /// The cluster's shared allowance (none to check on the embedded database).
    fn cluster_allows(&self, key: Option<&IndexedKey>) -> bool {
        match (&self.budget, key) {
            (Some(budget), Some(key)) => budget.take(key),
            _ => true,
        }
    }

    /// Queues the request's call-log row (its metrics are taken with the row: see
    /// [`CallLog::record`]). The verdict is moved into the row: its key goes with it, uncopied.
    pub fn record(&self, auth: Verdict, call: Call<'_>, status: u16) {
        self.calls.record(CallRecord {
            at: auth.at,
            key: auth.key,
            key_fingerprint: auth.fingerprint,
            method: method_name(call.method),
            path: call.path,
            status,
            outcome: auth.outcome.as_str(),
            latency_us: call.started.elapsed().as_micros() as i64,
            client_ip: call.ip,
            user_agent: user_agent(call.headers),
        });
    }
}

/// A standard method's name without an allocation (`Method::as_str` borrows from the method).
fn method_name(method: &Method) -> Cow<'static, str> {
    const STANDARD: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::HEAD, "HEAD"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    match STANDARD.iter().find(|(m, _)| m == method) {
        Some((_, name)) => Cow::Borrowed(name),
        None => Cow::Owned(method.as_str().to_owned()),
    }
}

impl Running {
    /// Stops the background tasks and writes every queued call-log row; returns what could not
    /// be written.
    pub async fn finish(self) -> crate::call_log::Unsaved {
        // The poller only reads: stopping it anywhere is safe. Housekeeping may be inside a
        // purge transaction, so it is asked to stop and awaited, never cut off mid-write.
        self.poller.abort();
        let _ = self.stop.send(true);
        let _ = self.housekeeping.await;
        self.writer.finish().await
    }
}

/// Hourly: purge calls past retention (in small chunks) and forget idle per-IP state.
async fn housekeeping(gateway: Arc<Gateway>, mut stopped: watch::Receiver<bool>) {
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tokio::select! {
            _ = hourly.tick() => {}
            _ = stopped.changed() => return,
        }
        let cutoff = Utc::now() - chrono::Duration::days(gateway.config.retention_days);
        match gateway.keyward.purge_calls(cutoff, 5_000).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "purged calls past retention"),
            Err(err) => tracing::warn!(%err, "call-log purge failed; retrying in an hour"),
        }
        gateway.limiter.forget_idle();
        gateway.sign_ins.forget_idle();
    }
}

/// The routes and their limits (body size, header size, time), their state left open: each
/// connection supplies its own [`Caller`] ([`crate::serve`], [`router_for_caller`]).
///
/// `POST /v1/keys/verify` is added after the layers, so none of them wraps it: it is the hot
/// path, and it applies the same limits itself (`routes::limits`): **a new limit must go there
/// too**. (tower-http's timeout arms a timer for every request; each `from_fn` and
/// `map_response` boxes and clones the service behind it.) A served connection hands verify
/// calls to the handler before the router sees them ([`crate::server`]); this route answers the
/// same, for `oneshot` tests.
pub fn router(gateway: &Arc<Gateway>) -> Router<Arc<Caller>> {
    let config = &gateway.config;
    let verify = post(routes::verify::verify).fallback(|| async { routes::limits::only("POST") });
    // The team API only on a team database: a desktop's gateway proxies every path as before.
    let team = match gateway.keyward.backend() {
        Backend::Postgres => routes::team::routes(),
        Backend::Sqlite => Router::new(),
    };
    Router::new()
        .merge(team)
        .route("/healthz", get(routes::ops::healthz))
        .route("/metrics", get(routes::ops::metrics))
        .route("/openapi.json", get(routes::ops::openapi))
        .fallback(routes::proxy::proxy)
        .layer(axum::middleware::from_fn_with_state(Arc::clone(gateway), routes::limits::guard))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, config.request_timeout))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(axum::middleware::map_response(routes::limits::json_refusals))
        .route(routes::verify::VERIFY_PATH, verify)
}

/// The router as a connection from `addr` has it: what [`crate::serve`] gives each connection,
/// and what tests drive without a socket.
pub fn router_for_caller(gateway: Arc<Gateway>, addr: SocketAddr) -> Router {
    router(&gateway).with_state(Arc::new(Caller { gateway, addr }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_are_borrowed_when_standard() {
        assert!(matches!(method_name(&Method::PATCH), Cow::Borrowed("PATCH")));
        assert_eq!(method_name(&Method::from_bytes(b"PURGE").unwrap()), "PURGE");
    }
}
