//! Three gateways sharing one key's usage limit under overload.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::{Actor, Keyward, UsageLimits};
use keyward_gateway::GatewayConfig;

use crate::{start_gateway, team};

const LIMITS: UsageLimits = UsageLimits { burst_limit: 3_000, burst_seconds: 10, daily_limit: 100_000_000 };
const SECONDS: u32 = 5;

pub async fn run() {
    let (database, reader, key) = team(LIMITS).await;
    let mut gateways = Vec::new();
    for _ in 0..3 {
        let keyward = Keyward::connect(&database, Arc::new(MemorySecrets::default())).await.unwrap();
        gateways.push(start_gateway(keyward, GatewayConfig::default()).await);
    }
    let body = format!(r#"{{"key":"{key}"}}"#);
    let started = Instant::now();
    let loads: Vec<_> = gateways
        .iter()
        .map(|(addr, _)| {
            let (addr, body) = (*addr, body.clone());
            tokio::task::spawn_blocking(move || {
                let scripts = tempfile::tempdir().unwrap();
                crate::wrk::wrk(&scripts, addr, &body, None, SECONDS)
            })
        })
        .collect();
    let mut offered = 0.0;
    for load in loads {
        offered += load.await.unwrap().rps * f64::from(SECONDS);
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Every verdict is in the shared call log once the writers have caught up.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stats = reader.call_stats(&Actor::new("bench"), Some("acme"), Utc::now()).await.unwrap();
    let accepted: i64 = stats.hours.iter().filter(|h| h.outcome == "VALID").map(|h| h.count).sum();
    let allowed = f64::from(LIMITS.burst_limit) + f64::from(LIMITS.burst_limit) / 10.0 * elapsed;
    println!(
        "shared limit {}/{} s, 3 gateways, {elapsed:.1} s of ~{offered:.0} requests: accepted {accepted} against one gateway's {allowed:.0} = {:.1} % (target <= 105 %)",
        LIMITS.burst_limit,
        LIMITS.burst_seconds,
        accepted as f64 / allowed * 100.0
    );
}
