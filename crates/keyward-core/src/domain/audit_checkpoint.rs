//! The trail's anchor. A hash chain shows an edited, deleted or reordered row, but not its newest
//! rows cut off (or an older copy of the database put back). So after every change that appended
//! to the trail, a checkpoint — the entry count and the head hash, signed with an Ed25519 key — is
//! kept in the OS keyring, where the database cannot rewrite it; [`judge`] then holds the trail
//! against it.
//!
//! Both keyring entries are named after the trail's id (a random settings row made with the first
//! checkpoint), so a restored copy of the same database finds its checkpoint and another database
//! does not. The checkpoint is written after the change commits: a crash in between leaves it one
//! change behind (those rows not yet anchored), never ahead of the trail, so it never accuses a
//! sound one. It only moves forward, whichever process of the machine appended last.

use std::sync::atomic::Ordering;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};
use rand::rngs::OsRng;
use rand::{RngCore, TryRngCore};
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;

use crate::domain::audit::{AuditEntry, ChainStatus};
use crate::error::{Error, Result};
use crate::keyward::Keyward;

const TRAIL_ID_SETTING: &str = "audit_trail_id";

/// What the keyring holds for one trail besides its signing key.
#[derive(Debug, Serialize, Deserialize)]
struct Checkpoint {
    entries: u64,
    head: String,
    signature: String,
}

fn signing_entry(trail: &str) -> String {
    format!("audit-signing-key:{trail}")
}

fn checkpoint_entry(trail: &str) -> String {
    format!("audit-checkpoint:{trail}")
}

/// What is signed: the trail, its length and its head, so a checkpoint cannot be moved to another
/// trail or another length.
fn signed_text(trail: &str, entries: u64, head: &str) -> String {
    format!("keyward audit checkpoint\n{trail}\n{entries}\n{head}")
}

async fn trail_id(pool: &AnyPool) -> Result<Option<String>> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
        .bind(TRAIL_ID_SETTING)
        .fetch_optional(pool)
        .await?;
    Ok(value.and_then(|json| serde_json::from_str(&json).ok()))
}

/// The trail's id, made on first use (two processes racing both read the one that won).
async fn trail_id_or_new(pool: &AnyPool) -> Result<String> {
    if let Some(id) = trail_id(pool).await? {
        return Ok(id);
    }
    let id = serde_json::Value::String(random_hex::<16>()).to_string();
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(TRAIL_ID_SETTING)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(trail_id(pool).await?.ok_or(sqlx::Error::RowNotFound)?)
}

fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    OsRng.unwrap_err().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn parse_signing_key(text: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

fn read_checkpoint(store: &dyn crate::secrets::store::SecretStore, trail: &str) -> Result<Option<Checkpoint>> {
    Ok(store.get_text(&checkpoint_entry(trail))?.and_then(|text| serde_json::from_str(&text).ok()))
}

fn signature_holds(key: &SigningKey, trail: &str, checkpoint: &Checkpoint) -> bool {
    let Some(bytes) = hex::decode(&checkpoint.signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
        return false;
    };
    let text = signed_text(trail, checkpoint.entries, &checkpoint.head);
    key.verifying_key().verify(text.as_bytes(), &Signature::from_bytes(&bytes)).is_ok()
}

/// Signs `entries`/`head` into the keyring unless the checkpoint there is already further on
/// (and sound: one that no longer verifies is replaced).
fn write_checkpoint(
    store: &dyn crate::secrets::store::SecretStore,
    trail: &str,
    entries: u64,
    head: &str,
) -> Result<()> {
    let key = match store.get_text(&signing_entry(trail))?.as_deref().and_then(parse_signing_key) {
        Some(key) => key,
        None => {
            store.put_text(&signing_entry(trail), &random_hex::<32>())?;
            // Another process may have stored its own key at the same moment: sign with the one kept.
            let kept = store.get_text(&signing_entry(trail))?.as_deref().and_then(parse_signing_key);
            kept.ok_or_else(|| Error::KeyringUnavailable { detail: "the trail's signing key was not kept".into() })?
        }
    };
    if let Some(current) = read_checkpoint(store, trail)? {
        if current.entries >= entries && signature_holds(&key, trail, &current) {
            return Ok(());
        }
    }
    let signature = key.sign(signed_text(trail, entries, head).as_bytes());
    let checkpoint = Checkpoint { entries, head: head.to_owned(), signature: hex::encode(signature.to_bytes()) };
    store.put_text(&checkpoint_entry(trail), &serde_json::to_string(&checkpoint).expect("plain fields serialise"))
}

/// The trail's verdict once its chain is intact: checked against this machine's checkpoint.
pub(crate) async fn judge(keyward: &Keyward, rows: &[AuditEntry]) -> Result<ChainStatus> {
    let entries = rows.len() as u64;
    let Some(trail) = trail_id(&keyward.pool).await? else {
        return Ok(ChainStatus::Verified { entries, checkpoint: None });
    };
    let found = {
        let trail = trail.clone();
        keyward
            .with_secrets(move |store| {
                let key = store.get_text(&signing_entry(&trail))?.as_deref().and_then(parse_signing_key);
                Ok((key, read_checkpoint(store, &trail)?))
            })
            .await
    };
    let (key, checkpoint) = match found {
        Ok((key, Some(checkpoint))) => (key, checkpoint),
        Ok((_, None)) => return Ok(ChainStatus::Verified { entries, checkpoint: None }),
        Err(err) => {
            tracing::warn!("the audit trail's checkpoint could not be read: {err}");
            return Ok(ChainStatus::Verified { entries, checkpoint: None });
        }
    };
    if !key.is_some_and(|key| signature_holds(&key, &trail, &checkpoint)) {
        return Ok(ChainStatus::BadCheckpoint {
            reason: "the checkpoint's signature does not hold: it was not written with this trail's key".into(),
        });
    }
    if checkpoint.entries > entries {
        return Ok(ChainStatus::Truncated { entries, checkpoint: checkpoint.entries });
    }
    let at_checkpoint = &rows[checkpoint.entries as usize - 1];
    if at_checkpoint.hash != checkpoint.head {
        return Ok(ChainStatus::Broken {
            entry: at_checkpoint.seq,
            reason: "this entry is not the one the signed checkpoint recorded (the trail was replaced from here)"
                .into(),
        });
    }
    Ok(ChainStatus::Verified { entries, checkpoint: Some(checkpoint.entries) })
}

/// `Keyward::anchored` after a failed attempt: the next change tries again, and says so only
/// at debug level (a server with no Secret Service would warn on every audited change).
const ANCHOR_FAILED: i64 = -1;

impl Keyward {
    /// Brings this machine's checkpoint up to the trail's head. Called after every change that
    /// may have appended; a keyring that cannot be reached leaves the change done and is logged
    /// (a warning once, until anchoring works again).
    pub(crate) async fn anchor_trail(&self) {
        let failing_already = self.anchored.load(Ordering::SeqCst) == ANCHOR_FAILED;
        if let Err(err) = self.try_anchor_trail().await {
            self.anchored.store(ANCHOR_FAILED, Ordering::SeqCst);
            match failing_already {
                false => tracing::warn!("the audit trail could not be anchored in the keyring: {err} (said once; retried after every change)"),
                true => tracing::debug!("the audit trail still could not be anchored: {err}"),
            }
        }
    }

    async fn try_anchor_trail(&self) -> Result<()> {
        let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some((entries, head)) = head else { return Ok(()) };
        if self.anchored.swap(entries, Ordering::SeqCst) == entries {
            return Ok(());
        }
        let trail = trail_id_or_new(&self.pool).await?;
        self.with_secrets(move |store| write_checkpoint(store, &trail, entries as u64, &head)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::store::{MemorySecrets, SecretStore};

    #[test]
    fn a_checkpoint_only_moves_forward_and_is_resigned_when_spoilt() {
        let store = MemorySecrets::default();
        write_checkpoint(&store, "t", 5, "h5").unwrap();
        write_checkpoint(&store, "t", 3, "h3").unwrap();
        assert_eq!(read_checkpoint(&store, "t").unwrap().unwrap().entries, 5);
        let key = parse_signing_key(&store.get_text(&signing_entry("t")).unwrap().unwrap()).unwrap();
        assert!(signature_holds(&key, "t", &read_checkpoint(&store, "t").unwrap().unwrap()));
        // The same signature under another trail's name, or for another length, does not hold.
        let moved = read_checkpoint(&store, "t").unwrap().unwrap();
        assert!(!signature_holds(&key, "u", &moved));
        assert!(!signature_holds(&key, "t", &Checkpoint { entries: 6, ..moved }));
        store.put_text(&checkpoint_entry("t"), r#"{"entries":9,"head":"x","signature":"00"}"#).unwrap();
        write_checkpoint(&store, "t", 6, "h6").unwrap();
        assert_eq!(read_checkpoint(&store, "t").unwrap().unwrap().entries, 6);
    }
}
