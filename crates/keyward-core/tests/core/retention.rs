//! Retention: calls older than the window go, with their hours in the rollup; on PostgreSQL a
//! whole day's partition is dropped at once, and a day that is only partly old stays.

use std::sync::Arc;

use chrono::{Duration, DurationRound};
use keyward_core::{CallFilter, CallRecord, IndexedKey, Tally};

use crate::{on_both_backends, Backend, Fixture};

fn call(at: chrono::DateTime<chrono::Utc>) -> CallRecord {
    CallRecord {
        at,
        key: Some(Arc::new(IndexedKey::named("acme", "key_0123456789abcdef"))),
        key_fingerprint: None,
        method: "GET".into(),
        path: "/v1/items".into(),
        status: 200,
        outcome: "VALID",
        latency_us: 100,
        client_ip: [127, 0, 0, 1].into(),
        user_agent: None,
    }
}

async fn old_calls_and_their_hours_go_and_recent_ones_stay(backend: Backend) {
    let f = Fixture::new(backend).await;
    // Ten days of calls, four a day at 01:00, 07:00, 13:00 and 19:00 UTC.
    let midnight = f.t0.duration_trunc(Duration::days(1)).unwrap();
    let batch: Vec<CallRecord> = (0..10)
        .flat_map(|day| (0..4).map(move |q| midnight + Duration::days(day) + Duration::hours(1 + 6 * q)))
        .map(call)
        .collect();
    f.keyward.call_writer().unwrap().write(&batch, Tally::rows(batch.len()), &[]).unwrap();
    let now = midnight + Duration::days(10);
    // The cut at 12:00 of day 3: days 0-2 are wholly older, day 3 half.
    let before = midnight + Duration::days(3) + Duration::hours(12);
    let purged = f.keyward.purge_calls(before, 5).await.unwrap();
    let left = f.count("SELECT COUNT(*) FROM calls").await;
    match backend {
        // Row by row: everything before the cut.
        Backend::Sqlite => assert_eq!((purged, left), (14, 26)),
        // Whole days: days 0-2 (12 rows); day 3's morning waits for its day to end.
        Backend::Postgres => {
            assert_eq!((purged, left), (12, 28));
            let days = f.count("SELECT COUNT(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'calls'").await;
            assert_eq!(days, 7, "three day partitions dropped");
        }
    }
    // The rollup's hours that end before the cut go on both backends (they are outside every
    // window a reader asks for); the later ones stay, one per call here.
    let hours_before_cut =
        f.count(&format!("SELECT COUNT(*) FROM call_hours WHERE hour < {}", before.timestamp_millis())).await;
    assert_eq!(hours_before_cut, 0);
    assert_eq!(f.count("SELECT COUNT(*) FROM call_hours").await, 26);
    let all =
        CallFilter { account: Some("acme".into()), limit: Some(100), since: Some(midnight), ..CallFilter::default() };
    let listed = f.keyward.list_calls(&f.admin, &all, now).await.unwrap();
    assert_eq!(listed.len() as i64, left);
    assert_eq!(f.keyward.purge_calls(before, 5).await.unwrap(), 0, "nothing more to purge");
}

on_both_backends!(old_calls_and_their_hours_go_and_recent_ones_stay);
