//! IPC commands: parse, call the core once, return. Anything longer belongs in the core.
//! One module per page of the UI.

pub mod accounts;
pub mod keys;
pub mod logs;
pub mod members;
pub mod settings;
pub mod team;

use tauri::State;

use crate::AppState;

/// The state every command receives.
pub type App<'a> = State<'a, AppState>;

include!("names.rs");
