use keyward_core::{AuditEntry, CallEntry, CallFilter, CallStats, ChainStatus};
use tauri::{AppHandle, Runtime};

use super::App;
use crate::{exports, IpcError};

#[tauri::command]
pub async fn audit_list(state: App<'_>, account: String, event: Option<String>) -> Result<Vec<AuditEntry>, IpcError> {
    let now = chrono::Utc::now();
    Ok(state.keyward.audit_entries(&state.actor, &account, event.as_deref(), None, now).await?)
}

#[tauri::command]
pub async fn audit_verify(state: App<'_>) -> Result<ChainStatus, IpcError> {
    Ok(state.keyward.verify_audit_chain().await?)
}

/// Writes the account's trail as CSV to Downloads; returns the file's path.
#[tauri::command]
pub async fn audit_export<R: Runtime>(app: AppHandle<R>, state: App<'_>, account: String) -> Result<String, IpcError> {
    let entries = state.keyward.audit_entries(&state.actor, &account, None, None, chrono::Utc::now()).await?;
    exports::save_csv(&app, &format!("keyward-audit-{account}"), &keyward_core::domain::audit::to_csv(&entries)?)
}

#[tauri::command]
pub async fn calls_list(state: App<'_>, filter: CallFilter) -> Result<Vec<CallEntry>, IpcError> {
    require_account(&filter)?;
    Ok(state.keyward.list_calls(&state.actor, &filter, chrono::Utc::now()).await?)
}

#[tauri::command]
pub async fn calls_stats(state: App<'_>, account: String) -> Result<CallStats, IpcError> {
    Ok(state.keyward.call_stats(&state.actor, Some(&account), chrono::Utc::now()).await?)
}

/// Every call the filter matches (not just the page shown) as CSV in Downloads.
#[tauri::command]
pub async fn calls_export<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    filter: CallFilter,
) -> Result<String, IpcError> {
    require_account(&filter)?;
    let all = CallFilter { limit: Some(1_000_000), offset: None, ..filter };
    let calls = state.keyward.list_calls(&state.actor, &all, chrono::Utc::now()).await?;
    let account = all.account.unwrap_or_default();
    exports::save_csv(&app, &format!("keyward-calls-{account}"), &keyward_core::domain::calls::to_csv(&calls)?)
}

/// The window always looks at one account's calls.
fn require_account(filter: &CallFilter) -> Result<(), IpcError> {
    match filter.account {
        Some(_) => Ok(()),
        None => Err(IpcError::invalid("choose an account to list its calls")),
    }
}
