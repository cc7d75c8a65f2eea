//! The key lifecycle: generate, show/copy, rotate (with an optional grace window), expire-now,
//! deactivate.
//!
//! Crash safety, in this order: (1) journal the new key id and write its secret to the keyring;
//! (2) commit the database change together with its audit row; (3) remove the old secret.
//! A crash after (1) leaves a journalled keyring entry with no active key, removed at the next
//! start; a crash after (2) leaves the old secret journalled the same way. So an active key
//! always has its secret, and no change commits without its audit row.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::domain::api_key::ApiKey;
use crate::domain::audit::AuditEvent;
use crate::domain::challenge::{Action, Confirmation, Expected};
use crate::domain::key_rows::{active_key_exists, end_grace_windows, insert_key, retire_key};
use crate::error::{Error, Invalid, Missing, Result};
use crate::keyward::{AccountRow, Keyward};
use crate::secrets::journal::journal_for_removal;
use crate::serde_names::{display_as_serde_name, from_name};
use crate::store;
use crate::time::Timestamp;

/// The account's active key, as the lifecycle operations need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct KeyRow {
    pub id: String,
    /// The machine whose keyring holds the secret (None: made before databases were shared).
    pub created_on: Option<String>,
}

/// How long a rotated-away key keeps working.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum Grace {
    #[serde(rename = "0", alias = "none", alias = "now")]
    None,
    #[serde(rename = "1h")]
    OneHour,
    #[serde(rename = "24h", alias = "1d")]
    OneDay,
    #[serde(rename = "7d")]
    SevenDays,
}

impl Grace {
    pub fn duration(self) -> Duration {
        match self {
            Grace::None => Duration::zero(),
            Grace::OneHour => Duration::hours(1),
            Grace::OneDay => Duration::hours(24),
            Grace::SevenDays => Duration::days(7),
        }
    }
}

impl std::str::FromStr for Grace {
    type Err = Error;
    fn from_str(text: &str) -> Result<Grace> {
        from_name(text.trim()).ok_or_else(|| Invalid::Grace { grace: text.to_owned() }.into())
    }
}

display_as_serde_name!(Grace);

/// Public facts of a key; never the key itself.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct KeyInfo {
    pub key_id: String,
    pub hint: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub created_by: String,
}

/// A freshly made key: the secret (for its one-time hand-over) and its public facts.
#[derive(Debug)]
pub struct IssuedKey {
    pub key: ApiKey,
    pub info: KeyInfo,
}

#[derive(Debug)]
pub struct Rotation {
    pub new_key: IssuedKey,
    pub old_key_id: String,
    /// When the old key stops working; `None` means it already has.
    pub old_key_valid_until: Option<Timestamp>,
    pub confirmed_by: &'static str,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Deactivation {
    pub key_id: String,
    pub confirmed_by: String,
    /// Grace windows of earlier keys that deactivation ended too.
    pub ended_grace: Vec<String>,
}

/// Why a secret is being revealed; each is its own audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    View,
    Copy,
}

/// Where a key's secret is: this machine's keyring, or sealed shares in a team's database
/// (which [`retire_key`] removes with the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Secret {
    InKeyring,
    Sealed,
}

/// A rotation's checks passed: the account, its key until now, how it was confirmed, and until
/// when the old key still works.
pub(crate) struct CheckedRotation {
    pub account: AccountRow,
    pub old: KeyRow,
    pub confirmed_by: &'static str,
    pub valid_until: Option<DateTime<Utc>>,
}

/// The key a rotation puts in: its facts, its hash, which machine or device holds its secret,
/// and for a team key its sealed shares (no keyring involved).
pub(crate) struct NewKey<'a> {
    pub info: &'a KeyInfo,
    pub hash: String,
    pub held_by: &'a str,
    pub sealed: Option<&'a [crate::team::sealed::Share]>,
}

impl Keyward {
    pub(crate) async fn active_key(&self, account: &AccountRow) -> Result<KeyRow> {
        self.find_active_key(account).await?.ok_or_else(|| Missing::ActiveKey { account: account.name.clone() }.into())
    }

    pub(crate) async fn find_active_key(&self, account: &AccountRow) -> Result<Option<KeyRow>> {
        Ok(sqlx::query_as("SELECT id, created_on FROM api_keys WHERE account_id = $1 AND retired_at IS NULL")
            .bind(&account.id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn generate_key(&self, actor: &Actor, account: &str, now: DateTime<Utc>) -> Result<IssuedKey> {
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "generate", now).await?;
        if self.find_active_key(&account).await?.is_some() {
            return Err(active_key_exists(&account.name));
        }
        let issued = self.store_new_key(actor, now).await?;
        let committed: Result<()> = async {
            let mut tx = self.begin_write().await?;
            insert_key(&mut tx, &account, &issued.info, &issued.key.hash(), &self.device).await?;
            store::bump_key_revision(&mut tx, self.backend()).await?;
            self.audit(&mut tx, actor, &account, Some(&issued.info.key_id), AuditEvent::Generated, json!({}), now)
                .await?;
            self.commit(tx).await?;
            Ok(())
        }
        .await;
        self.settle(committed, &issued.info.key_id, None).await?;
        Ok(issued)
    }

    /// The active key's secret, from the keyring. Audited `viewed` or `copied`; the audit row is
    /// written after the keyring answered, and the key is returned only once it is.
    pub async fn reveal_key(&self, actor: &Actor, account: &str, why: Reveal, now: DateTime<Utc>) -> Result<ApiKey> {
        let account = self.account(account).await?;
        let (attempted, event) = match why {
            Reveal::View => ("show", AuditEvent::Viewed),
            Reveal::Copy => ("copy", AuditEvent::Copied),
        };
        self.require_super_admin(actor, &account, attempted, now).await?;
        let key = self.active_key(&account).await?;
        let key_id = key.id.clone();
        let secret = self.with_secrets(move |s| s.get(&key_id)).await?.ok_or_else(|| match key.created_on.clone() {
            Some(device) if device != self.device => Error::SecretElsewhere { key_id: key.id.clone(), device },
            _ => Error::SecretMissing { key_id: key.id.clone() },
        })?;
        let mut tx = self.begin_write().await?;
        self.audit(&mut tx, actor, &account, Some(&key.id), event, json!({}), now).await?;
        self.commit(tx).await?;
        Ok(secret)
    }

    pub async fn rotate_key(
        &self,
        actor: &Actor,
        account: &str,
        grace: Grace,
        confirmation: &Confirmation,
        now: DateTime<Utc>,
    ) -> Result<Rotation> {
        let checked = self.check_rotation(actor, account, grace, confirmation, now).await?;
        let issued = self.store_new_key(actor, now).await?;
        let new = NewKey { info: &issued.info, hash: issued.key.hash(), held_by: &self.device, sealed: None };
        let committed = self.commit_rotation(actor, &checked, grace, confirmation, new, now).await;
        self.settle(committed, &issued.info.key_id, Some(&checked.old.id)).await?;
        Ok(Rotation {
            new_key: issued,
            old_key_id: checked.old.id,
            old_key_valid_until: checked.valid_until.map(Timestamp),
            confirmed_by: checked.confirmed_by,
        })
    }

    /// What every rotation checks before a new key is made: the actor's role, the active key,
    /// the confirmation. Returns what the rotation's transaction needs.
    pub(crate) async fn check_rotation(
        &self,
        actor: &Actor,
        account: &str,
        grace: Grace,
        confirmation: &Confirmation,
        now: DateTime<Utc>,
    ) -> Result<CheckedRotation> {
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "rotate", now).await?;
        let old = self.active_key(&account).await?;
        let expected = Expected { action: Action::Rotate, account: &account, key_id: &old.id, actor };
        let confirmed_by = self.check_confirmation(confirmation, &expected, now).await?;
        let valid_until = (grace != Grace::None).then(|| now + grace.duration());
        Ok(CheckedRotation { account, old, confirmed_by, valid_until })
    }

    /// The rotation, in one transaction with its audit row: the challenge spent, the old key
    /// retired (its secret journalled for removal when a keyring holds it), the new key in.
    pub(crate) async fn commit_rotation(
        &self,
        actor: &Actor,
        checked: &CheckedRotation,
        grace: Grace,
        confirmation: &Confirmation,
        new: NewKey<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let CheckedRotation { account, old, confirmed_by, valid_until } = checked;
        let mut tx = self.begin_write().await?;
        Keyward::spend_challenge(&mut tx, confirmation, now).await?;
        retire_key(&mut tx, &account.name, &old.id, actor, "rotated", *valid_until, now).await?;
        insert_key(&mut tx, account, new.info, &new.hash, new.held_by).await?;
        match new.sealed {
            None => journal_for_removal(&mut tx, &old.id, now).await?,
            Some(shares) => {
                crate::team::sealed::insert_shares(&mut tx, &new.info.key_id, shares, actor.name(), now).await?;
            }
        }
        store::bump_key_revision(&mut tx, self.backend()).await?;
        let details = json!({
            "grace": grace,
            "old_key_id": old.id,
            "old_key_valid_until": valid_until.map(Timestamp),
            "new_key_id": new.info.key_id,
            "confirmed_by": confirmed_by,
        });
        self.audit(&mut tx, actor, account, Some(&old.id), AuditEvent::Rotated, details, now).await?;
        self.commit(tx).await?;
        Ok(())
    }

    pub async fn deactivate_key(
        &self,
        actor: &Actor,
        account: &str,
        confirmation: &Confirmation,
        now: DateTime<Utc>,
    ) -> Result<Deactivation> {
        self.deactivate(actor, account, confirmation, Secret::InKeyring, now).await
    }

    pub(crate) async fn deactivate(
        &self,
        actor: &Actor,
        account: &str,
        confirmation: &Confirmation,
        secret: Secret,
        now: DateTime<Utc>,
    ) -> Result<Deactivation> {
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "deactivate", now).await?;
        let key = self.active_key(&account).await?;
        let expected = Expected { action: Action::Deactivate, account: &account, key_id: &key.id, actor };
        let confirmed_by = self.check_confirmation(confirmation, &expected, now).await?;
        let mut tx = self.begin_write().await?;
        Keyward::spend_challenge(&mut tx, confirmation, now).await?;
        retire_key(&mut tx, &account.name, &key.id, actor, "deactivated", None, now).await?;
        if secret == Secret::InKeyring {
            journal_for_removal(&mut tx, &key.id, now).await?;
        }
        // "Stops working" means everything of this account: end running grace windows too.
        let ended_grace = end_grace_windows(&mut tx, &account, None, now).await?;
        store::bump_key_revision(&mut tx, self.backend()).await?;
        let details = json!({ "confirmed_by": confirmed_by, "ended_grace": ended_grace });
        self.audit(&mut tx, actor, &account, Some(&key.id), AuditEvent::Deactivated, details, now).await?;
        self.commit(tx).await?;
        self.after_key_change().await;
        if secret == Secret::InKeyring {
            self.discard_secret(&key.id).await;
        }
        Ok(Deactivation { key_id: key.id, confirmed_by: confirmed_by.to_owned(), ended_grace })
    }

    /// Ends the grace window of the account's rotated-away keys at once (or of one key).
    /// Returns the ids of the keys whose window ended.
    pub async fn expire_now(
        &self,
        actor: &Actor,
        account: &str,
        key_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "expire-now", now).await?;
        let mut tx = self.begin_write().await?;
        let ended = end_grace_windows(&mut tx, &account, key_id, now).await?;
        if ended.is_empty() {
            return Err(Missing::GraceWindow { account: account.name, key_id: key_id.map(str::to_owned) }.into());
        }
        for id in &ended {
            self.audit(&mut tx, actor, &account, Some(id), AuditEvent::GraceEnded, json!({}), now).await?;
        }
        store::bump_key_revision(&mut tx, self.backend()).await?;
        self.commit(tx).await?;
        self.after_key_change().await;
        Ok(ended)
    }
}
