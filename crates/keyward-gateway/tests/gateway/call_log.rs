use std::sync::Arc;
use std::time::Duration;

use chrono::{Duration as Days, Utc};
use keyward_core::{ApiKey, CallRecord, IndexedKey, Tally};

use crate::{files_contain, TestGateway};

fn counter(metrics: &str, name: &str) -> u64 {
    let line = metrics.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} missing"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn rows_are_complete_and_never_hold_a_key() {
    let upstream_gw = TestGateway::start(|_| {}).await;
    let unknown = ApiKey::generate();
    upstream_gw.verify(&upstream_gw.key).await;
    upstream_gw.verify(unknown.expose()).await;
    let with_query = format!("{}/v1/keys/verify?hapikey={}&page=2", upstream_gw.url, upstream_gw.key);
    upstream_gw
        .http
        .post(with_query)
        .header("user-agent", "integration-test/1.0")
        .json(&serde_json::json!({ "key": upstream_gw.key }))
        .send()
        .await
        .unwrap();
    let key = upstream_gw.key.clone();
    let (keyward, dir, gateway) = upstream_gw.stop().await;

    let rows: Vec<keyward_core::CallEntry> = sqlx::query_as(
        "SELECT at, account, key_id, key_fingerprint, method, path, status, outcome, latency_us, client_ip, user_agent
         FROM calls ORDER BY rowid",
    )
    .fetch_all(keyward.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].account.as_deref(), Some("acme"));
    let fingerprint = rows[1].key_fingerprint.as_deref();
    assert_eq!(fingerprint, Some(&unknown.hash()[..8]), "unknown keys are named by their hash's first 8 hex");
    assert_eq!((rows[2].path.as_str(), rows[2].outcome.as_str()), ("/v1/keys/verify?page=2", "VALID"));
    assert_eq!(
        (rows[2].client_ip.as_str(), rows[2].user_agent.as_deref()),
        ("127.0.0.1", Some("integration-test/1.0"))
    );
    assert!(!format!("{rows:?}").contains(&key) && !format!("{rows:?}").contains(unknown.expose()));
    assert!(!files_contain(dir.path(), &key), "the key is in the database files");
    assert!(!files_contain(dir.path(), unknown.expose()));
    let status = keyward.key_status(&keyward_core::Actor::new("ana"), "acme", Utc::now()).await.unwrap();
    let last_used = status.active.unwrap().last_used_at.expect("last_used_at is set by the writer");
    assert!(Utc::now() - last_used.0 < Days::minutes(1));
    let metrics = gateway.metrics.render();
    assert_eq!(counter(&metrics, "keyward_gateway_call_log_served_total"), 3);
    assert_eq!(counter(&metrics, "keyward_gateway_call_log_rows_written_total"), 3);
}

/// The writer is held up by another connection's write lock and the queue holds 2 rows: the
/// rest are dropped and counted, and after the flush served = logged + dropped exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_drops_and_counts_and_the_books_balance() {
    let gw = TestGateway::start(|c| c.call_log_queue = 2).await;
    let mut blocker = keyward_core_connection(&gw).await;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut blocker).await.unwrap();
    // The first rows make the writer start a batch; past its 100 ms window it waits on the lock.
    for _ in 0..5 {
        gw.verify(&gw.key).await;
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    for _ in 0..35 {
        gw.verify(&gw.key).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    sqlx::query("COMMIT").execute(&mut blocker).await.unwrap();
    let (keyward, _dir, gateway) = gw.stop().await;
    let metrics = gateway.metrics.render();
    let served = counter(&metrics, "keyward_gateway_call_log_served_total");
    let logged = counter(&metrics, "keyward_gateway_call_log_rows_written_total");
    let dropped = counter(&metrics, "keyward_gateway_call_log_rows_dropped_total");
    assert_eq!(served, 40);
    assert!(dropped >= 30, "dropped {dropped}");
    assert_eq!(served, logged + dropped);
    // Request metrics are taken with the rows: by the writer for the logged, at the drop for
    // the dropped, so they count every request all the same.
    assert_eq!(counter(&metrics, r#"keyward_gateway_requests_total{outcome="VALID"}"#), 40);
    assert_eq!(counter(&metrics, "keyward_gateway_request_duration_seconds_count"), 40);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calls").fetch_one(keyward.pool()).await.unwrap();
    let saved_drops: i64 =
        sqlx::query_scalar("SELECT dropped FROM call_log_counters").fetch_one(keyward.pool()).await.unwrap();
    assert_eq!((rows as u64, saved_drops as u64), (logged, dropped), "the database agrees with /metrics");
    let stats = keyward.call_stats(&keyward_core::Actor::new("ana"), Some("acme"), Utc::now()).await.unwrap();
    assert_eq!((stats.logged as u64, stats.dropped as u64), (logged, dropped));
}

async fn keyward_core_connection(gw: &TestGateway) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let path = gw.dir.path().join(keyward_core::paths::DATABASE_FILE);
    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap()
}

/// The purge itself (the gateway runs it hourly); no gateway here, so no purge races this one.
#[tokio::test]
async fn retention_purge_removes_only_old_rows_in_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = std::sync::Arc::new(keyward_core::secrets::store::MemorySecrets::default());
    let keyward = keyward_core::Keyward::open_with(dir.path(), secrets).await.unwrap();
    let now = Utc::now();
    let call = |age_days: i64| CallRecord {
        at: now - Days::days(age_days),
        key: Some(Arc::new(IndexedKey::named("acme", "key_0123456789abcdef"))),
        key_fingerprint: None,
        method: "GET".into(),
        path: "/x".into(),
        status: 200,
        outcome: "VALID",
        latency_us: 10,
        client_ip: [127, 0, 0, 1].into(),
        user_agent: None,
    };
    let batch: Vec<CallRecord> = (0..25).map(|_| call(8)).chain((0..7).map(|_| call(6))).collect();
    keyward.call_writer().unwrap().write(&batch, Tally::rows(batch.len()), &[]).unwrap();
    let purged = keyward.purge_calls(now - Days::days(7), 10).await.unwrap();
    assert_eq!(purged, 25);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calls").fetch_one(keyward.pool()).await.unwrap();
    assert_eq!(left, 7);
    assert_eq!(keyward.purge_calls(now - Days::days(7), 10).await.unwrap(), 0, "nothing more to purge");
}

/// The writer has a thread of its own, SCHED_BATCH on Linux, so its batches never preempt a
/// thread answering a request.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_writer_thread_is_batch_scheduled() {
    use keyward_core::store::threads::wait_batch_scheduled;
    use keyward_gateway::call_log::WRITER_THREAD;
    let gw = TestGateway::start(|_| {}).await;
    // The thread marks itself as it starts; other tests' gateways have writer threads too.
    let marked = wait_batch_scheduled(|name| name == WRITER_THREAD, Duration::from_secs(2));
    assert_eq!(marked, Ok(()), "{WRITER_THREAD} threads (none: the writer's thread name changed)");
    gw.stop().await;
}
