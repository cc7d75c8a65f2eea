use keyward_core::{Member, Role};

use super::App;
use crate::IpcError;

#[tauri::command]
pub async fn members_list(state: App<'_>, account: String) -> Result<Vec<Member>, IpcError> {
    Ok(state.keyward.list_members(&state.actor, &account, chrono::Utc::now()).await?)
}

#[tauri::command]
pub async fn member_add(
    state: App<'_>,
    account: String,
    name: String,
    email: Option<String>,
    role: Role,
) -> Result<Member, IpcError> {
    let now = chrono::Utc::now();
    Ok(state.keyward.add_member(&state.actor, &account, &name, email.as_deref(), role, now).await?)
}

#[tauri::command]
pub async fn member_set_role(state: App<'_>, account: String, name: String, role: Role) -> Result<(), IpcError> {
    state.keyward.set_role(&state.actor, &account, &name, role, chrono::Utc::now()).await?;
    Ok(())
}

/// An empty address clears it (the core trims), as an emptied field in the table means.
#[tauri::command]
pub async fn member_set_email(
    state: App<'_>,
    account: String,
    name: String,
    email: Option<String>,
) -> Result<Member, IpcError> {
    Ok(state.keyward.set_member_email(&state.actor, &account, &name, email.as_deref(), chrono::Utc::now()).await?)
}

#[tauri::command]
pub async fn member_remove(state: App<'_>, account: String, name: String) -> Result<(), IpcError> {
    Ok(state.keyward.remove_member(&state.actor, &account, &name, chrono::Utc::now()).await?)
}
