//! The real desktop app, UI embedded, in a real WebView driven over WebDriver (tauri-driver +
//! WebKitWebDriver). Run inside `scripts/desktop-session` (Xvfb, private D-Bus, unlocked
//! keyring) with `tauri-driver` on PATH and the binary built with `--features custom-protocol`,
//! as `make test` does.

mod accounts_window;
mod close_to_tray;
mod driver;
mod key_lifecycle;
mod reminders;
mod team;
