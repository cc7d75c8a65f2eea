use std::process::ExitCode;

use chrono::Utc;
use keyward_core::store::Database;
use keyward_core::Keyward;
use serde_json::json;

use super::Ctx;
use crate::cli::DbCmd;
use crate::failure::Result;
use crate::output::print;

pub async fn run(ctx: &Ctx, cmd: DbCmd) -> Result<ExitCode> {
    match cmd {
        DbCmd::Copy { to } => {
            let target = Keyward::open_database(&Database::parse(&to)?).await?;
            let report = ctx.keyward.copy_into(&target, Utc::now()).await?;
            let shown = json!({
                "from": ctx.keyward.database().redacted(),
                "to": target.database().redacted(),
                "tables": report.tables.iter().map(|(table, rows)| json!({ "table": table, "rows": rows })).collect::<Vec<_>>(),
                "calls": report.calls,
            });
            print(ctx.json, &shown, |_| {
                let tables: Vec<String> =
                    report.tables.iter().map(|(table, rows)| format!("  {table}: {rows}")).collect();
                format!(
                    "Copied {} into {}:\n{}\n  calls (last 7 days): {}\nKey secrets stay in this machine's keyring: show and copy keys here.",
                    ctx.keyward.database(),
                    target.database(),
                    tables.join("\n"),
                    report.calls
                )
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
