//! keyward-core: the rules and the storage of Keyward, with no transport in it.
//!
//! Every rule lives here so that no front door (desktop, CLI, HTTP gateway) can skip one.
//! Operations take the acting person and `now`; nothing in the rules reads the clock.
//!
//! # Where things live
//! - [`Keyward`] ([`keyward`]): the handle every front door holds (pool, secret store, device
//!   name, key index) and the checks all operations share (account lookup, role gates, the
//!   audit append).
//! - [`domain`]: the rules, one module per thing a user deals with.
//! - [`serving`]: the gateway's hot-path support (key index, published values).
//! - [`secrets`]: the OS keyring and the journal of entries an interrupted change may leave.
//! - [`team`]: a team's people, their enrolled devices and enrolment codes.
//! - [`store`]: SQLite or PostgreSQL (pools, migrations, write locks, call-log writers, `db copy`).
//! - [`error`], [`time`], [`actor`], [`paths`]: the one error type, instants, identity, locations.
//!
//! # Where each `Keyward` method is
//! | methods | module |
//! |---|---|
//! | `open`, `open_with`, `open_database`, `connect`, `database`, `backend`, `device`, `call_writer`, `pool` (tests only) | [`keyward`] |
//! | `create_account`, `list_accounts`, `show_account` | [`domain::accounts`] |
//! | `add_member`, `list_members`, `remove_member`, `set_role`, `set_member_email` | [`domain::members`] |
//! | `generate_key`, `reveal_key`, `rotate_key`, `deactivate_key`, `expire_now` | [`domain::keys`] |
//! | `key_status` | [`domain::status`] |
//! | `verify_key` | [`domain::verify`] |
//! | `issue_challenge` | [`domain::challenge`] |
//! | `usage_limits`, `set_usage_limits` | [`domain::limits`] |
//! | `audit_entries`, `verify_audit_chain` | [`domain::audit`] |
//! | `list_calls`, `export_calls_csv`, `call_stats`, `purge_calls` | [`domain::calls`] |
//! | `due_reminders`, `deliver_reminder`, `claim_reminders`, `snooze_reminders`, `set_rotation_policy` | [`domain::reminders`] |
//! | `settings`, `save_settings`, `preferences`, `save_preferences` | [`domain::settings`] |
//! | `mail_config`, `set_mail_config` | [`domain::mail_config`] |
//! | `load_key_index`, `check_key` | [`serving::key_index`] |
//! | `follow_key_changes`, `key_index_age` | [`serving::key_changes`] |
//! | `lease_budget` | [`serving::budget`] |
//! | `create_setup_code`, `invite`, `team_is_empty` | [`team::codes`] |
//! | `enrol` | [`team::enrol`] |
//! | `sign_in`, `devices`, `revoke_device`, `team_audit_entries` | [`team::devices`] |
//! | `team_accounts`, `create_team_account`, `add_team_member` | [`team::accounts`] |
//! | `key_recipients`, `recipients_lacking_share`, `generate_sealed_key`, `rotate_sealed_key`, `deactivate_sealed_key`, `sealed_key_share`, `add_key_shares` | [`team::sealed`] |
//! | `copy_into` | `store::copy` |
//! | `clean_orphaned_secrets` | [`secrets::journal`] |
//!
//! One crate, not several: the rules, the hot-path index and the store share the handle's pool
//! and the key revision inside one transaction, and no second consumer needs one part alone.

pub mod actor;
pub mod domain;
pub mod error;
pub mod keyward;
pub mod paths;
pub mod secrets;
pub mod serde_names;
pub mod serving;
pub mod store;
pub mod team;
pub mod time;
pub mod whole_number;

pub use actor::Actor;
pub use domain::accounts::Account;
pub use domain::api_key::ApiKey;
pub use domain::audit::{AuditEntry, ChainStatus};
pub use domain::calls::{CallEntry, CallFilter, CallRecord, CallStats};
pub use domain::challenge::{Action, Challenge, ChallengeRefusal, Confirmation};
pub use domain::keys::{Deactivation, Grace, IssuedKey, KeyInfo, Reveal, Rotation};
pub use domain::limits::UsageLimits;
pub use domain::members::{Member, Removal, Role};
pub use domain::reminders::{Delivery, DueReminder};
pub use domain::settings::Settings;
pub use domain::status::{ActiveKey, GraceKey, KeyStatus};
pub use domain::verify::{Verification, VerifyCode};
pub use error::{Error, ErrorKind, Result};
pub use keyward::Keyward;
pub use serving::key_index::{Checked, IndexedKey};
pub use serving::published::Published;
pub use store::call_writer::{CallWriter, Tally};
pub use time::Timestamp;
