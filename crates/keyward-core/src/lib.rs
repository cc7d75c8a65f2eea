//! keyward-core: the domain and storage of Keyward, with no transport in it.
//!
//! Every rule lives here so that no front door (desktop, CLI, HTTP gateway) can skip one.
//! Operations take the acting person and `now`; nothing in the logic reads the clock.
//!
//! - [`keyward`]: [`Keyward`], the handle (database pool, secret store, device name)
//! - [`accounts`], [`members`]: who owns what, and who is a super admin
//! - [`api_key`]: the key format (`kw_` + 30 random base62 + 6 CRC32), hash and hint
//! - [`keys`]: generate, reveal, rotate (with grace), expire-now, deactivate — crash-safe
//! - [`status`]: a key's age, rotation due date and grace windows
//! - [`verify`]: is a key string good now (no actor, no keyring)
//! - [`key_index`]: the in-memory hash index the gateway verifies against, kept current
//! - [`published`]: a value read per request and replaced seldom, with no lock per read
//! - [`limits`]: per-account usage limits (burst and daily)
//! - [`calls`]: the call log (every request that presented a key), its queries and retention
//! - [`call_writer`]: the call log's bulk writer, on a connection of its own
//! - [`challenge`]: the captcha-style confirmation for rotate and deactivate
//! - [`audit`]: the append-only, hash-chained trail
//! - [`secret_journal`]: keyring entries that may outlive an interrupted change, and their cleanup
//! - [`secret_store`]: the OS keyring (and an in-memory store for tests)
//! - [`reminder_policy`], [`reminders`]: when rotation reminders are due, to whom, sent once
//! - [`settings`]: this installation's preferences (rotation policy, clipboard, gateway port, look)
//! - [`db`], [`paths`], [`actor`], [`error`]: storage, locations, identity, the one error type

pub mod accounts;
pub mod actor;
pub mod api_key;
pub mod audit;
pub mod call_writer;
pub mod calls;
pub mod challenge;
pub mod db;
pub mod db_threads;
pub mod error;
pub mod export;
pub mod key_index;
pub mod keys;
pub mod keyward;
pub mod limits;
pub mod mail_config;
pub mod members;
pub mod paths;
pub mod published;
pub mod reminder_policy;
pub mod reminders;
pub mod secret_journal;
pub mod secret_store;
pub mod settings;
pub mod status;
pub mod verify;

pub use accounts::Account;
pub use actor::Actor;
pub use api_key::ApiKey;
pub use audit::{AuditEntry, ChainStatus};
pub use call_writer::CallWriter;
pub use calls::{CallEntry, CallFilter, CallRecord, CallStats};
pub use challenge::{Action, Challenge, ChallengeRefusal, Confirmation};
pub use db::Timestamp;
pub use error::{Error, ErrorKind, Result};
pub use key_index::{Checked, IndexedKey};
pub use keys::{Deactivation, Grace, IssuedKey, KeyInfo, Reveal, Rotation};
pub use keyward::Keyward;
pub use limits::UsageLimits;
pub use members::{Member, Role};
pub use published::Published;
pub use reminders::{Delivery, DueReminder};
pub use settings::{Language, Settings, Theme};
pub use status::{ActiveKey, GraceKey, KeyStatus};
pub use verify::{Verification, VerifyCode};
