use std::process::ExitCode;

use chrono::Utc;
use keyward_core::{CallEntry, CallFilter, CallStats};

use crate::failure::{Failure, Result};

use super::Ctx;
use crate::cli::{CallFilterArgs, CallsCmd, ExportFormat};
use crate::output::{self, print};
use crate::since;

pub async fn run(ctx: &Ctx, cmd: CallsCmd) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    let now = Utc::now();
    match cmd {
        CallsCmd::List { account, filter } => {
            let calls = keyward.list_calls(actor, &to_filter(account, &filter)?, now).await?;
            print(*json, &calls, |list| lines(list));
        }
        CallsCmd::Export { account, format, filter } => {
            let filter = to_filter(account, &filter)?;
            match format {
                ExportFormat::Csv => {
                    let stdout = std::io::stdout().lock();
                    keyward.export_calls_csv(actor, &filter, now, stdout).await.map_err(output::export_failed)?;
                }
                ExportFormat::Json => print(true, &keyward.list_calls(actor, &filter, now).await?, |_| String::new()),
            }
        }
        CallsCmd::Stats { account } => {
            let stats = keyward.call_stats(actor, account.as_deref(), now).await?;
            print(*json, &stats, describe);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn to_filter(account: Option<String>, args: &CallFilterArgs) -> Result<CallFilter> {
    let status_class = match args.status.as_deref() {
        None => None,
        Some(s @ ("2xx" | "3xx" | "4xx" | "5xx")) => Some(u16::from(s.as_bytes()[0] - b'0')),
        Some(other) => return Err(Failure::Usage(format!("\"{other}\" is not a status class: use 2xx, 4xx or 5xx"))),
    };
    Ok(CallFilter {
        account,
        since: Some(Utc::now() - since::parse(&args.since)?),
        status_class,
        outcome: args.outcome.as_ref().map(|o| o.to_ascii_uppercase()),
        limit: Some(args.limit),
        ..CallFilter::default()
    })
}

pub(super) fn lines(calls: &[CallEntry]) -> String {
    if calls.is_empty() {
        return "No calls in that window.".into();
    }
    calls.iter().map(line).collect::<Vec<_>>().join("\n")
}

fn line(c: &CallEntry) -> String {
    format!(
        "{}  {:<6} {:<40} {} {:<12} {:>7}µs  {:<15} {}",
        c.at,
        c.method,
        c.path,
        c.status,
        c.outcome,
        c.latency_us,
        c.client_ip,
        c.account.as_deref().or(c.key_fingerprint.as_deref()).unwrap_or("-")
    )
}

pub(super) fn describe(stats: &CallStats) -> String {
    let mut lines: Vec<String> =
        stats.hours.iter().map(|h| format!("{}  {:<12} {}", h.hour, h.outcome, h.count)).collect();
    lines.push(format!("logged since {}: {}", stats.since, stats.logged));
    lines.push(format!(
        "all gateways, ever: served {} = logged {} + dropped {}{}",
        stats.served,
        stats.logged_ever,
        stats.dropped,
        if stats.served == stats.logged_ever + stats.dropped { "" } else { " (some rows are still queued)" }
    ));
    lines.join("\n")
}
