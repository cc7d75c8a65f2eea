//! keyward-gateway: makes Keyward's keys real over HTTP.
//!
//! - [`config`]: what `keyward serve` (or the desktop app) asks for: address, upstream, limits
//! - [`presented`]: finding the key in a request (Bearer, X-API-Key, `hapikey`) and cutting
//!   secrets out of what is logged or forwarded
//! - [`outcome`]: the verdict on a request — a verify code or RATE_LIMITED
//! - [`freshness`]: how old the view of the keys is, and failing closed past `max_staleness`
//! - [`budget`]: the cluster's shared usage limits, leased in chunks (team databases)
//! - [`limiter`]: per-key burst and daily limits, per-IP throttling of failed attempts (governor)
//! - [`call_log`]: the bounded queue and its single batching writer; retention purge
//! - [`metrics`]: Prometheus counters and histograms
//! - [`routes`]: `/v1/keys/verify`, the proxy, `/healthz`, `/metrics`, `/openapi.json`
//! - [`app`]: the shared state and the router with its limits
//! - [`server`]: [`serve`]: the accept loop, connections, graceful shutdown
//! - [`tls`]: HTTPS from a certificate and key in PEM files

pub mod app;
pub mod budget;
pub mod call_log;
pub mod config;
pub mod freshness;
pub mod limiter;
pub mod metrics;
pub mod outcome;
pub mod presented;
pub mod routes;
pub mod server;
pub mod tls;

pub use app::{router, Gateway};
pub use call_log::Unsaved;
pub use config::GatewayConfig;
pub use server::{serve, serve_with};
