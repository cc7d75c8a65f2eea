//! The commands of a data folder linked to a team, through the team server, with the same output
//! and exit codes as on one machine. Keys are made, sealed and opened here; the server sees
//! hashes and ciphertexts. Commands with no team meaning say so and change nothing.
//!
//! - `accounts`: account and member commands
//! - `keys`: key commands (sealed, opened and verified through the team)
//! - `logs`: audit trail, call log and reminders

mod accounts;
mod keys;
mod logs;

pub(super) use keys::rotate;

use std::path::Path;
use std::process::ExitCode;

use keyward_client::device;
use serde_json::json;

use crate::cli::Command;
use crate::failure::{Failure, Result};
use crate::output::print;

pub async fn run(data_dir: &Path, json: bool, command: Command) -> Result<ExitCode> {
    let team = device::signed_in(data_dir)?;
    match command {
        Command::Account(cmd) => accounts::account(&team, json, cmd).await,
        Command::Member(cmd) => accounts::member(&team, json, cmd).await,
        Command::Key(cmd) => keys::run(&team, json, cmd).await,
        Command::Audit(cmd) => logs::audit(&team, json, cmd).await,
        Command::Calls(cmd) => logs::calls(&team, json, cmd).await,
        Command::Reminders(cmd) => logs::reminders(&team, json, cmd).await,
        Command::Whoami => {
            let me = team.api.me().await?;
            let shown = json!({ "actor": me.person, "device": me.device, "server": team.link.server });
            print(json, &shown, |_| {
                format!("{} on {} ({}) (team server: {})", me.person, me.device, me.device_label, team.link.server)
            });
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(_) | Command::Db(_) => Err(not_here(
            &team.link.server,
            "`keyward config` and `keyward db` work on a database: name the team's with --database",
        )),
        Command::Serve(_) | Command::Team(_) => unreachable!("run before the team link is read"),
    }
}

/// A command that has no meaning through a team server: nothing is done.
pub(super) fn not_here(server: &str, why: &str) -> Failure {
    Failure::Failed(format!(
        "this data folder is connected to the team at {server}: {why}. Nothing was done (`keyward team leave` works locally again)"
    ))
}
