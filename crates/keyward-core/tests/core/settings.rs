use keyward_core::error::Invalid;
use keyward_core::{Actor, Error, Grace, Role, Settings};
use serde::{Deserialize, Serialize};

use crate::{on_both_backends, Backend, Fixture};

async fn settings_start_at_the_defaults_and_survive_a_reopen(backend: Backend) {
    let f = Fixture::new(backend).await;
    assert_eq!(f.keyward.settings().await.unwrap(), Settings::default());
    let chosen = Settings { default_grace: Grace::OneDay, rotation_period_days: 90, ..Settings::default() };
    f.keyward.save_settings(&f.admin, &chosen, f.t0).await.unwrap();
    assert_eq!(f.reopen().await.settings().await.unwrap(), chosen);
}

async fn a_bad_value_is_refused_and_nothing_is_written(backend: Backend) {
    let f = Fixture::new(backend).await;
    let bad = Settings { reminder_lead_days: 91, default_grace: Grace::SevenDays, ..Settings::default() };
    let err = f.keyward.save_settings(&f.admin, &bad, f.t0).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(Invalid::OutOfRange { field, value: 91, min: 0, max: 90 }) if field == "reminder_lead_days"),
        "{err:?}"
    );
    assert_eq!(f.keyward.settings().await.unwrap(), Settings::default(), "not even the valid grace was saved");
}

/// A front door's own preferences, as the desktop keeps its look.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct LookPrefs {
    theme: String,
    close_to_tray: bool,
}

async fn a_front_doors_preferences_live_beside_the_settings_without_touching_them(backend: Backend) {
    let f = Fixture::new(backend).await;
    assert_eq!(f.keyward.preferences::<LookPrefs>().await.unwrap(), LookPrefs::default());
    let chosen = LookPrefs { theme: "dark".into(), close_to_tray: true };
    f.keyward.save_preferences(&chosen).await.unwrap();
    assert_eq!(f.reopen().await.preferences::<LookPrefs>().await.unwrap(), chosen);
    assert_eq!(f.keyward.settings().await.unwrap(), Settings::default());
    let policy = Settings { rotation_period_days: 60, ..Settings::default() };
    f.keyward.save_settings(&f.admin, &policy, f.t0).await.unwrap();
    assert_eq!(f.keyward.preferences::<LookPrefs>().await.unwrap(), chosen, "saving settings keeps them");
}

async fn the_rotation_period_applies_where_the_actor_is_super_admin_and_to_new_accounts(backend: Backend) {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    let bob = Actor::new("bob");
    kw.create_account(&bob, "globex", None, t0).await.unwrap();
    kw.add_member(&bob, "globex", "ana", None, Role::Member, t0).await.unwrap();

    let policy = Settings { rotation_period_days: 90, ..Settings::default() };
    kw.save_settings(ana, &policy, t0).await.unwrap();
    assert_eq!(kw.show_account(ana, "acme").await.unwrap().rotation_period_days, 90);
    assert_eq!(kw.show_account(ana, "globex").await.unwrap().rotation_period_days, 180, "ana only sits in globex");
    assert_eq!(kw.create_account(ana, "initech", None, t0).await.unwrap().rotation_period_days, 90);
    let changed = f.count("SELECT COUNT(*) FROM audit_log WHERE event = 'policy_changed'").await;
    assert_eq!(changed, 1, "one audit row, for acme");
    assert!(kw.verify_audit_chain().await.is_ok());
}

async fn unknown_or_unreadable_rows_fall_back_to_defaults(backend: Backend) {
    let f = Fixture::new(backend).await;
    sqlx::query("INSERT INTO settings (name, value) VALUES ('from_a_newer_build', '1'), ('reminder_lead_days', '\"x\"'), ('rotation_period_days', '90')")
        .execute(f.keyward.pool())
        .await
        .unwrap();
    assert_eq!(f.keyward.settings().await.unwrap(), Settings::default(), "one unreadable value: every default");
    sqlx::query("DELETE FROM settings WHERE name = 'reminder_lead_days'").execute(f.keyward.pool()).await.unwrap();
    assert_eq!(f.keyward.settings().await.unwrap().rotation_period_days, 90, "an unknown row is left alone");
}

on_both_backends!(
    settings_start_at_the_defaults_and_survive_a_reopen,
    a_bad_value_is_refused_and_nothing_is_written,
    a_front_doors_preferences_live_beside_the_settings_without_touching_them,
    the_rotation_period_applies_where_the_actor_is_super_admin_and_to_new_accounts,
    unknown_or_unreadable_rows_fall_back_to_defaults
);
