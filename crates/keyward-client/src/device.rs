//! What a device does in a team: join (credentials made here, kept in the keyring, the link
//! written last), sign in for a command, and leave (its device revoked on the server first).

use std::path::Path;

use chrono::Utc;
use keyward_core::domain::api_key::ApiKey;
use keyward_core::error::{Result, TeamProblem};
use keyward_core::secrets;
use keyward_core::team::credentials::{self, Credentials};
use keyward_core::team::enrol::Enrolment;
use keyward_core::team::sealed::SealedRotation;
use keyward_core::team::Session;
use keyward_core::{Confirmation, Error, Grace, IssuedKey, Reveal};

use crate::api::TeamApi;
use crate::link::{self, Link};
use crate::{sealing, server_url};

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

/// This data folder's device, signed in: its link, the team API with its token, and its
/// credentials (to open key shares).
pub struct Signed {
    pub link: Link,
    pub api: TeamApi,
    pub credentials: Credentials,
}

/// The team API signed in as this data folder's device; `NotConnected` for a local folder.
pub fn signed_in(data_dir: &Path) -> Result<Signed> {
    let link = link::load(data_dir)?.ok_or(Error::Team(TeamProblem::NotConnected))?;
    let server = server_url::checked(&link.server, link.insecure)?;
    let credentials = secrets::device::load(&link.credentials_entry)?.ok_or(Error::Team(TeamProblem::Credentials))?;
    let api = TeamApi::signed(server, credentials.token());
    Ok(Signed { link, api, credentials })
}

impl Signed {
    /// Makes a key here, seals it to the account's super admins' devices and records it.
    pub async fn generate_key(&self, account: &str) -> Result<IssuedKey> {
        let recipients = self.api.key_recipients(account).await?;
        let key = ApiKey::generate();
        let info = self.api.generate_key(account, &sealing::seal(&key, &recipients)?).await?;
        Ok(IssuedKey { key, info })
    }

    /// Rotates to a key made and sealed here, confirmed by `confirmation` (the server checks it).
    pub async fn rotate_key(
        &self,
        account: &str,
        grace: Grace,
        confirmation: &Confirmation,
    ) -> Result<(ApiKey, SealedRotation)> {
        let recipients = self.api.key_recipients(account).await?;
        let key = ApiKey::generate();
        let rotation = self.api.rotate_key(account, grace, confirmation, &sealing::seal(&key, &recipients)?).await?;
        Ok((key, rotation))
    }

    /// The active key, opened from this device's share.
    pub async fn reveal_key(&self, account: &str, why: Reveal) -> Result<ApiKey> {
        let share = self.api.key_share(account, why).await?;
        sealing::open(&share, &self.credentials)
    }

    /// Seals the active key (opened here) to the recipient devices that lack a share. Returns
    /// how many devices gained one; when none lacks one the key is not opened (nor audited).
    pub async fn share_key(&self, account: &str) -> Result<usize> {
        let lacking = self.api.recipients_lacking_share(account).await?;
        if lacking.is_empty() {
            return Ok(0);
        }
        let key = self.reveal_key(account, Reveal::View).await?;
        self.api.add_key_shares(account, &sealing::shares_for(&key, &lacking)?).await
    }
}

/// Leaves the team: this device is revoked on the server, then its credentials and the link are
/// removed here. When the server cannot be reached nothing changes (say so; try again).
pub async fn leave(data_dir: &Path) -> Result<Link> {
    let Signed { link, api, .. } = signed_in(data_dir)?;
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
