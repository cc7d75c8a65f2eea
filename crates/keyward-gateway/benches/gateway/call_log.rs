//! The call-log writer alone, and the queries over what it wrote.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::{Actor, CallRecord, IndexedKey, Keyward, Tally};

/// The call-log writer alone: 1,000,000 rows in batches of 1,000 into a database with its
/// index, then the queries `keyward calls` and the desktop chart run, on those million rows.
pub async fn call_log_figures() -> (f64, Vec<(&'static str, f64)>) {
    const BATCHES: usize = 1_000;
    let dir = tempfile::tempdir().unwrap();
    let keyward = Keyward::open_with(dir.path(), Arc::new(MemorySecrets::default())).await.unwrap();
    let admin = Actor::new("bench");
    for name in ["acme", "globex"] {
        keyward.create_account(&admin, name, None, Utc::now()).await.unwrap();
    }
    let start = Utc::now() - chrono::Duration::days(6);
    let mut writer = keyward.call_writer().unwrap();
    let [acme, globex] = ["acme", "globex"].map(|account| Arc::new(IndexedKey::named(account, "key_0123456789abcdef")));
    let started = Instant::now();
    for b in 0..BATCHES {
        let batch: Vec<CallRecord> = (0..1_000)
            .map(|i| CallRecord {
                // A million calls spread over six days, two accounts, a few outcomes.
                at: start + chrono::Duration::milliseconds(((b * 1_000 + i) as i64) * 500),
                key: Some(Arc::clone(if i % 4 == 0 { &globex } else { &acme })),
                key_fingerprint: None,
                method: "POST".into(),
                path: "/v1/keys/verify".into(),
                status: if i % 10 == 0 { 401 } else { 200 },
                outcome: if i % 10 == 0 { "REVOKED" } else { "VALID" },
                latency_us: 42,
                client_ip: [127, 0, 0, 1].into(),
                user_agent: Some("wrk".into()),
            })
            .collect();
        writer.write(&batch, Tally::rows(batch.len()), &[]).unwrap();
    }
    let rows_per_second = (BATCHES * 1_000) as f64 / started.elapsed().as_secs_f64();
    let now = Utc::now();
    let mut queries = vec![];
    let filter = |account: Option<&str>, outcome: Option<&str>| keyward_core::CallFilter {
        account: account.map(str::to_owned),
        outcome: outcome.map(str::to_owned),
        limit: Some(100),
        ..Default::default()
    };
    for (name, f) in [
        ("query: newest 100 calls of one account (1M rows)", filter(Some("acme"), None)),
        ("query: newest 100 calls, all accounts", filter(None, None)),
        ("query: newest 100 REVOKED calls of one account", filter(Some("globex"), Some("REVOKED"))),
    ] {
        let t = Instant::now();
        let rows = keyward.list_calls(&admin, &f, now).await.unwrap();
        assert_eq!(rows.len(), 100);
        queries.push((name, t.elapsed().as_secs_f64() * 1000.0));
    }
    let t = Instant::now();
    keyward.call_stats(&admin, Some("globex"), now).await.unwrap();
    queries.push(("query: 7-day hourly stats of one account", t.elapsed().as_secs_f64() * 1000.0));
    let t = Instant::now();
    keyward.purge_calls(now - chrono::Duration::days(7), 5_000).await.unwrap();
    queries.push(("purge with nothing past retention", t.elapsed().as_secs_f64() * 1000.0));
    (rows_per_second, queries)
}
