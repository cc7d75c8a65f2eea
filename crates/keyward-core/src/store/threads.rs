//! SQLite runs on sqlx's worker threads, one per pooled connection, and on the gateway's
//! call-log writer thread. Their work is bulk work — the call-log batches above all — so on
//! Linux they are scheduled SCHED_BATCH: they keep their fair share of the CPU (a busy gateway
//! still logs every call), but when one wakes it no longer preempts a thread that is answering a
//! request (the p99 of `make bench`'s paced runs is the figure it serves).

/// sqlx names SQLite's connection threads `sqlx-sqlite-worker-N` (a thread name holds 15 bytes,
/// so `/proc` shows `sqlx-sqlite-wor`).
pub const THREAD_PREFIX: &str = "sqlx-sqlite-";

/// Marks every connection thread of this process SCHED_BATCH; run as each connection opens
/// (its thread exists by then). Marking one twice is harmless.
#[cfg(target_os = "linux")]
pub(crate) fn mark_batch() {
    for tid in threads_named(|name| name.starts_with(THREAD_PREFIX)) {
        set_batch(tid);
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn mark_batch() {}

/// Marks the calling thread SCHED_BATCH (the call-log writer's thread, as it starts).
#[cfg(target_os = "linux")]
pub fn mark_this_thread_batch() {
    set_batch(0);
}

#[cfg(not(target_os = "linux"))]
pub fn mark_this_thread_batch() {}

/// For tests: waits up to `within` for every thread whose name matches to be SCHED_BATCH (a
/// thread that has just started may not be marked yet). `Err` says which are not, or that no
/// thread has such a name.
#[cfg(all(target_os = "linux", feature = "test-support"))]
#[allow(unsafe_code)] // a libc query, its SAFETY note below
pub fn wait_batch_scheduled(name_matches: impl Fn(&str) -> bool, within: std::time::Duration) -> Result<(), String> {
    let deadline = std::time::Instant::now() + within;
    loop {
        // SAFETY: a query of a thread of this process; a thread that ended answers -1.
        let policies: Vec<_> = threads_named(&name_matches)
            .into_iter()
            .map(|tid| (tid, unsafe { libc::sched_getscheduler(tid) }))
            .filter(|&(_, policy)| policy >= 0)
            .collect();
        if policies.is_empty() {
            return Err("no thread has that name".into());
        }
        let normal: Vec<_> = policies.iter().filter(|&&(_, policy)| policy != libc::SCHED_BATCH).collect();
        if normal.is_empty() {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            return Err(format!("(thread id, policy) left at normal scheduling: {normal:?}"));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Ids of this process's threads whose name (as `/proc` holds it) matches.
#[cfg(target_os = "linux")]
fn threads_named(name_matches: impl Fn(&str) -> bool) -> Vec<libc::pid_t> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return vec![] };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|name| name_matches(name.trim_end()))
        })
        .filter_map(|task| task.file_name().to_str()?.parse().ok())
        .collect()
}

/// `tid` 0 is the calling thread.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // a libc call, its SAFETY note below
fn set_batch(tid: libc::pid_t) {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: a plain system call on a thread of this process, with a valid parameter block for
    // SCHED_BATCH (priority 0); it changes nothing else.
    if unsafe { libc::sched_setscheduler(tid, libc::SCHED_BATCH, &param) } != 0 {
        tracing::debug!(tid, err = %std::io::Error::last_os_error(), "database thread left at normal scheduling");
    }
}
