//! SQLite's connection threads run SCHED_BATCH on Linux (see src/store/threads.rs), so the
//! call-log writer's batches never preempt a thread answering a request.

use std::time::Duration;

use keyward_core::store::threads::{wait_batch_scheduled, THREAD_PREFIX};

use crate::{Backend, Fixture};

#[tokio::test]
async fn every_connection_thread_is_batch_scheduled() {
    let f = Fixture::new(Backend::Sqlite).await; // opens the store: migrations, an account
    f.keyward.list_accounts(&f.admin).await.unwrap();
    // Other tests open pools too: a thread that has just started is marked as its connection
    // opens, so wait for that rather than fail on it; a thread never marked fails here.
    let marked = wait_batch_scheduled(|name| name.starts_with(THREAD_PREFIX), Duration::from_secs(2));
    assert_eq!(marked, Ok(()), "{THREAD_PREFIX}* threads (none: the pool's thread names changed)");
}
