//! The one error type of the core. Front doors map it: the CLI to exit codes (and adds its own
//! hints: flags, commands), the desktop shell to `{kind, message, detail}` (and the UI words
//! each `detail.reason` in English and Japanese), the gateway to HTTP statuses. An error carries
//! a kind and the fields a front door needs to word it; the English `Display` says what went
//! wrong and, where the fix is the same at every door, what to do. It never contains a key string.

use serde::{Deserialize, Serialize};

/// The database error type, for front doors that need to name it.
pub use sqlx::Error as SqlError;

use crate::domain::challenge::ChallengeRefusal;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that can never succeed as given (a bad name, a malformed value, a bad option).
    #[error("{0}")]
    InvalidInput(Invalid),

    #[error("{actor} is not a super admin of {account}: ask one of its super admins to do this or to make you one")]
    PermissionDenied { actor: String, account: String },

    #[error("{0}")]
    NotFound(Missing),

    /// The request clashes with the current state (an active key already exists, a name is taken).
    #[error("{0}")]
    Conflict(Clash),

    /// Rotate and deactivate need a confirmation; this one was missing or did not hold.
    #[error("{0}")]
    Confirmation(ChallengeRefusal),

    /// A team matter: its roles, its server's address, its devices.
    #[error("{0}")]
    Team(TeamProblem),

    /// A team's sign-in refused: a code or a device token (HTTP 401).
    #[error("{0}")]
    SignIn(SignIn),

    #[error("no device of yours can open the key of {account} yet: ask {ask} to share it (`keyward key share {account}` on their device), or rotate the key")]
    NotShared { account: String, ask: String },

    #[error("device {device} is not a device of a super admin of {account}: the key is shared only with them")]
    NotARecipient { device: String, account: String },

    #[error("{person} is not an owner of the team: ask an owner to do this")]
    NotAnOwner { person: String },

    /// An error a team server answered with, in its words, of the kind it named.
    #[error("{message}")]
    Remote { kind: ErrorKind, message: String },

    #[error("the team server at {server} could not be reached ({detail}): check the address and your network, then try again; nothing was changed")]
    ServerUnreachable { server: String, detail: String },

    #[error("the OS keyring is unavailable ({detail}). Start and unlock a Secret Service provider (e.g. gnome-keyring) on Linux, or unlock the Keychain / Credential Manager, then try again; nothing was changed")]
    KeyringUnavailable { detail: String },

    /// A key is active but its secret is gone from the keyring (deleted by hand, another profile).
    #[error("the secret of key {key_id} is missing from the OS keyring: rotate the key to issue a new one")]
    SecretMissing { key_id: String },

    /// A key made on another machine of a shared database: its secret is in that machine's keyring.
    #[error("the secret of key {key_id} is in the OS keyring of {device}, where it was made: show or copy it there, or rotate the key here to hold the new one on this machine")]
    SecretElsewhere { key_id: String, device: String },

    /// `db copy` into a database that already holds an installation.
    #[error("{database} already holds accounts, an audit trail or settings: copy into an empty database")]
    TargetNotEmpty { database: String },

    #[error("\"{url}\" is not a database URL: use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE or sqlite://PATH")]
    DatabaseUrl { url: String },

    /// The database server could not be reached or refused the connection (a wrong password,
    /// an unknown database, a host that does not answer). `database` has its password hidden.
    #[error("could not connect to {database}: {}", connect_detail(source))]
    Connect { database: String, source: sqlx::Error },

    #[error("{}", database_detail(.0))]
    Database(#[from] sqlx::Error),

    /// A gateway's lease from the shared usage budget took too long.
    #[error("the database did not grant a usage lease in time")]
    LeaseTimedOut,

    /// The call log's writer thread could not start or has ended.
    #[error("the call-log writer stopped: {0}")]
    CallLogWriter(String),

    /// From the call log's own connection (`store::call_writer`).
    #[error("database error: {0}")]
    CallLogDatabase(#[from] rusqlite::Error),

    /// The SQLite file's folder is on a file system mounted read-only.
    #[error("the database is read-only: {path} is on a disk mounted read-only. Remount it read-write (or use another --data-dir) and try again; nothing was changed")]
    ReadOnlyDisk { path: String },

    /// The SQLite file was removed or replaced while a gateway wrote to it.
    #[error("the database file {path} was removed or replaced while in use: what was written since is lost; restore the file or restart Keyward")]
    DatabaseGone { path: String },

    #[error("could not migrate the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("could not prepare the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },

    /// Writing CSV into memory failed: a fault of ours, not of the input.
    #[error("could not write CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// What was wrong with the input. Each front door words it its own way from `reason` and the
/// fields; the English `Display` is the CLI's and the logs' text.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Invalid {
    #[error(
        "\"{name}\" is not a valid account name: use 1 to 63 lowercase letters, digits or '-' (e.g. \"acme-prod\")"
    )]
    AccountName { name: String },
    #[error("the display name is longer than {max} characters: shorten it")]
    DisplayName { max: u32 },
    #[error("\"{name}\" is not a valid member name: use the person's user name (1 to 64 characters, no spaces)")]
    MemberName { name: String },
    #[error("\"{email}\" is not an email address: use the form name@example.com")]
    Email { email: String },
    #[error("\"{role}\" is not a role: use super-admin or member")]
    Role { role: String },
    #[error("\"{grace}\" is not a grace period: use 0 (expire now), 1h, 24h or 7d")]
    Grace { grace: String },
    /// A number outside its range; `field` is the setting's or limit's snake_case name.
    #[error("{} {value} is out of range: use {min} to {max}", field.replace('_', " "))]
    OutOfRange {
        field: String,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        value: i64,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        min: i64,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        max: i64,
    },
    #[error("the reminder lead time ({lead_days} days) must be shorter than the rotation period ({period_days} days)")]
    LeadTooLong {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        lead_days: i64,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        period_days: i64,
    },
    #[error("\"{text}\" is not a burst limit: write REQUESTS/SECONDS, e.g. 100/10")]
    BurstLimit { text: String },
    #[error("{class}xx is not a status class: use 2xx, 4xx or 5xx")]
    StatusClass { class: u16 },
    #[error("snooze for 1 day or 7 days, not {days}")]
    Snooze {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        days: i64,
    },
    #[error("\"{url}\" is not an SMTP URL: use smtp://host:port (add ?tls=required for STARTTLS) or smtps://host:465")]
    SmtpUrl { url: String },
    #[error("keep the password out of the SMTP URL (it would be stored in plain text): give only user@host and set {env} when sending")]
    SmtpPasswordInUrl { env: String },
    #[error("\"{from}\" is not a sender address: use the form keyward@example.com")]
    SmtpFrom { from: String },
    #[error("there is no setting \"{name}\": use one of {known}")]
    UnknownSetting { name: String, known: String },
    #[error("there is no audit event \"{event}\": use one of {known}")]
    AuditEvent { event: String, known: String },
}

/// What was not there.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Missing {
    #[error("no account named \"{account}\"")]
    Account { account: String },
    #[error("{member} is not a member of {account}")]
    Member { account: String, member: String },
    #[error("account \"{account}\" has no active key")]
    ActiveKey { account: String },
    #[error("no grace window is running for {account}{}: nothing to expire", key_id.as_deref().map(|id| format!(" and key {id}")).unwrap_or_default())]
    GraceWindow { account: String, key_id: Option<String> },
}

/// What the request clashed with.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Clash {
    #[error("an account named \"{account}\" already exists: pick another name")]
    AccountExists { account: String },
    #[error("{member} is already a member of {account}")]
    MemberExists { account: String, member: String },
    #[error("{member} is the last super admin of {account}: make someone else a super admin first")]
    LastSuperAdmin { account: String, member: String },
    #[error("account \"{account}\" already has an active key")]
    ActiveKeyExists { account: String },
    #[error("the key of {account} changed while this was being confirmed: look at its status and try again")]
    KeyChanged { account: String },
}

impl Invalid {
    /// `Ok` when `value` lies in `range`, else [`Invalid::OutOfRange`] naming `field`.
    pub fn check_range(field: &str, value: i64, range: std::ops::RangeInclusive<i64>) -> Result<(), Invalid> {
        if range.contains(&value) {
            Ok(())
        } else {
            Err(Invalid::OutOfRange { field: field.to_owned(), value, min: *range.start(), max: *range.end() })
        }
    }
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Error {
        Error::InvalidInput(invalid)
    }
}

impl From<Missing> for Error {
    fn from(missing: Missing) -> Error {
        Error::NotFound(missing)
    }
}

impl From<TeamProblem> for Error {
    fn from(problem: TeamProblem) -> Error {
        Error::Team(problem)
    }
}

impl From<Clash> for Error {
    fn from(clash: Clash) -> Error {
        Error::Conflict(clash)
    }
}

/// What is wrong with a team request (the desktop words these by kind until it has a team page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum TeamProblem {
    #[error("\"{role}\" is not a team role: use owner or member")]
    Role { role: String },
    #[error("\"{url}\" is not a team server address: use https://HOST[:PORT] (or http:// for one on this machine)")]
    ServerUrl { url: String },
    #[error("{url} is not on this machine and not HTTPS: the device credential would cross the network in clear. Use https://, or pass --insecure if you accept that")]
    Insecure { url: String },
    #[error("no device {device} in this team: `keyward team devices` lists them")]
    NoDevice { device: String },
    #[error(
        "this data folder is not connected to a team: join one with `keyward team join URL --code CODE --name NAME`"
    )]
    NotConnected,
    #[error("this data folder is already connected to the team at {server}: `keyward team leave` first")]
    AlreadyJoined { server: String },
    #[error("this code was made for {name}: join with --name {name}")]
    InvitedSomeoneElse { name: String },
    #[error(
        "the device credentials sent are not ones Keyward makes: enrol with `keyward team join` or the desktop app"
    )]
    Credentials,
    #[error("the sealed key sent is not a key's hash, hint and age ciphertexts: seal keys with `keyward key generate` or the desktop app")]
    Sealed,
    #[error("no one named {name} is in this team: an owner invites them with `keyward team invite {name}`")]
    NoPerson { name: String },
    #[error("KEYWARD_ACTOR is set, but in team mode you are who your device signed in as: unset KEYWARD_ACTOR")]
    ActorOverride,
}

impl TeamProblem {
    pub fn kind(&self) -> ErrorKind {
        match self {
            TeamProblem::Role { .. }
            | TeamProblem::ServerUrl { .. }
            | TeamProblem::Insecure { .. }
            | TeamProblem::InvitedSomeoneElse { .. }
            | TeamProblem::Credentials
            | TeamProblem::Sealed
            | TeamProblem::ActorOverride => ErrorKind::InvalidInput,
            TeamProblem::NoDevice { .. } | TeamProblem::NoPerson { .. } | TeamProblem::NotConnected => {
                ErrorKind::NotFound
            }
            TeamProblem::AlreadyJoined { .. } => ErrorKind::Conflict,
        }
    }
}

/// Why a team refused to sign someone in. One wording per credential, whatever the cause, so
/// a guess learns nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum SignIn {
    #[error("this code is not valid (codes are single-use and last 24 hours): ask an owner of the team for a new one")]
    Code,
    #[error("this device is not signed in to the team (its credential is unknown or was revoked): join again with a new code from an owner")]
    Token,
    #[error("too many failed sign-ins from this address: wait a minute and try again")]
    TooMany,
}

/// The stable, machine-readable name of an error, for the front doors to branch on.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
            Error::PermissionDenied { .. } | Error::SignIn(_) | Error::NotAnOwner { .. } | Error::NotShared { .. } => {
                ErrorKind::PermissionDenied
            }
            Error::NotARecipient { .. } => ErrorKind::InvalidInput,
            Error::Remote { kind, .. } => *kind,
            Error::Team(problem) => problem.kind(),
            Error::ServerUnreachable { .. } => ErrorKind::Unavailable,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Conflict(_) | Error::TargetNotEmpty { .. } => ErrorKind::Conflict,
            Error::Confirmation(_) => ErrorKind::Confirmation,
            Error::KeyringUnavailable { .. } => ErrorKind::KeyringUnavailable,
            Error::SecretMissing { .. }
            | Error::SecretElsewhere { .. }
            | Error::DatabaseUrl { .. }
            | Error::Connect { .. }
            | Error::Database(_)
            | Error::LeaseTimedOut
            | Error::DatabaseGone { .. }
            | Error::ReadOnlyDisk { .. }
            | Error::CallLogDatabase(_)
            | Error::CallLogWriter(_)
            | Error::Migration(_)
            | Error::DataDir { .. }
            | Error::Csv(_) => ErrorKind::Internal,
        }
    }
}

/// What a storage fault means for the person at the keyboard, by SQLite result code or
/// PostgreSQL SQLSTATE; anything else is shown as the database said it.
fn database_detail(source: &sqlx::Error) -> String {
    let fault = match source {
        sqlx::Error::Database(db) => db.code().map(|code| storage_fault(&code)),
        _ => None,
    };
    match fault.flatten() {
        Some(fault) => format!("{fault}; nothing was changed ({source})"),
        None => format!("database error: {source}"),
    }
}

/// SQLite's primary result code is the low byte of its extended code.
fn storage_fault(code: &str) -> Option<&'static str> {
    let sqlite = code.parse::<i32>().ok().map(|extended| extended & 0xff);
    Some(match (sqlite, code) {
        (Some(13), _) | (_, "53100") => "the disk holding the database is full: free some space and try again",
        (Some(8), _) | (_, "25006") => {
            "the database is read-only (its file or folder is not writable, or its disk is mounted \
             read-only): make it writable and try again"
        }
        (Some(5 | 6), _) => {
            "the database is locked by another program for longer than Keyward waits (5 s): let it \
             finish or close it, then try again"
        }
        (Some(10 | 14), _) => {
            "the database file could not be read or written (a disk error, or its folder was removed): \
             check the disk and the data folder, then try again"
        }
        _ => return None,
    })
}

/// What went wrong while connecting, in the server's words where it gave some (a wrong password
/// is "password authentication failed for user …"; the password itself is never in them).
fn connect_detail(source: &sqlx::Error) -> String {
    match source {
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Io(io) => format!("{io}: is the server running and reachable?"),
        sqlx::Error::PoolTimedOut => "no answer in time: is the host reachable and the port right?".to_owned(),
        other => other.to_string(),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
