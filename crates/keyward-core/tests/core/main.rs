//! keyward-core against real SQLite files, with the in-memory secret store standing in for the
//! OS keyring (the real keyring is exercised by the CLI tests). One binary, a module per area.

mod audit_chain;
mod call_queries;
mod call_writer;
mod challenges;
mod concurrency;
mod crash_safety;
mod lifecycle;
mod limits;
mod permissions;
mod reminders;
mod settings;
#[cfg(target_os = "linux")]
mod store_threads;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::{Actor, Keyward};

pub struct Fixture {
    pub keyward: Keyward,
    pub secrets: Arc<MemorySecrets>,
    pub dir: tempfile::TempDir,
    pub admin: Actor,
    pub t0: DateTime<Utc>,
}

impl Fixture {
    /// A fresh data folder with account "acme" created by "ana" (its super admin).
    pub async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let keyward = Keyward::open_with(dir.path(), secrets.clone()).await.unwrap();
        let admin = Actor::new("ana");
        let t0 = Utc.with_ymd_and_hms(2026, 1, 10, 9, 0, 0).unwrap();
        keyward.create_account(&admin, "acme", Some("Acme Inc"), t0).await.unwrap();
        Fixture { keyward, secrets, dir, admin, t0 }
    }

    /// Another handle on the same folder and secrets, as a second process would have.
    pub async fn reopen(&self) -> Keyward {
        Keyward::open_with(self.dir.path(), self.secrets.clone()).await.unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(self.keyward.pool()).await.unwrap()
    }

    pub async fn audit_events(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT event FROM audit_log ORDER BY seq").fetch_all(self.keyward.pool()).await.unwrap()
    }
}
