//! The cluster's share of each key's usage limits, for gateways on a team database.
//!
//! Each gateway keeps a small stock of requests per key, leased from the key's shared budget
//! (`Keyward::lease_budget`) by a background task whenever the stock runs below half a chunk;
//! a request takes one from the stock with an atomic decrement, never waiting for the
//! database. While a lease is on its way a gateway may run up to one chunk into credit (paid
//! back from the next lease), so a burst that outruns a lease is not refused.
//!
//! The bound: every accepted request is paid from the shared budget except what a gateway holds
//! in stock or credit, at most two chunks each. While the database cannot be reached, a lease
//! that fails grants one chunk locally: each gateway then holds its limits alone (governor's,
//! as on one machine) until its view is too old and it refuses every key (`freshness`). A chunk is 1/150 of the key's smaller limit (at
//! least one request), so three gateways overshoot a limit by at most 3 × 2 / 150 = 4 %.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use chrono::Utc;
use keyward_core::{IndexedKey, Keyward, Published, UsageLimits};
use tokio::sync::mpsc;

/// A lease that takes longer is given up (the database is out of reach or overloaded).
const LEASE_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// Chunks per limit: the overshoot is at most `2 × gateways / CHUNKS_PER_LIMIT` of the limit.
pub const CHUNKS_PER_LIMIT: u32 = 150;

struct Stock {
    key_id: String,
    limits: UsageLimits,
    chunk: i64,
    /// Requests this gateway may still accept; below zero: credit taken.
    left: AtomicI64,
    leasing: AtomicBool,
}

impl Stock {
    fn new(key: &IndexedKey) -> Stock {
        let smaller = key.limits.burst_limit.min(key.limits.daily_limit);
        Stock {
            key_id: key.key_id.clone(),
            limits: key.limits,
            chunk: i64::from((smaller / CHUNKS_PER_LIMIT).max(1)),
            left: AtomicI64::new(0),
            leasing: AtomicBool::new(false),
        }
    }
}

pub struct ClusterBudget {
    stocks: Published<HashMap<String, Arc<Stock>>>,
    leases: mpsc::UnboundedSender<Arc<Stock>>,
}

impl ClusterBudget {
    /// Starts the lease task; it ends when the budget is dropped.
    pub fn start(keyward: Keyward) -> ClusterBudget {
        let (leases, wanted) = mpsc::unbounded_channel();
        tokio::spawn(lease_when_asked(keyward, wanted));
        ClusterBudget { stocks: Published::default(), leases }
    }

    /// Takes one request from the key's stock; `false`: the cluster's allowance is spent.
    pub fn take(&self, key: &IndexedKey) -> bool {
        let current = |s: &&Arc<Stock>| s.limits == key.limits;
        // The stock is used in place: no reference count to touch per request.
        if let Some(taken) =
            self.stocks.read(|stocks| stocks.get(&key.key_id).filter(current).map(|s| self.take_from(s)))
        {
            return taken;
        }
        let stock = self.stock(key);
        self.take_from(&stock)
    }

    fn take_from(&self, stock: &Arc<Stock>) -> bool {
        let left = stock.left.fetch_sub(1, Ordering::AcqRel) - 1;
        if left < stock.chunk / 2 && !stock.leasing.swap(true, Ordering::AcqRel) {
            let _ = self.leases.send(Arc::clone(stock));
        }
        if left >= -stock.chunk {
            true
        } else {
            stock.left.fetch_add(1, Ordering::AcqRel);
            false
        }
    }

    /// The key's stock, made on first use here or when the account's limits changed.
    fn stock(&self, key: &IndexedKey) -> Arc<Stock> {
        let current = |s: &&Arc<Stock>| s.limits == key.limits;
        let stocks = self.stocks.update(|stocks| {
            stocks.get(&key.key_id).filter(current).is_none().then(|| {
                let mut next = stocks.clone();
                next.insert(key.key_id.clone(), Arc::new(Stock::new(key)));
                next
            })
        });
        Arc::clone(&stocks[&key.key_id])
    }
}

/// Leases what each asking stock lacks: its credit back, plus one chunk.
async fn lease_when_asked(keyward: Keyward, mut wanted: mpsc::UnboundedReceiver<Arc<Stock>>) {
    while let Some(stock) = wanted.recv().await {
        let want = (stock.chunk - stock.left.load(Ordering::Acquire)).max(1);
        let lease = keyward.lease_budget(&stock.key_id, stock.limits, want as u32, Utc::now());
        match tokio::time::timeout(LEASE_TIMEOUT, lease).await.unwrap_or(Err(keyward_core::Error::LeaseTimedOut)) {
            Ok(granted) => {
                stock.left.fetch_add(i64::from(granted), Ordering::AcqRel);
            }
            Err(err) => {
                tracing::warn!(%err, key_id = %stock.key_id, "could not lease from the shared usage budget: limiting locally");
                stock.left.fetch_add(stock.chunk, Ordering::AcqRel);
            }
        }
        stock.leasing.store(false, Ordering::Release);
    }
}
