//! Opening the SQLite database: WAL, a busy timeout, foreign keys, forward-only migrations.
//!
//! Times are stored as UTC unix milliseconds (BIGINT) so SQLite and PostgreSQL order and
//! compare them alike.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::db_threads;
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
        .thread_name(|id| format!("{}{id}", db_threads::THREAD_PREFIX));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .after_connect(|_, _| {
            Box::pin(async {
                db_threads::mark_batch();
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// A write transaction that holds SQLite's write lock from its first statement
/// (`BEGIN IMMEDIATE`). A deferred transaction that reads before writing can fail to upgrade
/// when another process committed meanwhile; taking the lock up front makes read-then-write
/// (the audit chain's "read the last hash, append the next row") safe across processes.
pub(crate) async fn begin_write(pool: &SqlitePool) -> CoreResult<Transaction<'static, Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// A UTC instant as stored (unix milliseconds) and as shown (RFC 3339, `Z`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, type = "string"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

impl From<i64> for Timestamp {
    fn from(ms: i64) -> Timestamp {
        Timestamp(from_millis(ms))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

/// Tells every running gateway (through [`crate::key_index`]) that key validity or limits
/// changed. Called inside the changing transaction.
pub(crate) async fn bump_key_revision(tx: &mut sqlx::SqliteConnection) -> CoreResult<()> {
    sqlx::query("UPDATE key_revision SET revision = revision + 1 WHERE id = 1").execute(&mut *tx).await?;
    Ok(())
}

pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}
