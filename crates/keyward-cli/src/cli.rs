//! The command line, as clap types. `keyward --help` is generated from the doc comments here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "keyward", version, about = "The local authority for account API keys")]
#[command(after_help = "Exit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 permission denied, \
4 not found, 5 conflict.\nThe acting person is your OS user name unless KEYWARD_ACTOR says otherwise.")]
pub struct Cli {
    /// Folder of the database (default: the desktop app's data folder)
    #[arg(long, global = true, env = "KEYWARD_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database URL: a team's postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or sqlite://PATH
    /// (default: keyward.db in the data folder)
    #[arg(long, global = true, env = "KEYWARD_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database: Option<String>,

    /// Print JSON objects instead of text (fields are listed in the README)
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Who Keyward thinks you are, on which device, and where the data lives
    Whoami,
    /// Create, list and show accounts
    #[command(subcommand)]
    Account(AccountCmd),
    /// Manage the members of an account and their roles
    #[command(subcommand)]
    Member(MemberCmd),
    /// Generate, show, rotate, deactivate and verify an account's API key
    #[command(subcommand)]
    Key(KeyCmd),
    /// Read, verify and export the tamper-evident audit trail
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Read the call log: every API call made with a key, kept 7 days
    #[command(subcommand)]
    Calls(CallsCmd),
    /// Run the HTTP gateway: verify keys for your services, or front an upstream with key auth
    Serve(ServeArgs),
    /// Rotation reminders: list what is due, email it (for servers and cron), snooze
    #[command(subcommand)]
    Reminders(RemindersCmd),
    /// Settings of this installation for headless use (smtp.url, smtp.from)
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Move this installation into another database (a team's PostgreSQL)
    #[command(subcommand)]
    Db(DbCmd),
    /// Team mode: enrol this device with a team server, invite people, list and revoke devices
    #[command(subcommand)]
    Team(TeamCmd),
}

#[derive(Subcommand)]
pub enum TeamCmd {
    /// Prints a single-use code (valid 24 h) that enrols its redeemer as an owner of the team;
    /// for operators with access to the team's database (--database or KEYWARD_DATABASE_URL)
    SetupCode,
    /// Enrols this device with a team server: its credential and encryption identity are made
    /// here and kept in the OS keyring
    Join {
        /// The team server: https://HOST[:PORT] (http:// only to this machine, or with --insecure)
        url: String,
        /// The single-use code from `keyward team setup-code` or an owner's `keyward team invite`
        #[arg(long)]
        code: String,
        /// Your name in the team (for an invitation: the name it was made for)
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// What to call this device in `keyward team devices` (default: this machine's name)
        #[arg(long)]
        label: Option<String>,
        /// Accept plain http:// to another machine (the credential crosses the network in clear)
        #[arg(long)]
        insecure: bool,
    },
    /// The server, who you are there, your team role and this device
    Status,
    /// Invites a person (owners): prints a single-use code, valid 24 h, alone on stdout. For a
    /// person already in the team, the code enrols a new device of theirs
    Invite {
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// owner or member (a person already in the team keeps theirs)
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// The team's devices (owners) or yours: id, person, label, created, last seen, revoked
    Devices,
    /// Revokes a device (owners: any; everyone: their own): its next request is refused
    RevokeDevice {
        id: String,
        /// Also rotate the keys the device could open (its holder may have kept them)
        #[arg(long)]
        rotate: bool,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Leaves the team on this device: revokes it on the server, then removes its credential
    /// from the keyring and the link from the data folder
    Leave,
    /// The team's own audit trail (owners): setup codes, invitations, enrolments, revocations
    Audit {
        /// Only the newest N entries
        #[arg(long)]
        limit: Option<i64>,
    },
}

#[derive(Subcommand)]
pub enum DbCmd {
    /// Copies accounts, members, key hashes, the audit trail (its chain intact), settings and
    /// the last 7 days of calls into an empty database; key secrets stay in this machine's keyring
    Copy {
        /// The target: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE or sqlite://PATH
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Subcommand)]
pub enum RemindersCmd {
    /// Reminders that should go out now, to whom (sends nothing)
    Due,
    /// Emails every due reminder to its recipient through the configured SMTP server; each is
    /// sent once; a failed send stays due for the next run (exit code 1)
    Send,
    /// Holds back your reminders for an account's key
    Snooze {
        account: String,
        /// 1d or 1w
        #[arg(long = "for", value_name = "1d|1w", default_value = "1d")]
        duration: String,
    },
}

#[derive(Subcommand)]
pub enum ConfigCmd {
    /// Shows the headless settings (the SMTP password is never stored: KEYWARD_SMTP_PASSWORD)
    Get,
    /// Sets smtp.url (smtp://host:25, smtp://host:587?tls=required, smtps://user@host:465) or
    /// smtp.from (the sender address)
    Set { name: String, value: String },
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (anything but loopback exposes the gateway to the network)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    #[arg(long, default_value_t = keyward_gateway::config::DEFAULT_PORT)]
    pub port: u16,
    /// Proxy mode: forward authenticated requests to this base URL
    #[arg(long, value_name = "URL")]
    pub upstream: Option<url::Url>,
    /// Days of call log to keep
    #[arg(long, default_value_t = keyward_core::domain::calls::DEFAULT_RETENTION_DAYS)]
    pub retention_days: i64,
    /// Call-log rows that may wait for the writer before new ones are dropped (and counted)
    #[arg(long, default_value_t = 100_000)]
    pub call_log_queue: usize,
    /// On a team database (postgres://): seconds this gateway keeps answering from its last view
    /// of the keys while the database is out of reach; after that every key is refused with
    /// UNAVAILABLE (503) until the database is back
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = staleness_seconds)]
    pub max_staleness: f64,
    /// Failed key checks (unknown or malformed keys) a client IP may make per minute before it
    /// is answered 429 unlooked-at (raise it behind a reverse proxy, where clients share an IP)
    #[arg(long, value_name = "N", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..))]
    pub failed_attempts_per_minute: u32,
    /// Failed team sign-ins (codes, device tokens) a client IP may make per minute
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub failed_sign_ins_per_minute: u32,

    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,

    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

fn staleness_seconds(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('s').parse::<f64>() {
        Ok(seconds) if (0.1..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!("\"{text}\" is not a number of seconds from 0.1 to 86400, e.g. 10")),
    }
}

#[derive(Subcommand)]
pub enum CallsCmd {
    /// Calls, newest first
    List {
        /// Only this account's calls (default: every account you are a super admin of)
        account: Option<String>,
        #[command(flatten)]
        filter: CallFilterArgs,
    },
    /// Calls on stdout: CSV streams every matching call (--limit does not apply); JSON the
    /// newest --limit
    Export {
        account: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        #[command(flatten)]
        filter: CallFilterArgs,
    },
    /// Calls per hour and outcome over 7 days, with the logged and dropped totals
    Stats { account: Option<String> },
}

#[derive(Args)]
pub struct CallFilterArgs {
    /// How far back: e.g. 30m, 24h, 7d
    #[arg(long, default_value = "7d")]
    pub since: String,
    /// Status class: 2xx, 4xx or 5xx
    #[arg(long)]
    pub status: Option<String>,
    /// Outcome: VALID, MALFORMED, NOT_FOUND, REVOKED, EXPIRED, RATE_LIMITED
    #[arg(long)]
    pub outcome: Option<String>,
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
}

#[derive(Subcommand)]
pub enum AccountCmd {
    /// Show or set an account's rotation period and reminder lead time (super admins)
    Policy {
        name: String,
        /// Rotation is recommended this many days after a key is made (30-730)
        #[arg(long, value_name = "DAYS")]
        rotation_days: Option<i64>,
        /// A heads-up this many days before that (0 = none)
        #[arg(long, value_name = "DAYS")]
        lead_days: Option<i64>,
    },
    /// Create an account; you become its super admin
    Create {
        /// Lowercase letters, digits and '-', 1 to 63 characters
        name: String,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List every account and your role in it
    List,
    /// Show one account
    Show { name: String },
    /// Show or set an account's usage limits (per key: burst and daily)
    Limits {
        name: String,
        /// Burst limit as REQUESTS/SECONDS, e.g. 100/10
        #[arg(long, value_name = "N/SECONDS")]
        burst: Option<String>,
        /// Requests per day
        #[arg(long, value_name = "N")]
        daily: Option<u32>,
    },
}

#[derive(Subcommand)]
pub enum MemberCmd {
    /// Add a member to an account (super admins only)
    Add {
        account: String,
        /// The person's user name (what KEYWARD_ACTOR or their OS login says)
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, value_enum, default_value = "member")]
        role: RoleArg,
    },
    /// List an account's members
    List { account: String },
    /// Remove a member (super admins only; the last super admin stays)
    Remove {
        account: String,
        name: String,
        /// Also rotate the key when they were a super admin (they may have kept it)
        #[arg(long)]
        rotate: bool,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Change a member's role (super admins only)
    SetRole {
        account: String,
        name: String,
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Set the address a member's email reminders go to, or remove it (super admins only)
    #[command(group(clap::ArgGroup::new("address").required(true).args(["email", "clear"])))]
    SetEmail {
        account: String,
        name: String,
        email: Option<String>,
        /// Remove the member's address (reminders then reach them in the desktop app only)
        #[arg(long, conflicts_with = "email")]
        clear: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    SuperAdmin,
    Member,
}

#[derive(Subcommand)]
pub enum KeyCmd {
    /// Generate the account's key; prints the key alone on stdout
    Generate { account: String },
    /// Print the active key alone on stdout (audited as viewed)
    Show { account: String },
    /// Team mode: seal the active key to every device of the account's super admins that cannot
    /// open it yet (a new super admin, a new device), from this device
    Share { account: String },
    /// Hint, age, creator, rotation due date and grace windows
    Status { account: String },
    /// Replace the key with a new one; prints the new key alone on stdout
    Rotate {
        account: String,
        /// How long the old key keeps working: 0 (expire now), 1h, 24h or 7d
        #[arg(long, default_value = "0", value_name = "0|1h|24h|7d")]
        grace: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// End the grace window of rotated-away keys now
    ExpireNow {
        account: String,
        /// Only this key (default: every key in a grace window)
        #[arg(long)]
        key_id: Option<String>,
    },
    /// Revoke the key without making a new one
    Deactivate {
        account: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Check a key; exits 0 only when it is valid. Reads stdin when KEY is '-' or absent
    Verify { key: Option<String> },
}

#[derive(Args)]
pub struct ConfirmArgs {
    /// Confirm without a challenge code (for scripts); the audit trail records it
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// List an account's audit entries, oldest first (super admins only)
    List {
        account: String,
        /// Only this event (e.g. rotated, viewed, permission_denied)
        #[arg(long)]
        event: Option<String>,
        /// Only the newest N entries
        #[arg(long)]
        limit: Option<i64>,
    },
    /// Walk the hash chain; exits 1 and names the first broken entry if it was tampered with
    Verify,
    /// Write an account's audit entries as CSV or JSON to stdout
    Export {
        account: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}
