//! IPC commands: parse, call the core once, return. Anything longer belongs in the core.

use keyward_core::Account;

use crate::{AppState, IpcError};

#[tauri::command]
pub async fn accounts_list(state: tauri::State<'_, AppState>) -> Result<Vec<Account>, IpcError> {
    Ok(state.keyward.list_accounts(&state.actor).await?)
}
