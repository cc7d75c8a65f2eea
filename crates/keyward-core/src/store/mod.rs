//! Where the rules' data lives: the embedded SQLite file (the default) or a team's PostgreSQL,
//! behind one pool type (sqlx's `Any`), so every rule is written once. The differences stay in
//! this module: opening and migrating, how a write transaction takes its lock, how a key change
//! is announced, and the call log's bulk writer.
//!
//! The rules write SQL both engines accept: `$1`-style parameters (SQLite reads them too),
//! integers for instants and flags, `ON CONFLICT`, partial indexes. Where an engine needs its
//! own statement, the rule asks [`Backend`].
//!
//! - [`database`]: which database a URL names, and how it is shown (never its password)
//! - [`sqlite`] / [`postgres`]: opening, migrations (`migrations/sqlite`, `migrations/postgres`)
//! - [`call_writer`]: the call log's batches (rusqlite on SQLite, COPY on PostgreSQL)
//! - `copy`: `Keyward::copy_into`, one installation into another database
//! - [`threads`]: SCHED_BATCH for the database threads

pub mod call_writer;
mod copy;
pub mod database;
mod postgres;
mod sqlite;
#[cfg(feature = "test-support")]
pub mod test_postgres;
pub mod threads;

use sqlx::{Any, AnyPool, Transaction};

pub use copy::CopyReport;
pub use database::{Database, DATABASE_URL_ENV};
pub(crate) use postgres::drop_call_partitions_before;
pub use postgres::KEY_CHANGES_CHANNEL;
pub(crate) use sqlite::BUSY_TIMEOUT;

use crate::error::Result;

/// Which engine a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub(crate) type Connection = sqlx::AnyConnection;

/// Opens (creating a SQLite file if needed) and migrates the database.
pub(crate) async fn open(database: &Database) -> Result<AnyPool> {
    // Installed once per process; a later call (or a host program's own) is refused, harmlessly.
    let _ = sqlx::any::install_drivers(&[sqlx::sqlite::any::DRIVER, sqlx::postgres::any::DRIVER]);
    match database {
        Database::Sqlite(path) => sqlite::open(path).await,
        Database::Postgres(url) => postgres::open(url).await,
    }
}

/// A write transaction, serialised with every other writer of the database (in any process, on
/// any host): SQLite's `BEGIN IMMEDIATE` takes the file's write lock, PostgreSQL's takes one
/// transaction-scoped advisory lock. Read-then-write rules (the audit chain's "read the last
/// hash, append the next row", "not the last super admin") then hold across processes on both.
/// Only administrative changes take it; the gateway's hot path and the call log never do.
pub(crate) async fn begin_write(pool: &AnyPool, backend: Backend) -> Result<Transaction<'static, Any>> {
    match backend {
        Backend::Sqlite => Ok(pool.begin_with("BEGIN IMMEDIATE").await?),
        Backend::Postgres => postgres::begin_write(pool).await,
    }
}

/// Tells every running gateway (through [`crate::serving::key_index`]) that key validity or
/// limits changed. Called inside the changing transaction; on PostgreSQL the notification is
/// delivered when it commits, and not at all if it rolls back.
pub(crate) async fn bump_key_revision(tx: &mut Connection, backend: Backend) -> Result<()> {
    let revision: i64 =
        sqlx::query_scalar("UPDATE key_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision")
            .fetch_one(&mut *tx)
            .await?;
    if backend == Backend::Postgres {
        postgres::notify_key_change(tx, revision).await?;
    }
    Ok(())
}

/// A yes/no computed in SQL, read as `CASE WHEN … THEN 1 ELSE 0 END`: SQLite has no boolean
/// type, so both engines answer with an integer (`#[sqlx(try_from = "store::Flag")]`).
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct Flag(i64);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0 != 0
    }
}

/// True when a database error is a violated UNIQUE constraint (a race the schema settled).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
