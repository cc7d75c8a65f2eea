//! Dispatch: open the store in the data folder, run one command, return its exit code.

mod account;
mod audit;
mod calls;
mod config;
mod db;
mod in_team;
mod key;
mod member;
mod reminder_mail;
mod reminders;
mod serve;
mod team;

use std::process::ExitCode;

use keyward_core::error::TeamProblem;
use keyward_core::paths::default_data_dir;
use keyward_core::store::Database;
use keyward_core::{Actor, Error, Keyward};
use serde_json::json;

use crate::cli::{Cli, Command};
use crate::failure::{Failure, Result};
use crate::output;

/// What every command gets: the store, the acting person, and whether to print JSON.
pub struct Ctx {
    pub keyward: Keyward,
    pub actor: Actor,
    pub json: bool,
}

pub async fn run(cli: Cli) -> Result<ExitCode> {
    let data_dir = cli
        .data_dir
        .or_else(default_data_dir)
        .ok_or_else(|| Failure::Usage("no data folder could be found for this user: pass --data-dir DIR".into()))?;
    let database = cli.database.as_deref().filter(|url| !url.trim().is_empty());
    let link = keyward_client::link::load(&data_dir)?;
    // In a team you are who your device signed in as; a claimed name would be ignored silently.
    if link.is_some() && std::env::var_os(keyward_core::actor::ACTOR_ENV).is_some() {
        return Err(Error::Team(TeamProblem::ActorOverride).into());
    }
    let command = match cli.command {
        Command::Team(cmd) => return team::run(&data_dir, database, cli.json, cmd).await,
        command => command,
    };
    // A data folder linked to a team: the team server is the authority, never this folder's file.
    if link.is_some() && database.is_none() && !matches!(command, Command::Serve(_)) {
        return in_team::run(&data_dir, cli.json, command).await;
    }
    let keyward = match database {
        Some(url) => Keyward::open_database(&Database::parse(url)?).await?,
        None => Keyward::open(&data_dir).await?,
    };
    // Verify and status must work without a keyring, so a failed clean only waits for next time.
    let _ = keyward.clean_orphaned_secrets(chrono::Utc::now()).await;
    let ctx = Ctx { keyward, actor: Actor::local(), json: cli.json };
    match command {
        Command::Team(_) => unreachable!("handled above"),
        Command::Whoami => {
            let me = json!({
                "actor": ctx.actor.name(),
                "device": ctx.keyward.device(),
                "data_dir": data_dir.display().to_string(),
                "database": ctx.keyward.database().redacted(),
            });
            output::print(ctx.json, &me, |m| {
                format!(
                    "{} on {} (database: {})",
                    m["actor"].as_str().unwrap_or(""),
                    m["device"].as_str().unwrap_or(""),
                    m["database"].as_str().unwrap_or("")
                )
            });
            Ok(ExitCode::SUCCESS)
        }
        Command::Account(cmd) => account::run(&ctx, cmd).await,
        Command::Member(cmd) => member::run(&ctx, cmd).await,
        Command::Key(cmd) => key::run(&ctx, cmd).await,
        Command::Audit(cmd) => audit::run(&ctx, cmd).await,
        Command::Calls(cmd) => calls::run(&ctx, cmd).await,
        Command::Serve(args) => serve::run(ctx.keyward, args).await,
        Command::Reminders(cmd) => reminders::run(&ctx, cmd).await,
        Command::Config(cmd) => config::run(&ctx, cmd).await,
        Command::Db(cmd) => db::run(&ctx, cmd).await,
    }
}
