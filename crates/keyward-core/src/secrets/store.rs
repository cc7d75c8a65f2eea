//! Where key secrets live: the OS keyring, and nowhere else.
//!
//! The trait is synchronous because the platform keyrings are; the core calls it from
//! `spawn_blocking` so a slow D-Bus round trip never stalls the async runtime.

use crate::domain::api_key::ApiKey;
use crate::error::{Error, Result};

pub trait SecretStore: Send + Sync + 'static {
    fn put(&self, key_id: &str, key: &ApiKey) -> Result<()>;
    /// `Ok(None)` when there is no entry for `key_id`.
    fn get(&self, key_id: &str) -> Result<Option<ApiKey>>;
    /// Succeeds when the entry is already gone.
    fn delete(&self, key_id: &str) -> Result<()>;
    /// Other values kept beside the key secrets, by entry name (the audit trail's signing key
    /// and checkpoint: the database must not be able to rewrite them).
    fn put_text(&self, name: &str, text: &str) -> Result<()>;
    /// `Ok(None)` when there is no entry `name`.
    fn get_text(&self, name: &str) -> Result<Option<String>>;
}

/// The OS keyring (Secret Service, Keychain, Credential Manager), one entry per key id under
/// the application's service name, so the desktop app and the CLI see the same entries.
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    pub fn new(service: impl Into<String>) -> OsKeyring {
        OsKeyring { service: service.into() }
    }

    fn entry(&self, key_id: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, key_id).map_err(unavailable)
    }
}

impl SecretStore for OsKeyring {
    fn put(&self, key_id: &str, key: &ApiKey) -> Result<()> {
        self.entry(key_id)?.set_password(key.expose()).map_err(unavailable)
    }

    fn get(&self, key_id: &str) -> Result<Option<ApiKey>> {
        match self.entry(key_id)?.get_password() {
            Ok(text) => Ok(ApiKey::parse(&text).ok()),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn delete(&self, key_id: &str) -> Result<()> {
        match self.entry(key_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn put_text(&self, name: &str, text: &str) -> Result<()> {
        self.entry(name)?.set_password(text).map_err(unavailable)
    }

    fn get_text(&self, name: &str) -> Result<Option<String>> {
        match self.entry(name)?.get_password() {
            Ok(text) => Ok(Some(text)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// keyring's errors carry platform detail (D-Bus messages) but never the secret.
fn unavailable(err: keyring::Error) -> Error {
    Error::KeyringUnavailable { detail: err.to_string() }
}

/// An in-memory store for tests of the core's logic. Not compiled into shipped binaries.
#[cfg(any(test, feature = "test-support"))]
#[derive(Default)]
pub struct MemorySecrets {
    entries: std::sync::Mutex<std::collections::HashMap<String, ApiKey>>,
    texts: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// When set, every call fails as an unavailable keyring does.
    pub unavailable: std::sync::atomic::AtomicBool,
    /// When set, every call hangs, as one waiting on a password prompt no one answers.
    pub stalled: std::sync::atomic::AtomicBool,
}

#[cfg(any(test, feature = "test-support"))]
impl MemorySecrets {
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check(&self) -> Result<()> {
        while self.stalled.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        if self.unavailable.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::KeyringUnavailable { detail: "test: keyring switched off".into() });
        }
        Ok(())
    }
}

#[cfg(any(test, feature = "test-support"))]
impl SecretStore for MemorySecrets {
    fn put(&self, key_id: &str, key: &ApiKey) -> Result<()> {
        self.check()?;
        self.entries.lock().unwrap().insert(key_id.to_owned(), key.clone());
        Ok(())
    }

    fn get(&self, key_id: &str) -> Result<Option<ApiKey>> {
        self.check()?;
        Ok(self.entries.lock().unwrap().get(key_id).cloned())
    }

    fn delete(&self, key_id: &str) -> Result<()> {
        self.check()?;
        self.entries.lock().unwrap().remove(key_id);
        Ok(())
    }

    fn put_text(&self, name: &str, text: &str) -> Result<()> {
        self.check()?;
        self.texts.lock().unwrap().insert(name.to_owned(), text.to_owned());
        Ok(())
    }

    fn get_text(&self, name: &str) -> Result<Option<String>> {
        self.check()?;
        Ok(self.texts.lock().unwrap().get(name).cloned())
    }
}
