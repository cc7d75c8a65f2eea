//! The call log: every request that presented a key to the gateway, kept 7 days by default.
//!
//! Rows are written in batches by the gateway's single writer. Reading them is for super admins
//! of the account; rows of unknown keys (no account) are visible to anyone who reads the log
//! unfiltered, since they belong to nobody.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures_util::TryStreamExt;
use serde::Serialize;

use crate::actor::Actor;
use crate::error::{Error, Invalid, Result};
use crate::keyward::Keyward;
use crate::serving::key_index::IndexedKey;
use crate::store::call_writer::{CallRow, HOUR_MS};
use crate::store::{self, Backend};
use crate::time::{to_millis, Timestamp};

/// One call as the gateway records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub at: DateTime<Utc>,
    /// The presented key as the index knows it (its account and id), whenever it is known,
    /// revoked or expired keys included. The verdict's own reference, moved here: a row at the
    /// gateway's full rate copies no names and touches no shared counter.
    pub key: Option<Arc<IndexedKey>>,
    /// For a well-formed but unknown key: the first 8 hex characters of its SHA-256.
    pub key_fingerprint: Option<String>,
    /// A standard method's name is borrowed, not allocated.
    pub method: Cow<'static, str>,
    /// With secret-bearing query parameters removed (borrowed when it is a route's own path).
    pub path: Cow<'static, str>,
    pub status: u16,
    /// One of the gateway's outcome codes (`VALID`, `REVOKED`, ...), all known when compiled.
    pub outcome: &'static str,
    pub latency_us: i64,
    /// Formatted by the writer, off the request path (most rows repeat the previous row's).
    pub client_ip: IpAddr,
    pub user_agent: Option<String>,
}

impl CallRow for CallRecord {
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
    fn account(&self) -> Option<&str> {
        self.key.as_ref().map(|k| k.account.as_str())
    }
    fn key_id(&self) -> Option<&str> {
        self.key.as_ref().map(|k| k.key_id.as_str())
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
        self.status
    }
    fn outcome(&self) -> &str {
        self.outcome
    }
    fn latency_us(&self) -> i64 {
        self.latency_us
    }
    fn client_ip(&self) -> IpAddr {
        self.client_ip
    }
    fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }
}

/// One call as read back.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CallEntry {
    #[sqlx(try_from = "i64")]
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub account: Option<String>,
    pub key_id: Option<String>,
    pub key_fingerprint: Option<String>,
    pub method: String,
    pub path: String,
    pub status: i32,
    pub outcome: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub latency_us: i64,
    pub client_ip: String,
    pub user_agent: Option<String>,
}

/// Which calls to list; every field narrows, `None` means "any".
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, optional_fields))]
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CallFilter {
    pub account: Option<String>,
    /// The desktop always looks at the whole retention window.
    #[cfg_attr(feature = "ts", ts(skip))]
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<DateTime<Utc>>,
    /// 2, 4 or 5: the status class (2xx, 4xx, 5xx; 1 and 3 are accepted too).
    #[param(minimum = 1, maximum = 5)]
    pub status_class: Option<u16>,
    pub outcome: Option<String>,
    /// Part of the path, client IP or user agent (case-insensitive for ASCII).
    pub text: Option<String>,
    #[cfg_attr(feature = "ts", ts(as = "Option<i32>"))]
    pub limit: Option<i64>,
    /// Rows to skip, for paging (newest first).
    #[cfg_attr(feature = "ts", ts(as = "Option<i32>"))]
    pub offset: Option<i64>,
}

/// `text` as a LIKE pattern that matches it literally anywhere.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Calls per hour and outcome, for the chart and `keyward calls stats`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HourCount {
    #[sqlx(try_from = "i64")]
    #[schema(value_type = String, format = DateTime)]
    pub hour: Timestamp,
    pub outcome: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: i64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CallStats {
    pub account: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub since: Timestamp,
    pub hours: Vec<HourCount>,
    /// Calls logged in the window (the hours' sum).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub logged: i64,
    /// Keyed requests every gateway served, ever (all accounts).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub served: i64,
    /// Call-log rows every gateway wrote, ever (all accounts; purged rows included).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub logged_ever: i64,
    /// Rows every gateway had to drop because its queue was full (all accounts, ever). Once
    /// the gateways' queues are empty, `served == logged_ever + dropped`.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub dropped: i64,
}

pub const DEFAULT_RETENTION_DAYS: i64 = 7;

/// `no account OR the actor is a super admin of it`, the actor's name bound as `$reader`. The
/// raw rows say "no account" with NULL (`NO_ACCOUNT_ROW`), the rollup with '' (`NO_ACCOUNT_HOUR`).
fn visible(reader: usize, no_account: &str) -> String {
    format!(
        "({no_account} OR account IN (SELECT a.name FROM accounts a JOIN members m
         ON m.account_id = a.id WHERE m.name = ${reader} AND m.role = 'super-admin'))"
    )
}
const NO_ACCOUNT_ROW: &str = "account IS NULL";
const NO_ACCOUNT_HOUR: &str = "account = ''";

const CSV_HEADER: [&str; 11] = [
    "at",
    "account",
    "key_id",
    "key_fingerprint",
    "method",
    "path",
    "status",
    "outcome",
    "latency_us",
    "client_ip",
    "user_agent",
];

fn csv_row(c: &CallEntry) -> [String; 11] {
    [
        c.at.to_string(),
        c.account.clone().unwrap_or_default(),
        c.key_id.clone().unwrap_or_default(),
        c.key_fingerprint.clone().unwrap_or_default(),
        c.method.clone(),
        c.path.clone(),
        c.status.to_string(),
        c.outcome.clone(),
        c.latency_us.to_string(),
        c.client_ip.clone(),
        c.user_agent.clone().unwrap_or_default(),
    ]
}

/// CSV of calls, newest first as listed.
pub fn to_csv(calls: &[CallEntry]) -> Result<String> {
    crate::domain::export::to_csv(CSV_HEADER, calls.iter().map(csv_row))
}

/// A call-log query with its bound values, so a listing and an export read the same rows.
struct Selection {
    sql: String,
    account: Option<String>,
    since: i64,
    status: (i32, i32),
    outcome: Option<String>,
    reader: String,
    text: Option<String>,
    limit: i64,
    offset: i64,
}

impl Selection {
    /// `limit` None: every matching row.
    fn new(
        backend: Backend,
        actor: &Actor,
        filter: &CallFilter,
        limit: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Selection> {
        let since = filter.since.unwrap_or(now - Duration::days(DEFAULT_RETENTION_DAYS));
        let status = match filter.status_class {
            None => (0, 1000),
            Some(class @ 1..=5) => (i32::from(class) * 100, i32::from(class) * 100 + 100),
            Some(other) => return Err(Invalid::StatusClass { class: other }.into()),
        };
        let sql = Selection::sql(backend, filter.account.is_some());
        Ok(Selection {
            sql,
            account: filter.account.as_deref().map(|a| a.trim().to_owned()),
            since: to_millis(since),
            status,
            outcome: filter.outcome.clone(),
            reader: actor.name().to_owned(),
            text: filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(contains_pattern),
            limit: limit.map_or(i64::MAX, |l| l.clamp(1, 1_000_000)),
            offset: filter.offset.unwrap_or(0).max(0),
        })
    }

    /// One account: its index, newest first. All accounts: newest first by SQLite's rowid (rows
    /// are appended in time order; NOT INDEXED keeps SQLite from trading that walk for the
    /// account index and a sort), by PostgreSQL's index on `at`.
    fn sql(backend: Backend, one_account: bool) -> String {
        let (table, scope, order) = match (one_account, backend) {
            (true, _) => ("calls", "account = $1", "at DESC"),
            (false, Backend::Sqlite) => ("calls NOT INDEXED", "$1 IS NULL", "rowid DESC"),
            (false, Backend::Postgres) => ("calls", "$1 IS NULL", "at DESC"),
        };
        // SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE is its equivalent.
        let like = match backend {
            Backend::Sqlite => "LIKE",
            Backend::Postgres => "ILIKE",
        };
        let visible = visible(6, NO_ACCOUNT_ROW);
        format!(
            "SELECT at, account, key_id, key_fingerprint, method, path, status, outcome, latency_us, client_ip, user_agent
             FROM {table} WHERE {scope} AND at >= $2 AND status >= $3 AND status < $4
               AND ($5 IS NULL OR outcome = $5) AND {visible}
               AND ($7 IS NULL OR path {like} $7 ESCAPE '\\' OR client_ip {like} $7 ESCAPE '\\'
                    OR user_agent {like} $7 ESCAPE '\\')
             ORDER BY {order} LIMIT $8 OFFSET $9"
        )
    }

    fn query(&self) -> sqlx::query::QueryAs<'_, sqlx::Any, CallEntry, sqlx::any::AnyArguments<'_>> {
        sqlx::query_as(&self.sql)
            .bind(&self.account)
            .bind(self.since)
            .bind(self.status.0)
            .bind(self.status.1)
            .bind(&self.outcome)
            .bind(&self.reader)
            .bind(&self.text)
            .bind(self.limit)
            .bind(self.offset)
    }
}

impl Keyward {
    /// Calls, newest first (100 unless the filter says, at most 1,000,000). With an account: its
    /// super admins only.
    pub async fn list_calls(&self, actor: &Actor, filter: &CallFilter, now: DateTime<Utc>) -> Result<Vec<CallEntry>> {
        self.check_call_reader(actor, filter.account.as_deref(), now).await?;
        let selection = Selection::new(self.backend(), actor, filter, Some(filter.limit.unwrap_or(100)), now)?;
        Ok(selection.query().fetch_all(&self.pool).await?)
    }

    /// Every matching call (the filter's limit is ignored), newest first, as CSV into `out`,
    /// row by row: memory stays flat however many there are. Returns how many were written.
    pub async fn export_calls_csv(
        &self,
        actor: &Actor,
        filter: &CallFilter,
        now: DateTime<Utc>,
        out: impl std::io::Write,
    ) -> Result<u64> {
        self.check_call_reader(actor, filter.account.as_deref(), now).await?;
        let selection = Selection::new(self.backend(), actor, filter, None, now)?;
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(CSV_HEADER)?;
        let mut rows = selection.query().fetch(&self.pool);
        let mut written = 0;
        while let Some(call) = rows.try_next().await? {
            csv.write_record(csv_row(&call))?;
            written += 1;
        }
        csv.flush().map_err(|err| Error::Csv(err.into()))?;
        Ok(written)
    }

    /// Counts per hour and outcome over the retention window (from the hourly rollup, so a
    /// week of millions of calls is a few hundred rows), and the counters of every gateway.
    pub async fn call_stats(&self, actor: &Actor, account: Option<&str>, now: DateTime<Utc>) -> Result<CallStats> {
        self.check_call_reader(actor, account, now).await?;
        let since = now - Duration::days(DEFAULT_RETENTION_DAYS);
        let scope = if account.is_some() { "account = $1" } else { "$1 IS NULL" };
        let visible = visible(3, NO_ACCOUNT_HOUR);
        let sql = format!(
            "SELECT hour, outcome, CAST(SUM(count) AS BIGINT) AS count
             FROM call_hours WHERE {scope} AND hour >= $2 AND {visible}
             GROUP BY hour, outcome ORDER BY hour, outcome"
        );
        let first_hour = to_millis(since).div_euclid(HOUR_MS) * HOUR_MS;
        let hours: Vec<HourCount> =
            sqlx::query_as(&sql).bind(account).bind(first_hour).bind(actor.name()).fetch_all(&self.pool).await?;
        let logged = hours.iter().map(|h| h.count).sum();
        let (served, logged_ever, dropped): (i64, i64, i64) =
            sqlx::query_as("SELECT served, logged, dropped FROM call_log_counters WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(CallStats {
            account: account.map(str::to_owned),
            since: Timestamp(since),
            hours,
            logged,
            served,
            logged_ever,
            dropped,
        })
    }

    /// Deletes calls older than `before`. SQLite: `chunk` rows per transaction so writers never
    /// wait long. PostgreSQL: whole days, dropping each day's partition once all of it is older
    /// (no row-by-row delete, nothing left for VACUUM). Returns how many rows went.
    pub async fn purge_calls(&self, before: DateTime<Utc>, chunk: i64) -> Result<u64> {
        // The rollup's hours go with their calls (a small table: one row per account, hour
        // and outcome).
        sqlx::query("DELETE FROM call_hours WHERE hour + $1 <= $2")
            .bind(HOUR_MS)
            .bind(to_millis(before))
            .execute(&self.pool)
            .await?;
        if self.backend() == Backend::Postgres {
            return store::drop_call_partitions_before(&self.pool, to_millis(before)).await;
        }
        let mut total = 0;
        loop {
            let mut tx = self.begin_write().await?;
            // The oldest rows have the lowest rowids: look at the first `chunk` only, so a purge
            // with nothing to do reads one chunk, not the table.
            let deleted = sqlx::query(
                "DELETE FROM calls WHERE rowid IN (SELECT rowid FROM calls ORDER BY rowid LIMIT $1) AND at < $2",
            )
            .bind(chunk)
            .bind(to_millis(before))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            total += deleted;
            if deleted < chunk as u64 {
                return Ok(total);
            }
            tokio::task::yield_now().await;
        }
    }

    async fn check_call_reader(&self, actor: &Actor, account: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        if let Some(name) = account {
            let account = self.account(name).await?;
            self.require_super_admin(actor, &account, "read the call log", now).await?;
        }
        Ok(())
    }
}
