//! The database's connection threads run SCHED_BATCH on Linux (see src/db_threads.rs), so the
//! call-log writer's batches never preempt a thread answering a request.

use std::time::{Duration, Instant};

use keyward_core::db_threads::THREAD_PREFIX;

use crate::Fixture;

/// (thread id, scheduling policy) of every connection thread in this process.
fn connection_threads() -> Vec<(libc::pid_t, libc::c_int)> {
    let tasks = std::fs::read_dir("/proc/self/task").unwrap();
    tasks
        .flatten()
        .filter(|task| std::fs::read_to_string(task.path().join("comm")).is_ok_and(|n| n.starts_with(THREAD_PREFIX)))
        .filter_map(|task| task.file_name().to_str()?.parse().ok())
        // SAFETY: a query of a thread of this process; a thread that ended answers -1.
        .map(|tid| (tid, unsafe { libc::sched_getscheduler(tid) }))
        .filter(|&(_, policy)| policy >= 0)
        .collect()
}

#[tokio::test]
async fn every_connection_thread_is_batch_scheduled() {
    let f = Fixture::new().await; // opens the store: migrations, an account
    f.keyward.list_accounts(&f.admin).await.unwrap();
    // Other tests open pools too: a thread that has just started is marked as its connection
    // opens, so wait for that rather than fail on it; a thread never marked fails here.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let threads = connection_threads();
        assert!(!threads.is_empty(), "no {THREAD_PREFIX}* threads: the pool's thread names changed");
        if threads.iter().all(|&(_, policy)| policy == libc::SCHED_BATCH) {
            break;
        }
        assert!(Instant::now() < deadline, "threads left at normal scheduling: {threads:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
