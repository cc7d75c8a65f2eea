//! The call log's bulk writer on its own connection: every row of a batch (full 100-row
//! statements and a partial one) comes back as written, with the drop count and `last_used_at`
//! in the same transaction — and a batch that fails leaves nothing behind.

use std::sync::Arc;

use chrono::Duration;
use keyward_core::{CallFilter, CallRecord, IndexedKey, Tally};

use crate::{on_both_backends, Backend, Fixture};

fn call(f: &Fixture, second: i64, key_id: &str) -> CallRecord {
    CallRecord {
        at: f.t0 + Duration::seconds(second),
        key: Some(Arc::new(IndexedKey::named("acme", key_id))),
        key_fingerprint: (second % 2 == 0).then(|| format!("{second:08x}")),
        method: if second % 3 == 0 { "GET" } else { "POST" }.into(),
        path: format!("/v1/items/{second}?page=2").into(),
        status: 200 + (second % 2) as u16 * 229,
        outcome: if second % 2 == 0 { "VALID" } else { "RATE_LIMITED" },
        latency_us: 1_000 + second,
        // Runs of one address and a change now and then: the writer formats each run once.
        client_ip: if second % 7 == 0 { "2001:db8::7".parse().unwrap() } else { [10, 0, 0, 7].into() },
        user_agent: (second % 5 != 0).then(|| format!("agent/{second}")),
    }
}

async fn writes_every_column_of_every_row_with_its_counters(backend: Backend) {
    let f = Fixture::new(backend).await;
    let key = f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    let key_id = key.info.key_id.clone();
    // 250 rows: two full statements and one of 50.
    let batch: Vec<CallRecord> = (0..250).map(|s| call(&f, s, &key_id)).collect();
    let used_at = f.t0 + Duration::seconds(249);
    let mut writer = f.keyward.call_writer().unwrap();
    writer.write(&batch, Tally { served: 257, dropped: 7 }, &[(key_id.clone(), used_at)]).unwrap();

    let now = f.t0 + Duration::hours(1);
    let all = CallFilter { account: Some("acme".into()), limit: Some(1_000), ..CallFilter::default() };
    let listed = f.keyward.list_calls(&f.admin, &all, now).await.unwrap();
    assert_eq!(listed.len(), 250);
    // Newest first: listed[i] is the call of second 249 - i, column by column.
    for (entry, second) in listed.iter().zip((0..250).rev()) {
        let sent = call(&f, second, &key_id);
        assert_eq!(entry.at.0, sent.at, "at of second {second}");
        assert_eq!((entry.account.as_deref(), entry.key_id.as_deref()), (Some("acme"), Some(key_id.as_str())));
        assert_eq!(entry.key_fingerprint, sent.key_fingerprint);
        assert_eq!(
            (&*entry.method, &*entry.path, entry.status, entry.outcome.as_str()),
            (&*sent.method, &*sent.path, i32::from(sent.status), sent.outcome)
        );
        assert_eq!(
            (entry.latency_us, &entry.client_ip, &entry.user_agent),
            (sent.latency_us, &sent.client_ip.to_string(), &sent.user_agent)
        );
    }
    let stats = f.keyward.call_stats(&f.admin, Some("acme"), now).await.unwrap();
    assert_eq!((stats.logged, stats.dropped), (250, 7));
    // The counters every gateway adds to: served = logged + dropped.
    assert_eq!((stats.served, stats.logged_ever), (257, 250));
    // The hourly rollup holds the batch by hour and outcome (the chart reads it).
    let by_outcome: Vec<(String, i64)> = stats.hours.iter().map(|h| (h.outcome.clone(), h.count)).collect();
    assert_eq!(by_outcome, [("RATE_LIMITED".to_owned(), 125), ("VALID".to_owned(), 125)]);
    let last_used: Option<i64> = sqlx::query_scalar("SELECT last_used_at FROM api_keys WHERE id = $1")
        .bind(&key_id)
        .fetch_one(f.keyward.pool())
        .await
        .unwrap();
    assert_eq!(last_used, Some(used_at.timestamp_millis()));

    // Drops alone (an empty batch) still reach the counter.
    writer.write::<CallRecord>(&[], Tally { served: 3, dropped: 3 }, &[]).unwrap();
    let stats = f.keyward.call_stats(&f.admin, Some("acme"), now).await.unwrap();
    assert_eq!((stats.served, stats.logged_ever, stats.dropped), (260, 250, 10));
}

async fn a_failing_batch_writes_nothing(backend: Backend) {
    // The counters' update, the last statement of the batch, fails (when it adds drops) after
    // every row was inserted: the whole batch must roll back.
    let trigger = match backend {
        Backend::Sqlite => "CREATE TRIGGER refuse_drops BEFORE UPDATE ON call_log_counters WHEN NEW.dropped <> OLD.dropped BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        Backend::Postgres => "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
             CREATE TRIGGER refuse_drops BEFORE UPDATE ON call_log_counters FOR EACH ROW WHEN (NEW.dropped <> OLD.dropped) EXECUTE FUNCTION refuse();",
    };
    refused_batch_leaves_nothing(backend, trigger, "refused by the test").await;
}

async fn a_row_failing_mid_batch_leaves_nothing_of_it(backend: Backend) {
    // SQLite: RAISE(FAIL) keeps the statement's earlier rows, as the writer's `INSERT OR FAIL`
    // does: row 120 fails inside the second 100-row statement, and the transaction must take
    // back the first statement's rows and the second's first 20. PostgreSQL: row 120 fails
    // inside the COPY.
    let trigger = match backend {
        Backend::Sqlite => "CREATE TRIGGER refuse_a_row BEFORE INSERT ON calls WHEN NEW.latency_us = 1120 BEGIN SELECT RAISE(FAIL, 'row refused by the test'); END",
        Backend::Postgres => "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'row refused by the test'; END $$;
             CREATE TRIGGER refuse_a_row BEFORE INSERT ON calls FOR EACH ROW WHEN (NEW.latency_us = 1120) EXECUTE FUNCTION refuse();",
    };
    refused_batch_leaves_nothing(backend, trigger, "row refused by the test").await;
}

/// With `trigger` in place, a 250-row batch fails with `message` and leaves no row and no drop
/// count; the connection then writes the next batch (rows the trigger lets through).
async fn refused_batch_leaves_nothing(backend: Backend, trigger: &str, message: &str) {
    let f = Fixture::new(backend).await;
    sqlx::raw_sql(trigger).execute(f.keyward.pool()).await.unwrap();
    let batch: Vec<CallRecord> = (0..250).map(|s| call(&f, s, "key_x")).collect();
    let mut writer = f.keyward.call_writer().unwrap();
    let err = writer.write(&batch, Tally { served: 251, dropped: 1 }, &[]).unwrap_err();
    assert!(err.to_string().contains(message), "{err}");
    assert_eq!(f.count("SELECT COUNT(*) FROM calls").await, 0, "no row of the failed batch is left");
    assert_eq!(f.count("SELECT dropped + served + logged FROM call_log_counters").await, 0);
    assert_eq!(f.count("SELECT COUNT(*) FROM call_hours").await, 0, "nor its hours");
    writer.write(&batch[..100], Tally::rows(100), &[]).unwrap();
    assert_eq!(f.count("SELECT COUNT(*) FROM calls").await, 100);
}

#[tokio::test]
async fn sqlite_keeps_no_allocation_statistics() {
    // .cargo/config.toml builds SQLite with DEFAULT_MEMSTATUS=0: the statistics' mutex was taken
    // by every allocation of the writer. A build outside the workspace would lose it silently.
    let f = Fixture::new(Backend::Sqlite).await;
    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options").fetch_all(f.keyward.pool()).await.unwrap();
    assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
}

on_both_backends!(
    writes_every_column_of_every_row_with_its_counters,
    a_failing_batch_writes_nothing,
    a_row_failing_mid_batch_leaves_nothing_of_it
);
