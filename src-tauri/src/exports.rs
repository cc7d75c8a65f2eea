//! CSV exports land in the user's Downloads folder (else the home folder) under a name that
//! says what and when, never overwriting an earlier file.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use tauri::{AppHandle, Manager, Runtime};

use crate::ipc_error::{DesktopProblem, IpcError};

/// Writes `csv` to a new file named after `stem`; returns its path.
pub fn save_csv<R: Runtime>(app: &AppHandle<R>, stem: &str, csv: &str) -> Result<String, IpcError> {
    let path = new_file(app, stem)?;
    std::fs::write(&path, csv).map_err(|err| write_failed(&path, err))?;
    Ok(path.display().to_string())
}

/// Streams into a new file named after `stem` with `write`; a failed export leaves no file.
pub async fn stream_csv<R: Runtime, F>(
    app: &AppHandle<R>,
    stem: &str,
    write: impl FnOnce(BufWriter<File>) -> F,
) -> Result<String, IpcError>
where
    F: std::future::Future<Output = keyward_core::Result<u64>>,
{
    let path = new_file(app, stem)?;
    let file = File::create(&path).map_err(|err| write_failed(&path, err))?;
    if let Err(err) = write(BufWriter::new(file)).await {
        let _ = std::fs::remove_file(&path);
        return Err(match err {
            keyward_core::Error::Csv(err) => write_failed(&path, err),
            other => other.into(),
        });
    }
    Ok(path.display().to_string())
}

fn new_file<R: Runtime>(app: &AppHandle<R>, stem: &str) -> Result<PathBuf, IpcError> {
    let folder =
        app.path().download_dir().or_else(|_| app.path().home_dir()).map_err(|_| DesktopProblem::NoExportFolder)?;
    std::fs::create_dir_all(&folder).map_err(|err| write_failed(&folder, err))?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    Ok(free_name(&folder, &format!("{stem}-{stamp}")))
}

fn write_failed(path: &Path, err: impl std::fmt::Display) -> IpcError {
    tracing::warn!(path = %path.display(), %err, "export not written");
    DesktopProblem::ExportWrite { path: path.display().to_string() }.into()
}

fn free_name(folder: &Path, base: &str) -> PathBuf {
    (0..)
        .map(|n| folder.join(if n == 0 { format!("{base}.csv") } else { format!("{base}-{n}.csv") }))
        .find(|path| !path.exists())
        .expect("some suffix is free")
}
