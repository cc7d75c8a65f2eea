//! The statements on `api_keys` the key lifecycle ([`super::keys`]) and team keys share: a new
//! key's row, retiring a key (its team shares with it), ending grace windows.

use chrono::{DateTime, Utc};

use super::keys::KeyInfo;
use crate::actor::Actor;
use crate::error::{Clash, Error, Result};
use crate::keyward::AccountRow;
use crate::store::is_unique_violation;
use crate::time::to_millis;

pub(crate) fn active_key_exists(account: &str) -> Error {
    Clash::ActiveKeyExists { account: account.to_owned() }.into()
}

/// The new key's row; `device` holds its secret (a machine's keyring, or a team device that
/// sealed it).
pub(crate) async fn insert_key(
    tx: &mut sqlx::AnyConnection,
    account: &AccountRow,
    info: &KeyInfo,
    key_hash: &str,
    device: &str,
) -> Result<()> {
    let inserted = sqlx::query(
        "INSERT INTO api_keys (id, account_id, key_hash, hint, created_at, created_by, created_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&info.key_id)
    .bind(&account.id)
    .bind(key_hash)
    .bind(&info.hint)
    .bind(to_millis(info.created_at.0))
    .bind(&info.created_by)
    .bind(device)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        // The partial unique index settled a race: someone else's key won.
        Err(err) if is_unique_violation(&err) => Err(active_key_exists(&account.name)),
        Err(err) => Err(err.into()),
    }
}

pub(crate) async fn retire_key(
    tx: &mut sqlx::AnyConnection,
    account: &str,
    key_id: &str,
    actor: &Actor,
    reason: &str,
    valid_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let retired = sqlx::query(
        "UPDATE api_keys SET retired_at = $1, retired_by = $2, retired_reason = $3, expires_at = $4
         WHERE id = $5 AND retired_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(actor.name())
    .bind(reason)
    .bind(valid_until.map(to_millis))
    .bind(key_id)
    .execute(&mut *tx)
    .await?;
    if retired.rows_affected() != 1 {
        return Err(Clash::KeyChanged { account: account.to_owned() }.into());
    }
    // A retired team key is never shown again: its ciphertexts go with it.
    sqlx::query("DELETE FROM key_shares WHERE key_id = $1").bind(key_id).execute(&mut *tx).await?;
    Ok(())
}

pub(crate) async fn end_grace_windows(
    tx: &mut sqlx::AnyConnection,
    account: &AccountRow,
    key_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let ended: Vec<String> = sqlx::query_scalar(
        "UPDATE api_keys SET expires_at = $1
         WHERE account_id = $2 AND retired_at IS NOT NULL AND expires_at > $3 AND ($4 IS NULL OR id = $5)
         RETURNING id",
    )
    .bind(to_millis(now))
    .bind(&account.id)
    .bind(to_millis(now))
    .bind(key_id)
    .bind(key_id)
    .fetch_all(&mut *tx)
    .await?;
    Ok(ended)
}

/// Drops a person's key shares of the account's keys (they are no longer its super admin): the
/// server stops handing them the key. What they already opened, they may still hold.
pub(crate) async fn drop_person_shares(tx: &mut sqlx::AnyConnection, account: &AccountRow, person: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM key_shares
         WHERE key_id IN (SELECT id FROM api_keys WHERE account_id = $1)
           AND device_id IN (SELECT d.id FROM devices d JOIN people p ON p.id = d.person_id WHERE p.name = $2)",
    )
    .bind(&account.id)
    .bind(person)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
