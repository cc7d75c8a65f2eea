//! Settings › Team: connect this app to a team server with a code, see who and where it is
//! signed in, and go back to local. Once connected every page reads and changes the team's data.

use keyward_client::device::{self, Join, Signed};
use keyward_core::error::TeamProblem;
use keyward_core::team::{Device, Revoked, Session};
use serde::Serialize;

use super::App;
use crate::key_sharing;
use crate::state::{Linked, Place};
use crate::IpcError;

/// The team this app is connected to: the server, who is signed in, and the devices they may see
/// (an owner: everyone's; others: their own).
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
pub struct TeamView {
    pub server: String,
    pub me: Session,
    pub devices: Vec<Device>,
}

impl TeamView {
    /// `me` as the server knows this device (from `me` or the join); the devices it may see.
    async fn of(team: &Signed, me: Session) -> keyward_core::Result<TeamView> {
        let devices = team.api.devices().await?;
        Ok(TeamView { server: team.link.server.clone(), me, devices })
    }
}

/// `null` on a local app; the server's answer when connected (an unreachable server is an
/// `unavailable` error the page shows and retries).
#[tauri::command]
pub async fn team_status(state: App<'_>) -> Result<Option<TeamView>, IpcError> {
    let Place::Team(team) = state.place()? else {
        return Ok(None);
    };
    let me = team.api.me().await?;
    Ok(Some(TeamView::of(&team, me).await?))
}

/// Enrols this device with a code (its credentials go to the OS keyring), then shares keys this
/// device can open with devices that cannot yet.
#[tauri::command]
pub async fn team_connect(
    state: App<'_>,
    server: String,
    code: String,
    name: String,
    email: Option<String>,
    insecure: bool,
) -> Result<TeamView, IpcError> {
    let label = keyward_core::paths::machine_name();
    let email = email.filter(|e| !e.trim().is_empty());
    let join = Join { server: &server, insecure, code: &code, name: &name, email: email.as_deref(), label: &label };
    let me = device::join(state.data_dir(), &join).await?;
    let Linked::Team(team) = state.relink() else {
        return Err(keyward_core::Error::Team(TeamProblem::Credentials).into());
    };
    key_sharing::share_in_background(team.clone());
    Ok(TeamView::of(&team, me).await?)
}

/// Back to local: this device is revoked on the server, its credentials and the link removed.
/// The local accounts are as they were before connecting.
#[tauri::command]
pub async fn team_leave(state: App<'_>) -> Result<(), IpcError> {
    let result = device::leave(state.data_dir()).await;
    state.relink();
    result?;
    Ok(())
}

/// Revokes a device (owners: any; others: their own): refused at its next request on every
/// server. The answer names the accounts whose key it could open (the page offers to rotate).
#[tauri::command]
pub async fn team_revoke_device(state: App<'_>, id: String) -> Result<Revoked, IpcError> {
    match state.place()? {
        Place::Team(team) => Ok(team.api.revoke_device(&id).await?),
        Place::Local => Err(keyward_core::Error::Team(TeamProblem::NotConnected).into()),
    }
}
