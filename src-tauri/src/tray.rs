//! The tray icon (Open, Quit) and the close button that hides to it, so the gateway and the
//! reminders keep running while no window is open.

use std::sync::atomic::Ordering;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent};

use crate::prefs::{resolved, Language};
use crate::AppState;

pub fn install<R: Runtime>(app: &AppHandle<R>, language: Language) -> tauri::Result<()> {
    let (open_label, quit_label) = match resolved(language) {
        Language::Ja => ("Keyward を開く", "終了"),
        _ => ("Open Keyward", "Quit"),
    };
    let open = MenuItem::with_id(app, "open", open_label, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", quit_label, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut tray = TrayIconBuilder::with_id("keyward").tooltip("Keyward").menu(&menu).show_menu_on_left_click(false);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.on_menu_event(|app, event| match event.id.as_ref() {
        "open" => show_main_window(app),
        "quit" => app.exit(0),
        _ => {}
    })
    .on_tray_icon_event(|tray, event| {
        if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
            show_main_window(tray.app_handle());
        }
    })
    .build(app)?;
    Ok(())
}

/// Brings the main window back (tray click, a second launch).
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// With "close to tray" on, the close button hides the window instead of quitting.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        let keep = window.try_state::<AppState>().is_some_and(|state| state.close_to_tray.load(Ordering::Relaxed));
        if keep {
            api.prevent_close();
            let _ = window.hide();
        }
    }
}
