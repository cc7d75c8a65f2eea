//! keyward-core against real databases — a SQLite file and a database of its own on the
//! throwaway PostgreSQL `make test` starts (`scripts/with-postgres`) — with the in-memory
//! secret store standing in for the OS keyring (the real keyring is exercised by the CLI
//! tests). One binary, a module per area; each rule's test runs once per backend
//! ([`on_both_backends!`]): `lifecycle::sqlite::…` and `lifecycle::postgres::…`.

mod audit_chain;
mod call_queries;
mod call_writer;
mod challenges;
mod concurrency;
mod copy;
mod crash_safety;
mod grace_props;
mod lifecycle;
mod limits;
mod permissions;
mod reminders;
mod retention;
mod settings;
mod shared_database;
#[cfg(target_os = "linux")]
mod store_threads;
mod team;
mod team_keys;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use keyward_core::secrets::store::MemorySecrets;
pub use keyward_core::store::Backend;
use keyward_core::store::{test_postgres, Database};
use keyward_core::{Actor, Keyward};

/// Runs each listed `async fn name(backend: Backend)` as two tests, `sqlite::name` and
/// `postgres::name`. A test function left out of the list is dead code, which `make lint` refuses.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test($crate::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test($crate::Backend::Postgres).await
                }
            )+
        }
    };
}

/// A database of its own for one test: a file in `dir`, or a new database on the test server.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> Database {
    match backend {
        Backend::Sqlite => Database::in_data_dir(dir),
        Backend::Postgres => Database::parse(&test_postgres::create_database().await).unwrap(),
    }
}

pub struct Fixture {
    pub keyward: Keyward,
    pub database: Database,
    pub secrets: Arc<MemorySecrets>,
    pub dir: tempfile::TempDir,
    pub admin: Actor,
    pub t0: DateTime<Utc>,
}

impl Fixture {
    /// A fresh database with account "acme" created by "ana" (its super admin).
    pub async fn new(backend: Backend) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(backend, dir.path()).await;
        let secrets = Arc::new(MemorySecrets::default());
        let keyward = Keyward::connect(&database, secrets.clone()).await.unwrap();
        let admin = Actor::new("ana");
        let t0 = Utc.with_ymd_and_hms(2026, 1, 10, 9, 0, 0).unwrap();
        keyward.create_account(&admin, "acme", Some("Acme Inc"), t0).await.unwrap();
        Fixture { keyward, database, secrets, dir, admin, t0 }
    }

    /// Another handle on the same database and secrets, as a second process would have.
    pub async fn reopen(&self) -> Keyward {
        Keyward::connect(&self.database, self.secrets.clone()).await.unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.scalar(sql).await
    }

    pub async fn scalar<T>(&self, sql: &str) -> T
    where
        T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        sqlx::query_scalar(sql).fetch_one(self.keyward.pool()).await.unwrap()
    }

    pub async fn audit_events(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT event FROM audit_log ORDER BY seq").fetch_all(self.keyward.pool()).await.unwrap()
    }
}
