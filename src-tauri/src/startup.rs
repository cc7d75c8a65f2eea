//! Start-up timing for `make bench-desktop`: the time from `main` to the UI's first rendered
//! frame, which the UI reports through `first_paint`. With `--exit-after-first-paint` the app
//! prints it (`first_paint_ms=…`) and exits, so a benchmark can launch it many times.

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();
pub const EXIT_FLAG: &str = "--exit-after-first-paint";

/// Call first thing in `main`.
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

/// Milliseconds since `main`, for the start-up steps logged at debug level.
pub fn since_start_ms() -> f64 {
    STARTED.get().map(|t| t.elapsed().as_secs_f64() * 1000.0).unwrap_or_default()
}

#[tauri::command]
pub fn first_paint<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> f64 {
    let ms = since_start_ms();
    tracing::info!(ms, "first frame rendered");
    if std::env::args().any(|a| a == EXIT_FLAG) {
        println!("first_paint_ms={ms:.1}");
        app.exit(0);
    }
    ms
}
