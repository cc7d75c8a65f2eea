//! For tests of every crate: a fresh database on the throwaway PostgreSQL that
//! `scripts/with-postgres` started (as `make test` does).

use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::{Connection, PgConnection};

/// The server `scripts/with-postgres` started: `postgres://USER@127.0.0.1:PORT`.
pub const TEST_POSTGRES_ENV: &str = "KEYWARD_TEST_POSTGRES";

/// Creates `kw_<pid>_<n>` on the test server and returns its URL. Panics, saying how to run
/// the tests, when no test server is set.
pub async fn create_database() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let server = std::env::var(TEST_POSTGRES_ENV).unwrap_or_else(|_| {
        panic!(
            "{TEST_POSTGRES_ENV} is not set: run the tests through `make test`, or `scripts/with-postgres cargo test`"
        )
    });
    let name = format!("kw_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let mut admin = PgConnection::connect(&format!("{server}/postgres")).await.expect("the test PostgreSQL answers");
    sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("a test database is created");
    format!("{server}/{name}")
}
