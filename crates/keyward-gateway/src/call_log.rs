//! The call log's path off the request: a bounded queue drained by one writer in batched
//! transactions (up to 10,000 rows or 100 ms each: on PostgreSQL each transaction's fixed cost
//! (COPY set-up, the rollup upsert, the counters, the commit) is paid once per batch, so a busy
//! gateway's larger batches cost the database less per row). A full queue drops the row and counts it, so
//! `served = logged + dropped` holds exactly once the queue is empty (and always, counting the
//! rows still queued).
//!
//! The writer has a thread of its own (SCHED_BATCH on Linux) with a connection of its own
//! ([`CallWriter`]): SQLite's work blocks that thread only, never a runtime worker that answers
//! requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use keyward_core::{CallRecord, CallWriter, Keyward, Tally};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot, watch};

use crate::metrics::Metrics;

pub const BATCH_ROWS: usize = 10_000;
pub const BATCH_WINDOW: Duration = Duration::from_millis(100);
const GATHER_TICK: Duration = Duration::from_millis(5);
/// `last_used_at` is written at most this often per key.
const LAST_USED_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// The sending side, held by request handlers.
pub struct CallLog {
    queue: mpsc::Sender<CallRecord>,
    capacity: usize,
    metrics: Arc<Metrics>,
    /// Drops not yet added to the database counter; the writer moves them over per batch.
    unsaved_drops: Arc<AtomicU64>,
}

/// The writer thread; [`Writer::finish`] stops it after writing everything queued.
pub struct Writer {
    stop: watch::Sender<bool>,
    done: oneshot::Receiver<Unsaved>,
}

/// What a stopped gateway could not add to the database's call-log counters (a full disk, a
/// database gone): the rows are lost and `served = logged + dropped` no longer holds in the
/// database by this much. All zero after a clean flush.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unsaved {
    /// Calls answered whose count never reached the database.
    pub served: u64,
    /// Of those, rows dropped (a full queue or a failed batch).
    pub dropped: u64,
}

impl CallLog {
    /// Opens the writer's connection and starts its thread.
    pub fn start(keyward: &Keyward, capacity: usize, metrics: Arc<Metrics>) -> keyward_core::Result<(CallLog, Writer)> {
        let (queue, rx) = mpsc::channel(capacity.max(1));
        let (stop, stopped) = watch::channel(false);
        let (finished, done) = oneshot::channel();
        let unsaved_drops = Arc::new(AtomicU64::new(0));
        let state = WriterState {
            db: keyward.call_writer()?,
            metrics: Arc::clone(&metrics),
            unsaved_drops: Arc::clone(&unsaved_drops),
            served_saved: 0,
            last_used: HashMap::new(),
        };
        // Its own runtime for the queue and the gathering timer; the writes block it, and only it.
        // (Like tokio's own spawning, running out of threads or timers is not recoverable here.)
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a timer for the call-log writer");
        std::thread::Builder::new()
            .name(WRITER_THREAD.into())
            .spawn(move || {
                keyward_core::store::threads::mark_this_thread_batch();
                let unsaved = runtime.block_on(state.run(rx, stopped));
                let _ = finished.send(unsaved);
            })
            .expect("a thread for the call-log writer");
        Ok((CallLog { queue, capacity: capacity.max(1), metrics, unsaved_drops }, Writer { stop, done }))
    }

    /// Queues one row without waiting; a full queue drops it and counts the drop.
    ///
    /// The request's metrics (outcome, latency) are taken where its row ends up: by the writer,
    /// a batch at a time on its own thread, or here for a dropped row. Taken per request on
    /// the request path, the latency histogram's lock and the counters were written by both
    /// runtime workers at once; this way `/metrics` trails the
    /// requests by at most one batch (~100 ms) and still counts every one.
    pub fn record(&self, call: CallRecord) {
        self.metrics.served.inc();
        if let Err(refused) = self.queue.try_send(call) {
            let call = match refused {
                TrySendError::Full(call) | TrySendError::Closed(call) => call,
            };
            self.metrics.observe(&call);
            self.drop_rows(1);
        }
    }

    pub fn queue_depth(&self) -> usize {
        self.capacity - self.queue.capacity()
    }

    fn drop_rows(&self, n: u64) {
        self.metrics.dropped.inc_by(n);
        self.unsaved_drops.fetch_add(n, Ordering::Relaxed);
    }
}

impl Writer {
    /// Stops taking rows, writes all that are queued, and returns when they are committed, with
    /// what could not be.
    pub async fn finish(self) -> Unsaved {
        let _ = self.stop.send(true);
        self.done.await.unwrap_or_default()
    }
}

/// The writer thread's name (a thread name holds 15 bytes).
pub const WRITER_THREAD: &str = "kw-call-log";

struct WriterState {
    db: CallWriter,
    metrics: Arc<Metrics>,
    unsaved_drops: Arc<AtomicU64>,
    /// This gateway's `served` count as last added to the database's counters.
    served_saved: u64,
    last_used: HashMap<String, DateTime<Utc>>,
}

impl WriterState {
    async fn run(mut self, mut rx: mpsc::Receiver<CallRecord>, mut stopped: watch::Receiver<bool>) -> Unsaved {
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        loop {
            tokio::select! {
                n = rx.recv_many(&mut batch, BATCH_ROWS) => if n == 0 { break },
                _ = stopped.changed() => {
                    rx.close();
                    while rx.recv_many(&mut batch, BATCH_ROWS).await > 0 {
                        if batch.len() >= BATCH_ROWS {
                            self.write(&mut batch);
                        }
                    }
                    break;
                }
            }
            // Gather more for up to BATCH_WINDOW, unless a full batch is waiting. Looking every
            // few milliseconds, rather than being woken by each row, keeps the writer from
            // costing the request path a task wake-up per call.
            let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
            while batch.len() + rx.len() < BATCH_ROWS && tokio::time::Instant::now() < deadline && !rx.is_closed() {
                tokio::time::sleep(GATHER_TICK).await;
            }
            let room = BATCH_ROWS.saturating_sub(batch.len());
            if room > 0 && !rx.is_empty() {
                rx.recv_many(&mut batch, room).await;
            }
            self.write(&mut batch);
        }
        self.write(&mut batch);
        Unsaved {
            served: self.metrics.served.get() - self.served_saved,
            dropped: self.unsaved_drops.load(Ordering::Relaxed),
        }
    }

    fn write(&mut self, batch: &mut Vec<CallRecord>) {
        let drops = self.unsaved_drops.swap(0, Ordering::Relaxed);
        let served = self.metrics.served.get();
        let tally = Tally { served: served - self.served_saved, dropped: drops };
        if batch.is_empty() && tally == Tally::default() {
            return;
        }
        for call in batch.iter() {
            self.metrics.observe(call);
        }
        let touched = self.keys_to_touch(batch);
        match self.db.write(batch, tally, &touched) {
            Ok(()) => {
                self.served_saved = served;
                self.metrics.logged.inc_by(batch.len() as u64);
                for (key_id, at) in touched {
                    self.last_used.insert(key_id, at);
                }
            }
            Err(err) => {
                // The rows are lost: count them as dropped so the books still balance.
                tracing::error!(%err, rows = batch.len(), "call-log batch failed");
                self.metrics.dropped.inc_by(batch.len() as u64);
                self.unsaved_drops.fetch_add(drops + batch.len() as u64, Ordering::Relaxed);
            }
        }
        batch.clear();
    }

    /// Keys used in this batch whose `last_used_at` is more than a minute old.
    fn keys_to_touch(&self, batch: &[CallRecord]) -> Vec<(String, DateTime<Utc>)> {
        let mut newest: HashMap<&str, DateTime<Utc>> = HashMap::new();
        for call in batch.iter().filter(|c| c.outcome == "VALID") {
            if let Some(id) = call.key.as_ref().map(|k| k.key_id.as_str()) {
                let at = newest.entry(id).or_insert(call.at);
                *at = (*at).max(call.at);
            }
        }
        newest
            .into_iter()
            .filter(|(id, at)| self.last_used.get(*id).is_none_or(|last| *at - *last >= LAST_USED_EVERY))
            .map(|(id, at)| (id.to_owned(), at))
            .collect()
    }
}
