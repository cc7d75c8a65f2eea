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

/// The trail's verdict; anything but an intact chain exits 1.
pub(super) fn print_verdict(json: bool, status: &ChainStatus) -> ExitCode {
    print(json, status, |s| match s {
        ChainStatus::Verified { entries, checkpoint: Some(anchored) } => {
            format!("Verified: {entries} entries, chain intact; the signed checkpoint at entry {anchored} holds.")
        }
        ChainStatus::Verified { entries, checkpoint: None } => format!(
            "Verified: {entries} entries, chain intact (no signed checkpoint on this machine yet: \
             newest rows cut off would not show until the next change anchors the trail)."
        ),
        ChainStatus::Broken { entry, reason } => format!("BROKEN at entry {entry}: {reason}."),
        ChainStatus::Truncated { entries, checkpoint } => format!(
            "TRUNCATED: the trail has {entries} entries but its signed checkpoint recorded {checkpoint}: \
             entries {}-{checkpoint} are missing (cut off, or an older copy of the database put back).",
            entries + 1
        ),
        ChainStatus::BadCheckpoint { reason } => format!("CHECKPOINT REFUSED: {reason}."),
    });
    match status {
        ChainStatus::Verified { .. } => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
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
