//! The secret journal: which keyring entries may exist without an active key.
//!
//! A key's id is journalled before its secret is written to the keyring and again in the
//! transaction that retires it; the row goes once the keyring agrees. What is left at start-up
//! names an orphan from an interrupted change, which [`Keyward::clean_orphaned_secrets`] removes.
//! The order this gives a key change is described in [`crate::domain::keys`].

use chrono::{DateTime, Duration, Utc};

use crate::actor::Actor;
use crate::domain::api_key::{random_base62, ApiKey};
use crate::domain::keys::{IssuedKey, KeyInfo};
use crate::error::Result;
use crate::keyward::Keyward;
use crate::time::{to_millis, Timestamp};

/// How long a key change may take between writing the keyring and committing; journal rows
/// younger than this are not orphans yet.
pub const IN_FLIGHT: Duration = Duration::minutes(10);

impl Keyward {
    /// Makes a key and puts its secret in the keyring, journalled first (see the module notes).
    pub(crate) async fn store_new_key(&self, actor: &Actor, now: DateTime<Utc>) -> Result<IssuedKey> {
        let key = ApiKey::generate();
        let info = KeyInfo {
            key_id: format!("key_{}", random_base62(16)),
            hint: key.hint(),
            created_at: Timestamp(now),
            created_by: actor.name().to_owned(),
        };
        sqlx::query("INSERT INTO secret_journal (key_id, recorded_at, device) VALUES ($1, $2, $3)")
            .bind(&info.key_id)
            .bind(to_millis(now))
            .bind(&self.device)
            .execute(&self.pool)
            .await?;
        let (id, secret) = (info.key_id.clone(), key.clone());
        if let Err(err) = self.with_secrets(move |s| s.put(&id, &secret)).await {
            self.forget_journal(&info.key_id).await;
            return Err(err);
        }
        Ok(IssuedKey { key, info })
    }

    /// After a key change: on success, clear the new key's journal row and drop the old secret;
    /// on failure, drop the new secret so nothing is half-made.
    pub(crate) async fn settle(&self, committed: Result<()>, new_key_id: &str, old_key_id: Option<&str>) -> Result<()> {
        match committed {
            Ok(()) => {
                self.after_key_change().await;
                self.forget_journal(new_key_id).await;
                if let Some(old) = old_key_id {
                    self.discard_secret(old).await;
                }
                Ok(())
            }
            Err(err) => {
                self.discard_secret(new_key_id).await;
                Err(err)
            }
        }
    }

    /// Removes a journalled secret; on failure the journal keeps it for the next start.
    pub(crate) async fn discard_secret(&self, key_id: &str) {
        let id = key_id.to_owned();
        match self.with_secrets(move |s| s.delete(&id)).await {
            Ok(()) => self.forget_journal(key_id).await,
            Err(err) => tracing::warn!(%err, key_id, "old secret left in the keyring; removed at next start"),
        }
    }

    /// Clears a journal row of this machine's (another machine's row waits for that machine).
    async fn forget_journal(&self, key_id: &str) {
        let forgotten = sqlx::query("DELETE FROM secret_journal WHERE key_id = $1 AND COALESCE(device, $2) = $2")
            .bind(key_id)
            .bind(&self.device)
            .execute(&self.pool)
            .await;
        if let Err(err) = forgotten {
            tracing::warn!(%err, key_id, "could not clear a secret journal row");
        }
    }

    /// Deletes this machine's keyring entries journalled by an interrupted change (or a key
    /// retired elsewhere) whose key is not active; front doors call it once at start. Entries journalled in the last [`IN_FLIGHT`] may
    /// belong to a change another process is making right now, so they are left alone.
    /// Returns how many entries were removed.
    pub async fn clean_orphaned_secrets(&self, now: DateTime<Utc>) -> Result<usize> {
        let orphans: Vec<String> = sqlx::query_scalar(
            "SELECT j.key_id FROM secret_journal j
             WHERE j.recorded_at < $1 AND COALESCE(j.device, $2) = $2
               AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = j.key_id AND k.retired_at IS NULL)",
        )
        .bind(to_millis(now - IN_FLIGHT))
        .bind(&self.device)
        .fetch_all(&self.pool)
        .await?;
        for key_id in &orphans {
            let id = key_id.clone();
            self.with_secrets(move |s| s.delete(&id)).await?;
            self.forget_journal(key_id).await;
        }
        // Rows of active keys are leftovers of a crash right after commit: the secret belongs.
        // Looked for first, so a start with nothing to clean takes no write lock.
        const OF_ACTIVE_KEYS: &str =
            "FROM secret_journal WHERE key_id IN (SELECT id FROM api_keys WHERE retired_at IS NULL)";
        let leftover: Option<String> =
            sqlx::query_scalar(&format!("SELECT key_id {OF_ACTIVE_KEYS} LIMIT 1")).fetch_optional(&self.pool).await?;
        if leftover.is_some() {
            sqlx::query(&format!("DELETE {OF_ACTIVE_KEYS}")).execute(&self.pool).await?;
        }
        Ok(orphans.len())
    }
}

/// Marks a retired key's secret for removal, in the same transaction that retires it, by the
/// machine whose keyring holds it (each machine clears only its own rows at start).
pub(crate) async fn journal_for_removal(tx: &mut sqlx::AnyConnection, key_id: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO secret_journal (key_id, recorded_at, device)
         SELECT id, $2, created_on FROM api_keys WHERE id = $1
         ON CONFLICT DO NOTHING",
    )
    .bind(key_id)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}
