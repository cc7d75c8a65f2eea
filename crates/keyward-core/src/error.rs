//! The one error type of the core. Front doors map it: the CLI to exit codes, the desktop shell
//! to `{kind, message}`, the gateway to HTTP statuses. Messages say what to do next and never
//! contain a key string.

use serde::Serialize;

/// The database error type, for front doors that need to name it.
pub use sqlx::Error as SqlError;

use crate::challenge::ChallengeRefusal;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that can never succeed as given (a bad name, a malformed key, a bad option).
    #[error("{0}")]
    InvalidInput(String),

    #[error("{actor} is not a super admin of {account}: ask one of its super admins to do this or to make you one")]
    PermissionDenied { actor: String, account: String },

    #[error("{0}")]
    NotFound(String),

    /// The request clashes with the current state (an active key already exists, a name is taken).
    #[error("{0}")]
    Conflict(String),

    /// Rotate and deactivate need a confirmation; this one was missing or did not hold.
    #[error("{0}")]
    Confirmation(ChallengeRefusal),

    #[error("the OS keyring is unavailable ({detail}). Start and unlock a Secret Service provider (e.g. gnome-keyring) on Linux, or unlock the Keychain / Credential Manager, then try again; nothing was changed")]
    KeyringUnavailable { detail: String },

    /// A key is active but its secret is gone from the keyring (deleted by hand, another profile).
    #[error("the secret of key {key_id} is missing from the OS keyring: rotate the key to issue a new one")]
    SecretMissing { key_id: String },

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    /// From the call log's own connection (`call_writer`).
    #[error("database error: {0}")]
    CallLogDatabase(#[from] rusqlite::Error),

    #[error("could not migrate the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("could not prepare the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
}

/// The stable, machine-readable name of an error, for the front doors to branch on.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidInput,
    PermissionDenied,
    NotFound,
    Conflict,
    Confirmation,
    KeyringUnavailable,
    /// A desktop service outside Keyward (clipboard, a folder) could not be used.
    Unavailable,
    Internal,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::PermissionDenied { .. } => ErrorKind::PermissionDenied,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Confirmation(_) => ErrorKind::Confirmation,
            Error::KeyringUnavailable { .. } => ErrorKind::KeyringUnavailable,
            Error::SecretMissing { .. }
            | Error::Database(_)
            | Error::CallLogDatabase(_)
            | Error::Migration(_)
            | Error::DataDir { .. } => ErrorKind::Internal,
        }
    }

    pub(crate) fn account_not_found(name: &str) -> Error {
        Error::NotFound(format!("no account named \"{name}\": `keyward account list` shows the accounts there are"))
    }

    pub(crate) fn no_active_key(account: &str) -> Error {
        Error::NotFound(format!(
            "account \"{account}\" has no active key: generate one with `keyward key generate {account}`"
        ))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// True when a database error is a violated UNIQUE constraint (a race the schema settled).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
