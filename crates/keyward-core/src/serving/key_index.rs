//! The in-memory index of key hashes the gateway verifies against: no database read per
//! request, and a malformed key costs nothing but its checksum.
//!
//! It stays current two ways. A change made through this process's [`Keyward`] reloads it
//! before the change returns, so a rotated key fails the moment `rotate` returns. A change made
//! by another process (the CLI, the desktop app, another host) bumps `key_revision`;
//! [`super::key_changes`] notices and reloads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use crate::domain::api_key::ApiKey;
use crate::domain::limits::UsageLimits;
use crate::domain::verify::{validity, VerifyCode};
use crate::error::Result;
use crate::keyward::Keyward;
use crate::serving::published::Published;
use crate::time::to_millis;

/// What the gateway knows of a stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedKey {
    pub key_id: String,
    pub account: String,
    pub limits: UsageLimits,
    digest: [u8; 32],
    retired_at: Option<i64>,
    expires_at: Option<i64>,
}

impl IndexedKey {
    /// A key known by its names only, for tests that write call-log rows of their own.
    #[cfg(any(test, feature = "test-support"))]
    pub fn named(account: &str, key_id: &str) -> IndexedKey {
        IndexedKey {
            key_id: key_id.into(),
            account: account.into(),
            limits: UsageLimits::default(),
            digest: [0; 32],
            retired_at: None,
            expires_at: None,
        }
    }
}

/// The verdict on a presented key; `key` is set whenever the key is known (valid or not), so
/// calls with a revoked key are still attributed to its account.
#[derive(Debug, Clone)]
pub struct Checked {
    pub code: VerifyCode,
    pub key: Option<Arc<IndexedKey>>,
}

#[derive(Default)]
struct Snapshot {
    revision: i64,
    by_digest: HashMap<[u8; 32], Arc<IndexedKey>>,
}

#[derive(Default)]
pub struct KeyIndex {
    snapshot: Published<Snapshot>,
    loaded: AtomicBool,
    /// One reload at a time: a slower reload of an older revision must not replace a newer one.
    reloading: tokio::sync::Mutex<()>,
    /// When the database last confirmed the index current (UTC milliseconds; 0: never).
    confirmed_at: AtomicI64,
}

impl KeyIndex {
    pub(crate) fn revision(&self) -> i64 {
        self.snapshot.latest().revision
    }

    /// The database answered at `at` and the index holds its revision.
    pub(crate) fn confirm(&self, at: DateTime<Utc>) {
        self.confirmed_at.fetch_max(to_millis(at), Ordering::AcqRel);
    }

    pub(crate) fn confirmed_at(&self) -> i64 {
        self.confirmed_at.load(Ordering::Acquire)
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    account: String,
    key_hash: String,
    retired_at: Option<i64>,
    expires_at: Option<i64>,
    #[sqlx(try_from = "i64")]
    burst_limit: u32,
    #[sqlx(try_from = "i64")]
    burst_seconds: u32,
    #[sqlx(try_from = "i64")]
    daily_limit: u32,
}

impl Keyward {
    /// Loads the index; from then on this handle keeps it current. The gateway calls it at start.
    pub async fn load_key_index(&self) -> Result<()> {
        let _one_at_a_time = self.index.reloading.lock().await;
        let asked_at = Utc::now();
        let mut tx = self.pool.begin().await?;
        let revision: i64 =
            sqlx::query_scalar("SELECT revision FROM key_revision WHERE id = 1").fetch_one(&mut *tx).await?;
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT k.id, a.name AS account, k.key_hash, k.retired_at, k.expires_at,
                    a.burst_limit, a.burst_seconds, a.daily_limit
             FROM api_keys k JOIN accounts a ON a.id = k.account_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let by_digest = rows
            .into_iter()
            .filter_map(|row| {
                let mut digest = [0u8; 32];
                hex::decode_to_slice(&row.key_hash, &mut digest).ok()?;
                let limits = UsageLimits {
                    burst_limit: row.burst_limit,
                    burst_seconds: row.burst_seconds,
                    daily_limit: row.daily_limit,
                };
                let key = IndexedKey {
                    key_id: row.id,
                    account: row.account,
                    limits,
                    digest,
                    retired_at: row.retired_at,
                    expires_at: row.expires_at,
                };
                Some((digest, Arc::new(key)))
            })
            .collect();
        self.index.snapshot.publish(Snapshot { revision, by_digest });
        self.index.loaded.store(true, Ordering::Release);
        self.index.confirm(asked_at);
        Ok(())
    }

    /// Called after every committed key change: a loaded index reloads before the change
    /// returns. A failed reload is left to the poller (the revision still differs).
    pub(crate) async fn after_key_change(&self) {
        if self.index.loaded.load(Ordering::Acquire) {
            if let Err(err) = self.load_key_index().await {
                tracing::warn!(%err, "key index reload failed; the change poller will retry");
            }
        }
    }

    /// Verifies against the index: no await, no database, no keyring. The clock (`now`) is read
    /// only for a well-formed key: a malformed one is refused on its checksum alone.
    pub fn check_key(&self, candidate: &str, now: impl FnOnce() -> DateTime<Utc>) -> Checked {
        let Ok(digest) = ApiKey::digest_of(candidate) else {
            return Checked { code: VerifyCode::Malformed, key: None };
        };
        self.index.snapshot.read(|snapshot| match snapshot.by_digest.get(&digest) {
            // The map lookup found a candidate; the final comparison is constant time.
            Some(found) if bool::from(found.digest.ct_eq(&digest)) => {
                let code = validity(found.retired_at, found.expires_at, to_millis(now()));
                Checked { code, key: Some(Arc::clone(found)) }
            }
            _ => Checked { code: VerifyCode::NotFound, key: None },
        })
    }
}
