//! `make bench-cluster`: Keyward on a team PostgreSQL (the throwaway server of
//! `scripts/with-postgres`) beside the embedded SQLite, on this machine. Prints figures and
//! ratios against the targets; asserts nothing.
//!
//! - propagation: a rotation made through one handle (as the CLI does) until three gateways,
//!   each with its own connections and listener, all refuse the old key — 200 rotations, then
//!   200 more with every listener killed just before the change;
//! - one gateway's verify throughput on PostgreSQL against the same gateway on SQLite (wrk pairs);
//! - three gateways sharing one key's usage limit under overload: accepted against one
//!   gateway's allowance;
//! - the call log at 7 M rows on each backend: writer rows/s, newest 100 calls of an account
//!   with 1 M, and the 7-day hourly chart.

// Shared with benches/gateway, which uses all of them.
#[allow(dead_code)]
#[path = "../gateway/compared.rs"]
mod compared;
mod limits;
mod propagation;
mod scale;
#[path = "../gateway/started.rs"]
mod started;
mod throughput;
#[allow(dead_code)]
#[path = "../gateway/wrk.rs"]
mod wrk;

use std::sync::Arc;

use chrono::Utc;
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::store::{test_postgres, Database};
use keyward_core::{Actor, Keyward, UsageLimits};
pub use started::start_gateway;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // `cargo bench --bench cluster -- scale throughput` runs only those parts.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |part: &str| only.is_empty() || only.iter().any(|o| o == part);
    runtime.block_on(async {
        println!("Keyward cluster benchmark — PostgreSQL 15 and the gateways on this machine (2 cores)\n");
        if wanted("propagation") {
            propagation::run().await;
        }
        if wanted("limits") {
            limits::run().await;
        }
        if wanted("scale") {
            scale::run().await;
        }
        // Last: it moves the database's processes to SCHED_BATCH halfway.
        if wanted("throughput") {
            throughput::run().await;
        }
    });
}

/// A handle on a new PostgreSQL database, with account "acme" and its key (limits as given).
pub async fn team(limits: UsageLimits) -> (Database, Keyward, String) {
    let database = Database::parse(&test_postgres::create_database().await).unwrap();
    let keyward = Keyward::connect(&database, Arc::new(MemorySecrets::default())).await.unwrap();
    let key = with_acme(&keyward, limits).await;
    (database, keyward, key)
}

/// Creates "acme" with `limits` and returns its new key.
pub async fn with_acme(keyward: &Keyward, limits: UsageLimits) -> String {
    let admin = Actor::new("bench");
    keyward.create_account(&admin, "acme", None, Utc::now()).await.unwrap();
    keyward.set_usage_limits(&admin, "acme", limits, Utc::now()).await.unwrap();
    keyward.generate_key(&admin, "acme", Utc::now()).await.unwrap().key.expose().to_owned()
}

/// Limits out of the way.
pub const OPEN: UsageLimits = UsageLimits { burst_limit: 1_000_000_000, burst_seconds: 1, daily_limit: 1_000_000_000 };

/// p50, p99 and max of some durations in ms.
pub fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(0.5), at(0.99), ms[ms.len() - 1])
}
