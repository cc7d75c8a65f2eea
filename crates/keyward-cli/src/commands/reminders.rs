use std::process::ExitCode;

use chrono::Utc;
use keyward_core::{Actor, Delivery, DueReminder, Error, Keyward, Timestamp};

use crate::failure::{Failure, Result};
use serde_json::{json, Value};

use super::Ctx;
use crate::cli::RemindersCmd;
use crate::mailer::Mailer;
use crate::output::{print, EXIT_FAILURE};

pub async fn run(ctx: &Ctx, cmd: RemindersCmd) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    match cmd {
        RemindersCmd::Due => {
            let due = keyward.due_reminders(Utc::now()).await?;
            print(*json, &due, |list| lines(list));
            Ok(ExitCode::SUCCESS)
        }
        RemindersCmd::Send => send(ctx).await,
        RemindersCmd::Snooze { account, duration } => {
            let until = keyward.snooze_reminders(actor, &account, snooze_days(&duration)?, Utc::now()).await?;
            print_snoozed(*json, &account, until);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Emails each due reminder once. People without an email address are reported, not failed.
async fn send(ctx: &Ctx) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    let mailer = Mailer::new(&keyward.mail_config().await?)?;
    let (report, failed) = email_due(keyward, actor, &mailer).await?;
    print(*json, &report, |items| {
        if items.is_empty() {
            return "No reminders are due.".into();
        }
        items.iter().map(report_line).collect::<Vec<_>>().join("\n")
    });
    Ok(if failed { ExitCode::from(EXIT_FAILURE) } else { ExitCode::SUCCESS })
}

/// Emails every due reminder that no one (no other run, replica or device) delivered yet; a
/// refused send stays due. Returns a report item per reminder, and whether any send failed.
pub(crate) async fn email_due(
    keyward: &Keyward,
    actor: &Actor,
    mailer: &Mailer,
) -> keyward_core::Result<(Vec<Value>, bool)> {
    let now = Utc::now();
    let mut report = vec![];
    let mut failed = false;
    for reminder in keyward.due_reminders(now).await? {
        let Some(address) = reminder.email.clone() else {
            report.push(json!({ "reminder": reminder, "result": "no_email",
                "message": format!("{} has no email address in {}: this reminder reaches them only in the desktop app", reminder.recipient, reminder.account) }));
            continue;
        };
        let outcome = keyward
            .deliver_reminder(actor, &reminder, "email", now, async {
                mailer.send(&reminder, &address).await.map_err(SendError::Smtp)
            })
            .await;
        let (result, message) = match outcome {
            Ok(Delivery::Sent) => ("sent", format!("sent to {address}")),
            Ok(Delivery::AlreadySent) => ("already_sent", "already sent by another run".to_owned()),
            Err(SendError::Smtp(why)) => {
                failed = true;
                ("failed", format!("not sent to {address}: {why}; it stays due for the next run"))
            }
            Err(SendError::Core(err)) => return Err(err),
        };
        report.push(json!({ "reminder": reminder, "result": result, "message": message }));
    }
    Ok((report, failed))
}

/// "acme  carol: sent to carol@example.com"
pub(crate) fn report_line(item: &Value) -> String {
    format!(
        "{}  {}: {}",
        item["reminder"]["account"].as_str().unwrap_or(""),
        item["reminder"]["recipient"].as_str().unwrap_or(""),
        item["message"].as_str().unwrap_or("")
    )
}

/// A send fails either at the SMTP server (stays due) or in the store.
enum SendError {
    Smtp(String),
    Core(Error),
}

impl From<Error> for SendError {
    fn from(err: Error) -> SendError {
        SendError::Core(err)
    }
}

/// `1d` or `1w` (also `7d`) as days.
pub(super) fn snooze_days(duration: &str) -> Result<i64> {
    match duration {
        "1d" => Ok(1),
        "1w" | "7d" => Ok(7),
        other => Err(Failure::Usage(format!("\"{other}\" is not a snooze: use 1d or 1w"))),
    }
}

pub(super) fn print_snoozed(json: bool, account: &str, until: Timestamp) {
    print(json, &json!({ "account": account, "until": until }), |_| {
        format!("Reminders for {account} snoozed until {until}.")
    });
}

pub(super) fn lines(due: &[DueReminder]) -> String {
    if due.is_empty() {
        return "No reminders are due.".into();
    }
    due.iter().map(line).collect::<Vec<_>>().join("\n")
}

fn line(r: &DueReminder) -> String {
    format!(
        "{:<20} {:<10} {:<14} key {} is {} days old (rotation due {})  -> {}{}",
        r.account,
        r.kind,
        r.recipient,
        r.key_hint,
        r.age_days,
        r.rotation_due_at,
        r.recipient,
        r.email.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default()
    )
}
