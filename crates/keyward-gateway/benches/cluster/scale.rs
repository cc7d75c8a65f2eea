//! The call log at 7 M rows (1 M a day for 7 days; one account with 1 M of them) on each
//! backend: the writer's rate with the rollup (and on PostgreSQL the day partitions), then the
//! desktop's reads: the newest 100 calls of the 1 M account (and of every account, as
//! `keyward calls list` without an account) and its 7-day hourly chart.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::store::{test_postgres, Backend, Database};
use keyward_core::{Actor, CallFilter, CallRecord, IndexedKey, Keyward, Tally};

const ROWS: usize = 7_000_000;
/// The gateway's batches, as a busy gateway writes them.
const BATCH: usize = keyward_gateway::call_log::BATCH_ROWS;
const ACCOUNTS: usize = 7;
const READS: usize = 21;

pub async fn run() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let dir = tempfile::tempdir().unwrap();
        let database = match backend {
            Backend::Sqlite => Database::in_data_dir(dir.path()),
            Backend::Postgres => Database::parse(&test_postgres::create_database().await).unwrap(),
        };
        let keyward = Keyward::connect(&database, Arc::new(MemorySecrets::default())).await.unwrap();
        let admin = Actor::new("bench");
        keyward.create_account(&admin, "big", None, Utc::now()).await.unwrap();
        let now = Utc::now();
        let writing = keyward.clone();
        let rate = tokio::task::spawn_blocking(move || write_rows(&writing, now)).await.unwrap();
        if backend == Backend::Postgres {
            sqlx::query("ANALYZE").execute(keyward.pool()).await.unwrap();
        }
        let newest = CallFilter { account: Some("big".into()), limit: Some(100), ..CallFilter::default() };
        let list_ms = median_ms(|| async {
            assert_eq!(keyward.list_calls(&admin, &newest, now).await.unwrap().len(), 100);
        })
        .await;
        let everyone = CallFilter { limit: Some(100), ..CallFilter::default() };
        let all_ms = median_ms(|| async {
            assert_eq!(keyward.list_calls(&admin, &everyone, now).await.unwrap().len(), 100);
        })
        .await;
        let chart_ms = median_ms(|| async {
            let stats = keyward.call_stats(&admin, Some("big"), now).await.unwrap();
            assert!(stats.logged >= 900_000, "{}", stats.logged);
        })
        .await;
        println!(
            "call log, {ROWS} rows on {backend:?}: writer {rate:.0} rows/s (target >= 100,000); newest 100 of an account with 1 M: {list_ms:.2} ms (< 10), of every account: {all_ms:.2} ms; 7-day hourly chart: {chart_ms:.2} ms (< 20)"
        );
    }
}

/// Writes the rows in the gateway's batches; returns rows/s.
fn write_rows(keyward: &Keyward, now: chrono::DateTime<Utc>) -> f64 {
    let keys: Vec<Arc<IndexedKey>> = (0..ACCOUNTS)
        .map(|a| {
            Arc::new(IndexedKey::named(
                if a == 0 { "big" } else { ["a1", "a2", "a3", "a4", "a5", "a6"][a - 1] },
                &format!("key_{a}"),
            ))
        })
        .collect();
    let first = now - Duration::days(7) + Duration::minutes(1);
    let step_us = (Duration::days(7) - Duration::minutes(2)).num_microseconds().unwrap() / ROWS as i64;
    let mut writer = keyward.call_writer().unwrap();
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    for row in 0..ROWS {
        batch.push(CallRecord {
            at: first + Duration::microseconds(step_us * row as i64),
            key: Some(Arc::clone(&keys[row % ACCOUNTS])),
            key_fingerprint: None,
            method: "POST".into(),
            path: "/v1/keys/verify".into(),
            status: 200,
            outcome: if row % 50 == 0 { "RATE_LIMITED" } else { "VALID" },
            latency_us: 90 + (row % 40) as i64,
            client_ip: [10, 0, (row % 3) as u8, 7].into(),
            user_agent: Some("crm-sync/2.0".into()),
        });
        if batch.len() == BATCH {
            writer.write(&batch, Tally::rows(BATCH), &[]).unwrap();
            batch.clear();
        }
    }
    ROWS as f64 / started.elapsed().as_secs_f64()
}

async fn median_ms<F, Fut>(read: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    read().await; // warm the cache, as a second look at the page would
    let mut ms = Vec::with_capacity(READS);
    for _ in 0..READS {
        let started = Instant::now();
        read().await;
        ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    ms[READS / 2]
}
