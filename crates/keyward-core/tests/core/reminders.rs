//! Rotation reminders over two simulated years with a fake clock (one check a day), against a
//! real SQLite file.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use keyward_core::{Actor, Confirmation, Delivery, Error, Grace, Keyward, Role};

use crate::{on_both_backends, Backend, Fixture};

type Log = Arc<Mutex<BTreeMap<String, Vec<(i64, String)>>>>;

/// Delivers everything due at `now`, recording (day, kind) per recipient.
async fn check(kw: &Keyward, now: DateTime<Utc>, day: i64, log: &Log) {
    let system = Actor::new("reminder-task");
    for reminder in kw.due_reminders(now).await.unwrap() {
        let log = Arc::clone(log);
        let (who, kind) = (reminder.recipient.clone(), reminder.kind.clone());
        let sent = kw
            .deliver_reminder(&system, &reminder, "test", now, async move {
                log.lock().unwrap().entry(who).or_default().push((day, kind));
                Ok::<(), Error>(())
            })
            .await
            .unwrap();
        assert_eq!(sent, Delivery::Sent);
    }
}

fn kinds(log: &Log, who: &str) -> Vec<(i64, String)> {
    let mut got = log.lock().unwrap().get(who).cloned().unwrap_or_default();
    for (_, kind) in &mut got {
        if kind.starts_with("snooze-") {
            *kind = "snooze".into(); // the suffix is the snooze's end time
        }
    }
    got
}

fn expect(list: &[(i64, &str)]) -> Vec<(i64, String)> {
    list.iter().map(|(d, k)| (*d, k.to_string())).collect()
}

async fn two_years_heads_up_due_repeats_snooze_and_rotation_reset(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    kw.add_member(ana, "acme", "carol", Some("carol@example.com"), Role::SuperAdmin, t0).await.unwrap();
    kw.add_member(ana, "acme", "dave", None, Role::SuperAdmin, t0).await.unwrap();
    kw.add_member(ana, "acme", "bob", Some("bob@example.com"), Role::Member, t0).await.unwrap();
    kw.generate_key(ana, "acme", t0).await.unwrap();
    let log: Log = Arc::default();

    for day in 0..=730 {
        let now = t0 + Duration::days(day);
        if day == 181 {
            kw.snooze_reminders(ana, "acme", 7, now).await.unwrap();
        }
        if day == 400 {
            // dave rotates (becoming "who last rotated the key"), then is made a plain member.
            kw.rotate_key(&Actor::new("dave"), "acme", Grace::None, &Confirmation::Explicit, now).await.unwrap();
            kw.set_role(ana, "acme", "dave", Role::Member, now).await.unwrap();
        }
        check(kw, now, day, &log).await;
    }

    let cycle = [(166, "heads-up"), (180, "due-0"), (360, "due-1"), (566, "heads-up"), (580, "due-0")];
    assert_eq!(kinds(&log, "carol"), expect(&cycle));
    assert_eq!(
        kinds(&log, "ana"),
        expect(&[
            (166, "heads-up"),
            (180, "due-0"),
            (188, "snooze"),
            (360, "due-1"),
            (566, "heads-up"),
            (580, "due-0")
        ])
    );
    // dave: a super admin for the first key; after the rotation only as its maker.
    assert_eq!(kinds(&log, "dave"), expect(&cycle));
    assert!(kinds(&log, "bob").is_empty(), "a plain member who did not make the key hears nothing");
    let audited = f.count("SELECT COUNT(*) FROM audit_log WHERE event = 'reminder_sent'").await;
    assert_eq!(audited, 16);
    assert!(kw.verify_audit_chain().await.is_ok());
}

async fn after_downtime_one_catch_up_reminder_not_many(backend: Backend) {
    let f = Fixture::new(backend).await;
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    let log: Log = Arc::default();
    check(&f.keyward, f.t0 + Duration::days(10), 10, &log).await;
    // Off from day 10 to day 400: heads-up, due-0 and due-1 were all missed.
    check(&f.keyward, f.t0 + Duration::days(400), 400, &log).await;
    check(&f.keyward, f.t0 + Duration::days(401), 401, &log).await;
    assert_eq!(kinds(&log, "ana"), expect(&[(400, "due-1")]));
}

async fn a_clock_jump_back_and_forth_sends_nothing_twice(backend: Backend) {
    let f = Fixture::new(backend).await;
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    let log: Log = Arc::default();
    for day in [200, 150, 200, 179, 200] {
        check(&f.keyward, f.t0 + Duration::days(day), day, &log).await;
    }
    // Day 179 is a heads-up moment, but "due" already went out: nothing older follows it.
    assert_eq!(kinds(&log, "ana"), expect(&[(200, "due-0")]));
}

async fn two_concurrent_checkers_send_each_reminder_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    f.keyward.add_member(&f.admin, "acme", "carol", None, Role::SuperAdmin, f.t0).await.unwrap();
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    let (one, two) = (f.keyward.clone(), f.reopen().await);
    let now = f.t0 + Duration::days(200);
    let sends = Arc::new(Mutex::new(vec![]));
    let run = |kw: Keyward| {
        let sends = Arc::clone(&sends);
        async move {
            let due = kw.due_reminders(now).await.unwrap();
            let mut outcomes = vec![];
            for reminder in due {
                let sends = Arc::clone(&sends);
                let who = reminder.recipient.clone();
                let delivered = kw
                    .deliver_reminder(&Actor::new("checker"), &reminder, "test", now, async move {
                        tokio::task::yield_now().await;
                        sends.lock().unwrap().push(who);
                        Ok::<(), Error>(())
                    })
                    .await
                    .unwrap();
                outcomes.push(delivered);
            }
            outcomes
        }
    };
    let (a, b) = tokio::join!(tokio::spawn(run(one)), tokio::spawn(run(two)));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut sent = sends.lock().unwrap().clone();
    sent.sort();
    assert_eq!(sent, ["ana", "carol"], "each person once, whoever claimed first ({a:?} / {b:?})");
    assert_eq!(f.count("SELECT COUNT(*) FROM sent_reminders").await, 2);
}

async fn a_failed_send_stays_due_and_is_not_audited(backend: Backend) {
    let f = Fixture::new(backend).await;
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    let now = f.t0 + Duration::days(181);
    let due = f.keyward.due_reminders(now).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].kind.as_str(), due[0].age_days, due[0].recipient.as_str()), ("due-0", 181, "ana"));
    let failed = f.keyward.deliver_reminder(&f.admin, &due[0], "email", now, async { Err(SendFailed) }).await;
    assert!(failed.is_err());
    assert_eq!(f.keyward.due_reminders(now).await.unwrap(), due, "still due for the next run");
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log WHERE event = 'reminder_sent'").await, 0);
}

/// A device claims only its person's reminders, each once; the others stay due for theirs.
async fn a_claim_hands_out_only_the_claimers_reminders_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    f.keyward.add_member(&f.admin, "acme", "carol", None, Role::SuperAdmin, f.t0).await.unwrap();
    f.keyward.add_member(&f.admin, "acme", "dave", None, Role::Member, f.t0).await.unwrap();
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    let now = f.t0 + Duration::days(181);
    let recipients = |due: Vec<keyward_core::DueReminder>| due.into_iter().map(|r| r.recipient).collect::<Vec<_>>();
    let claimed = f.keyward.claim_reminders(&Actor::new("carol"), "desktop", now).await.unwrap();
    assert_eq!(recipients(claimed), ["carol"]);
    assert!(f.keyward.claim_reminders(&Actor::new("carol"), "desktop", now).await.unwrap().is_empty(), "once");
    assert!(
        f.keyward.claim_reminders(&Actor::new("dave"), "desktop", now).await.unwrap().is_empty(),
        "not a super admin"
    );
    assert_eq!(recipients(f.keyward.due_reminders(now).await.unwrap()), ["ana"], "ana's is still due");
    assert_eq!(recipients(f.keyward.claim_reminders(&f.admin, "desktop", now).await.unwrap()), ["ana"]);
}

async fn policy_per_account_is_checked_and_lead_zero_turns_the_heads_up_off(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    for (period, lead) in [(29, 0), (731, 14), (90, 90), (90, -1)] {
        let err = kw.set_rotation_policy(ana, "acme", period, lead, t0).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{period}/{lead}: {err}");
    }
    let bob = Actor::new("bob");
    assert!(matches!(kw.set_rotation_policy(&bob, "acme", 90, 7, t0).await, Err(Error::PermissionDenied { .. })));
    kw.set_rotation_policy(ana, "acme", 90, 0, t0).await.unwrap();
    kw.generate_key(ana, "acme", t0).await.unwrap();
    assert!(kw.due_reminders(t0 + Duration::days(89)).await.unwrap().is_empty(), "no heads-up with lead 0");
    assert_eq!(kw.due_reminders(t0 + Duration::days(90)).await.unwrap()[0].kind, "due-0");
    let snooze = kw.snooze_reminders(ana, "acme", 3, t0).await.unwrap_err();
    assert!(snooze.to_string().contains("1 day or 7 days"), "{snooze}");
}

/// A front door's own send error (the core only needs to turn its errors into one).
#[derive(Debug)]
struct SendFailed;

impl From<Error> for SendFailed {
    fn from(_: Error) -> SendFailed {
        SendFailed
    }
}

on_both_backends!(
    two_years_heads_up_due_repeats_snooze_and_rotation_reset,
    after_downtime_one_catch_up_reminder_not_many,
    a_clock_jump_back_and_forth_sends_nothing_twice,
    two_concurrent_checkers_send_each_reminder_once,
    a_failed_send_stays_due_and_is_not_audited,
    a_claim_hands_out_only_the_claimers_reminders_once,
    policy_per_account_is_checked_and_lead_zero_turns_the_heads_up_off
);
