use tauri::{AppHandle, Runtime};

use super::App;
use crate::gateway_host::GatewayStatus;
use crate::prefs::{self, Prefs, Settings};
use crate::state::Place;
use crate::IpcError;

#[tauri::command]
pub async fn settings_get(state: App<'_>) -> Result<Settings, IpcError> {
    // Both halves are rows of one table: read it once.
    Ok(state.keyward.preferences::<Settings>().await?)
}

/// Checks the whole page, saves it, then applies what lives outside the database: start at
/// login, close to tray, and a new gateway port (the gateway restarts on it; a busy port shows
/// in its status). A refused value saves nothing.
#[tauri::command]
pub async fn settings_save<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    settings: Settings,
) -> Result<Settings, IpcError> {
    settings.shared.validate()?;
    settings.prefs.validate()?;
    let before: Prefs = state.keyward.preferences().await?;
    state.keyward.save_preferences(&settings.prefs).await?;
    let shared = state.keyward.save_settings(&state.actor, &settings.shared, chrono::Utc::now()).await?;
    prefs::apply(&app, &state, &before, &settings.prefs)?;
    if settings.prefs.gateway_port != before.gateway_port || !state.gateway.status().running {
        state.gateway.start(settings.prefs.gateway_port).await;
    }
    Ok(Settings { shared, prefs: settings.prefs })
}

#[tauri::command]
pub fn gateway_status(state: App<'_>) -> GatewayStatus {
    state.gateway.status()
}

/// Tries the configured port again (after the user freed it).
#[tauri::command]
pub async fn gateway_restart(state: App<'_>) -> Result<GatewayStatus, IpcError> {
    let port = state.keyward.preferences::<Prefs>().await?.gateway_port;
    Ok(state.gateway.start(port).await)
}

/// Holds back this person's rotation reminders for the account's key (1 or 7 days).
#[tauri::command]
pub async fn reminder_snooze(state: App<'_>, account: String, days: i64) -> Result<keyward_core::Timestamp, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.snooze_reminders(&account, days).await?,
        Place::Local => state.keyward.snooze_reminders(&state.actor, &account, days, chrono::Utc::now()).await?,
    })
}
