//! `keyward db copy --to URL`: moves an installation into another database (a local install
//! into a team's PostgreSQL, usually). Everything that is the installation's truth is copied as
//! it is — accounts, members, key hashes, the audit trail row for row (so its chain still
//! verifies), settings, reminders already sent, snoozes, keyring clean-ups still owed — and the
//! call log of the retention window. Confirmation codes are not: they live two minutes.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::domain::calls::{CallEntry, DEFAULT_RETENTION_DAYS};
use crate::error::{Error, Result};
use crate::keyward::Keyward;
use crate::store::call_writer::{CallRow, Tally};
use crate::time::to_millis;

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
}
use Kind::{Int, Text};

/// The tables copied row for row, parents before children, with their columns.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "accounts",
        &[
            ("id", Text),
            ("name", Text),
            ("display_name", Text),
            ("rotation_period_days", Int),
            ("created_at", Int),
            ("created_by", Text),
            ("burst_limit", Int),
            ("burst_seconds", Int),
            ("daily_limit", Int),
            ("reminder_lead_days", Int),
        ],
    ),
    ("members", &[("account_id", Text), ("name", Text), ("email", Text), ("role", Text), ("added_at", Int)]),
    (
        "api_keys",
        &[
            ("id", Text),
            ("account_id", Text),
            ("key_hash", Text),
            ("hint", Text),
            ("created_at", Int),
            ("created_by", Text),
            ("retired_at", Int),
            ("retired_by", Text),
            ("retired_reason", Text),
            ("expires_at", Int),
            ("last_used_at", Int),
            ("created_on", Text),
        ],
    ),
    (
        "audit_log",
        &[
            ("seq", Int),
            ("at", Int),
            ("actor", Text),
            ("device", Text),
            ("account", Text),
            ("key_id", Text),
            ("event", Text),
            ("details", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
    ),
    ("settings", &[("name", Text), ("value", Text)]),
    ("sent_reminders", &[("key_id", Text), ("kind", Text), ("recipient", Text), ("channel", Text), ("sent_at", Int)]),
    ("reminder_snoozes", &[("key_id", Text), ("recipient", Text), ("until_at", Int)]),
    ("secret_journal", &[("key_id", Text), ("recorded_at", Int), ("device", Text)]),
];

/// Rows per INSERT: well under both engines' limit on bound parameters.
const ROWS_PER_INSERT: usize = 200;

/// What a copy moved, table by table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
    pub calls: u64,
}

enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
}

impl Keyward {
    /// Copies this installation into `target`, which must hold no accounts, audit trail or
    /// settings (else `Conflict`, and nothing is written). The tables are written in one
    /// transaction; the call log follows through the target's own call writer.
    pub async fn copy_into(&self, target: &Keyward, now: DateTime<Utc>) -> Result<CopyReport> {
        let held: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM settings)",
        )
        .fetch_one(&target.pool)
        .await?;
        if held > 0 {
            return Err(Error::TargetNotEmpty { database: target.database().redacted() });
        }
        let mut tables = Vec::new();
        let mut tx = target.begin_write().await?;
        for (table, columns) in TABLES {
            let copied = self.copy_table(&mut tx, table, columns).await?;
            tables.push((table.to_string(), copied));
        }
        // Keys made before databases were shared name no machine: they were made on this one.
        sqlx::query("UPDATE api_keys SET created_on = $1 WHERE created_on IS NULL")
            .bind(&self.device)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE secret_journal SET device = $1 WHERE device IS NULL")
            .bind(&self.device)
            .execute(&mut *tx)
            .await?;
        let revision: i64 =
            sqlx::query_scalar("SELECT revision FROM key_revision WHERE id = 1").fetch_one(&self.pool).await?;
        sqlx::query("UPDATE key_revision SET revision = $1 WHERE id = 1").bind(revision).execute(&mut *tx).await?;
        tx.commit().await?;
        let calls = self.copy_calls(target, now).await?;
        // The counters are the source's, not those of the copy's own writes.
        let (served, logged, dropped): (i64, i64, i64) =
            sqlx::query_as("SELECT served, logged, dropped FROM call_log_counters WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        sqlx::query("UPDATE call_log_counters SET served = $1, logged = $2, dropped = $3 WHERE id = 1")
            .bind(served)
            .bind(logged)
            .bind(dropped)
            .execute(&target.pool)
            .await?;
        Ok(CopyReport { tables, calls })
    }

    async fn copy_table(&self, tx: &mut AnyConnection, table: &str, columns: &[(&str, Kind)]) -> Result<u64> {
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let select = format!("SELECT {} FROM {table}", names.join(", "));
        let mut rows = sqlx::query(&select).fetch(&self.pool);
        let mut pending: Vec<Vec<Cell>> = Vec::new();
        let mut copied = 0;
        while let Some(row) = rows.try_next().await? {
            pending.push(cells(&row, columns)?);
            if pending.len() == ROWS_PER_INSERT {
                copied += insert_rows(tx, table, &names, std::mem::take(&mut pending)).await?;
            }
        }
        copied += insert_rows(tx, table, &names, pending).await?;
        Ok(copied)
    }

    /// The retention window's calls, streamed: `CALLS_PER_BATCH` rows in memory at a time,
    /// each batch written on a blocking thread (the writer blocks) while the next is read.
    async fn copy_calls(&self, target: &Keyward, now: DateTime<Utc>) -> Result<u64> {
        let since = to_millis(now - Duration::days(DEFAULT_RETENTION_DAYS));
        let mut rows = sqlx::query_as::<_, CallEntry>(
            "SELECT at, account, key_id, key_fingerprint, method, path, status, outcome, latency_us, client_ip, user_agent
             FROM calls WHERE at >= $1 ORDER BY at",
        )
        .bind(since)
        .fetch(&self.pool);
        let mut writer = Some(target.call_writer()?);
        let mut copied = 0;
        loop {
            let mut batch = Vec::with_capacity(CALLS_PER_BATCH);
            while batch.len() < CALLS_PER_BATCH {
                match rows.try_next().await? {
                    Some(call) => batch.push(call),
                    None => break,
                }
            }
            if batch.is_empty() {
                return Ok(copied);
            }
            copied += batch.len() as u64;
            let mut taken = writer.take().expect("the writer is put back after each batch");
            let (back, written) = tokio::task::spawn_blocking(move || {
                let written = taken.write(&batch, Tally::default(), &[]);
                (taken, written)
            })
            .await
            .expect("a call-log write does not panic");
            written?;
            writer = Some(back);
        }
    }
}

/// Calls per batch of `db copy`'s call log.
const CALLS_PER_BATCH: usize = 10_000;

/// A call read back is written again as it was.
impl CallRow for CallEntry {
    fn at(&self) -> DateTime<Utc> {
        self.at.0
    }
    fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }
    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }
    fn key_fingerprint(&self) -> Option<&str> {
        self.key_fingerprint.as_deref()
    }
    fn method(&self) -> &str {
        &self.method
    }
    fn path(&self) -> &str {
        &self.path
    }
    fn status(&self) -> u16 {
        u16::try_from(self.status).unwrap_or(0)
    }
    fn outcome(&self) -> &str {
        &self.outcome
    }
    fn latency_us(&self) -> i64 {
        self.latency_us
    }
    fn client_ip(&self) -> IpAddr {
        // Every stored address was written from an `IpAddr`.
        self.client_ip.parse().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }
    fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }
}

fn cells(row: &AnyRow, columns: &[(&str, Kind)]) -> Result<Vec<Cell>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Int => Cell::Int(row.try_get(i)?),
                Text => Cell::Text(row.try_get(i)?),
            })
        })
        .collect()
}

async fn insert_rows(tx: &mut AnyConnection, table: &str, names: &[&str], rows: Vec<Vec<Cell>>) -> Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let width = names.len();
    let values: Vec<String> = (0..rows.len())
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!("INSERT INTO {table} ({}) VALUES {}", names.join(", "), values.join(", "));
    let mut insert = sqlx::query(&sql);
    for cell in rows.iter().flatten() {
        insert = match cell {
            Cell::Int(value) => insert.bind(*value),
            Cell::Text(value) => insert.bind(value.clone()),
        };
    }
    Ok(insert.execute(&mut *tx).await?.rows_affected())
}
