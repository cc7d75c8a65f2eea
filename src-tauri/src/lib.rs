//! The Keyward desktop shell: a Tauri window over keyward-core, hosting the gateway.
//!
//! - `state`: what the shell holds (core handle, local actor, hosted gateway, team link)
//! - `commands`: thin IPC commands, each one call into the core, one module per UI page
//! - `ipc_error`: the one error shape the UI receives, `{kind, message}`
//! - `gateway_host`: the gateway on 127.0.0.1, restarted when its port setting changes
//! - `clipboard`: copy a key in Rust, wipe it after the configured time
//! - `exports`: CSV files into Downloads
//! - `prefs`: the desktop's own preferences (look, clipboard, port, start-up) and the Settings page
//! - `key_sharing`: in a team, share keys this device opens with super admins' new devices
//! - `tray`: tray icon, close-to-tray
//! - `reminder_task`: rotation reminders as native notifications
//! - `open_requests`: "show this account" requests to the UI (a clicked notification)
//! - `startup`: time to first paint, for the desktop benchmark

mod clipboard;
pub mod commands;
mod exports;
pub mod gateway_host;
mod ipc_error;
mod key_sharing;
mod open_requests;
mod prefs;
mod reminder_task;
mod startup;
mod state;
mod tray;

pub use ipc_error::IpcError;
pub use startup::mark_start;
pub use state::AppState;

use commands::{accounts, keys, logs, members, settings, team};
use tauri::Manager;

/// The shell's own parts on `base`: its commands and the close-to-tray window behaviour
/// (`run` passes a real builder and adds the plugins; the IPC tests pass Tauri's mock builder).
pub fn shell<R: tauri::Runtime>(base: tauri::Builder<R>) -> tauri::Builder<R> {
    base.manage(open_requests::OpenRequests::default()).on_window_event(tray::on_window_event).invoke_handler(
        tauri::generate_handler![
            accounts::app_info,
            accounts::accounts_list,
            accounts::account_create,
            keys::key_status,
            keys::key_generate,
            keys::key_reveal,
            keys::key_copy,
            keys::challenge_issue,
            keys::key_rotate,
            keys::key_deactivate,
            keys::key_expire_now,
            logs::audit_list,
            logs::audit_verify,
            logs::audit_export,
            logs::calls_list,
            logs::calls_stats,
            logs::calls_export,
            members::members_list,
            members::member_add,
            members::member_set_role,
            members::member_set_email,
            members::member_remove,
            settings::settings_get,
            settings::settings_save,
            settings::gateway_status,
            settings::gateway_restart,
            settings::reminder_snooze,
            team::team_status,
            team::team_connect,
            team::team_leave,
            team::team_revoke_device,
            startup::first_paint,
            open_requests::open_requests_subscribe,
        ],
    )
}

pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("KEYWARD_LOG").unwrap_or_else(|_| "info".into()))
        .try_init();
    let app = shell(tauri::Builder::<tauri::Wry>::new())
        // First, so a second launch hands over to the running one before anything starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| tray::show_main_window(app)))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, None))
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            tracing::debug!(ms = startup::since_start_ms(), "setup");
            let (state, prefs) = tauri::async_runtime::block_on(AppState::open(app.handle()))?;
            tracing::debug!(ms = startup::since_start_ms(), "store open");
            // Started before the window asks for its status; a busy port is reported there.
            tauri::async_runtime::block_on(state.gateway.start(prefs.gateway_port));
            tracing::debug!(ms = startup::since_start_ms(), "gateway started");
            if let state::Linked::Team(team) = state.linked() {
                key_sharing::share_in_background(team);
            }
            app.manage(state);
            tray::install(app.handle(), prefs.language)?;
            tracing::debug!(ms = startup::since_start_ms(), "tray installed");
            reminder_task::start(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("the Keyward window could not start");
    // Start-up steps at debug level (KEYWARD_LOG=keyward_desktop=debug): the window and web
    // view are made between "built" and "setup"; our own setup takes ~10 ms of that.
    tracing::debug!(ms = startup::since_start_ms(), "built");
    app.run(|app, event| match event {
        tauri::RunEvent::Ready => tracing::debug!(ms = startup::since_start_ms(), "event loop ready"),
        tauri::RunEvent::Exit => {
            // Flush the gateway's call log before the process ends.
            let gateway = std::sync::Arc::clone(&app.state::<AppState>().gateway);
            tauri::async_runtime::block_on(gateway.shutdown());
        }
        _ => {}
    });
}

#[cfg(test)]
mod tests {
    /// `ui/src/lib/bindings/Command.ts`: the command names as a TypeScript type, so api.ts can
    /// only invoke a command that exists (`make test` fails when the committed file is stale).
    #[test]
    fn export_command_names_for_the_ui() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| "ui/src/lib/bindings".into()));
        let names: String = crate::commands::COMMANDS.iter().map(|c| format!("\n  | '{c}'")).collect();
        let ts = format!(
            "// Generated from src-tauri/src/commands/names.rs by a test of the desktop crate. Do not edit.\n\n\
             /** Every IPC command the shell registers. */\nexport type Command ={names};\n"
        );
        std::fs::write(dir.join("Command.ts"), ts).unwrap();
    }

    /// The capability grants exactly the commands build.rs made permissions for (no core
    /// permissions: the shell talks to the UI through commands and a channel, not events).
    #[test]
    fn capability_grants_every_command_and_nothing_else() {
        let capability: serde_json::Value = serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        let granted: Vec<&str> =
            capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        let expected: Vec<String> =
            crate::commands::COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
        assert_eq!(granted, expected);
    }
}
