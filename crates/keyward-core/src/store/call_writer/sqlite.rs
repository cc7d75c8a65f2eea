//! The call log's bulk writer on SQLite: a synchronous connection of its own, used from one
//! thread (the gateway's call-log thread).
//!
//! Why not the sqlx pool: at the gateway's full rate the log is tens of thousands of rows a
//! second, and through sqlx each bound value is copied into an owned argument, handed to the
//! connection's thread, copied again by SQLite and freed across threads — about twice the CPU per
//! row of this connection, where rusqlite binds the batch's own strings straight into a prepared
//! 100-row INSERT. Every other query stays on the pool.

use std::fmt::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Statement, TransactionBehavior};

use super::{hour_counts, CallRow, Tally, ADD_TO_COUNTERS};
use crate::error::{Error, Result};
use crate::store::BUSY_TIMEOUT;
use crate::time::to_millis;

/// The file a connection writes. Removed or replaced while open (its data folder deleted, a
/// backup restored over it), the connection would go on writing to a file no one opens again:
/// each batch looks first, so those rows count as dropped and the gateway says why.
struct FileIdentity {
    path: PathBuf,
    id: Option<u64>,
}

impl FileIdentity {
    fn of(path: &Path) -> FileIdentity {
        FileIdentity { path: path.to_owned(), id: file_id(path) }
    }

    fn check(&self) -> Result<()> {
        match file_id(&self.path) == self.id {
            true => Ok(()),
            false => Err(Error::DatabaseGone { path: self.path.display().to_string() }),
        }
    }
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| m.ino())
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|_| 0)
}

/// Rows per INSERT statement: enough to amortise a statement's start-up, few enough that the
/// SQL stays small (1,100 placeholders).
const ROWS_PER_STATEMENT: usize = 100;
const COLUMNS: usize = 11;

pub struct SqliteCallWriter {
    conn: Connection,
    file: FileIdentity,
    /// The INSERT of a full chunk, written once: every chunk but a batch's last is full.
    full_insert: String,
    client_ip: IpText,
}

impl SqliteCallWriter {
    /// Opens the database file that [`crate::Keyward`] opened (and migrated).
    pub(crate) fn open(path: &Path) -> Result<SqliteCallWriter> {
        let conn = Connection::open(path)?;
        give_lookaside_for_a_statement(&conn)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL is the file's mode already (the pool set it, and it persists); NORMAL is
        // per-connection: commit without waiting for the disk, as every connection does.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(SqliteCallWriter {
            conn,
            file: FileIdentity::of(path),
            full_insert: insert_sql(ROWS_PER_STATEMENT),
            client_ip: IpText::default(),
        })
    }

    /// See [`super::CallWriter::write`].
    pub fn write<R: CallRow>(&mut self, batch: &[R], tally: Tally, touched: &[(String, DateTime<Utc>)]) -> Result<()> {
        self.file.check()?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut logged = 0;
        for chunk in batch.chunks(ROWS_PER_STATEMENT) {
            let partial;
            let sql = if chunk.len() == ROWS_PER_STATEMENT {
                &self.full_insert
            } else {
                partial = insert_sql(chunk.len());
                &partial
            };
            let mut insert = tx.prepare_cached(sql)?;
            for (row, call) in chunk.iter().enumerate() {
                bind_row(&mut insert, row * COLUMNS, call, self.client_ip.of(call.client_ip()))?;
            }
            logged += insert.raw_execute()?;
            // A 1,000-row batch is ~2 ms of CPU; offered back between statements, a request
            // thread waiting for this core gets it within ~0.2 ms instead of after the batch.
            std::thread::yield_now();
        }
        for ((account, hour, outcome), count) in hour_counts(batch) {
            tx.prepare_cached(ADD_TO_HOUR)?.execute((account, hour, outcome, count))?;
        }
        if tally != Tally::default() || logged > 0 {
            tx.prepare_cached(ADD_TO_COUNTERS)?.execute((tally.served as i64, logged as i64, tally.dropped as i64))?;
        }
        for (key_id, at) in touched {
            tx.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (to_millis(*at), key_id))?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// The rollup's statement: add a batch's count to its (account, hour, outcome) row.
const ADD_TO_HOUR: &str = "INSERT INTO call_hours (account, hour, outcome, count) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (account, hour, outcome) DO UPDATE SET count = call_hours.count + excluded.count";

/// Room in the connection's lookaside (SQLite's own per-connection allocator: a pointer pop,
/// no lock) for every string bound into one full INSERT. SQLite copies each bound string into
/// memory of its own and frees it at the next bind; its default lookaside (93 small slots)
/// runs out after ~15 rows and every copy after that was a trip through the C allocator.
/// 128 bytes hold every column but a long path or user agent (those still use `malloc`).
const LOOKASIDE_SLOT_BYTES: i32 = 128;
const LOOKASIDE_SLOTS: i32 = (ROWS_PER_STATEMENT * COLUMNS) as i32;

#[allow(unsafe_code)] // one FFI call, its SAFETY note below
fn give_lookaside_for_a_statement(conn: &Connection) -> Result<()> {
    // SAFETY: the handle is this open connection's, on the thread that owns it, before any
    // statement exists (SQLite refuses, with SQLITE_BUSY, to resize lookaside in use); a null
    // buffer asks SQLite to allocate the slots itself.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_config(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBCONFIG_LOOKASIDE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            LOOKASIDE_SLOT_BYTES,
            LOOKASIDE_SLOTS,
        )
    };
    match rc {
        rusqlite::ffi::SQLITE_OK => Ok(()),
        code => Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            Some("could not size the call writer's lookaside".into()),
        )
        .into()),
    }
}

/// `INSERT ... VALUES (?, ...), ...` for `rows` rows.
///
/// `OR FAIL`: a row that breaks a constraint stops the statement without undoing its earlier
/// rows, so SQLite keeps no statement journal (a copy of every page the statement touches,
/// ~3 % of the writer's time); the whole batch's transaction is rolled back on that error anyway.
fn insert_sql(rows: usize) -> String {
    let row = format!("({})", ["?"; COLUMNS].join(", "));
    format!(
        "INSERT OR FAIL INTO calls (at, account, key_id, key_fingerprint, method, path, status, outcome, latency_us, client_ip, user_agent) VALUES {}",
        vec![row; rows].join(", ")
    )
}

/// The text of the last client IP written: a batch's rows mostly come from few clients, and
/// formatting an address is a quarter of a microsecond.
#[derive(Default)]
struct IpText {
    ip: Option<IpAddr>,
    text: String,
}

impl IpText {
    fn of(&mut self, ip: IpAddr) -> &str {
        if self.ip != Some(ip) {
            self.text.clear();
            write!(self.text, "{ip}").expect("writing to a String cannot fail");
            self.ip = Some(ip);
        }
        &self.text
    }
}

/// Binds one call's columns from parameter `first + 1` on, as borrowed values (SQLite copies
/// them, so `client_ip` may change after).
fn bind_row(insert: &mut Statement<'_>, first: usize, call: &impl CallRow, client_ip: &str) -> rusqlite::Result<()> {
    insert.raw_bind_parameter(first + 1, to_millis(call.at()))?;
    insert.raw_bind_parameter(first + 2, call.account())?;
    insert.raw_bind_parameter(first + 3, call.key_id())?;
    insert.raw_bind_parameter(first + 4, call.key_fingerprint())?;
    insert.raw_bind_parameter(first + 5, call.method())?;
    insert.raw_bind_parameter(first + 6, call.path())?;
    insert.raw_bind_parameter(first + 7, call.status())?;
    insert.raw_bind_parameter(first + 8, call.outcome())?;
    insert.raw_bind_parameter(first + 9, call.latency_us())?;
    insert.raw_bind_parameter(first + 10, client_ip)?;
    insert.raw_bind_parameter(first + 11, call.user_agent())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_sql_has_one_placeholder_per_column_and_row() {
        let sql = insert_sql(3);
        assert_eq!(sql.matches('?').count(), 3 * COLUMNS);
        assert!(sql.ends_with("?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), "{sql}");
    }

    #[test]
    fn ip_text_follows_the_address() {
        let mut text = IpText::default();
        let (v4, v6): (IpAddr, IpAddr) = ([10, 0, 0, 7].into(), "2001:db8::1".parse().unwrap());
        assert_eq!(text.of(v4), "10.0.0.7");
        assert_eq!(text.of(v4), "10.0.0.7");
        assert_eq!(text.of(v6), "2001:db8::1");
        assert_eq!(text.of(v4), "10.0.0.7");
    }
}
