use chrono::Duration;
use keyward_core::error::{Clash, Invalid, Missing};
use keyward_core::{Confirmation, Error, Grace, Reveal, VerifyCode};

use crate::{on_both_backends, Backend, Fixture};

async fn generate_show_rotate_deactivate(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);

    let first = kw.generate_key(ana, "acme", t0).await.unwrap();
    assert_eq!(f.secrets.len(), 1);
    let shown = kw.reveal_key(ana, "acme", Reveal::View, t0).await.unwrap();
    assert_eq!(shown, first.key);
    let copied = kw.reveal_key(ana, "acme", Reveal::Copy, t0).await.unwrap();
    assert_eq!(copied, first.key);
    let v = kw.verify_key(first.key.expose(), t0).await.unwrap();
    assert_eq!((v.code, v.account.as_deref()), (VerifyCode::Valid, Some("acme")));

    let again = kw.generate_key(ana, "acme", t0).await.unwrap_err();
    assert!(matches!(again, Error::Conflict(Clash::ActiveKeyExists { .. })), "{again}");

    // Rotate with no grace: the old key fails at once.
    let t1 = t0 + Duration::days(1);
    let rotation = kw.rotate_key(ana, "acme", Grace::None, &Confirmation::Explicit, t1).await.unwrap();
    assert_eq!(rotation.old_key_valid_until, None);
    assert_eq!(kw.verify_key(first.key.expose(), t1).await.unwrap().code, VerifyCode::Revoked);
    let second = rotation.new_key;
    assert_eq!(kw.verify_key(second.key.expose(), t1).await.unwrap().code, VerifyCode::Valid);
    assert_eq!(f.secrets.len(), 1, "the old secret left the keyring");

    // Rotate with a 1-hour grace: the old key works until the deadline, by the clock.
    let t2 = t1 + Duration::days(1);
    let rotation = kw.rotate_key(ana, "acme", Grace::OneHour, &Confirmation::Explicit, t2).await.unwrap();
    assert_eq!(rotation.old_key_valid_until.unwrap().0, t2 + Duration::hours(1));
    let third = rotation.new_key;
    let just_before = t2 + Duration::minutes(59);
    let just_after = t2 + Duration::minutes(60);
    assert_eq!(kw.verify_key(second.key.expose(), just_before).await.unwrap().code, VerifyCode::Valid);
    assert_eq!(kw.verify_key(second.key.expose(), just_after).await.unwrap().code, VerifyCode::Expired);
    let status = kw.key_status(ana, "acme", just_before).await.unwrap();
    assert_eq!(status.active.as_ref().unwrap().key_id, third.info.key_id);
    assert_eq!(status.grace.len(), 1);
    assert_eq!(kw.key_status(ana, "acme", just_after).await.unwrap().grace.len(), 0);

    // Deactivate: no key works, no key is made, the keyring is empty.
    let t3 = t2 + Duration::days(1);
    let done = kw.deactivate_key(ana, "acme", &Confirmation::Explicit, t3).await.unwrap();
    assert_eq!(done.key_id, third.info.key_id);
    assert_eq!(kw.verify_key(third.key.expose(), t3).await.unwrap().code, VerifyCode::Revoked);
    assert!(kw.key_status(ana, "acme", t3).await.unwrap().active.is_none());
    assert!(f.secrets.is_empty());
    assert!(matches!(kw.reveal_key(ana, "acme", Reveal::View, t3).await, Err(Error::NotFound(_))));

    assert_eq!(
        f.audit_events().await,
        ["account_created", "generated", "viewed", "copied", "rotated", "rotated", "deactivated"]
    );
}

async fn expire_now_ends_a_grace_window_and_deactivate_ends_all(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    let first = kw.generate_key(ana, "acme", t0).await.unwrap();
    let second = kw.rotate_key(ana, "acme", Grace::SevenDays, &Confirmation::Explicit, t0).await.unwrap().new_key;
    let t1 = t0 + Duration::hours(2);
    assert_eq!(kw.verify_key(first.key.expose(), t1).await.unwrap().code, VerifyCode::Valid);
    let ended = kw.expire_now(ana, "acme", None, t1).await.unwrap();
    assert_eq!(ended, std::slice::from_ref(&first.info.key_id));
    assert_eq!(kw.verify_key(first.key.expose(), t1).await.unwrap().code, VerifyCode::Expired);
    assert!(matches!(kw.expire_now(ana, "acme", None, t1).await, Err(Error::NotFound(_))));

    kw.rotate_key(ana, "acme", Grace::OneDay, &Confirmation::Explicit, t1).await.unwrap();
    let done = kw.deactivate_key(ana, "acme", &Confirmation::Explicit, t1).await.unwrap();
    assert_eq!(done.ended_grace, [second.info.key_id]);
    assert_eq!(kw.verify_key(second.key.expose(), t1).await.unwrap().code, VerifyCode::Expired);
}

async fn status_shows_age_and_rotation_due(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    kw.generate_key(ana, "acme", t0).await.unwrap();
    let young = kw.key_status(ana, "acme", t0 + Duration::days(179)).await.unwrap().active.unwrap();
    assert_eq!((young.age_days, young.rotation_due, young.created_by.as_str()), (179, false, "ana"));
    let old = kw.key_status(ana, "acme", t0 + Duration::days(183)).await.unwrap().active.unwrap();
    assert_eq!((old.age_days, old.rotation_due), (183, true));
    assert_eq!(old.rotation_due_at.0, t0 + Duration::days(180));
}

async fn bad_input_is_refused_with_a_clear_message_and_nothing_changes(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    let before = f.count("SELECT COUNT(*) FROM audit_log").await;
    let dup = kw.create_account(ana, "acme", None, t0).await.unwrap_err();
    assert!(matches!(dup, Error::Conflict(Clash::AccountExists { .. })), "{dup}");
    let bad = kw.create_account(ana, "Acme_Prod", None, t0).await.unwrap_err();
    assert!(matches!(bad, Error::InvalidInput(Invalid::AccountName { .. })), "{bad}");
    let missing = kw.generate_key(ana, "nope", t0).await.unwrap_err();
    assert!(matches!(missing, Error::NotFound(Missing::Account { .. })), "{missing}");
    let malformed = kw.verify_key("kw_not-a-key", t0).await.unwrap();
    assert_eq!((malformed.valid, malformed.code), (false, VerifyCode::Malformed));
    let unknown = kw.verify_key(keyward_core::ApiKey::generate().expose(), t0).await.unwrap();
    assert_eq!(unknown.code, VerifyCode::NotFound);
    assert!("2h".parse::<Grace>().is_err());
    assert_eq!(f.count("SELECT COUNT(*) FROM accounts").await, 1);
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log").await, before);
}

on_both_backends!(
    generate_show_rotate_deactivate,
    expire_now_ends_a_grace_window_and_deactivate_ends_all,
    status_shows_age_and_rotation_due,
    bad_input_is_refused_with_a_clear_message_and_nothing_changes
);
