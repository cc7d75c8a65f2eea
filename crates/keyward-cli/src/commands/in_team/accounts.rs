//! Accounts and members through the team server: owners create accounts, members are people of
//! the team.

use std::process::ExitCode;

use keyward_client::device::Signed;
use keyward_core::Grace;

use crate::cli::{AccountCmd, MemberCmd};
use crate::commands::{account, member};
use crate::failure::Result;
use crate::output::print;

pub async fn account(team: &Signed, json: bool, cmd: AccountCmd) -> Result<ExitCode> {
    let api = &team.api;
    match cmd {
        AccountCmd::Create { name, display_name } => {
            let account = api.create_account(&name, display_name.as_deref()).await?;
            let me = &team.link.person;
            print(json, &account, |a| format!("Created account {} — you ({me}) are its super admin.", a.name));
        }
        AccountCmd::List => {
            let accounts = api.accounts().await?;
            print(json, &accounts, |list| {
                if list.is_empty() {
                    return "No accounts yet: an owner creates one with `keyward account create NAME`.".into();
                }
                list.iter().map(account::line).collect::<Vec<_>>().join("\n")
            });
        }
        AccountCmd::Show { name } => print(json, &api.account(&name).await?, account::describe),
        AccountCmd::Policy { name, rotation_days, lead_days } => {
            let mut shown = api.account(&name).await?;
            if rotation_days.is_some() || lead_days.is_some() {
                let period = rotation_days.unwrap_or(shown.rotation_period_days.into());
                let lead = lead_days.unwrap_or(shown.reminder_lead_days.into());
                shown = api.set_policy(&name, period, lead).await?;
            }
            print(json, &shown, account::describe_policy);
        }
        AccountCmd::Limits { name, burst, daily } => {
            let current = api.limits(&name).await?;
            let limits = match account::changed_limits(current, burst.as_deref(), daily)? {
                Some(limits) => api.set_limits(&name, &limits).await?,
                None => current,
            };
            print(json, &limits, |l| account::describe_limits(&name, l));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn member(team: &Signed, json: bool, cmd: MemberCmd) -> Result<ExitCode> {
    let api = &team.api;
    match cmd {
        // A team person's email is the team's own.
        MemberCmd::Add { account, name, email: _, role } => {
            let member = api.add_member(&account, &name, role.into()).await?;
            print(json, &member, |m| format!("Added {} to {account} as {}.", m.name, m.role));
        }
        MemberCmd::List { account } => {
            let members = api.members(&account).await?;
            print(json, &members, |list| list.iter().map(member::line).collect::<Vec<_>>().join("\n"));
        }
        MemberCmd::Remove { account, name, rotate, confirm } => {
            let removal = api.remove_member(&account, &name).await?;
            member::print_removal(json, &account, &removal, rotate);
            if rotate && removal.may_hold_key {
                super::keys::rotate(team, json, &account, Grace::None, confirm.yes).await?;
            }
        }
        MemberCmd::SetRole { account, name, role } => {
            let member = api.set_role(&account, &name, role.into()).await?;
            print(json, &member, |m| format!("{} is now {} of {account}.", m.name, m.role));
        }
        MemberCmd::SetEmail { .. } => {
            let why = "a team person's email is the team's: an owner invites them with `keyward team invite NAME --email ADDRESS`";
            return Err(super::not_here(&team.link.server, why));
        }
    }
    Ok(ExitCode::SUCCESS)
}
