use keyward_core::Settings;
use tauri::{AppHandle, Runtime};

use super::App;
use crate::gateway_host::GatewayStatus;
use crate::{desktop_prefs, IpcError};

#[tauri::command]
pub async fn settings_get(state: App<'_>) -> Result<Settings, IpcError> {
    Ok(state.keyward.settings().await?)
}

/// Saves, then applies what lives outside the database: start at login, close to tray, and a
/// new gateway port (the gateway restarts on it; a busy port shows in its status).
#[tauri::command]
pub async fn settings_save<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    settings: Settings,
) -> Result<Settings, IpcError> {
    let before = state.keyward.settings().await?;
    let saved = state.keyward.save_settings(&state.actor, &settings, chrono::Utc::now()).await?;
    desktop_prefs::apply(&app, &state, &before, &saved)?;
    if saved.gateway_port != before.gateway_port || !state.gateway.status().running {
        state.gateway.start(saved.gateway_port).await;
    }
    Ok(saved)
}

#[tauri::command]
pub fn gateway_status(state: App<'_>) -> GatewayStatus {
    state.gateway.status()
}

/// Tries the configured port again (after the user freed it).
#[tauri::command]
pub async fn gateway_restart(state: App<'_>) -> Result<GatewayStatus, IpcError> {
    let port = state.keyward.settings().await?.gateway_port;
    Ok(state.gateway.start(port).await)
}

/// Holds back this person's rotation reminders for the account's key (1 or 7 days).
#[tauri::command]
pub async fn reminder_snooze(state: App<'_>, account: String, days: i64) -> Result<keyward_core::Timestamp, IpcError> {
    Ok(state.keyward.snooze_reminders(&state.actor, &account, days, chrono::Utc::now()).await?)
}
