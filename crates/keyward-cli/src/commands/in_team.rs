//! The commands of a data folder linked to a team, through the team server, with the same output
//! and exit codes as on one machine. Keys are made, sealed and opened here; the server sees
//! hashes and ciphertexts. Commands without a team path yet say so and change nothing.

use std::path::Path;
use std::process::ExitCode;

use keyward_client::device::{self, Signed};
use keyward_core::{Action, Grace, IssuedKey, Reveal};
use serde_json::json;

use super::{account, audit, calls, key, member};
use crate::cli::{AccountCmd, AuditCmd, CallsCmd, Command, KeyCmd, MemberCmd};
use crate::confirm::confirmed;
use crate::failure::{Failure, Result};
use crate::output::print;

pub async fn run(data_dir: &Path, json: bool, command: Command) -> Result<ExitCode> {
    let team = device::signed_in(data_dir)?;
    let Signed { api, .. } = &team;
    match command {
        Command::Account(AccountCmd::Create { name, display_name }) => {
            let account = api.create_account(&name, display_name.as_deref()).await?;
            let me = &team.link.person;
            print(json, &account, |a| format!("Created account {} — you ({me}) are its super admin.", a.name));
        }
        Command::Account(AccountCmd::List) => {
            let accounts = api.accounts().await?;
            print(json, &accounts, |list| {
                if list.is_empty() {
                    return "No accounts yet: an owner creates one with `keyward account create NAME`.".into();
                }
                list.iter().map(account::line).collect::<Vec<_>>().join("\n")
            });
        }
        Command::Member(MemberCmd::Add { account, name, email: _, role }) => {
            let member = api.add_member(&account, &name, role.into()).await?;
            print(json, &member, |m| format!("Added {} to {account} as {}.", m.name, m.role));
        }
        Command::Member(MemberCmd::Remove { account, name }) => {
            member::print_removal(json, &account, &api.remove_member(&account, &name).await?);
        }
        Command::Member(MemberCmd::SetRole { account, name, role }) => {
            let member = api.set_role(&account, &name, role.into()).await?;
            print(json, &member, |m| format!("{} is now {} of {account}.", m.name, m.role));
        }
        Command::Member(MemberCmd::List { account }) => {
            let members = api.members(&account).await?;
            print(json, &members, |list| list.iter().map(member::line).collect::<Vec<_>>().join("\n"));
        }
        Command::Key(KeyCmd::Generate { account }) => {
            let issued = team.generate_key(&account).await?;
            key::hand_over(json, &issued, json!({}));
            eprintln!(
                "Generated {} for {account}, sealed to its super admins' devices. `keyward key show {account}` shows it again.",
                issued.info.hint
            );
        }
        Command::Key(KeyCmd::Show { account }) => {
            let key = team.reveal_key(&account, Reveal::View).await?;
            print(json, &json!({ "key": key.expose() }), |_| key.expose().to_owned());
        }
        Command::Key(KeyCmd::Rotate { account, grace, confirm }) => {
            let grace: Grace = grace.parse()?;
            let issue = async || api.challenge(&account, Action::Rotate).await;
            let consequence = key::rotate_consequence(&account, grace);
            let (new_key, rotation) = confirmed(issue, Action::Rotate, confirm.yes, &consequence, async |c| {
                team.rotate_key(&account, grace, c).await
            })
            .await?;
            let old = key::Retired {
                key_id: &rotation.old_key_id,
                valid_until: rotation.old_key_valid_until,
                confirmed_by: &rotation.confirmed_by,
            };
            key::print_rotation(json, &account, &IssuedKey { key: new_key, info: rotation.new_key.clone() }, old);
        }
        Command::Key(KeyCmd::Deactivate { account, confirm }) => {
            let issue = async || api.challenge(&account, Action::Deactivate).await;
            let consequence = key::deactivate_consequence(&account);
            let done = confirmed(issue, Action::Deactivate, confirm.yes, &consequence, async |c| {
                api.deactivate_key(&account, c).await
            })
            .await?;
            print(json, &done, |d| format!("Deactivated key {} of {account}.", d.key_id));
        }
        Command::Key(KeyCmd::Status { account }) => {
            let status = api.key_status(&account).await?;
            print(json, &status, key::describe);
        }
        Command::Whoami => {
            let me = api.me().await?;
            let shown = json!({ "actor": me.person, "device": me.device, "server": team.link.server });
            print(json, &shown, |_| {
                format!("{} on {} ({}) (team server: {})", me.person, me.device, me.device_label, team.link.server)
            });
        }
        Command::Key(KeyCmd::Share { account }) => {
            let added = team.share_key(&account).await?;
            print(json, &json!({ "shared_with": added }), |_| match added {
                0 => format!("Every device of {account}'s super admins can open its key already."),
                n => format!("Sealed the key of {account} to {n} more device(s) of its super admins."),
            });
        }
        Command::Audit(AuditCmd::List { account, event, limit }) => {
            let entries = api.audit(&account, event.as_deref(), limit).await?;
            print(json, &entries, |list| list.iter().map(audit::line).collect::<Vec<_>>().join("\n"));
        }
        Command::Audit(AuditCmd::Verify) => return Ok(audit::print_verdict(json, &api.verify_audit().await?)),
        Command::Calls(CallsCmd::List { account, filter }) => {
            let calls = api.calls(&calls::to_filter(account, &filter)?).await?;
            print(json, &calls, |list| calls::lines(list));
        }
        Command::Calls(CallsCmd::Stats { account }) => {
            let stats = api.call_stats(account.as_deref()).await?;
            print(json, &stats, calls::describe);
        }
        other => return Err(not_yet(&team.link.server, &other)),
    }
    Ok(ExitCode::SUCCESS)
}

/// A command with no team path yet: nothing is done (the local file is not the team's data).
fn not_yet(server: &str, command: &Command) -> Failure {
    let name = match command {
        Command::Account(_) => "account (other than create and list)",
        Command::Member(_) => "member set-email (a team person's email is the team's)",
        Command::Key(_) => "key (other than generate, show, status, share, rotate and deactivate)",
        Command::Audit(_) => "audit export",
        Command::Calls(_) => "calls (other than list and stats)",
        Command::Reminders(_) => "reminders",
        Command::Config(_) => "config",
        Command::Db(_) => "db",
        Command::Whoami | Command::Serve(_) | Command::Team(_) => "this command",
    };
    Failure::Failed(format!(
        "this data folder is connected to the team at {server}; `keyward {name}` does not go to a team server in this version and nothing was done: use `keyward team status`, or `keyward team leave` to work locally"
    ))
}
