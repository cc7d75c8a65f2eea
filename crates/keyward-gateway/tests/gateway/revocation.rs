use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::{Confirmation, Grace, Keyward};

use crate::TestGateway;

/// 32 clients verify the old key as fast as they can while it is rotated in this process:
/// not one request sent after `rotate` returned succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_success_with_the_old_key_after_rotate_returns() {
    let gw = Arc::new(TestGateway::start(|c| c.failures_per_ip_per_minute = 1_000_000).await);
    let limits = keyward_core::UsageLimits { burst_limit: 1_000_000, burst_seconds: 1, daily_limit: 1_000_000_000 };
    gw.keyward.set_usage_limits(&gw.admin, "acme", limits, Utc::now()).await.unwrap();
    let rotated_at: Arc<std::sync::OnceLock<Instant>> = Arc::default();
    let mut clients = vec![];
    for _ in 0..32 {
        let (gw, rotated_at) = (Arc::clone(&gw), Arc::clone(&rotated_at));
        clients.push(tokio::spawn(async move {
            let (mut before, mut after, mut late_successes) = (0, 0, 0);
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                let sent = Instant::now();
                let sent_after_rotation = rotated_at.get().is_some_and(|r| sent > *r);
                let code = gw.code(&gw.key).await;
                if sent_after_rotation {
                    after += 1;
                    late_successes += usize::from(code == "VALID");
                } else {
                    before += 1;
                }
            }
            (before, after, late_successes)
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    gw.keyward.rotate_key(&gw.admin, "acme", Grace::None, &Confirmation::Explicit, Utc::now()).await.unwrap();
    rotated_at.set(Instant::now()).unwrap();
    let (mut before, mut after, mut late) = (0, 0, 0);
    for caller in clients {
        let (b, a, l) = caller.await.unwrap();
        (before, after, late) = (before + b, after + a, late + l);
    }
    assert!(before > 100 && after > 100, "both sides of the rotation were exercised: {before} / {after}");
    assert_eq!(late, 0, "{late} of {after} requests sent after rotate returned still succeeded");
}

/// Another process (its own connections, its own index) deactivates the key: this gateway
/// refuses it within a second.
#[tokio::test]
async fn a_change_by_another_process_is_refused_within_a_second() {
    let gw = TestGateway::start(|c| c.key_poll_interval = Duration::from_millis(200)).await;
    assert_eq!(gw.code(&gw.key).await, "VALID");
    let other = Keyward::open_with(gw.dir.path(), Arc::new(MemorySecrets::default())).await.unwrap();
    other.deactivate_key(&gw.admin, "acme", &Confirmation::Explicit, Utc::now()).await.unwrap();
    let changed = Instant::now();
    let mut refused_after = None;
    while changed.elapsed() < Duration::from_secs(3) {
        if gw.code(&gw.key).await == "REVOKED" {
            refused_after = Some(changed.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused_after = refused_after.expect("the key was never refused");
    assert!(refused_after < Duration::from_secs(1), "refused only after {refused_after:?}");
}
