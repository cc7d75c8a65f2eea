use std::path::PathBuf;

use keyward_core::paths::DATA_DIR_ENV;
use keyward_core::{Actor, Keyward};
use tauri::Manager;

/// Everything a command needs: the core handle and who is acting on this desktop.
pub struct AppState {
    pub keyward: Keyward,
    pub actor: Actor,
}

impl AppState {
    /// Opens the store in `KEYWARD_DATA_DIR`, else Tauri's app data dir — the folder the CLI
    /// uses by default, so both see the same accounts and keys.
    pub async fn open<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Result<AppState, Box<dyn std::error::Error>> {
        let data_dir = match std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => app.path().app_data_dir()?,
        };
        let keyward = Keyward::open(&data_dir).await?;
        if let Err(err) = keyward.clean_orphaned_secrets(chrono::Utc::now()).await {
            tracing::warn!(%err, "orphaned keyring entries stay until the next start");
        }
        Ok(AppState { keyward, actor: Actor::local() })
    }
}
