use std::process::ExitCode;

use chrono::Utc;
use keyward_core::domain::audit::to_csv;
use keyward_core::{AuditEntry, ChainStatus};

use crate::failure::Result;

use super::Ctx;
use crate::cli::{AuditCmd, ExportFormat};
use crate::output::{self, print};

pub async fn run(ctx: &Ctx, cmd: AuditCmd) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    match cmd {
        AuditCmd::List { account, event, limit } => {
            let entries = keyward.audit_entries(actor, &account, event.as_deref(), limit, Utc::now()).await?;
            print(*json, &entries, |list| list.iter().map(line).collect::<Vec<_>>().join("\n"));
        }
        AuditCmd::Verify => return Ok(print_verdict(*json, &keyward.verify_audit_chain().await?)),
        AuditCmd::Export { account, format } => {
            let entries = keyward.audit_entries(actor, &account, None, None, Utc::now()).await?;
            match format {
                ExportFormat::Csv => output::write_stdout(&to_csv(&entries)?)?,
                ExportFormat::Json => print(true, &entries, |_| String::new()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The chain's verdict; a broken chain exits 1.
pub(super) fn print_verdict(json: bool, status: &ChainStatus) -> ExitCode {
    print(json, status, |s| match s {
        ChainStatus::Verified { entries } => format!("Verified: {entries} entries, chain intact."),
        ChainStatus::Broken { entry, reason } => format!("BROKEN at entry {entry}: {reason}."),
    });
    match status {
        ChainStatus::Verified { .. } => ExitCode::SUCCESS,
        ChainStatus::Broken { .. } => ExitCode::FAILURE,
    }
}

pub(super) fn line(e: &AuditEntry) -> String {
    format!(
        "{:>5}  {}  {:<18} {:<12} {:<22} {}",
        e.seq,
        e.at,
        e.event,
        e.actor,
        e.key_id.as_deref().unwrap_or("-"),
        if e.details == "{}" { "" } else { &e.details }
    )
}
