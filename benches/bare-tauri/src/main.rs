//! A bare Tauri window with one static page, timed like Keyward (see src-tauri/src/startup.rs).

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

#[tauri::command]
fn first_paint(app: tauri::AppHandle) -> f64 {
    let ms = STARTED.get().map(|t| t.elapsed().as_secs_f64() * 1000.0).unwrap_or_default();
    if std::env::args().any(|a| a == "--exit-after-first-paint") {
        println!("first_paint_ms={ms:.1}");
        app.exit(0);
    }
    ms
}

fn main() {
    STARTED.get_or_init(Instant::now);
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![first_paint])
        .run(tauri::generate_context!())
        .expect("the bare window starts");
}
