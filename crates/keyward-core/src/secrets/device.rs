//! A team device's credentials ([`Credentials`]) in the OS keyring, one entry per enrolment of
//! a data folder, under the same service name as the key secrets.

use crate::error::{Error, Result};
use crate::paths::APP_IDENTIFIER;
use crate::team::credentials::Credentials;

fn entry(name: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(APP_IDENTIFIER, name).map_err(unavailable)
}

pub fn save(name: &str, credentials: &Credentials) -> Result<()> {
    entry(name)?.set_password(&credentials.to_secret_text()).map_err(unavailable)
}

/// `Ok(None)` when the entry is gone (a keyring reset, another machine's data folder).
pub fn load(name: &str) -> Result<Option<Credentials>> {
    match entry(name)?.get_password() {
        Ok(text) => Credentials::from_secret_text(&text).map(Some),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(err) => Err(unavailable(err)),
    }
}

/// Succeeds when the entry is already gone.
pub fn delete(name: &str) -> Result<()> {
    match entry(name)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(err) => Err(unavailable(err)),
    }
}

fn unavailable(err: keyring::Error) -> Error {
    Error::KeyringUnavailable { detail: err.to_string() }
}
