//! The SQLite store: opening the file (WAL, a busy timeout, foreign keys, forward-only
//! migrations from `migrations/sqlite`), write transactions, and the key revision counter.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::threads;
use crate::error::Result as CoreResult;

/// How long a write waits for another connection's (or process's) write lock before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn open(path: &Path) -> CoreResult<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        .thread_name(|id| format!("{}{id}", threads::THREAD_PREFIX));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .after_connect(|_, _| {
            Box::pin(async {
                threads::mark_batch();
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// A write transaction that holds SQLite's write lock from its first statement
/// (`BEGIN IMMEDIATE`). A deferred transaction that reads before writing can fail to upgrade
/// when another process committed meanwhile; taking the lock up front makes read-then-write
/// (the audit chain's "read the last hash, append the next row") safe across processes.
pub(crate) async fn begin_write(pool: &SqlitePool) -> CoreResult<Transaction<'static, Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Tells every running gateway (through [`crate::serving::key_index`]) that key validity or limits
/// changed. Called inside the changing transaction.
pub(crate) async fn bump_key_revision(tx: &mut sqlx::SqliteConnection) -> CoreResult<()> {
    sqlx::query("UPDATE key_revision SET revision = revision + 1 WHERE id = 1").execute(&mut *tx).await?;
    Ok(())
}
