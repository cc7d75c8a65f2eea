//! The audit trail: append-only and hash-chained, so an edited, deleted or reordered row is
//! found by walking the chain.
//!
//! Each row stores `hash = SHA-256(prev_hash || canonical JSON of the row)`; the canonical JSON
//! has a fixed field order and includes `seq`, so moving a row breaks the chain too.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AnyPool};

use crate::actor::Actor;
use crate::error::{Invalid, Result};
use crate::keyward::Keyward;
use crate::serde_names::{display_as_serde_name, from_name};
use crate::time::{to_millis, Timestamp};

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    AccountCreated,
    MemberAdded,
    MemberRemoved,
    RoleChanged,
    EmailChanged,
    Generated,
    Viewed,
    Copied,
    Rotated,
    GraceEnded,
    Deactivated,
    PermissionDenied,
    ChallengeFailed,
    LimitsChanged,
    PolicyChanged,
    ReminderSent,
    /// A team key's ciphertext added for more devices of its super admins.
    Shared,
    /// Team events (no account): a setup code or an invitation made, a device enrolled or
    /// revoked.
    SetupCodeIssued,
    Invited,
    DeviceEnrolled,
    DeviceRevoked,
}

display_as_serde_name!(AuditEvent);

impl AuditEvent {
    /// Every event, for the "use one of" of a filter naming none of them (a new event goes here too).
    pub const ALL: [AuditEvent; 21] = [
        AuditEvent::AccountCreated,
        AuditEvent::MemberAdded,
        AuditEvent::MemberRemoved,
        AuditEvent::RoleChanged,
        AuditEvent::EmailChanged,
        AuditEvent::Generated,
        AuditEvent::Viewed,
        AuditEvent::Copied,
        AuditEvent::Rotated,
        AuditEvent::GraceEnded,
        AuditEvent::Deactivated,
        AuditEvent::PermissionDenied,
        AuditEvent::ChallengeFailed,
        AuditEvent::LimitsChanged,
        AuditEvent::PolicyChanged,
        AuditEvent::ReminderSent,
        AuditEvent::Shared,
        AuditEvent::SetupCodeIssued,
        AuditEvent::Invited,
        AuditEvent::DeviceEnrolled,
        AuditEvent::DeviceRevoked,
    ];
}

/// A listing's event filter: one of the events (surrounding spaces ignored), or bad input that
/// names them — a misspelt event would otherwise list nothing, as if it never happened.
fn event_filter(event: Option<&str>) -> Result<Option<AuditEvent>> {
    let Some(event) = event.map(str::trim) else { return Ok(None) };
    match from_name::<AuditEvent>(event) {
        Some(known) => Ok(Some(known)),
        None => {
            let known = AuditEvent::ALL.map(|e| e.to_string()).join(", ");
            Err(Invalid::AuditEvent { event: event.to_owned(), known }.into())
        }
    }
}

/// What a caller records; the chain fields are added by [`append`].
pub(crate) struct NewEntry<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub device: &'a str,
    pub account: Option<&'a str>,
    pub key_id: Option<&'a str>,
    pub event: AuditEvent,
    pub details: serde_json::Value,
}

/// One row of the trail as read back.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    #[sqlx(try_from = "i64")]
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub actor: String,
    pub device: String,
    pub account: Option<String>,
    pub key_id: Option<String>,
    /// The key's display hint (not part of the chain; filled in by listings).
    #[sqlx(default)]
    pub key_hint: Option<String>,
    pub event: String,
    /// JSON object as text, exactly as hashed.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain's verdict.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChainStatus {
    /// `checkpoint`: how many entries this machine's signed checkpoint vouched for (none yet: a
    /// trail older than anchoring, or a keyring that could not be read).
    Verified {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        entries: u64,
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        checkpoint: Option<u64>,
    },
    /// `entry` is the `seq` of the first row that does not follow from the one before it.
    Broken {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        entry: i64,
        reason: String,
    },
    /// The newest rows are gone (cut off, or an older copy of the database put back): the signed
    /// checkpoint vouches for `checkpoint` entries, the trail has `entries`.
    Truncated {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        entries: u64,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        checkpoint: u64,
    },
    /// The checkpoint in the keyring was not signed with the trail's key (edited, or copied from
    /// elsewhere).
    BadCheckpoint { reason: String },
}

#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at: i64,
    actor: &'a str,
    device: &'a str,
    account: Option<&'a str>,
    key_id: Option<&'a str>,
    event: &'a str,
    details: &'a str,
}

impl AuditEntry {
    /// The chain's hash of this row after `prev_hash`: `SHA-256(prev_hash || canonical JSON)`,
    /// the JSON with a fixed field order and `seq` included.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let canonical = Canonical {
            seq: self.seq,
            at: to_millis(self.at.0),
            actor: &self.actor,
            device: &self.device,
            account: self.account.as_deref(),
            key_id: self.key_id.as_deref(),
            event: &self.event,
            details: &self.details,
        };
        chain_hash(prev_hash, &canonical)
    }
}

fn chain_hash(prev_hash: &str, row: &Canonical<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(serde_json::to_vec(row).expect("plain strings and numbers serialise"));
    hex::encode(hasher.finalize())
}

/// Appends one row inside the caller's write transaction, so the row and the change it records
/// commit together or not at all.
pub(crate) async fn append(conn: &mut AnyConnection, entry: NewEntry<'_>) -> Result<()> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, String::new()),
    };
    let details = entry.details.to_string();
    let event = entry.event.to_string();
    let canonical = Canonical {
        seq,
        at: to_millis(entry.at),
        actor: entry.actor,
        device: entry.device,
        account: entry.account,
        key_id: entry.key_id,
        event: &event,
        details: &details,
    };
    let hash = chain_hash(&prev_hash, &canonical);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, device, account, key_id, event, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(seq)
    .bind(canonical.at)
    .bind(entry.actor)
    .bind(entry.device)
    .bind(entry.account)
    .bind(entry.key_id)
    .bind(canonical.event)
    .bind(&details)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The first row (in the order given) that does not follow from the one before it; the
/// checkpoint is not consulted (see [`Keyward::verify_audit_chain`]).
pub fn check_chain(rows: &[AuditEntry]) -> ChainStatus {
    let mut prev_hash = String::new();
    for (index, row) in rows.iter().enumerate() {
        let expected_seq = index as i64 + 1;
        let broken = |reason: &str| ChainStatus::Broken { entry: row.seq, reason: reason.into() };
        if row.seq != expected_seq {
            return broken("an entry before this one is missing");
        }
        if row.prev_hash != prev_hash {
            return broken("this entry does not follow the one before it (deleted or reordered)");
        }
        if row.chain_hash(&prev_hash) != row.hash {
            return broken("this entry was altered after it was written");
        }
        prev_hash = row.hash.clone();
    }
    ChainStatus::Verified { entries: rows.len() as u64, checkpoint: None }
}

/// A listing's row limit: at least 1 (PostgreSQL refuses a negative LIMIT; 0 would say nothing).
fn row_limit(limit: Option<i64>) -> Result<i64> {
    match limit {
        None => Ok(i64::MAX),
        Some(limit) => Invalid::check_range("limit", limit, 1..=i64::MAX).map(|()| limit).map_err(Into::into),
    }
}

/// Entries of one account, oldest first, optionally of one event kind.
async fn list(pool: &AnyPool, account: &str, event: Option<AuditEvent>, limit: Option<i64>) -> Result<Vec<AuditEntry>> {
    // The newest `limit` rows, returned oldest first.
    let rows = sqlx::query_as(
        "SELECT newest.*, k.hint AS key_hint FROM (
             SELECT * FROM audit_log WHERE account = $1 AND ($2 IS NULL OR event = $3)
             ORDER BY seq DESC LIMIT $4
         ) AS newest LEFT JOIN api_keys k ON k.id = newest.key_id ORDER BY newest.seq",
    )
    .bind(account)
    .bind(event.map(|e| e.to_string()))
    .bind(event.map(|e| e.to_string()))
    .bind(row_limit(limit)?)
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// The team's own trail (rows with no account), oldest first.
pub(crate) async fn list_team(pool: &AnyPool, limit: Option<i64>) -> Result<Vec<AuditEntry>> {
    Ok(sqlx::query_as(
        "SELECT newest.*, CAST(NULL AS TEXT) AS key_hint FROM (
             SELECT * FROM audit_log WHERE account IS NULL ORDER BY seq DESC LIMIT $1
         ) AS newest ORDER BY newest.seq",
    )
    .bind(row_limit(limit)?)
    .fetch_all(pool)
    .await?)
}

/// CSV of entries, one row each, with a header; what `audit export` and the desktop export write.
pub fn to_csv(entries: &[AuditEntry]) -> Result<String> {
    let header = ["seq", "at", "actor", "device", "account", "key_id", "key_hint", "event", "details", "hash"];
    crate::domain::export::to_csv(
        header,
        entries.iter().map(|e| {
            [
                e.seq.to_string(),
                e.at.to_string(),
                e.actor.clone(),
                e.device.clone(),
                e.account.clone().unwrap_or_default(),
                e.key_id.clone().unwrap_or_default(),
                e.key_hint.clone().unwrap_or_default(),
                e.event.clone(),
                e.details.clone(),
                e.hash.clone(),
            ]
        }),
    )
}

impl Keyward {
    /// The account's trail, oldest first. Super admins only.
    pub async fn audit_entries(
        &self,
        actor: &Actor,
        account: &str,
        event: Option<&str>,
        limit: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditEntry>> {
        let event = event_filter(event)?;
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "read the audit log", now).await?;
        list(&self.pool, &account.name, event, limit).await
    }

    /// Walks the whole chain in `seq` order, reports the first row that breaks it, then holds an
    /// intact chain against this machine's signed checkpoint. Anyone may: it reveals only
    /// whether, and where, the trail is broken.
    pub async fn verify_audit_chain(&self) -> Result<ChainStatus> {
        let rows: Vec<AuditEntry> =
            sqlx::query_as("SELECT * FROM audit_log ORDER BY seq").fetch_all(&self.pool).await?;
        match check_chain(&rows) {
            ChainStatus::Verified { .. } => crate::domain::audit_checkpoint::judge(self, &rows).await,
            broken => Ok(broken),
        }
    }
}
