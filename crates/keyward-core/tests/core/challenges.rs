use chrono::Duration;
use keyward_core::{Action, ChallengeRefusal, Confirmation, Error, Grace, Reveal};

use crate::{on_both_backends, Backend, Fixture};

fn answer(challenge: &keyward_core::Challenge, code: &str) -> Confirmation {
    Confirmation::Challenge { id: challenge.id.clone(), code: code.to_owned() }
}

fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> ChallengeRefusal {
    match result {
        Err(Error::Confirmation(refusal)) => refusal,
        other => panic!("expected a confirmation refusal, got {other:?}"),
    }
}

async fn the_right_code_confirms_once(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    kw.generate_key(ana, "acme", t0).await.unwrap();
    let challenge = kw.issue_challenge(ana, "acme", Action::Rotate, t0).await.unwrap();
    let lower = challenge.code.to_lowercase();
    let rotation = kw.rotate_key(ana, "acme", Grace::None, &answer(&challenge, &lower), t0).await.unwrap();
    assert_eq!(rotation.confirmed_by, "challenge");
    // Reuse: the same code can't confirm a second change (it is also bound to the old key).
    let reused = refusal(kw.rotate_key(ana, "acme", Grace::None, &answer(&challenge, &challenge.code), t0).await);
    assert!(matches!(reused, ChallengeRefusal::Mismatch | ChallengeRefusal::Used), "{reused:?}");
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE event = 'rotated'").fetch_one(kw.pool()).await.unwrap();
    assert!(details.contains("\"confirmed_by\":\"challenge\""), "{details}");
}

async fn a_spent_code_is_refused_as_used(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    kw.generate_key(ana, "acme", t0).await.unwrap();
    let challenge = kw.issue_challenge(ana, "acme", Action::Deactivate, t0).await.unwrap();
    kw.deactivate_key(ana, "acme", &answer(&challenge, &challenge.code), t0).await.unwrap();
    kw.generate_key(ana, "acme", t0).await.unwrap();
    // Same account, same action, but a new key: the spent challenge is refused either way.
    let again = refusal(kw.deactivate_key(ana, "acme", &answer(&challenge, &challenge.code), t0).await);
    assert!(matches!(again, ChallengeRefusal::Mismatch | ChallengeRefusal::Used));
    let spent: Option<i64> = sqlx::query_scalar("SELECT spent_at FROM challenges WHERE id = $1")
        .bind(&challenge.id)
        .fetch_one(kw.pool())
        .await
        .unwrap();
    assert!(spent.is_some());
}

async fn codes_expire_after_120_seconds(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    let key = kw.generate_key(ana, "acme", t0).await.unwrap();
    let challenge = kw.issue_challenge(ana, "acme", Action::Rotate, t0).await.unwrap();
    let late = t0 + Duration::seconds(120);
    let expired = refusal(kw.rotate_key(ana, "acme", Grace::None, &answer(&challenge, &challenge.code), late).await);
    assert_eq!(expired, ChallengeRefusal::Expired);
    assert_eq!(kw.reveal_key(ana, "acme", Reveal::View, late).await.unwrap(), key.key, "nothing changed");
    // One second earlier it would have held.
    let in_time = t0 + Duration::seconds(119);
    assert!(kw.rotate_key(ana, "acme", Grace::None, &answer(&challenge, &challenge.code), in_time).await.is_ok());
}

async fn a_code_is_bound_to_its_action_key_and_person(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    kw.add_member(ana, "acme", "bob", None, keyward_core::Role::SuperAdmin, t0).await.unwrap();
    kw.generate_key(ana, "acme", t0).await.unwrap();
    let for_deactivate = kw.issue_challenge(ana, "acme", Action::Deactivate, t0).await.unwrap();
    let wrong_action =
        refusal(kw.rotate_key(ana, "acme", Grace::None, &answer(&for_deactivate, &for_deactivate.code), t0).await);
    assert_eq!(wrong_action, ChallengeRefusal::Mismatch);
    let bob = keyward_core::Actor::new("bob");
    let wrong_person =
        refusal(kw.deactivate_key(&bob, "acme", &answer(&for_deactivate, &for_deactivate.code), t0).await);
    assert_eq!(wrong_person, ChallengeRefusal::Mismatch);
    // The key changes under the challenge: it no longer confirms anything.
    kw.rotate_key(ana, "acme", Grace::None, &Confirmation::Explicit, t0).await.unwrap();
    let wrong_key = refusal(kw.deactivate_key(ana, "acme", &answer(&for_deactivate, &for_deactivate.code), t0).await);
    assert_eq!(wrong_key, ChallengeRefusal::Mismatch);
    let unknown = Confirmation::Challenge { id: "chl_nope".into(), code: "AAAAAA".into() };
    assert_eq!(refusal(kw.deactivate_key(ana, "acme", &unknown, t0).await), ChallengeRefusal::Unknown);
}

async fn three_wrong_answers_burn_the_code(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    let key = kw.generate_key(ana, "acme", t0).await.unwrap();
    let challenge = kw.issue_challenge(ana, "acme", Action::Deactivate, t0).await.unwrap();
    let wrong = if challenge.code == "AAAAAA" { "CCCCCC" } else { "AAAAAA" };
    for left in [2, 1, 0] {
        let r = refusal(kw.deactivate_key(ana, "acme", &answer(&challenge, wrong), t0).await);
        assert_eq!(r, ChallengeRefusal::Wrong { attempts_left: left });
    }
    let burned = refusal(kw.deactivate_key(ana, "acme", &answer(&challenge, &challenge.code), t0).await);
    assert_eq!(burned, ChallengeRefusal::Burned);
    assert_eq!(kw.reveal_key(ana, "acme", Reveal::View, t0).await.unwrap(), key.key, "the key still stands");
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log WHERE event = 'challenge_failed'").await, 4);
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log WHERE event = 'deactivated'").await, 0);
}

on_both_backends!(
    the_right_code_confirms_once,
    a_spent_code_is_refused_as_used,
    codes_expire_after_120_seconds,
    a_code_is_bound_to_its_action_key_and_person,
    three_wrong_answers_burn_the_code
);
