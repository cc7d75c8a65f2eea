//! [`Keyward`]: the handle every front door holds — the database pool, the secret store and
//! the device name — plus the checks all operations share (account lookup, super-admin gate).

use std::path::Path;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{Any, AnyPool, Transaction};

use crate::actor::Actor;
use crate::domain::audit::{self, AuditEvent, NewEntry};
use crate::domain::members::Role;
use crate::error::{Error, Missing, Result};
use crate::paths::APP_IDENTIFIER;
use crate::secrets::store::{OsKeyring, SecretStore};
use crate::serving::key_index::KeyIndex;
use crate::store::call_writer::CallWriter;
use crate::store::{self, Backend, Database};

#[derive(Clone)]
pub struct Keyward {
    pub(crate) pool: AnyPool,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) device: String,
    pub(crate) index: Arc<KeyIndex>,
    database: Arc<Database>,
    /// The trail length this process last anchored (see [`crate::domain::audit_checkpoint`]).
    pub(crate) anchored: Arc<AtomicI64>,
    keyring_timeout: std::time::Duration,
}

/// How long a keyring call may take before it counts as unavailable.
pub const KEYRING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// An account row, as the operations need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub id: String,
    pub name: String,
    pub rotation_period_days: i64,
}

impl Keyward {
    /// Opens (creating if needed) the database in `data_dir`, with secrets in the OS keyring.
    pub async fn open(data_dir: &Path) -> Result<Keyward> {
        Keyward::open_with(data_dir, Arc::new(OsKeyring::new(APP_IDENTIFIER))).await
    }

    /// Opens the database a URL named, with secrets in the OS keyring.
    pub async fn open_database(database: &Database) -> Result<Keyward> {
        Keyward::connect(database, Arc::new(OsKeyring::new(APP_IDENTIFIER))).await
    }

    /// Opens with any secret store (tests use an in-memory one). Front doors then call
    /// [`Keyward::clean_orphaned_secrets`] once at start.
    pub async fn open_with(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Result<Keyward> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| Error::DataDir { path: data_dir.display().to_string(), source })?;
        Keyward::connect(&Database::in_data_dir(data_dir), secrets).await
    }

    /// Opens the database a URL named (`--database`, `KEYWARD_DATABASE_URL`): a SQLite file or a
    /// team's PostgreSQL, migrated to this build's schema.
    pub async fn connect(database: &Database, secrets: Arc<dyn SecretStore>) -> Result<Keyward> {
        let pool = store::open(database).await?;
        let device = crate::paths::machine_name();
        Ok(Keyward {
            pool,
            secrets,
            device,
            index: Arc::default(),
            database: Arc::new(database.clone()),
            anchored: Arc::default(),
            keyring_timeout: KEYRING_TIMEOUT,
        })
    }

    /// The database this handle uses (its password hidden when shown).
    pub fn database(&self) -> &Database {
        &self.database
    }

    pub fn backend(&self) -> Backend {
        self.database.backend()
    }

    /// A transaction serialised with every other writer (see [`store::begin_write`]).
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        store::begin_write(&self.pool, self.backend()).await
    }

    /// Commits a write transaction, then anchors the trail it may have appended to.
    pub(crate) async fn commit(&self, tx: Transaction<'static, Any>) -> Result<()> {
        tx.commit().await?;
        self.anchor_trail().await;
        Ok(())
    }

    /// The same handle as another machine would have: a team server acts for each request's
    /// device (its audit rows name that device), tests of shared databases for a second host.
    pub fn with_device(mut self, device: &str) -> Keyward {
        self.device = device.to_owned();
        self
    }

    /// The host name written into every audit row.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// A connection for the call log's batches, to be used from one thread (it blocks).
    pub fn call_writer(&self) -> Result<CallWriter> {
        CallWriter::open(&self.database)
    }

    /// The pool, for tests that read rows directly (never for a front door: the rules are here).
    #[cfg(any(test, feature = "test-support"))]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The account named `name` (surrounding spaces ignored), or NotFound.
    pub(crate) async fn account(&self, name: &str) -> Result<AccountRow> {
        let name = name.trim();
        sqlx::query_as("SELECT id, name, rotation_period_days FROM accounts WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Missing::Account { account: name.to_owned() }.into())
    }

    pub(crate) async fn role_of(&self, actor: &Actor, account: &AccountRow) -> Result<Option<Role>> {
        Ok(sqlx::query_scalar("SELECT role FROM members WHERE account_id = $1 AND name = $2")
            .bind(&account.id)
            .bind(actor.name())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Lets super admins through; anyone else gets PermissionDenied, recorded in the trail.
    pub(crate) async fn require_super_admin(
        &self,
        actor: &Actor,
        account: &AccountRow,
        attempted: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.role_of(actor, account).await? == Some(Role::SuperAdmin) {
            return Ok(());
        }
        self.deny(actor, account, attempted, now).await
    }

    /// Lets any member through (read-only views of the account).
    pub(crate) async fn require_member(
        &self,
        actor: &Actor,
        account: &AccountRow,
        attempted: &str,
        now: DateTime<Utc>,
    ) -> Result<Role> {
        match self.role_of(actor, account).await? {
            Some(role) => Ok(role),
            None => self.deny(actor, account, attempted, now).await.map(|()| Role::Member),
        }
    }

    async fn deny(&self, actor: &Actor, account: &AccountRow, attempted: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.audit(&mut tx, actor, account, None, AuditEvent::PermissionDenied, json!({ "attempted": attempted }), now)
            .await?;
        self.commit(tx).await?;
        Err(Error::PermissionDenied { actor: actor.name().into(), account: account.name.clone() })
    }

    /// Appends an audit row for `account` inside `tx`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn audit(
        &self,
        tx: &mut sqlx::AnyConnection,
        actor: &Actor,
        account: &AccountRow,
        key_id: Option<&str>,
        event: AuditEvent,
        details: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        audit::append(
            tx,
            NewEntry {
                at: now,
                actor: actor.name(),
                device: &self.device,
                account: Some(&account.name),
                key_id,
                event,
                details,
            },
        )
        .await
    }

    /// A team event (no account) by `actor` from `device` (a joining device names itself).
    pub(crate) async fn audit_team(
        &self,
        tx: &mut sqlx::AnyConnection,
        actor: &str,
        device: &str,
        event: AuditEvent,
        details: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let entry = NewEntry { at: now, actor, device, account: None, key_id: None, event, details };
        audit::append(tx, entry).await
    }

    /// Runs a blocking keyring call off the async runtime, for at most [`KEYRING_TIMEOUT`]: a
    /// locked keyring answers with a password prompt, which on a machine with no one at the
    /// screen (a CLI in a script, `keyward serve`, a keyring daemon restarted by D-Bus) would
    /// never complete. The call's thread is left behind; the front door exits regardless.
    pub(crate) async fn with_secrets<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let secrets = Arc::clone(&self.secrets);
        let running = tokio::task::spawn_blocking(move || call(secrets.as_ref()));
        match tokio::time::timeout(self.keyring_timeout, running).await {
            Ok(joined) => joined.unwrap_or_else(|join| Err(Error::KeyringUnavailable { detail: join.to_string() })),
            Err(_) => Err(Error::KeyringUnavailable {
                detail: format!(
                    "no answer within {} s: is it locked and waiting for a password?",
                    self.keyring_timeout.as_secs()
                ),
            }),
        }
    }

    /// The same handle with another keyring time-out (tests of a keyring that never answers).
    #[cfg(any(test, feature = "test-support"))]
    pub fn with_keyring_timeout(mut self, timeout: std::time::Duration) -> Keyward {
        self.keyring_timeout = timeout;
        self
    }
}
