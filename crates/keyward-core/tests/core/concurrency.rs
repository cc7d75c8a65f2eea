use keyward_core::error::Clash;
use keyward_core::Error;

use crate::{on_both_backends, Backend, Fixture};

/// Two handles on one database file (as the CLI and the desktop app would be) generate at
/// once: exactly one key becomes active, the other caller gets a clear conflict, and the
/// loser's secret does not stay behind in the keyring.
async fn concurrent_generate_leaves_one_active_key(backend: Backend) {
    for round in 0..10 {
        let f = Fixture::new(backend).await;
        let other = f.reopen().await;
        let (a, b) =
            tokio::join!(f.keyward.generate_key(&f.admin, "acme", f.t0), other.generate_key(&f.admin, "acme", f.t0));
        let outcomes = [a.is_ok(), b.is_ok()];
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "round {round}: {outcomes:?}");
        let loser = a.and(b).unwrap_err();
        assert!(
            matches!(loser, Error::Conflict(Clash::ActiveKeyExists { ref account }) if account == "acme"),
            "{loser}"
        );
        assert_eq!(f.count("SELECT COUNT(*) FROM api_keys WHERE retired_at IS NULL").await, 1);
        assert_eq!(f.secrets.len(), 1, "round {round}: the losing secret was removed");
    }
}

/// The rule holds in the schema itself, whatever code writes to it.
async fn the_database_refuses_a_second_active_key(backend: Backend) {
    let f = Fixture::new(backend).await;
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    let second = sqlx::query(
        "INSERT INTO api_keys (id, account_id, key_hash, hint, created_at, created_by)
         SELECT 'key_sneaky', account_id, 'x', 'h', 0, 'eve' FROM api_keys LIMIT 1",
    )
    .execute(f.keyward.pool())
    .await
    .unwrap_err();
    assert!(second.to_string().to_lowercase().contains("unique"), "{second}");
}

on_both_backends!(concurrent_generate_leaves_one_active_key, the_database_refuses_a_second_active_key);
