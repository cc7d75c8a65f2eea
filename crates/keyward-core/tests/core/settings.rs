use keyward_core::{Actor, Grace, Language, Role, Settings, Theme};

use crate::Fixture;

#[tokio::test]
async fn settings_start_at_the_defaults_and_survive_a_reopen() {
    let f = Fixture::new().await;
    assert_eq!(f.keyward.settings().await.unwrap(), Settings::default());
    let chosen = Settings {
        default_grace: Grace::OneDay,
        clipboard_clear_secs: 45,
        gateway_port: 18_790,
        close_to_tray: false,
        language: Language::Ja,
        theme: Theme::Dark,
        ..Settings::default()
    };
    f.keyward.save_settings(&f.admin, &chosen, f.t0).await.unwrap();
    assert_eq!(f.reopen().await.settings().await.unwrap(), chosen);
}

#[tokio::test]
async fn a_bad_value_is_refused_and_nothing_is_written() {
    let f = Fixture::new().await;
    let bad = Settings { clipboard_clear_secs: 1, gateway_port: 9000, ..Settings::default() };
    let err = f.keyward.save_settings(&f.admin, &bad, f.t0).await.unwrap_err();
    assert!(err.to_string().contains("clipboard clear time (seconds) 1 is out of range: use 5 to 600"), "{err}");
    assert_eq!(f.keyward.settings().await.unwrap(), Settings::default(), "not even the valid port was saved");
}

#[tokio::test]
async fn the_rotation_period_applies_where_the_actor_is_super_admin_and_to_new_accounts() {
    let f = Fixture::new().await;
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

#[tokio::test]
async fn unknown_or_unreadable_rows_fall_back_to_defaults() {
    let f = Fixture::new().await;
    sqlx::query("INSERT INTO settings (name, value) VALUES ('from_a_newer_build', '1'), ('gateway_port', '18000')")
        .execute(f.keyward.pool())
        .await
        .unwrap();
    assert_eq!(f.keyward.settings().await.unwrap().gateway_port, 18_000);
}
