//! When a rotation reminder is due — pure functions of the key's creation time, the account's
//! policy, what was already sent and `now`.
//!
//! A key made at `c` with period `P` and lead `L` has reminder slots: a heads-up at `c+P-L`
//! (when `L > 0`), then "due" at `c+P`, repeating every `P` while the key is not rotated
//! (`c+2P`, `c+3P`, ...). Only the latest slot that has begun is ever sent: after downtime one
//! catch-up reminder goes out, not every missed one. A snooze holds reminders back until it
//! ends, then reminds once more if nothing newer was sent meanwhile.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub period_days: i64,
    /// 0 turns the heads-up off.
    pub lead_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    HeadsUp,
    /// Due for the `n`th time (0 at the end of the first period, 1 a period later, ...).
    Due(i64),
}

impl Slot {
    /// The stored name: `heads-up`, `due-0`, `due-1`, ...
    pub fn name(self) -> String {
        match self {
            Slot::HeadsUp => "heads-up".into(),
            Slot::Due(n) => format!("due-{n}"),
        }
    }

    /// Order of the slots in a key's life: heads-up, due-0, due-1, ...
    fn rank(self) -> i64 {
        match self {
            Slot::HeadsUp => -1,
            Slot::Due(n) => n,
        }
    }

    fn parse(name: &str) -> Option<Slot> {
        match name {
            "heads-up" => Some(Slot::HeadsUp),
            _ => name.strip_prefix("due-")?.parse().ok().map(Slot::Due),
        }
    }
}

/// The newest slot that has begun by `now`, if any.
pub fn latest_slot(created: DateTime<Utc>, policy: Policy, now: DateTime<Utc>) -> Option<Slot> {
    let period = Duration::days(policy.period_days);
    let due = created + period;
    if now >= due {
        let cycles = (now - due).num_milliseconds() / period.num_milliseconds();
        return Some(Slot::Due(cycles));
    }
    (policy.lead_days > 0 && now >= due - Duration::days(policy.lead_days)).then_some(Slot::HeadsUp)
}

/// What one person was already sent for one key: kind and when.
pub type Sent = [(String, DateTime<Utc>)];

/// The kind of reminder to send this person now, if any.
pub fn reminder_to_send(
    latest: Option<Slot>,
    sent: &Sent,
    snoozed_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<String> {
    let latest = latest?;
    // A clock set back must not bring an older reminder after a newer one.
    if sent.iter().filter_map(|(kind, _)| Slot::parse(kind)).any(|s| s.rank() > latest.rank()) {
        return None;
    }
    let slot = latest.name();
    if snoozed_until.is_some_and(|until| now < until) {
        return None;
    }
    let Some((_, slot_sent_at)) = sent.iter().find(|(kind, _)| *kind == slot) else {
        return Some(slot);
    };
    // The snooze ended and nothing newer went out since it was set: remind once more.
    let until = snoozed_until?;
    let again = format!("snooze-{}", until.timestamp_millis());
    (*slot_sent_at < until && !sent.iter().any(|(kind, _)| *kind == again)).then_some(again)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const POLICY: Policy = Policy { period_days: 180, lead_days: 14 };

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap() + Duration::days(n)
    }

    #[test]
    fn slots_follow_the_period() {
        let at = |d| latest_slot(day(0), POLICY, day(d));
        assert_eq!(at(165), None);
        assert_eq!(at(166), Some(Slot::HeadsUp));
        assert_eq!(at(179), Some(Slot::HeadsUp));
        assert_eq!(at(180), Some(Slot::Due(0)));
        assert_eq!(at(359), Some(Slot::Due(0)));
        assert_eq!(at(360), Some(Slot::Due(1)));
        assert_eq!(at(540), Some(Slot::Due(2)));
        assert_eq!(latest_slot(day(0), Policy { lead_days: 0, ..POLICY }, day(179)), None, "lead 0: no heads-up");
    }

    #[test]
    fn a_sent_slot_is_not_sent_again_and_a_newer_one_is() {
        let sent = [("due-0".to_owned(), day(180))];
        assert_eq!(reminder_to_send(Some(Slot::Due(0)), &sent, None, day(200)), None);
        assert_eq!(reminder_to_send(Some(Slot::Due(1)), &sent, None, day(360)), Some("due-1".into()));
    }

    #[test]
    fn a_snooze_holds_back_then_reminds_once() {
        let sent = vec![("due-0".to_owned(), day(180))];
        let until = day(181);
        assert_eq!(reminder_to_send(Some(Slot::Due(0)), &sent, Some(until), day(180)), None, "snoozed");
        let again = reminder_to_send(Some(Slot::Due(0)), &sent, Some(until), day(181)).unwrap();
        assert!(again.starts_with("snooze-"));
        let sent = [sent, vec![(again, day(181))]].concat();
        assert_eq!(reminder_to_send(Some(Slot::Due(0)), &sent, Some(until), day(190)), None, "once");
    }
}
