//! The Keyward desktop shell: a Tauri window over keyward-core.
//!
//! - `state`: what the shell holds (the core handle and the local actor), opened at start-up
//!   in the same data folder the `keyward` CLI uses
//! - `commands`: thin IPC commands, each one call into the core
//! - `ipc_error`: the one error shape the UI receives, `{kind, message}`

mod commands;
mod ipc_error;
mod state;

pub use ipc_error::IpcError;
pub use state::AppState;

/// Builds the app with its commands registered; `run` and the tests share it.
pub fn builder<R: tauri::Runtime>() -> tauri::Builder<R> {
    tauri::Builder::<R>::new().invoke_handler(tauri::generate_handler![commands::accounts_list])
}

pub fn run() {
    builder::<tauri::Wry>()
        .setup(|app| {
            let state = tauri::async_runtime::block_on(AppState::open(app.handle()))?;
            tauri::Manager::manage(app, state);
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Keyward window could not start");
}
