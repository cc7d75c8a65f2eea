//! CSV exports land in the user's Downloads folder (else the home folder) under a name that
//! says what and when, never overwriting an earlier file.

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};

use crate::IpcError;

pub fn save_csv<R: Runtime>(app: &AppHandle<R>, stem: &str, csv: &str) -> Result<String, IpcError> {
    let folder = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|_| IpcError::unavailable("No Downloads or home folder was found to save the export in."))?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let path = free_name(&folder, &format!("{stem}-{stamp}"));
    std::fs::create_dir_all(&folder).and_then(|()| std::fs::write(&path, csv)).map_err(|err| {
        IpcError::unavailable(&format!("Could not write {}: {err}. Check the folder's permissions.", path.display()))
    })?;
    Ok(path.display().to_string())
}

fn free_name(folder: &std::path::Path, base: &str) -> PathBuf {
    (0..)
        .map(|n| folder.join(if n == 0 { format!("{base}.csv") } else { format!("{base}-{n}.csv") }))
        .find(|path| !path.exists())
        .expect("some suffix is free")
}
