use std::process::ExitCode;

use chrono::Utc;
use keyward_core::{Grace, Member, Removal, Role};

use crate::failure::Result;

use super::Ctx;
use crate::cli::{MemberCmd, RoleArg};
use crate::output::print;

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::SuperAdmin => Role::SuperAdmin,
            RoleArg::Member => Role::Member,
        }
    }
}

pub async fn run(ctx: &Ctx, cmd: MemberCmd) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    let now = Utc::now();
    match cmd {
        MemberCmd::Add { account, name, email, role } => {
            let member = keyward.add_member(actor, &account, &name, email.as_deref(), role.into(), now).await?;
            print(*json, &member, |m| format!("Added {} to {account} as {}.", m.name, m.role));
        }
        MemberCmd::List { account } => {
            let members = keyward.list_members(actor, &account, now).await?;
            print(*json, &members, |list| list.iter().map(line).collect::<Vec<_>>().join("\n"));
        }
        MemberCmd::Remove { account, name, rotate, confirm } => {
            let removal = keyward.remove_member(actor, &account, &name, now).await?;
            print_removal(*json, &account, &removal, rotate);
            if rotate && removal.may_hold_key {
                super::key::rotate(ctx, &account, Grace::None, confirm.yes).await?;
            }
        }
        MemberCmd::SetRole { account, name, role } => {
            let member = keyward.set_role(actor, &account, &name, role.into(), now).await?;
            print(*json, &member, |m| format!("{} is now {} of {account}.", m.name, m.role));
        }
        MemberCmd::SetEmail { account, name, email, clear: _ } => {
            // clap lets exactly one of EMAIL and --clear through.
            let member = keyward.set_member_email(actor, &account, &name, email.as_deref(), now).await?;
            print(*json, &member, |m| match &m.email {
                Some(email) => format!("{}'s reminders in {account} go to {email}.", m.name),
                None => format!("{} has no email address in {account} now.", m.name),
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The removal, and the offer to rotate when the person may have seen the key (unless the
/// rotation follows).
pub(super) fn print_removal(json: bool, account: &str, removal: &Removal, rotating: bool) {
    let shown = serde_json::json!({ "removed": removal.member, "may_hold_key": removal.may_hold_key });
    print(json, &shown, |_| format!("Removed {} from {account}.", removal.member));
    if removal.may_hold_key && !rotating {
        eprintln!(
            "{} may still hold the key of {account}: rotate it with `keyward key rotate {account}` (or remove with --rotate).",
            removal.member
        );
    }
}

pub(super) fn line(m: &Member) -> String {
    format!("{:<24} {:<12} {}", m.name, m.role, m.email.as_deref().unwrap_or(""))
}
