//! Property test of grace windows through the real database: random rotations (each grace
//! length), expire-now, deactivations, new keys and time passing; after every step, which of
//! the account's keys verify must be exactly what the rule says: the active key, and each
//! rotated-away key until its own window ends (expire-now and deactivate end them all).

use chrono::{DateTime, Duration, Utc};
use keyward_core::{ApiKey, Confirmation, Grace};
use proptest::prelude::*;

use crate::{Backend, Fixture};

#[derive(Debug, Clone)]
enum Step {
    Rotate(Grace),
    Wait(i64),
    ExpireNow,
    Deactivate,
    Generate,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => prop_oneof![Just(Grace::None), Just(Grace::OneHour), Just(Grace::OneDay), Just(Grace::SevenDays)]
            .prop_map(Step::Rotate),
        4 => (1i64..=10 * 24 * 60).prop_map(Step::Wait),
        1 => Just(Step::ExpireNow),
        1 => Just(Step::Deactivate),
        1 => Just(Step::Generate),
    ]
}

/// A key and, once retired, until when it still works (`None`: not at all).
struct Modelled {
    key: ApiKey,
    retired: Option<Option<DateTime<Utc>>>,
}

impl Modelled {
    fn works_at(&self, now: DateTime<Utc>) -> bool {
        match self.retired {
            None => true,
            Some(until) => until.is_some_and(|until| now < until),
        }
    }
}

async fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let f = Fixture::new(Backend::Sqlite).await;
    let (kw, ana) = (&f.keyward, &f.admin);
    let mut now = f.t0;
    let mut keys = vec![Modelled { key: kw.generate_key(ana, "acme", now).await.unwrap().key, retired: None }];
    for step in steps {
        let active = keys.iter().position(|k| k.retired.is_none());
        match (step, active) {
            (Step::Rotate(grace), Some(i)) => {
                let rotation = kw.rotate_key(ana, "acme", grace, &Confirmation::Explicit, now).await.unwrap();
                keys[i].retired = Some((grace != Grace::None).then(|| now + grace.duration()));
                keys.push(Modelled { key: rotation.new_key.key, retired: None });
            }
            (Step::Wait(minutes), _) => now += Duration::minutes(minutes),
            (Step::ExpireNow, _) => {
                let in_grace = keys.iter().filter(|k| k.retired.is_some() && k.works_at(now)).count();
                let ended = kw.expire_now(ana, "acme", None, now).await;
                prop_assert_eq!(ended.map(|ids| ids.len()).unwrap_or(0), in_grace);
                end_windows(&mut keys, now);
            }
            (Step::Deactivate, Some(i)) => {
                kw.deactivate_key(ana, "acme", &Confirmation::Explicit, now).await.unwrap();
                keys[i].retired = Some(None);
                end_windows(&mut keys, now);
            }
            (Step::Generate, None) => {
                keys.push(Modelled { key: kw.generate_key(ana, "acme", now).await.unwrap().key, retired: None })
            }
            // Rotate/deactivate with no key, generate beside one: refused, nothing changes.
            (Step::Rotate(_) | Step::Deactivate, None) => {
                prop_assert!(kw.rotate_key(ana, "acme", Grace::OneHour, &Confirmation::Explicit, now).await.is_err());
            }
            (Step::Generate, Some(_)) => prop_assert!(kw.generate_key(ana, "acme", now).await.is_err()),
        }
        for (n, modelled) in keys.iter().enumerate() {
            let verdict = kw.verify_key(modelled.key.expose(), now).await.unwrap();
            prop_assert_eq!(verdict.valid, modelled.works_at(now), "key {} of {} at {}", n + 1, keys.len(), now);
        }
        prop_assert!(keys.iter().filter(|k| k.retired.is_none()).count() <= 1);
    }
    Ok(())
}

fn end_windows(keys: &mut [Modelled], now: DateTime<Utc>) {
    for key in keys.iter_mut() {
        if let Some(Some(until)) = key.retired {
            key.retired = Some(Some(until.min(now)));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn a_key_works_exactly_while_active_or_in_its_grace_window(steps in proptest::collection::vec(step(), 1..40)) {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(run(steps))?;
    }
}
