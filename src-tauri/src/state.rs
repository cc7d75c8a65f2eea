use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

use keyward_client::device::{self, Signed};
use keyward_core::error::TeamProblem;
use keyward_core::paths::DATA_DIR_ENV;
use keyward_core::{Actor, Error, Keyward};
use tauri::Manager;

use crate::gateway_host::GatewayHost;
use crate::ipc_error::DesktopProblem;
use crate::prefs::Prefs;
use crate::IpcError;

/// Everything a command needs: the core handle, who is acting on this desktop, the hosted
/// gateway, the team this data folder is connected to (if any), and the one setting the
/// window's close button reads synchronously.
pub struct AppState {
    pub keyward: Keyward,
    pub actor: Actor,
    pub gateway: Arc<GatewayHost>,
    pub close_to_tray: AtomicBool,
    data_dir: PathBuf,
    team: RwLock<Linked>,
}

/// Where a command's data comes from: this machine's store, or the team server.
pub enum Place {
    Local,
    Team(Arc<Signed>),
}

/// The data folder's link to a team, as last read.
#[derive(Clone)]
pub enum Linked {
    Local,
    Team(Arc<Signed>),
    /// Linked, but this device cannot sign in (its credentials are gone from the keyring, or
    /// the link is unreadable): every page says so rather than showing local data.
    Broken(String),
}

impl AppState {
    /// Opens the store in `KEYWARD_DATA_DIR`, else Tauri's app data dir — the folder the CLI
    /// uses by default, so both see the same accounts and keys.
    /// Returns the preferences it read too, for the rest of start-up (read once).
    pub async fn open<R: tauri::Runtime>(
        app: &tauri::AppHandle<R>,
    ) -> Result<(AppState, Prefs), Box<dyn std::error::Error>> {
        let data_dir = match std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => app.path().app_data_dir()?,
        };
        let keyward = Keyward::open(&data_dir).await?;
        Ok(AppState::with(keyward, Actor::local(), data_dir).await?)
    }

    /// The state over an opened store (tests pass one with an in-memory keyring), and the
    /// preferences it was made with.
    pub async fn with(keyward: Keyward, actor: Actor, data_dir: PathBuf) -> keyward_core::Result<(AppState, Prefs)> {
        if let Err(err) = keyward.clean_orphaned_secrets(chrono::Utc::now()).await {
            tracing::warn!(%err, "orphaned keyring entries stay until the next start");
        }
        let prefs: Prefs = keyward.preferences().await?;
        let state = AppState {
            gateway: Arc::new(GatewayHost::new(keyward.clone())),
            keyward,
            actor,
            close_to_tray: AtomicBool::new(prefs.close_to_tray),
            team: RwLock::new(linked(&data_dir)),
            data_dir,
        };
        Ok((state, prefs))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where this command's data comes from; a broken link is an error, never local data.
    pub fn place(&self) -> Result<Place, IpcError> {
        match self.linked() {
            Linked::Local => Ok(Place::Local),
            Linked::Team(team) => Ok(Place::Team(team)),
            Linked::Broken(detail) => Err(DesktopProblem::TeamSignIn { detail }.into()),
        }
    }

    pub fn linked(&self) -> Linked {
        self.team.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Reads the data folder's link again (after a connect or a leave).
    pub fn relink(&self) -> Linked {
        let now = linked(&self.data_dir);
        *self.team.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = now.clone();
        now
    }
}

fn linked(data_dir: &Path) -> Linked {
    match device::signed_in(data_dir) {
        Ok(signed) => Linked::Team(Arc::new(signed)),
        Err(Error::Team(TeamProblem::NotConnected)) => Linked::Local,
        Err(err) => {
            tracing::warn!(%err, "this data folder is linked to a team but cannot sign in");
            Linked::Broken(err.to_string())
        }
    }
}
