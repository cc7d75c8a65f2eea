// Every IPC command, as in src-tauri/src/commands/mod.rs (a test keeps the lists equal).
include!("src/commands/names.rs");

fn main() {
    let attributes = tauri_build::Attributes::new()
        // tauri.conf.json sits at the repository root; the shell's capabilities live here.
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        // Generates one `allow-<command>` permission per app command, so capabilities can
        // grant exactly the commands the UI uses.
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build: check tauri.conf.json and src-tauri/capabilities");
}
