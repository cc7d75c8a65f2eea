//! `/metrics` in Prometheus text: requests by outcome, latency, call-log rows written and
//! dropped, queue depth, throttled failures.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
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
    pub throttled: Counter,
    pub served: Counter,
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
        let (throttled, served, logged, dropped): (Counter, Counter, Counter, Counter) = Default::default();
        let queue_depth = Gauge::default();
        registry.register("requests", "Requests that presented a key, by outcome", requests.clone());
        registry.register("request_duration_seconds", "Time to answer a keyed request", latency.clone());
        registry.register("throttled_failures", "Failed attempts refused by the per-IP throttle (not logged)", throttled.clone());
        registry.register("call_log_served", "Keyed requests handed to the call log", served.clone());
        registry.register("call_log_rows_written", "Call-log rows committed", logged.clone());
        registry.register("call_log_rows_dropped", "Call-log rows dropped: queue full or write failed", dropped.clone());
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
