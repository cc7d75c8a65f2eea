//! A data folder's link to a team: `team.json` beside its database says which server, who and
//! which device; the device's credentials are in the OS keyring under the entry it names.
//! No `team.json`: the folder is local, as always.

use std::path::{Path, PathBuf};

use keyward_core::error::{Error, Result};
use serde::{Deserialize, Serialize};

pub const LINK_FILE: &str = "team.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub server: String,
    /// The person this device signed in as, when it joined (the server has the truth).
    pub person: String,
    pub device: String,
    /// The keyring entry holding the device's credentials.
    pub credentials_entry: String,
    /// Plain HTTP to another machine was accepted at join.
    #[serde(default)]
    pub insecure: bool,
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(LINK_FILE)
}

fn io_error(data_dir: &Path, source: std::io::Error) -> Error {
    Error::DataDir { path: data_dir.display().to_string(), source }
}

pub fn load(data_dir: &Path) -> Result<Option<Link>> {
    match std::fs::read(path(data_dir)) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|err| {
            io_error(data_dir, std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{LINK_FILE}: {err}")))
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(io_error(data_dir, err)),
    }
}

/// Written whole or not at all (a temporary file renamed over it).
pub fn save(data_dir: &Path, link: &Link) -> Result<()> {
    std::fs::create_dir_all(data_dir).map_err(|e| io_error(data_dir, e))?;
    let temporary = data_dir.join(format!("{LINK_FILE}.tmp"));
    let text = serde_json::to_vec_pretty(link).expect("strings serialise");
    std::fs::write(&temporary, text).map_err(|e| io_error(data_dir, e))?;
    std::fs::rename(&temporary, path(data_dir)).map_err(|e| io_error(data_dir, e))
}

pub fn remove(data_dir: &Path) -> Result<()> {
    match std::fs::remove_file(path(data_dir)) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(io_error(data_dir, err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_round_trips_and_a_missing_one_is_local() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
        let link = Link {
            server: "https://keys.example.com/".into(),
            person: "alice".into(),
            device: "dev_1".into(),
            credentials_entry: "team-abc".into(),
            insecure: false,
        };
        save(dir.path(), &link).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(link));
        remove(dir.path()).unwrap();
        remove(dir.path()).unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
    }
}
