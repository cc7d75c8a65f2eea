//! A super admin's device shares each key it can open with the account's other super admins'
//! devices that cannot yet (a new super admin, a new device): at start and after connecting,
//! in the background. A device that cannot open a key itself skips it quietly.

use std::sync::Arc;

use keyward_client::device::Signed;
use keyward_core::{ErrorKind, Role};

pub fn share_in_background(team: Arc<Signed>) {
    tauri::async_runtime::spawn(async move {
        if let Err(err) = share_all(&team).await {
            tracing::warn!(%err, "key sharing skipped; it runs again when the app next starts");
        }
    });
}

async fn share_all(team: &Signed) -> keyward_core::Result<()> {
    let accounts = team.api.accounts().await?;
    for account in accounts.iter().filter(|a| a.has_active_key && a.your_role == Some(Role::SuperAdmin)) {
        match team.share_key(&account.name).await {
            Ok(0) => {}
            Ok(added) => tracing::info!(account = account.name, added, "shared the key with more devices"),
            // This device has no share of its own yet: someone else shares with it first.
            Err(err) if err.kind() == ErrorKind::PermissionDenied => {}
            Err(err) => tracing::warn!(%err, account = account.name, "key not shared"),
        }
    }
    Ok(())
}
