use keyward_core::Account;
use serde::Serialize;

use super::App;
use crate::state::{Linked, Place};
use crate::IpcError;

/// Who is acting (the person signed in, in a team), from which device, and the app's version.
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub actor: String,
    pub device: String,
    pub version: String,
    /// The team server this app is connected to, if any.
    pub team_server: Option<String>,
}

#[tauri::command]
pub fn app_info(state: App<'_>) -> AppInfo {
    let version = env!("CARGO_PKG_VERSION").to_owned();
    match state.linked() {
        Linked::Team(team) => AppInfo {
            actor: team.link.person.clone(),
            device: team.link.device.clone(),
            version,
            team_server: Some(team.link.server.clone()),
        },
        Linked::Local | Linked::Broken(_) => AppInfo {
            actor: state.actor.name().to_owned(),
            device: state.keyward.device().to_owned(),
            version,
            team_server: None,
        },
    }
}

#[tauri::command]
pub async fn accounts_list(state: App<'_>) -> Result<Vec<Account>, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.accounts().await?,
        Place::Local => state.keyward.list_accounts(&state.actor).await?,
    })
}

#[tauri::command]
pub async fn account_create(state: App<'_>, name: String, display_name: Option<String>) -> Result<Account, IpcError> {
    let now = chrono::Utc::now();
    Ok(match state.place()? {
        Place::Team(team) => team.api.create_account(&name, display_name.as_deref()).await?,
        Place::Local => state.keyward.create_account(&state.actor, &name, display_name.as_deref(), now).await?,
    })
}
