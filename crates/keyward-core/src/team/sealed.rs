//! Team keys, end-to-end encrypted: a super admin's device makes the key, encrypts it (age,
//! X25519) to every device of the account's super admins and sends the hash, the hint and the
//! ciphertexts. The server stores and hands out ciphertexts; it never holds the key, so nothing
//! on its side (database, dumps, logs, memory) can reveal one.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Session;
use crate::domain::api_key::random_base62;
use crate::domain::audit::AuditEvent;
use crate::domain::challenge::Confirmation;
use crate::domain::key_rows::insert_key;
use crate::domain::keys::{Deactivation, Grace, KeyInfo, NewKey, Reveal, Secret};
use crate::error::{Error, Result};
use crate::keyward::AccountRow;
use crate::store;
use crate::time::{to_millis, Timestamp};
use crate::Keyward;

/// A device a team key is encrypted to: an active device of a super admin of the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recipient {
    pub device: String,
    pub person: String,
    /// age X25519 recipient (`age1…`).
    pub recipient: String,
}

/// One device's ciphertext of a key (ASCII-armored age).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Share {
    pub device: String,
    pub ciphertext: String,
}

/// A team key's rotation, as the server reports it (the new key itself stays on the device).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SealedRotation {
    pub new_key: KeyInfo,
    pub old_key_id: String,
    /// When the old key stops working; none: it already has.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub old_key_valid_until: Option<Timestamp>,
    pub confirmed_by: String,
}

/// A key as a device hands it to the server: never the key itself.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SealedKey {
    /// Hex SHA-256 of the key, what gateways verify against.
    pub key_hash: String,
    /// `kw_AbCd…wxyz`
    pub hint: String,
    pub shares: Vec<Share>,
}

impl Keyward {
    /// The active devices of the account's super admins; asked by one of them.
    pub async fn key_recipients(&self, by: &Session, account: &str, now: DateTime<Utc>) -> Result<Vec<Recipient>> {
        let account = self.account(account).await?;
        self.require_super_admin(&by.actor(), &account, "generate", now).await?;
        self.recipients_of(&account).await
    }

    /// The recipients whose devices have no share of the active key yet (none without one):
    /// what a super admin's device seals the key to when it shares by itself.
    pub async fn recipients_lacking_share(
        &self,
        by: &Session,
        account: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Recipient>> {
        let account = self.account(account).await?;
        self.require_super_admin(&by.actor(), &account, "share", now).await?;
        let Some(key) = self.find_active_key(&account).await? else {
            return Ok(Vec::new());
        };
        let recipients = self.recipients_of(&account).await?;
        let shared: Vec<String> = sqlx::query_scalar("SELECT device_id FROM key_shares WHERE key_id = $1")
            .bind(&key.id)
            .fetch_all(&self.pool)
            .await?;
        Ok(recipients.into_iter().filter(|r| !shared.contains(&r.device)).collect())
    }

    async fn recipients_of(&self, account: &AccountRow) -> Result<Vec<Recipient>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT d.id, p.name, d.recipient FROM devices d
             JOIN people p ON p.id = d.person_id
             JOIN members m ON m.name = p.name AND m.account_id = $1 AND m.role = 'super-admin'
             WHERE d.revoked_at IS NULL ORDER BY p.name, d.created_at",
        )
        .bind(&account.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(device, person, recipient)| Recipient { device, person, recipient }).collect())
    }

    /// Records a key a super admin's device made and sealed: its row, its shares and the audit
    /// row in one transaction.
    pub async fn generate_sealed_key(
        &self,
        by: &Session,
        account: &str,
        sealed: &SealedKey,
        now: DateTime<Utc>,
    ) -> Result<KeyInfo> {
        let account = self.account(account).await?;
        let actor = by.actor();
        self.require_super_admin(&actor, &account, "generate", now).await?;
        check_sealed(sealed)?;
        self.check_shares(by, &account, &sealed.shares).await?;
        if self.find_active_key(&account).await?.is_some() {
            return Err(crate::domain::key_rows::active_key_exists(&account.name));
        }
        let info = new_key_info(&actor, sealed, now);
        let mut tx = self.begin_write().await?;
        insert_key(&mut tx, &account, &info, &sealed.key_hash, &by.device).await?;
        insert_shares(&mut tx, &info.key_id, &sealed.shares, &by.person, now).await?;
        store::bump_key_revision(&mut tx, self.backend()).await?;
        let details = json!({ "sealed_for": sealed.shares.len() });
        self.audit(&mut tx, &actor, &account, Some(&info.key_id), AuditEvent::Generated, details, now).await?;
        self.commit(tx).await?;
        self.after_key_change().await;
        Ok(info)
    }

    /// The active key's ciphertext for the asking device, audited `viewed` or `copied`. A super
    /// admin whose device has none yet is told whom to ask.
    pub async fn sealed_key_share(
        &self,
        by: &Session,
        account: &str,
        why: Reveal,
        now: DateTime<Utc>,
    ) -> Result<Share> {
        let account = self.account(account).await?;
        let actor = by.actor();
        let (attempted, event) = match why {
            Reveal::View => ("show", AuditEvent::Viewed),
            Reveal::Copy => ("copy", AuditEvent::Copied),
        };
        self.require_super_admin(&actor, &account, attempted, now).await?;
        let key = self.active_key(&account).await?;
        let ciphertext: Option<String> =
            sqlx::query_scalar("SELECT ciphertext FROM key_shares WHERE key_id = $1 AND device_id = $2")
                .bind(&key.id)
                .bind(&by.device)
                .fetch_optional(&self.pool)
                .await?;
        let Some(ciphertext) = ciphertext else {
            return Err(Error::NotShared {
                account: account.name.clone(),
                ask: self.holders(&key.id).await?.join(" or "),
            });
        };
        let mut tx = self.begin_write().await?;
        self.audit(&mut tx, &actor, &account, Some(&key.id), event, json!({ "sealed": true }), now).await?;
        self.commit(tx).await?;
        Ok(Share { device: by.device.clone(), ciphertext })
    }

    /// The super admins whose devices can open the key (to ask them to share it).
    async fn holders(&self, key_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT p.name FROM key_shares s JOIN devices d ON d.id = s.device_id
             JOIN people p ON p.id = d.person_id WHERE s.key_id = $1 AND d.revoked_at IS NULL ORDER BY p.name",
        )
        .bind(key_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds shares of the active key for devices that lack one (`keyward key share`); shares a
    /// device already has stay as they are. Returns how many were added.
    pub async fn add_key_shares(
        &self,
        by: &Session,
        account: &str,
        shares: &[Share],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let account = self.account(account).await?;
        let actor = by.actor();
        self.require_super_admin(&actor, &account, "share", now).await?;
        let key = self.active_key(&account).await?;
        self.only_recipients(&account, shares).await?;
        let mut tx = self.begin_write().await?;
        let added = insert_shares(&mut tx, &key.id, shares, &by.person, now).await?;
        if added > 0 {
            let devices: Vec<&str> = shares.iter().map(|s| s.device.as_str()).collect();
            let details = json!({ "devices": devices });
            self.audit(&mut tx, &actor, &account, Some(&key.id), AuditEvent::Shared, details, now).await?;
        }
        self.commit(tx).await?;
        Ok(added)
    }

    /// A rotation by a super admin's device, confirmed as on one machine (the challenge is the
    /// server's): the new key was made and sealed there; the old one's shares go with it.
    pub async fn rotate_sealed_key(
        &self,
        by: &Session,
        account: &str,
        grace: Grace,
        confirmation: &Confirmation,
        sealed: &SealedKey,
        now: DateTime<Utc>,
    ) -> Result<SealedRotation> {
        let actor = by.actor();
        let checked = self.check_rotation(&actor, account, grace, confirmation, now).await?;
        check_sealed(sealed)?;
        self.check_shares(by, &checked.account, &sealed.shares).await?;
        let info = new_key_info(&actor, sealed, now);
        let new =
            NewKey { info: &info, hash: sealed.key_hash.clone(), held_by: &by.device, sealed: Some(&sealed.shares) };
        self.commit_rotation(&actor, &checked, grace, confirmation, new, now).await?;
        self.after_key_change().await;
        Ok(SealedRotation {
            new_key: info,
            old_key_id: checked.old.id,
            old_key_valid_until: checked.valid_until.map(Timestamp),
            confirmed_by: checked.confirmed_by.to_owned(),
        })
    }

    /// Deactivation of a team key: as on one machine, with no keyring to clear (its shares go
    /// with the key).
    pub async fn deactivate_sealed_key(
        &self,
        by: &Session,
        account: &str,
        confirmation: &Confirmation,
        now: DateTime<Utc>,
    ) -> Result<Deactivation> {
        self.deactivate(&by.actor(), account, confirmation, Secret::Sealed, now).await
    }

    /// Every share goes to a current recipient (an active device of a super admin).
    async fn only_recipients(&self, account: &AccountRow, shares: &[Share]) -> Result<()> {
        let recipients: HashSet<String> = self.recipients_of(account).await?.into_iter().map(|r| r.device).collect();
        match shares.iter().find(|s| !recipients.contains(&s.device)) {
            Some(stray) => Err(Error::NotARecipient { device: stray.device.clone(), account: account.name.clone() }),
            None => Ok(()),
        }
    }

    /// Every share goes to a current recipient, and the sealing device can open its own key.
    async fn check_shares(&self, by: &Session, account: &AccountRow, shares: &[Share]) -> Result<()> {
        self.only_recipients(account, shares).await?;
        if !shares.iter().any(|s| s.device == by.device) {
            return Err(Error::NotARecipient { device: by.device.clone(), account: account.name.clone() });
        }
        Ok(())
    }
}

pub(crate) async fn insert_shares(
    tx: &mut sqlx::AnyConnection,
    key_id: &str,
    shares: &[Share],
    by: &str,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut added = 0;
    for share in shares {
        let inserted = sqlx::query(
            "INSERT INTO key_shares (key_id, device_id, ciphertext, shared_by, shared_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (key_id, device_id) DO NOTHING",
        )
        .bind(key_id)
        .bind(&share.device)
        .bind(&share.ciphertext)
        .bind(by)
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
        added += inserted.rows_affected() as usize;
    }
    Ok(added)
}

fn new_key_info(actor: &crate::Actor, sealed: &SealedKey, now: DateTime<Utc>) -> KeyInfo {
    KeyInfo {
        key_id: format!("key_{}", random_base62(16)),
        hint: sealed.hint.clone(),
        created_at: Timestamp(now),
        created_by: actor.name().to_owned(),
    }
}

/// What a device sent looks like a key's hash, hint and age ciphertexts.
fn check_sealed(sealed: &SealedKey) -> Result<()> {
    let hash_ok = sealed.key_hash.len() == 64 && sealed.key_hash.bytes().all(|b| b.is_ascii_hexdigit());
    let hint_ok = sealed.hint.starts_with("kw_") && sealed.hint.chars().count() <= 16;
    let shares_ok = sealed.shares.iter().all(|s| s.ciphertext.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    if hash_ok && hint_ok && shares_ok {
        Ok(())
    } else {
        Err(crate::error::TeamProblem::Sealed.into())
    }
}
