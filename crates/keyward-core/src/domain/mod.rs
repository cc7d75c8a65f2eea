//! The rules, one module per thing a user deals with. Each module holds its types and the
//! [`crate::Keyward`] methods that act on them; every method takes the acting person and `now`.
//!
//! - [`accounts`]: create, list, show an account
//! - [`members`]: who belongs to an account, who is a super admin, their email
//! - [`api_key`]: the key format (`kw_` + 30 random base62 + 6 CRC32), its hash and hint
//! - [`keys`]: generate, reveal, rotate (with grace), expire-now, deactivate — crash-safe
//! - [`key_rows`]: the `api_keys` statements the lifecycle and team keys share
//! - [`status`]: a key's age, rotation due date and grace windows
//! - [`verify`]: is a key string good now (no actor, no keyring)
//! - [`challenge`]: the captcha-style confirmation for rotate and deactivate
//! - [`limits`]: per-account usage limits (burst and daily), as stored and checked
//! - [`audit`]: the append-only, hash-chained trail
//! - [`audit_checkpoint`]: its signed checkpoint in the keyring (the newest rows cut off show)
//! - [`calls`]: the call log's rows, queries and retention
//! - [`export`]: CSV for the audit trail and the call log
//! - [`reminder_policy`], [`reminders`]: when rotation reminders are due, to whom, sent once
//! - [`settings`]: the rotation policy, clipboard time and gateway port every front door shares
//! - [`mail_config`]: where email reminders go out from

pub mod accounts;
pub mod api_key;
#[cfg(test)]
mod api_key_props;
pub mod audit;
pub mod audit_checkpoint;
pub mod calls;
pub mod challenge;
pub mod export;
pub mod key_rows;
pub mod keys;
pub mod limits;
pub mod mail_config;
pub mod members;
pub mod reminder_policy;
#[cfg(test)]
mod reminder_policy_props;
pub mod reminders;
pub mod settings;
pub mod status;
pub mod verify;
