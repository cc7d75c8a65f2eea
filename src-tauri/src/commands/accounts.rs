use keyward_core::Account;
use serde::Serialize;

use super::App;
use crate::IpcError;

/// Who is acting on this desktop, and the app's version.
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub actor: String,
    pub device: String,
    pub version: String,
}

#[tauri::command]
pub fn app_info(state: App<'_>) -> AppInfo {
    AppInfo {
        actor: state.actor.name().to_owned(),
        device: state.keyward.device().to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

#[tauri::command]
pub async fn accounts_list(state: App<'_>) -> Result<Vec<Account>, IpcError> {
    Ok(state.keyward.list_accounts(&state.actor).await?)
}

#[tauri::command]
pub async fn account_create(state: App<'_>, name: String, display_name: Option<String>) -> Result<Account, IpcError> {
    let now = chrono::Utc::now();
    Ok(state.keyward.create_account(&state.actor, &name, display_name.as_deref(), now).await?)
}
