//! What a device does in a team: join (credentials made here, kept in the keyring, the link
//! written last), sign in for a command, and leave (its device revoked on the server first).

use std::path::Path;

use chrono::Utc;
use keyward_core::error::{Result, TeamProblem};
use keyward_core::secrets;
use keyward_core::team::credentials::{self, Credentials};
use keyward_core::team::enrol::Enrolment;
use keyward_core::team::Session;
use keyward_core::Error;

use crate::api::TeamApi;
use crate::link::{self, Link};
use crate::server_url;

/// Who joins, with which code, from which server.
pub struct Join<'a> {
    pub server: &'a str,
    pub insecure: bool,
    pub code: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub label: &'a str,
}

/// Enrols this data folder's device. Nothing is left behind when the server refuses: the
/// keyring entry made for the attempt is removed again.
pub async fn join(data_dir: &Path, join: &Join<'_>) -> Result<Session> {
    if let Some(existing) = link::load(data_dir)? {
        return Err(TeamProblem::AlreadyJoined { server: existing.server }.into());
    }
    let server = server_url::checked(join.server, join.insecure)?;
    let credentials = Credentials::generate();
    let entry = credentials::new_entry_name();
    secrets::device::save(&entry, &credentials)?;
    let enrolment = Enrolment {
        code: join.code.to_owned(),
        name: join.name.to_owned(),
        email: join.email.map(str::to_owned),
        label: join.label.to_owned(),
        token: credentials.token().to_owned(),
        recipient: credentials.recipient(),
    };
    let joined = TeamApi::new(server.clone()).join(&enrolment).await;
    let session = match joined {
        Ok(session) => session,
        Err(err) => {
            let _ = secrets::device::delete(&entry);
            return Err(err);
        }
    };
    let link = Link {
        server: server.to_string(),
        person: session.person.clone(),
        device: session.device.clone(),
        credentials_entry: entry,
        insecure: join.insecure,
    };
    link::save(data_dir, &link)?;
    tracing::info!(person = session.person, device = session.device, at = %Utc::now(), "joined a team");
    Ok(session)
}

/// The team API signed in as this data folder's device; `NotConnected` for a local folder.
pub fn signed_api(data_dir: &Path) -> Result<(Link, TeamApi)> {
    let link = link::load(data_dir)?.ok_or(Error::Team(TeamProblem::NotConnected))?;
    let server = server_url::checked(&link.server, link.insecure)?;
    let credentials = secrets::device::load(&link.credentials_entry)?.ok_or(Error::Team(TeamProblem::Credentials))?;
    let api = TeamApi::signed(server, credentials.token());
    Ok((link, api))
}

/// Leaves the team: this device is revoked on the server, then its credentials and the link are
/// removed here. When the server cannot be reached nothing changes (say so; try again).
pub async fn leave(data_dir: &Path) -> Result<Link> {
    let (link, api) = signed_api(data_dir)?;
    match api.revoke_device(&link.device).await {
        Ok(_) => {}
        // Already revoked (by an owner): there is nothing left to do on the server.
        Err(Error::Remote { kind: keyward_core::ErrorKind::PermissionDenied, .. }) => {}
        Err(err) => return Err(err),
    }
    secrets::device::delete(&link.credentials_entry)?;
    link::remove(data_dir)?;
    Ok(link)
}
