use std::process::ExitCode;

use chrono::Utc;
use keyward_core::{Delivery, DueReminder, Error};

use crate::failure::{Failure, Result};
use serde_json::json;

use super::Ctx;
use crate::cli::RemindersCmd;
use crate::mailer::Mailer;
use crate::output::{print, EXIT_FAILURE};

pub async fn run(ctx: &Ctx, cmd: RemindersCmd) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    match cmd {
        RemindersCmd::Due => {
            let due = keyward.due_reminders(Utc::now()).await?;
            print(*json, &due, |list| {
                if list.is_empty() {
                    return "No reminders are due.".into();
                }
                list.iter().map(line).collect::<Vec<_>>().join("\n")
            });
            Ok(ExitCode::SUCCESS)
        }
        RemindersCmd::Send => send(ctx).await,
        RemindersCmd::Snooze { account, duration } => {
            let days = match duration.as_str() {
                "1d" => 1,
                "1w" | "7d" => 7,
                other => return Err(Failure::Usage(format!("\"{other}\" is not a snooze: use 1d or 1w"))),
            };
            let until = keyward.snooze_reminders(actor, &account, days, Utc::now()).await?;
            print(*json, &json!({ "account": account, "until": until }), |_| {
                format!("Reminders for {account} snoozed until {until}.")
            });
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Emails each due reminder once. People without an email address are reported, not failed.
async fn send(ctx: &Ctx) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    let mailer = Mailer::new(&keyward.mail_config().await?)?;
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
            Err(SendError::Core(err)) => return Err(err.into()),
        };
        report.push(json!({ "reminder": reminder, "result": result, "message": message }));
    }
    print(*json, &report, |items| {
        if items.is_empty() {
            return "No reminders are due.".into();
        }
        items
            .iter()
            .map(|i| {
                format!(
                    "{}  {}: {}",
                    i["reminder"]["account"].as_str().unwrap_or(""),
                    i["reminder"]["recipient"].as_str().unwrap_or(""),
                    i["message"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(if failed { ExitCode::from(EXIT_FAILURE) } else { ExitCode::SUCCESS })
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
