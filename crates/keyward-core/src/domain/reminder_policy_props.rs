//! Property tests of the reminder policy: years of a key's life simulated with random waits,
//! rotations, clocks set back, downtime and snoozes, checked the way the hourly task checks.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::reminder_policy::{latest_slot, reminder_to_send, Policy, Slot};

#[derive(Debug, Clone)]
enum Step {
    /// Time passes with the app running: a check at the end.
    Wait(i64),
    /// The key is rotated: a new key, nothing sent for it yet, no snooze.
    Rotate,
    /// The clock is set back (NTP, a user, a VM restore): a check after.
    ClockBack(i64),
    /// Machine off: time passes with no check.
    Down(i64),
    /// The person snoozes reminders for some hours.
    Snooze(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (1i64..=40 * 24).prop_map(Step::Wait),
        1 => Just(Step::Rotate),
        1 => (1i64..=30 * 24).prop_map(Step::ClockBack),
        1 => (1i64..=400).prop_map(|days| Step::Down(days * 24)),
        1 => (1i64..=10 * 24).prop_map(Step::Snooze),
    ]
}

fn policy() -> impl Strategy<Value = Policy> {
    (1i64..=400).prop_flat_map(|period| {
        (Just(period), 0..period).prop_map(|(period_days, lead_days)| Policy { period_days, lead_days })
    })
}

fn rank(kind: &str) -> Option<i64> {
    match kind {
        "heads-up" => Some(-1),
        _ => kind.strip_prefix("due-")?.parse().ok(),
    }
}

fn slot_rank(slot: Slot) -> i64 {
    rank(&slot.name()).expect("slot names parse back")
}

struct Life {
    now: DateTime<Utc>,
    created: DateTime<Utc>,
    sent: Vec<(String, DateTime<Utc>)>,
    snoozed_until: Option<DateTime<Utc>>,
}

impl Life {
    /// One run of the reminder task; returns what it sent.
    fn check(&mut self, policy: Policy) -> Option<String> {
        let latest = latest_slot(self.created, policy, self.now);
        let kind = reminder_to_send(latest, &self.sent, self.snoozed_until, self.now)?;
        self.sent.push((kind.clone(), self.now));
        Some(kind)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn reminders_never_repeat_never_go_backwards_and_leave_no_gap(
        policy in policy(),
        steps in proptest::collection::vec(step(), 1..200),
    ) {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let mut life = Life { now: start, created: start, sent: Vec::new(), snoozed_until: None };
        for step in steps {
            match step {
                Step::Wait(hours) => life.now += Duration::hours(hours),
                Step::Rotate => {
                    life.created = life.now;
                    life.sent.clear();
                    life.snoozed_until = None;
                    continue;
                }
                Step::ClockBack(hours) => life.now -= Duration::hours(hours),
                Step::Down(hours) => {
                    life.now += Duration::hours(hours);
                    continue;
                }
                Step::Snooze(hours) => {
                    life.snoozed_until = Some(life.now + Duration::hours(hours));
                    continue;
                }
            }
            let snoozed = life.snoozed_until.is_some_and(|until| life.now < until);
            let sent = life.check(policy);
            prop_assert!(!(snoozed && sent.is_some()), "sent {sent:?} during a snooze");
            // No duplicate: each kind at most once per key.
            let mut kinds: Vec<&str> = life.sent.iter().map(|(k, _)| k.as_str()).collect();
            kinds.sort_unstable();
            let before = kinds.len();
            kinds.dedup();
            prop_assert_eq!(before, kinds.len(), "a reminder sent twice: {:?}", life.sent);
            // Never backwards: the slots sent rise in the order they went out.
            let ranks: Vec<i64> = life.sent.iter().filter_map(|(k, _)| rank(k)).collect();
            prop_assert!(ranks.windows(2).all(|w| w[0] < w[1]), "an older reminder after a newer: {:?}", life.sent);
            // No gap: unless snoozed, the slot that has begun (or a newer one) has gone out.
            if let (Some(latest), false) = (latest_slot(life.created, policy, life.now), snoozed) {
                prop_assert!(
                    ranks.iter().any(|&r| r >= slot_rank(latest)),
                    "{latest:?} began and nothing covers it: {:?}", life.sent
                );
            }
            // A second run at the same moment sends nothing: one reminder per slot, however often
            // the task (or another replica) runs.
            prop_assert_eq!(life.check(policy), None);
        }
    }
}
