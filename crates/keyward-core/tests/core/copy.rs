//! `db copy`: a SQLite install into an empty PostgreSQL database, whole, and never into one that
//! holds an installation.

use std::sync::Arc;

use chrono::Duration;
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::store::{test_postgres, Database};
use keyward_core::{CallRecord, ChainStatus, Error, IndexedKey, Keyward, Role, Tally, VerifyCode};

use crate::{Backend, Fixture};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_install_moves_whole_into_an_empty_team_database() {
    let f = Fixture::new(Backend::Sqlite).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    kw.add_member(ana, "acme", "bo", Some("bo@example.com"), Role::Member, t0).await.unwrap();
    let key = kw.generate_key(ana, "acme", t0).await.unwrap();
    let now = t0 + Duration::days(10);
    let calls: Vec<CallRecord> = [now - Duration::days(8), now - Duration::days(1), now - Duration::hours(1)]
        .into_iter()
        .map(|at| CallRecord {
            at,
            key: Some(Arc::new(IndexedKey::named("acme", &key.info.key_id))),
            key_fingerprint: None,
            method: "GET".into(),
            path: "/v1/x".into(),
            status: 200,
            outcome: "VALID",
            latency_us: 80,
            client_ip: [10, 0, 0, 1].into(),
            user_agent: None,
        })
        .collect();
    kw.call_writer().unwrap().write(&calls, Tally { served: 4, dropped: 1 }, &[]).unwrap();
    let trail = kw.verify_audit_chain().await.unwrap();

    let target_db = Database::parse(&test_postgres::create_database().await).unwrap();
    let target = Keyward::connect(&target_db, Arc::new(MemorySecrets::default())).await.unwrap();
    let report = kw.copy_into(&target, now).await.unwrap();
    assert_eq!(report.calls, 2, "the last 7 days of calls");
    // The target's keyring (another machine's here) holds no checkpoint of this trail.
    let unanchored = |status| match status {
        ChainStatus::Verified { entries, .. } => ChainStatus::Verified { entries, checkpoint: None },
        other => other,
    };
    let trail = unanchored(trail);
    assert_eq!(target.verify_audit_chain().await.unwrap(), trail, "the chain, entry for entry");
    assert!(matches!(trail, ChainStatus::Verified { entries, .. } if entries >= 3));
    assert_eq!(target.verify_key(key.key.expose(), now).await.unwrap().code, VerifyCode::Valid);
    assert_eq!(target.list_members(ana, "acme", now).await.unwrap().len(), 2);
    let stats = target.call_stats(ana, Some("acme"), now).await.unwrap();
    assert_eq!((stats.logged, stats.served, stats.logged_ever, stats.dropped), (2, 4, 3, 1), "the source's counters");

    let again = kw.copy_into(&target, now).await.unwrap_err();
    assert!(matches!(again, Error::TargetNotEmpty { .. }), "{again}");
    assert_eq!(target.verify_audit_chain().await.unwrap(), trail, "the refused copy wrote nothing");
}
