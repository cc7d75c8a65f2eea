//! Copying a key: written through Tauri's clipboard plugin as a secret (kept out of clipboard
//! history where the platform allows), then wiped after the configured time — but only if the
//! clipboard still holds that key, so whatever the user copied since is left alone.

use std::time::Duration;

use subtle::ConstantTimeEq;
use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;
use zeroize::Zeroizing;

use crate::ipc_error::{DesktopProblem, IpcError};

pub fn copy_then_clear<R: Runtime>(
    app: &AppHandle<R>,
    key: Zeroizing<String>,
    clear_after: Duration,
) -> Result<(), IpcError> {
    app.clipboard().write_secret(key.as_str()).map_err(|err| {
        tracing::warn!(%err, "clipboard write failed");
        IpcError::from(DesktopProblem::Clipboard)
    })?;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(clear_after).await;
        let still_ours = app
            .clipboard()
            .read_text()
            .map(|now| Zeroizing::new(now).as_bytes().ct_eq(key.as_bytes()).into())
            .unwrap_or(false);
        if still_ours {
            if let Err(err) = app.clipboard().clear() {
                tracing::warn!(%err, "could not clear the copied key from the clipboard");
            }
        }
    });
    Ok(())
}
