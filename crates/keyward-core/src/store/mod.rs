//! Everything SQLite-specific, in one place: the pool and its migrations, write transactions,
//! the call log's bulk writer (a connection of its own) and the scheduling of the database
//! threads. The rules call these and write their queries in SQL that PostgreSQL also accepts
//! where it costs nothing.
//!
//! `migrations/sqlite` is SQLite's schema. Migration 0001 says it runs unchanged on PostgreSQL;
//! that no longer holds (the call log's purge and listing lean on SQLite's `rowid`), and a landed
//! migration cannot be edited (its checksum is recorded in every database): PostgreSQL gets its
//! own migrations beside these.
//!
//! - [`sqlite`]: open and migrate the file, `BEGIN IMMEDIATE`, the key revision counter
//! - [`call_writer`]: the call log's batches through rusqlite
//! - [`threads`]: SCHED_BATCH for the database threads

pub mod call_writer;
mod sqlite;
pub mod threads;

pub(crate) use sqlite::{begin_write, bump_key_revision, open, BUSY_TIMEOUT};

/// True when a database error is a violated UNIQUE constraint (a race the schema settled).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
