//! The call log's bulk writer on PostgreSQL: each batch as one binary `COPY … FROM STDIN` into the
//! partitioned `calls` table, after making the partitions of the days it touches.
//!
//! sqlx is async; the gateway's call-log thread is not a runtime thread (and tests call the
//! writer from inside one, where blocking on a second runtime is refused). So the connection
//! lives on a thread of its own with a one-thread runtime; `write` formats the rows as COPY text
//! on the caller's thread, hands the bytes over and waits for the answer.

use std::collections::HashSet;
use std::fmt::Write;
use std::sync::mpsc;

use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection};

use super::{hour_counts, CallRow, Tally, ADD_TO_COUNTERS};
use crate::error::{Error, Result};
use crate::store::Database;
use crate::time::to_millis;

pub(crate) const DAY_MS: i64 = 86_400_000;

/// One batch, ready to send.
struct Batch {
    copy_data: Vec<u8>,
    days: Vec<i64>,
    hours: Vec<(String, i64, String, i64)>,
    tally: Tally,
    touched: Vec<(String, i64)>,
}

pub struct PgCallWriter {
    batches: mpsc::Sender<(Batch, mpsc::SyncSender<Result<()>>)>,
    /// The last batch's COPY size: the next one's buffer is made that large at once.
    last_size: usize,
    ip: String,
}

impl PgCallWriter {
    pub(crate) fn open(url: &str) -> Result<PgCallWriter> {
        let (batches, receive) = mpsc::channel::<(Batch, mpsc::SyncSender<Result<()>>)>();
        let (ready_tx, ready) = mpsc::sync_channel(1);
        let url = url.to_owned();
        std::thread::Builder::new()
            .name("kw-pg-call-log".into())
            .spawn(move || {
                // Bulk work, like the SQLite writer's: it yields to threads answering requests.
                crate::store::threads::mark_this_thread_batch();
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => runtime,
                    Err(err) => return drop(ready_tx.send(Err(Error::CallLogWriter(err.to_string())))),
                };
                runtime.block_on(async move {
                    let mut conn = match connect(&url).await {
                        Ok(conn) => conn,
                        Err(source) => {
                            let database = Database::Postgres(url).redacted();
                            return drop(ready_tx.send(Err(Error::Connect { database, source })));
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    let mut partitions = HashSet::new();
                    while let Ok((batch, reply)) = receive.recv() {
                        let written = write_batch(&mut conn, &mut partitions, batch).await;
                        // A connection the database dropped (a restart, a network cut) is replaced
                        // for the next batch; this one's rows are counted as dropped meanwhile.
                        if written.is_err() && conn.ping().await.is_err() {
                            if let Ok(fresh) = connect(&url).await {
                                conn = fresh;
                            }
                        }
                        let _ = reply.send(written);
                    }
                });
            })
            .map_err(|err| Error::CallLogWriter(err.to_string()))?;
        ready.recv().map_err(|_| Error::CallLogWriter("the writer thread ended".into()))??;
        Ok(PgCallWriter { batches, last_size: 0, ip: String::new() })
    }

    pub fn write<R: CallRow>(&mut self, batch: &[R], tally: Tally, touched: &[(String, DateTime<Utc>)]) -> Result<()> {
        // Handed to the connection's thread, so a new buffer per batch (sized like the last).
        let mut copy_data = Vec::new();
        if !batch.is_empty() {
            copy_data.reserve(self.last_size);
            copy_data.extend_from_slice(COPY_HEADER);
        }
        let mut days = Vec::new();
        for call in batch {
            let at = to_millis(call.at());
            let day = at.div_euclid(DAY_MS);
            if !days.contains(&day) {
                days.push(day);
            }
            copy_row(&mut copy_data, &mut self.ip, at, call);
        }
        if !batch.is_empty() {
            copy_data.extend_from_slice(&COPY_TRAILER.to_be_bytes());
            self.last_size = copy_data.len();
        }
        let batch = Batch {
            copy_data,
            days,
            hours: hour_counts(batch)
                .into_iter()
                .map(|((account, hour, outcome), count)| (account.to_owned(), hour, outcome.to_owned(), count))
                .collect(),
            tally,
            touched: touched.iter().map(|(key_id, at)| (key_id.clone(), to_millis(*at))).collect(),
        };
        let (reply, answer) = mpsc::sync_channel(1);
        let gone = || Error::CallLogWriter("the writer thread ended".into());
        self.batches.send((batch, reply)).map_err(|_| gone())?;
        answer.recv().map_err(|_| gone())?
    }
}

/// The writer's connection. Its commits do not wait for the WAL to reach the disk (as the
/// SQLite writer's `synchronous = NORMAL`): a crash of the database server may lose the last
/// fraction of a second of call-log rows, never the database's consistency; every other
/// connection keeps full durability.
async fn connect(url: &str) -> std::result::Result<PgConnection, sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    sqlx::query("SET synchronous_commit = off").execute(&mut conn).await?;
    Ok(conn)
}

async fn write_batch(conn: &mut PgConnection, partitions: &mut HashSet<i64>, batch: Batch) -> Result<()> {
    for &day in &batch.days {
        if !partitions.contains(&day) {
            ensure_partition(conn, day).await?;
            partitions.insert(day);
        }
    }
    let mut tx = conn.begin().await?;
    let mut logged = 0;
    if !batch.copy_data.is_empty() {
        let mut copy = tx
            .copy_in_raw(
                "COPY calls (at, account, key_id, key_fingerprint, method, path, status, outcome, latency_us, \
                 client_ip, user_agent) FROM STDIN (FORMAT binary)",
            )
            .await?;
        copy.send(batch.copy_data).await?;
        logged = copy.finish().await?;
    }
    // The batch's hours in one statement (they are distinct, as one upsert needs).
    if !batch.hours.is_empty() {
        let rows: Vec<String> = (0..batch.hours.len())
            .map(|i| format!("(${}, ${}, ${}, ${})", 4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4))
            .collect();
        let sql = format!(
            "INSERT INTO call_hours (account, hour, outcome, count) VALUES {}
             ON CONFLICT (account, hour, outcome) DO UPDATE SET count = call_hours.count + excluded.count",
            rows.join(", ")
        );
        let mut add = sqlx::query(&sql);
        for (account, hour, outcome, count) in &batch.hours {
            add = add.bind(account).bind(hour).bind(outcome).bind(count);
        }
        add.execute(&mut *tx).await?;
    }
    if batch.tally != Tally::default() || logged > 0 {
        sqlx::query(ADD_TO_COUNTERS)
            .bind(batch.tally.served as i64)
            .bind(logged as i64)
            .bind(batch.tally.dropped as i64)
            .execute(&mut *tx)
            .await?;
    }
    for (key_id, at) in &batch.touched {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes `calls_YYYYMMDD` for `day` (days since the epoch, UTC) unless it exists. Gateways may
/// race to make the same day: the lock on the day number lets one make it and the others find it.
/// A day's partition only ever receives inserts and is dropped whole after 7 days, so autovacuum's
/// insert-triggered VACUUM would only compete with the gateways for CPU; ANALYZE (the planner's
/// statistics) and the anti-wraparound vacuum still run as usual.
pub(crate) async fn ensure_partition(conn: &mut PgConnection, day: i64) -> Result<()> {
    let name = partition_name(day);
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(day).execute(&mut *tx).await?;
    let sql = format!(
        "CREATE TABLE IF NOT EXISTS {name} PARTITION OF calls FOR VALUES FROM ({}) TO ({}) \
         WITH (autovacuum_vacuum_insert_threshold = -1)",
        day * DAY_MS,
        (day + 1) * DAY_MS
    );
    sqlx::query(&sql).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// `calls_20261202` for the day of 2026-12-02 (UTC).
pub(crate) fn partition_name(day: i64) -> String {
    let date = DateTime::<Utc>::from_timestamp(day * 86_400, 0)
        .map_or_else(|| day.to_string(), |d| d.format("%Y%m%d").to_string());
    format!("calls_{date}")
}

/// The day (since the epoch, UTC) of a partition made by [`ensure_partition`].
pub(crate) fn partition_day(name: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(name.strip_prefix("calls_")?, "%Y%m%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp().div_euclid(86_400))
}

/// The binary COPY format's signature, flags and header extension (none).
const COPY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// The field count -1 that ends the data.
const COPY_TRAILER: i16 = -1;

/// One row in COPY's binary format: the field count, then each field's length and bytes
/// (-1: NULL); BIGINT columns as 8 bytes, big-endian. The server parses nothing.
fn copy_row(out: &mut Vec<u8>, ip: &mut String, at: i64, call: &impl CallRow) {
    out.extend_from_slice(&11i16.to_be_bytes());
    bigint(out, at);
    text(out, call.account());
    text(out, call.key_id());
    text(out, call.key_fingerprint());
    text(out, Some(call.method()));
    text(out, Some(call.path()));
    bigint(out, i64::from(call.status()));
    text(out, Some(call.outcome()));
    bigint(out, call.latency_us());
    ip.clear();
    let _ = write!(ip, "{}", call.client_ip());
    text(out, Some(ip));
    text(out, call.user_agent());
}

fn bigint(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(&8i32.to_be_bytes());
    out.extend_from_slice(&value.to_be_bytes());
}

fn text(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(text) => {
            out.extend_from_slice(&(text.len() as i32).to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        None => out.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_named_by_utc_day() {
        let day = to_millis("2026-12-02T23:59:59Z".parse().unwrap()).div_euclid(DAY_MS);
        assert_eq!(partition_name(day), "calls_20261202");
        assert_eq!(partition_name(day + 1), "calls_20261203");
        assert_eq!(partition_day("calls_20261202"), Some(day));
        assert_eq!(partition_day("calls_default"), None);
    }

    #[test]
    fn binary_fields_are_length_prefixed_and_null_is_minus_one() {
        let mut out = Vec::new();
        bigint(&mut out, 258);
        text(&mut out, Some("a\tb"));
        text(&mut out, None);
        assert_eq!(out, [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, b'a', b'\t', b'b', 255, 255, 255, 255]);
        assert_eq!(COPY_HEADER.len(), 19);
    }
}
