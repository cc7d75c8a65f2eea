use keyward_core::{Member, Removal, Role};

use super::App;
use crate::ipc_error::DesktopProblem;
use crate::state::Place;
use crate::IpcError;

#[tauri::command]
pub async fn members_list(state: App<'_>, account: String) -> Result<Vec<Member>, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.members(&account).await?,
        Place::Local => state.keyward.list_members(&state.actor, &account, chrono::Utc::now()).await?,
    })
}

/// In a team, `name` is a person of the team and their email is the team's (`email` unused).
#[tauri::command]
pub async fn member_add(
    state: App<'_>,
    account: String,
    name: String,
    email: Option<String>,
    role: Role,
) -> Result<Member, IpcError> {
    let now = chrono::Utc::now();
    Ok(match state.place()? {
        Place::Team(team) => team.api.add_member(&account, &name, role).await?,
        Place::Local => state.keyward.add_member(&state.actor, &account, &name, email.as_deref(), role, now).await?,
    })
}

#[tauri::command]
pub async fn member_set_role(state: App<'_>, account: String, name: String, role: Role) -> Result<(), IpcError> {
    match state.place()? {
        Place::Team(team) => team.api.set_role(&account, &name, role).await?,
        Place::Local => state.keyward.set_role(&state.actor, &account, &name, role, chrono::Utc::now()).await?,
    };
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
    match state.place()? {
        Place::Team(_) => {
            Err(DesktopProblem::NotInTeam { what: "a team person's email (the team's own)".into() }.into())
        }
        Place::Local => {
            let now = chrono::Utc::now();
            Ok(state.keyward.set_member_email(&state.actor, &account, &name, email.as_deref(), now).await?)
        }
    }
}

/// The removal says whether a removed super admin may still hold the key (the UI offers to rotate).
#[tauri::command]
pub async fn member_remove(state: App<'_>, account: String, name: String) -> Result<Removal, IpcError> {
    Ok(match state.place()? {
        Place::Team(team) => team.api.remove_member(&account, &name).await?,
        Place::Local => state.keyward.remove_member(&state.actor, &account, &name, chrono::Utc::now()).await?,
    })
}
