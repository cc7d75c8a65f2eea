//! The call log's bulk writer, used from one thread (the gateway's call-log thread): each batch
//! in one transaction with the drop count and the keys' last use. SQLite binds rows through a
//! connection of its own ([`sqlite`]); PostgreSQL streams them with COPY into the day's
//! partition ([`postgres`]).

mod postgres;
mod sqlite;

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::Database;

pub(crate) use postgres::{partition_day, DAY_MS};

/// One call-log row as the writer binds it. The rules' call record implements it, so the store
/// owns the shape of its rows and knows no domain type; the writer is generic over it, which costs
/// nothing per row.
pub trait CallRow {
    fn at(&self) -> DateTime<Utc>;
    fn account(&self) -> Option<&str>;
    fn key_id(&self) -> Option<&str>;
    fn key_fingerprint(&self) -> Option<&str>;
    fn method(&self) -> &str;
    fn path(&self) -> &str;
    fn status(&self) -> u16;
    fn outcome(&self) -> &str;
    fn latency_us(&self) -> i64;
    fn client_ip(&self) -> IpAddr;
    fn user_agent(&self) -> Option<&str>;
}

/// What a batch adds to the counters every gateway shares, besides its rows (whose count the
/// database reports): the keyed requests served since the last batch, and the rows dropped.
/// Once a gateway's queue is empty, everything it served was logged or dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub served: u64,
    pub dropped: u64,
}

impl Tally {
    /// A batch that is all there is to count (tests, `db copy`).
    pub fn rows(batch: usize) -> Tally {
        Tally { served: batch as u64, dropped: 0 }
    }
}

/// The counters' statement: served, logged, dropped.
const ADD_TO_COUNTERS: &str =
    "UPDATE call_log_counters SET served = served + $1, logged = logged + $2, dropped = dropped + $3 WHERE id = 1";

pub const HOUR_MS: i64 = 3_600_000;

/// A batch's rows per (account or '', hour, outcome): a handful of rollup rows per batch.
fn hour_counts<R: CallRow>(batch: &[R]) -> HashMap<(&str, i64, &str), i64> {
    let mut counts = HashMap::new();
    for call in batch {
        let hour = crate::time::to_millis(call.at()).div_euclid(HOUR_MS) * HOUR_MS;
        *counts.entry((call.account().unwrap_or(""), hour, call.outcome())).or_insert(0) += 1;
    }
    counts
}

pub enum CallWriter {
    Sqlite(sqlite::SqliteCallWriter),
    Postgres(postgres::PgCallWriter),
}

impl CallWriter {
    /// Opens a connection of its own to the database [`crate::Keyward`] opened (and migrated).
    pub(crate) fn open(database: &Database) -> Result<CallWriter> {
        Ok(match database {
            Database::Sqlite(path) => CallWriter::Sqlite(sqlite::SqliteCallWriter::open(path)?),
            Database::Postgres(url) => CallWriter::Postgres(postgres::PgCallWriter::open(url)?),
        })
    }

    /// Writes one batch in one transaction: the rows, their hours in the rollup, the tally,
    /// and `last_used_at` for the keys in `touched`. On an error nothing of it is written.
    /// Blocks the calling thread until the database has it.
    pub fn write<R: CallRow>(&mut self, batch: &[R], tally: Tally, touched: &[(String, DateTime<Utc>)]) -> Result<()> {
        match self {
            CallWriter::Sqlite(writer) => writer.write(batch, tally, touched),
            CallWriter::Postgres(writer) => writer.write(batch, tally, touched),
        }
    }
}
