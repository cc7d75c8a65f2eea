//! The `keyward` binary as a real process against a temporary data folder and the real OS
//! keyring. Run inside `scripts/desktop-session` (as `make test` does): it provides a private
//! D-Bus session with an unlocked gnome-keyring. Outputs that may hold a key are never printed.

mod bad_input;
mod faults;
mod interactive;
pub mod keyring;
mod lifecycle;
mod reminders;
mod serve;
mod team;
mod team_commands;
mod team_keys;
pub mod team_people;
mod team_reminders;
mod torture;

use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_keyward");

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", redact(&self.stdout)))
    }

    /// For assertion messages: both streams with any key string masked.
    pub fn shown(&self) -> String {
        format!("exit {}\nstdout: {}\nstderr: {}", self.code, redact(&self.stdout), redact(&self.stderr))
    }
}

/// Masks every `kw_…` token so a failing assertion never prints a key.
pub fn redact(text: &str) -> String {
    text.split_inclusive(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .map(|part| if part.starts_with("kw_") && part.len() > 20 { "kw_<redacted> " } else { part })
        .collect()
}

/// A data folder and the person acting on it; with `database`, every command uses that
/// database (`KEYWARD_DATABASE_URL`) instead of the folder's own.
pub struct Home {
    pub dir: tempfile::TempDir,
    pub database: Option<String>,
    /// Commands name their actor with `KEYWARD_ACTOR` (a team device must not).
    pub claims_actor: bool,
    /// A keyring of its own (another person's machine); else the session's.
    pub keyring: Option<keyring::OwnKeyring>,
}

impl Default for Home {
    fn default() -> Home {
        Home { dir: tempfile::tempdir().unwrap(), database: None, claims_actor: true, keyring: None }
    }
}

impl Home {
    pub fn new() -> Home {
        Home::default()
    }

    /// A data folder whose commands all go to the database at `url`.
    pub fn on(url: &str) -> Home {
        Home { database: Some(url.to_owned()), ..Home::default() }
    }

    /// A team device's data folder: who acts is whom it signed in as.
    pub fn device() -> Home {
        Home { claims_actor: false, ..Home::default() }
    }

    /// A team device on a machine of its own: its own D-Bus session and gnome-keyring.
    pub fn own_device() -> Home {
        Home { keyring: Some(keyring::OwnKeyring::start()), ..Home::device() }
    }

    pub fn command(&self, actor: &str, args: &[&str]) -> Command {
        self.in_home(Command::new(BIN), actor, args)
    }

    /// `keyward ARGS` as "ana" with the clock moved by `offset` (faketime's syntax: `+11m`,
    /// `-200d`): a clock override the product itself does not need.
    pub fn command_at(&self, offset: &str, args: &[&str]) -> Command {
        let mut faketime = Command::new("faketime");
        faketime.args(["-f", offset, BIN]);
        self.in_home(faketime, "ana", args)
    }

    fn in_home(&self, mut cmd: Command, actor: &str, args: &[&str]) -> Command {
        cmd.args(args).env("KEYWARD_DATA_DIR", self.dir.path()).stdin(Stdio::null());
        match self.claims_actor {
            true => cmd.env("KEYWARD_ACTOR", actor),
            false => cmd.env_remove("KEYWARD_ACTOR"),
        };
        match &self.database {
            Some(url) => cmd.env("KEYWARD_DATABASE_URL", url),
            None => cmd.env_remove("KEYWARD_DATABASE_URL"),
        };
        if let Some(keyring) = &self.keyring {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", &keyring.bus);
        }
        cmd
    }

    /// Runs `keyward ARGS` as `actor` and waits.
    pub fn run_as(&self, actor: &str, args: &[&str]) -> Run {
        Run::from(self.command(actor, args).output().unwrap())
    }

    /// Runs with `KEYWARD_ACTOR=actor` whatever this home usually does.
    pub fn run_claiming(&self, actor: &str, args: &[&str]) -> Run {
        Run::from(self.command(actor, args).env("KEYWARD_ACTOR", actor).output().unwrap())
    }

    /// Runs as "ana", who creates the accounts in these tests.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_as("ana", args)
    }

    /// Runs and insists on exit 0.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(run.code, 0, "keyward {}: {}", redact(&args.join(" ")), run.shown());
        run
    }

    pub fn db(&self) -> &Path {
        self.dir.path()
    }

    /// Runs SQL on the folder's database directly, as someone with the file would.
    pub fn sql(&self, sql: &str) {
        self.with_db(|pool| async move {
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        });
    }

    /// One column of every row a query returns, read from the folder's database directly.
    pub fn query<T>(&self, sql: &str) -> Vec<T>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin + 'static,
    {
        self.with_db(|pool| async move { sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap() })
    }

    /// A query's one number (a count).
    pub fn count(&self, sql: &str) -> i64 {
        self.query::<i64>(sql)[0]
    }

    fn with_db<F, R>(&self, work: impl FnOnce(sqlx::SqlitePool) -> F) -> R
    where
        F: std::future::Future<Output = R>,
    {
        let db = self.db().join("keyward.db");
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
            let result = work(pool.clone()).await;
            pool.close().await;
            result
        })
    }
}

/// What the OS keyring holds for a key id (via libsecret's own tool), if anything.
pub fn keyring_lookup(key_id: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", keyward_core::paths::APP_IDENTIFIER, "username", key_id])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}
