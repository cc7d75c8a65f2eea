//! Settings that live outside the database: start at login (the autostart plugin writes the
//! platform's login item) and whether closing the window keeps Keyward in the tray.

use std::sync::atomic::Ordering;

use keyward_core::Settings;
use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

use crate::{AppState, IpcError};

pub fn apply<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    before: &Settings,
    now: &Settings,
) -> Result<(), IpcError> {
    state.close_to_tray.store(now.close_to_tray, Ordering::Relaxed);
    if now.start_at_login != before.start_at_login {
        let launcher = app.autolaunch();
        let changed = if now.start_at_login { launcher.enable() } else { launcher.disable() };
        changed.map_err(|err| {
            tracing::warn!(%err, "start at login could not be changed");
            IpcError::unavailable("Settings were saved, but start at login could not be changed on this desktop.")
        })?;
    }
    Ok(())
}
