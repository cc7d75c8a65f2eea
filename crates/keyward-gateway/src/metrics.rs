//! `/metrics` in Prometheus text: requests by outcome, latency, call-log rows written and
//! dropped, queue depth, throttled failures.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::Registry;

use keyward_core::CallRecord;

use crate::outcome::Outcome;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

pub struct Metrics {
    registry: Registry,
    /// One counter per outcome, in [`Outcome::ALL`]'s order (looked up in the family once).
    requests: [Counter; Outcome::ALL.len()],
    latency: Histogram,
    pub throttled: SpreadCounter,
    pub served: SpreadCounter,
    pub logged: Counter,
    pub dropped: Counter,
    pub queue_depth: Gauge,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("keyward_gateway");
        let requests = Family::<OutcomeLabel, Counter>::default();
        let buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];
        let latency = Histogram::new(buckets);
        let (throttled, served) = (SpreadCounter::default(), SpreadCounter::default());
        let (logged, dropped): (Counter, Counter) = Default::default();
        let queue_depth = Gauge::default();
        registry.register("requests", "Requests that presented a key, by outcome", requests.clone());
        registry.register("request_duration_seconds", "Time to answer a keyed request", latency.clone());
        registry.register(
            "throttled_failures",
            "Failed attempts refused by the per-IP throttle (not logged)",
            throttled.clone(),
        );
        registry.register("call_log_served", "Keyed requests handed to the call log", served.clone());
        registry.register("call_log_rows_written", "Call-log rows committed", logged.clone());
        registry.register(
            "call_log_rows_dropped",
            "Call-log rows dropped: queue full or write failed",
            dropped.clone(),
        );
        registry.register("call_log_queue_depth", "Call-log rows waiting for the writer", queue_depth.clone());
        let requests = Outcome::ALL.map(|o| requests.get_or_create(&OutcomeLabel { outcome: o.as_str() }).clone());
        Metrics { registry, requests, latency, throttled, served, logged, dropped, queue_depth }
    }
}

impl Metrics {
    /// Counts one keyed request, from its call-log row: by outcome, and its latency.
    pub fn observe(&self, call: &CallRecord) {
        if let Some(outcome) = Outcome::ALL.iter().position(|o| o.as_str() == call.outcome) {
            self.requests[outcome].inc();
        }
        self.latency.observe(call.latency_us as f64 / 1e6);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String");
        out
    }
}

/// A counter the request threads add to without sharing a cache line: each thread adds to a
/// slot of its own, and reading sums the slots. One shared counter, added to for every request
/// by both runtime workers, moved its cache line between the cores each time. Exact whenever no request is being counted, as a [`Counter`] is.
#[derive(Debug, Clone, Default)]
pub struct SpreadCounter {
    slots: Arc<[Slot; SLOTS]>,
}

/// More slots than a machine here has runtime workers; threads beyond share (still exact).
const SLOTS: usize = 16;

/// One slot per cache line pair (adjacent-line prefetch pairs them on x86).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Slot(AtomicU64);

static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The slot this thread adds to, handed out in turn as threads first count.
    static THIS_THREADS_SLOT: usize = NEXT_SLOT.fetch_add(1, Ordering::Relaxed) % SLOTS;
}

impl SpreadCounter {
    pub fn inc(&self) {
        let slot = THIS_THREADS_SLOT.with(|slot| *slot);
        self.slots[slot].0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.slots.iter().map(|slot| slot.0.load(Ordering::Relaxed)).sum()
    }
}

impl TypedMetric for SpreadCounter {
    const TYPE: MetricType = MetricType::Counter;
}

impl EncodeMetric for SpreadCounter {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        encoder.encode_counter::<NoLabelSet, _, u64>(&self.get(), None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spread_counter_sums_what_every_thread_added() {
        let counter = SpreadCounter::default();
        std::thread::scope(|scope| {
            for _ in 0..(SLOTS + 3) {
                scope.spawn(|| (0..1_000).for_each(|_| counter.inc()));
            }
        });
        let expected = (SLOTS as u64 + 3) * 1_000;
        assert_eq!(counter.get(), expected);
        let mut registry = prometheus_client::registry::Registry::default();
        registry.register("spread", "a spread counter", counter.clone());
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        assert!(text.contains(&format!("# TYPE spread counter\nspread_total {expected}\n")), "{text}");
    }
}
