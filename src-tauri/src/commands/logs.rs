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
    Ok(state.keyward.list_calls(&state.actor, &filter, chrono::Utc::now()).await?)
}

#[tauri::command]
pub async fn calls_stats(state: App<'_>, account: String) -> Result<CallStats, IpcError> {
    Ok(state.keyward.call_stats(&state.actor, Some(&account), chrono::Utc::now()).await?)
}

/// Every call the filter matches (not just the page shown), streamed as CSV into Downloads.
#[tauri::command]
pub async fn calls_export<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    filter: CallFilter,
) -> Result<String, IpcError> {
    let stem = format!("keyward-calls-{}", filter.account.as_deref().unwrap_or("all"));
    let now = chrono::Utc::now();
    exports::stream_csv(&app, &stem, |file| state.keyward.export_calls_csv(&state.actor, &filter, now, file)).await
}
