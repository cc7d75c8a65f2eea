//! A team's PostgreSQL: a pool of a few connections, forward-only migrations from
//! `migrations/postgres`, the writers' lock, and key-change notifications.

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Transaction};

use super::call_writer;
use crate::error::{Error, Result};
use crate::store::database::Database;

/// The channel every key change is announced on; gateways LISTEN to it.
pub const KEY_CHANGES_CHANNEL: &str = "keyward_key_changes";

/// The advisory lock every write transaction takes (an arbitrary constant: "KEYWARD" in ASCII,
/// so an operator who sees it in `pg_locks` can tell whose it is).
const WRITERS_LOCK: i64 = 0x004b_4559_5741_5244;

/// How long a connection attempt may take before the error names an unreachable server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn open(url: &str) -> Result<AnyPool> {
    let connect_failed =
        |source: sqlx::Error| Error::Connect { database: Database::Postgres(url.to_owned()).redacted(), source };
    let options: AnyConnectOptions = url.parse().map_err(connect_failed)?;
    // One attempt first: a refused connection or a wrong password is reported at once, in the
    // server's words (the pool would retry until its time-out and say only that it timed out).
    let probe = tokio::time::timeout(CONNECT_TIMEOUT, AnyConnection::connect_with(&options))
        .await
        .map_err(|_| connect_failed(sqlx::Error::PoolTimedOut))?
        .map_err(connect_failed)?;
    probe.close().await.ok();
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(connect_failed)?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}

pub(crate) async fn begin_write(pool: &AnyPool) -> Result<Transaction<'static, Any>> {
    let mut tx = pool.begin().await?;
    // (`FROM` the function: a void column would not pass the `Any` driver.)
    sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(WRITERS_LOCK).execute(&mut *tx).await?;
    Ok(tx)
}

pub(crate) async fn notify_key_change(tx: &mut sqlx::AnyConnection, revision: i64) -> Result<()> {
    sqlx::query("SELECT 1 FROM pg_notify($1, $2)")
        .bind(KEY_CHANGES_CHANNEL)
        .bind(revision.to_string())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Drops every day partition of the call log that ends at or before `before_ms`; returns how
/// many rows they held.
pub(crate) async fn drop_call_partitions_before(pool: &AnyPool, before_ms: i64) -> Result<u64> {
    let partitions: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         WHERE p.relname = 'calls' ORDER BY c.relname",
    )
    .fetch_all(pool)
    .await?;
    let mut dropped = 0;
    for name in partitions {
        let Some(day) = call_writer::partition_day(&name) else { continue };
        if (day + 1) * call_writer::DAY_MS > before_ms {
            break;
        }
        let mut tx = pool.begin().await?;
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {name}")).fetch_one(&mut *tx).await?;
        sqlx::query(&format!("DROP TABLE {name}")).execute(&mut *tx).await?;
        tx.commit().await?;
        dropped += rows as u64;
    }
    Ok(dropped)
}
