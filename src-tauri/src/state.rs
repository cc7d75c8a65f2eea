use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use keyward_core::paths::DATA_DIR_ENV;
use keyward_core::{Actor, Keyward};
use tauri::Manager;

use crate::gateway_host::GatewayHost;
use crate::prefs::Prefs;

/// Everything a command needs: the core handle, who is acting on this desktop, the hosted
/// gateway, and the one setting the window's close button reads synchronously.
pub struct AppState {
    pub keyward: Keyward,
    pub actor: Actor,
    pub gateway: Arc<GatewayHost>,
    pub close_to_tray: AtomicBool,
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
        Ok(AppState::with(keyward, Actor::local()).await?)
    }

    /// The state over an opened store (tests pass one with an in-memory keyring), and the
    /// preferences it was made with.
    pub async fn with(keyward: Keyward, actor: Actor) -> keyward_core::Result<(AppState, Prefs)> {
        if let Err(err) = keyward.clean_orphaned_secrets(chrono::Utc::now()).await {
            tracing::warn!(%err, "orphaned keyring entries stay until the next start");
        }
        let prefs: Prefs = keyward.preferences().await?;
        let state = AppState {
            gateway: Arc::new(GatewayHost::new(keyward.clone())),
            keyward,
            actor,
            close_to_tray: AtomicBool::new(prefs.close_to_tray),
        };
        Ok((state, prefs))
    }
}
