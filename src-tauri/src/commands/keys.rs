use std::time::Duration;

use keyward_core::{
    Action, ApiKey, Challenge, Confirmation, Deactivation, Grace, KeyInfo, KeyStatus, Reveal, Timestamp,
};
use serde::Serialize;
use tauri::{AppHandle, Runtime};
use zeroize::Zeroizing;

use super::App;
use crate::prefs::Prefs;
use crate::state::{AppState, Place};
use crate::{clipboard, IpcError};

/// A rotation as the UI sees it: the new key's public facts, never its secret.
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
pub struct RotationDone {
    pub new_key: KeyInfo,
    pub old_key_id: String,
    pub old_key_valid_until: Option<Timestamp>,
}

/// How long the copied key stays on the clipboard.
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
pub struct CopyReceipt {
    pub clears_in_secs: u32,
}

#[tauri::command]
pub async fn key_status(state: App<'_>, account: String) -> Result<KeyStatus, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.key_status(&account).await?,
        Place::Local => state.keyward.key_status(&state.actor, &account, chrono::Utc::now()).await?,
    })
}

#[tauri::command]
pub async fn key_generate(state: App<'_>, account: String) -> Result<KeyInfo, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.generate_key(&account).await?.info,
        Place::Local => state.keyward.generate_key(&state.actor, &account, chrono::Utc::now()).await?.info,
    })
}

/// The key itself, for the Show button (audited `viewed`).
#[tauri::command]
pub async fn key_reveal(state: App<'_>, account: String) -> Result<String, IpcError> {
    Ok(reveal(&state, &account, Reveal::View).await?.expose().to_owned())
}

/// Copies the key in Rust (it never passes through the web view), audited `copied`.
#[tauri::command]
pub async fn key_copy<R: Runtime>(app: AppHandle<R>, state: App<'_>, account: String) -> Result<CopyReceipt, IpcError> {
    let clears_in_secs = state.keyward.preferences::<Prefs>().await?.clipboard_clear_secs;
    let key = reveal(&state, &account, Reveal::Copy).await?;
    clipboard::copy_then_clear(
        &app,
        Zeroizing::new(key.expose().to_owned()),
        Duration::from_secs(clears_in_secs.into()),
    )?;
    Ok(CopyReceipt { clears_in_secs })
}

#[tauri::command]
pub async fn challenge_issue(state: App<'_>, account: String, action: Action) -> Result<Challenge, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.challenge(&account, action).await?,
        Place::Local => state.keyward.issue_challenge(&state.actor, &account, action, chrono::Utc::now()).await?,
    })
}

#[tauri::command]
pub async fn key_rotate(
    state: App<'_>,
    account: String,
    grace: Grace,
    challenge_id: String,
    code: String,
) -> Result<RotationDone, IpcError> {
    let confirmation = Confirmation::Challenge { id: challenge_id, code };
    Ok(match state.place()? {
        Place::Team(team) => {
            // The new key was sealed on this device; the page shows its facts, never the key.
            let (_key, done) = team.rotate_key(&account, grace, &confirmation).await?;
            RotationDone {
                new_key: done.new_key,
                old_key_id: done.old_key_id,
                old_key_valid_until: done.old_key_valid_until,
            }
        }
        Place::Local => {
            let now = chrono::Utc::now();
            let done = state.keyward.rotate_key(&state.actor, &account, grace, &confirmation, now).await?;
            RotationDone {
                new_key: done.new_key.info,
                old_key_id: done.old_key_id,
                old_key_valid_until: done.old_key_valid_until,
            }
        }
    })
}

#[tauri::command]
pub async fn key_deactivate(
    state: App<'_>,
    account: String,
    challenge_id: String,
    code: String,
) -> Result<Deactivation, IpcError> {
    let confirmation = Confirmation::Challenge { id: challenge_id, code };
    Ok(match state.place()? {
        Place::Team(team) => team.api.deactivate_key(&account, &confirmation).await?,
        Place::Local => state.keyward.deactivate_key(&state.actor, &account, &confirmation, chrono::Utc::now()).await?,
    })
}

/// Ends a rotated-away key's grace window now.
#[tauri::command]
pub async fn key_expire_now(state: App<'_>, account: String, key_id: String) -> Result<Vec<String>, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.expire_now(&account, Some(&key_id)).await?,
        Place::Local => state.keyward.expire_now(&state.actor, &account, Some(&key_id), chrono::Utc::now()).await?,
    })
}

/// The active key: from this machine's keyring, or opened here from this device's team share.
async fn reveal(state: &AppState, account: &str, why: Reveal) -> Result<ApiKey, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.reveal_key(account, why).await?,
        Place::Local => state.keyward.reveal_key(&state.actor, account, why, chrono::Utc::now()).await?,
    })
}
