use std::sync::atomic::Ordering;

use keyward_core::secrets::store::SecretStore;
use keyward_core::{ApiKey, Confirmation, Error, Grace, Reveal, VerifyCode};

use crate::{on_both_backends, Backend, Fixture};

async fn keyring_unavailable_changes_nothing(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    let audit_before = f.count("SELECT COUNT(*) FROM audit_log").await;
    f.secrets.unavailable.store(true, Ordering::SeqCst);
    let err = kw.generate_key(ana, "acme", t0).await.unwrap_err();
    assert!(matches!(err, Error::KeyringUnavailable { .. }), "{err}");
    assert!(err.to_string().contains("gnome-keyring") && err.to_string().contains("nothing was changed"));
    assert_eq!(f.count("SELECT COUNT(*) FROM api_keys").await, 0);
    assert_eq!(f.count("SELECT COUNT(*) FROM secret_journal").await, 0);
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log").await, audit_before);

    f.secrets.unavailable.store(false, Ordering::SeqCst);
    let key = kw.generate_key(ana, "acme", t0).await.unwrap();
    let audit_before = f.count("SELECT COUNT(*) FROM audit_log").await;
    f.secrets.unavailable.store(true, Ordering::SeqCst);
    let err = kw.rotate_key(ana, "acme", Grace::None, &Confirmation::Explicit, t0).await.unwrap_err();
    assert!(matches!(err, Error::KeyringUnavailable { .. }));
    assert!(matches!(kw.reveal_key(ana, "acme", Reveal::View, t0).await, Err(Error::KeyringUnavailable { .. })));
    assert_eq!(kw.verify_key(key.key.expose(), t0).await.unwrap().code, VerifyCode::Valid, "old key untouched");
    assert_eq!(f.count("SELECT COUNT(*) FROM api_keys").await, 1);
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log").await, audit_before, "no viewed/rotated rows");
}

/// A crash after the new secret reached the keyring but before the database commit leaves a
/// journalled orphan; the next start removes it.
async fn orphaned_secrets_are_cleaned_at_start(backend: Backend) {
    let f = Fixture::new(backend).await;
    let orphan = ApiKey::generate();
    f.secrets.put("key_orphan", &orphan).unwrap();
    sqlx::query("INSERT INTO secret_journal (key_id, recorded_at) VALUES ('key_orphan', 0)")
        .execute(f.keyward.pool())
        .await
        .unwrap();
    let restarted = f.reopen().await;
    assert_eq!(restarted.clean_orphaned_secrets(f.t0).await.unwrap(), 1);
    assert_eq!(f.secrets.get("key_orphan").unwrap(), None);
    assert_eq!(f.count("SELECT COUNT(*) FROM secret_journal").await, 0);
}

/// Another process is between writing its new secret and committing: its journal row is
/// young, and a start-up clean in this process must not take the secret from under it.
async fn a_change_in_flight_elsewhere_is_left_alone(backend: Backend) {
    let f = Fixture::new(backend).await;
    let in_flight = ApiKey::generate();
    f.secrets.put("key_in_flight", &in_flight).unwrap();
    let journalled_at = f.t0.timestamp_millis();
    sqlx::query("INSERT INTO secret_journal (key_id, recorded_at) VALUES ('key_in_flight', $1)")
        .bind(journalled_at)
        .execute(f.keyward.pool())
        .await
        .unwrap();
    let soon = f.t0 + chrono::Duration::minutes(1);
    assert_eq!(f.keyward.clean_orphaned_secrets(soon).await.unwrap(), 0);
    assert_eq!(f.secrets.get("key_in_flight").unwrap(), Some(in_flight));
    let much_later = f.t0 + chrono::Duration::hours(1);
    assert_eq!(f.keyward.clean_orphaned_secrets(much_later).await.unwrap(), 1);
    assert_eq!(f.secrets.get("key_in_flight").unwrap(), None);
}

/// A crash after the commit but before the old secret was removed: the retired key's secret is
/// journalled with the commit, so the next start removes it while the active key's stays.
async fn a_retired_keys_secret_left_behind_is_cleaned_and_the_active_one_kept(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    let old = kw.generate_key(ana, "acme", t0).await.unwrap();
    // The keyring fails while the old secret is removed, after the rotation committed.
    let new = {
        let rotation = kw.rotate_key(ana, "acme", Grace::None, &Confirmation::Explicit, t0).await.unwrap();
        rotation.new_key
    };
    f.secrets.put(&old.info.key_id, &old.key).unwrap();
    sqlx::query("INSERT INTO secret_journal (key_id, recorded_at) VALUES ($1, 0)")
        .bind(&old.info.key_id)
        .execute(kw.pool())
        .await
        .unwrap();
    let restarted = f.reopen().await;
    restarted.clean_orphaned_secrets(f.t0).await.unwrap();
    assert_eq!(f.secrets.get(&old.info.key_id).unwrap(), None);
    assert_eq!(restarted.reveal_key(ana, "acme", Reveal::View, t0).await.unwrap(), new.key);
}

on_both_backends!(
    keyring_unavailable_changes_nothing,
    orphaned_secrets_are_cleaned_at_start,
    a_change_in_flight_elsewhere_is_left_alone,
    a_retired_keys_secret_left_behind_is_cleaned_and_the_active_one_kept
);

/// A keyring that never answers (locked, its password prompt unanswered — what a keyring daemon
/// restarted by D-Bus activation does): key changes fail as unavailable after the time-out,
/// nothing is made, and changes that only anchor the trail go through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyring_that_never_answers_times_out_instead_of_hanging() {
    let f = Fixture::new(Backend::Sqlite).await;
    let kw = f.reopen().await.with_keyring_timeout(std::time::Duration::from_millis(300));
    f.secrets.stalled.store(true, std::sync::atomic::Ordering::SeqCst);
    let started = std::time::Instant::now();
    let err = kw.generate_key(&f.admin, "acme", f.t0).await.unwrap_err();
    assert!(matches!(err, keyward_core::Error::KeyringUnavailable { .. }), "{err}");
    assert!(err.to_string().contains("locked and waiting for a password"), "{err}");
    kw.create_account(&f.admin, "globex", None, f.t0).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    f.secrets.stalled.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(f.count("SELECT COUNT(*) FROM api_keys").await, 0, "no key made");
}
