//! The call log's bulk writer, used from one thread (the gateway's call-log thread): each batch
//! in one transaction with the drop count and the keys' last use. SQLite binds rows through a
//! connection of its own ([`sqlite`]); PostgreSQL streams them with COPY into the day's
//! partition ([`postgres`]).

mod postgres;
mod sqlite;

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

    /// Writes one batch in one transaction: the rows, the drop count since the last batch,
    /// and `last_used_at` for the keys in `touched`. On an error nothing of it is written.
    /// Blocks the calling thread until the database has it.
    pub fn write<R: CallRow>(&mut self, batch: &[R], dropped: u64, touched: &[(String, DateTime<Utc>)]) -> Result<()> {
        match self {
            CallWriter::Sqlite(writer) => writer.write(batch, dropped, touched),
            CallWriter::Postgres(writer) => writer.write(batch, dropped, touched),
        }
    }
}
