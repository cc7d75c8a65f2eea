//! The audit trail, the call log of every gateway, and this person's reminders, through the
//! team server.

use std::process::ExitCode;

use keyward_client::device::Signed;

use crate::cli::{AuditCmd, CallsCmd, ExportFormat, RemindersCmd};
use crate::commands::{audit, calls, reminders};
use crate::failure::Result;
use crate::output::{self, print};
use keyward_core::domain::audit::to_csv;

pub async fn audit(team: &Signed, json: bool, cmd: AuditCmd) -> Result<ExitCode> {
    match cmd {
        AuditCmd::List { account, event, limit } => {
            let entries = team.api.audit(&account, event.as_deref(), limit).await?;
            print(json, &entries, |list| list.iter().map(audit::line).collect::<Vec<_>>().join("\n"));
        }
        AuditCmd::Export { account, format } => {
            let entries = team.api.audit(&account, None, None).await?;
            match format {
                ExportFormat::Csv => output::write_stdout(&to_csv(&entries)?)?,
                ExportFormat::Json => print(true, &entries, |_| String::new()),
            }
        }
        AuditCmd::Verify => return Ok(audit::print_verdict(json, &team.api.verify_audit().await?)),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn calls(team: &Signed, json: bool, cmd: CallsCmd) -> Result<ExitCode> {
    match cmd {
        CallsCmd::List { account, filter } => {
            let calls = team.api.calls(&calls::to_filter(account, &filter)?).await?;
            print(json, &calls, |list| calls::lines(list));
        }
        CallsCmd::Stats { account } => print(json, &team.api.call_stats(account.as_deref()).await?, calls::describe),
        CallsCmd::Export { .. } => {
            let why = "`keyward calls export` reads a database: run it where the team's database is reachable, with --database";
            return Err(super::not_here(&team.link.server, why));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn reminders(team: &Signed, json: bool, cmd: RemindersCmd) -> Result<ExitCode> {
    match cmd {
        // Yours: the server emails everyone's.
        RemindersCmd::Due => print(json, &team.api.due_reminders().await?, |due| reminders::lines(due)),
        RemindersCmd::Snooze { account, duration } => {
            let until = team.api.snooze_reminders(&account, reminders::snooze_days(&duration)?).await?;
            reminders::print_snoozed(json, &account, until);
        }
        RemindersCmd::Send => {
            let why = "the team's servers email due reminders themselves (at start and hourly), each once per person";
            return Err(super::not_here(&team.link.server, why));
        }
    }
    Ok(ExitCode::SUCCESS)
}
