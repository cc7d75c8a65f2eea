use keyward_core::{AuditEntry, CallEntry, CallFilter, CallStats, ChainStatus};
use tauri::{AppHandle, Runtime};

use super::App;
use crate::ipc_error::DesktopProblem;
use crate::state::{AppState, Place};
use crate::{exports, IpcError};

#[tauri::command]
pub async fn audit_list(state: App<'_>, account: String, event: Option<String>) -> Result<Vec<AuditEntry>, IpcError> {
    entries(&state, &account, event.as_deref()).await
}

/// The chain of this machine's trail, or of the team's (checked on its server).
#[tauri::command]
pub async fn audit_verify(state: App<'_>) -> Result<ChainStatus, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.verify_audit().await?,
        Place::Local => state.keyward.verify_audit_chain().await?,
    })
}

/// Writes the account's trail as CSV to Downloads; returns the file's path.
#[tauri::command]
pub async fn audit_export<R: Runtime>(app: AppHandle<R>, state: App<'_>, account: String) -> Result<String, IpcError> {
    let entries = entries(&state, &account, None).await?;
    exports::save_csv(&app, &format!("keyward-audit-{account}"), &keyward_core::domain::audit::to_csv(&entries)?)
}

async fn entries(state: &AppState, account: &str, event: Option<&str>) -> Result<Vec<AuditEntry>, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.audit(account, event, None).await?,
        Place::Local => state.keyward.audit_entries(&state.actor, account, event, None, chrono::Utc::now()).await?,
    })
}

/// The calls of this machine's gateway, or of every gateway of the team.
#[tauri::command]
pub async fn calls_list(state: App<'_>, filter: CallFilter) -> Result<Vec<CallEntry>, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.calls(&filter).await?,
        Place::Local => state.keyward.list_calls(&state.actor, &filter, chrono::Utc::now()).await?,
    })
}

#[tauri::command]
pub async fn calls_stats(state: App<'_>, account: String) -> Result<CallStats, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.call_stats(Some(&account)).await?,
        Place::Local => state.keyward.call_stats(&state.actor, Some(&account), chrono::Utc::now()).await?,
    })
}

/// Every call the filter matches (not just the page shown), streamed as CSV into Downloads.
#[tauri::command]
pub async fn calls_export<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    filter: CallFilter,
) -> Result<String, IpcError> {
    if let Place::Team(_) = state.place()? {
        return Err(DesktopProblem::NotInTeam { what: "exporting the team's call log".into() }.into());
    }
    let stem = format!("keyward-calls-{}", filter.account.as_deref().unwrap_or("all"));
    let now = chrono::Utc::now();
    exports::stream_csv(&app, &stem, |file| state.keyward.export_calls_csv(&state.actor, &filter, now, file)).await
}
