//! Where Keyward keeps its data: the same folder the desktop app gets from Tauri
//! (`<platform data dir>/<identifier>`), so the CLI and the app share one database.

use std::path::PathBuf;

/// The desktop app's bundle identifier; also the keyring service name.
pub const APP_IDENTIFIER: &str = "dev.keyward.desktop";
pub const DATABASE_FILE: &str = "keyward.db";
pub const DATA_DIR_ENV: &str = "KEYWARD_DATA_DIR";

/// `KEYWARD_DATA_DIR` if set, else Tauri's app data dir for [`APP_IDENTIFIER`]
/// (`$XDG_DATA_HOME/dev.keyward.desktop` on Linux, `~/Library/Application Support/…` on macOS,
/// `%APPDATA%\…` on Windows).
pub fn default_data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::data_dir().map(|d| d.join(APP_IDENTIFIER)),
    }
}

/// This machine's name: the device of audit rows, and a new team device's default label.
pub fn machine_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}
