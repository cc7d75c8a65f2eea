use std::io::Read;
use std::process::ExitCode;

use chrono::Utc;
use keyward_core::{Action, Grace, IssuedKey, KeyStatus, Reveal};

use crate::failure::{Failure, Result};
use serde_json::json;

use super::Ctx;
use crate::cli::KeyCmd;
use crate::confirm::confirmed;
use crate::output::{days, print};

pub async fn run(ctx: &Ctx, cmd: KeyCmd) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    match cmd {
        KeyCmd::Generate { account } => {
            let issued = keyward.generate_key(actor, &account, Utc::now()).await?;
            hand_over(*json, &issued, json!({}));
            eprintln!("Generated {} for {account}. `keyward key show {account}` shows it again.", issued.info.hint);
        }
        KeyCmd::Show { account } => {
            let key = keyward.reveal_key(actor, &account, Reveal::View, Utc::now()).await?;
            // The key alone, so `$(keyward key show ACCOUNT)` works.
            print(*json, &json!({ "key": key.expose() }), |_| key.expose().to_owned());
        }
        KeyCmd::Share { .. } => {
            return Err(Failure::Usage(
                "`keyward key share` is for team mode: on one machine the key is in this keyring already".into(),
            ));
        }
        KeyCmd::Status { account } => {
            let status = keyward.key_status(actor, &account, Utc::now()).await?;
            print(*json, &status, describe);
        }
        KeyCmd::Rotate { account, grace, confirm } => rotate(ctx, &account, grace.parse()?, confirm.yes).await?,
        KeyCmd::ExpireNow { account, key_id } => {
            let ended = keyward.expire_now(actor, &account, key_id.as_deref(), Utc::now()).await?;
            print_expired(*json, &ended);
        }
        KeyCmd::Deactivate { account, confirm } => {
            let issue = async || keyward.issue_challenge(actor, &account, Action::Deactivate, Utc::now()).await;
            let consequence = deactivate_consequence(&account);
            let done = confirmed(issue, Action::Deactivate, confirm.yes, &consequence, async |c| {
                keyward.deactivate_key(actor, &account, c, Utc::now()).await
            })
            .await?;
            print(*json, &done, |d| format!("Deactivated key {} of {account}.", d.key_id));
        }
        KeyCmd::Verify { key } => {
            let verification = keyward.verify_key(candidate_key(key.as_deref())?.trim(), Utc::now()).await?;
            print(*json, &verification, |v| match &v.account {
                Some(account) => format!("{} ({account}, {})", v.code, v.key_id.as_deref().unwrap_or("")),
                None => v.code.to_string(),
            });
            return Ok(if verification.valid { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Rotates the account's key after its confirmation, then hands the new key over.
pub(super) async fn rotate(ctx: &Ctx, account: &str, grace: Grace, yes: bool) -> Result<()> {
    let Ctx { keyward, actor, json } = ctx;
    let issue = async || keyward.issue_challenge(actor, account, Action::Rotate, Utc::now()).await;
    let consequence = rotate_consequence(account, grace);
    let rotation = confirmed(issue, Action::Rotate, yes, &consequence, async |c| {
        keyward.rotate_key(actor, account, grace, c, Utc::now()).await
    })
    .await?;
    let old = Retired {
        key_id: &rotation.old_key_id,
        valid_until: rotation.old_key_valid_until,
        confirmed_by: rotation.confirmed_by,
    };
    print_rotation(*json, account, &rotation.new_key, old);
    Ok(())
}

pub(super) fn print_expired(json: bool, ended: &[String]) {
    print(json, &json!({ "ended": ended }), |_| format!("Ended the grace window of {}.", ended.join(", ")));
}

/// The key to verify: the argument, or stdin when it is `-` or absent.
pub(super) fn candidate_key(key: Option<&str>) -> Result<String> {
    match key {
        None | Some("-") => read_stdin(),
        Some(text) => Ok(text.to_owned()),
    }
}

pub(super) fn rotate_consequence(account: &str, grace: Grace) -> String {
    match grace {
        Grace::None => format!("Rotating the key of {account}: integrations using it stop working now."),
        g => format!("Rotating the key of {account}: the old key stops working in {}.", g),
    }
}

pub(super) fn deactivate_consequence(account: &str) -> String {
    format!("Deactivating the key of {account}: integrations using it stop working now and no new key is made.")
}

/// The key a rotation retired.
pub(super) struct Retired<'a> {
    pub key_id: &'a str,
    pub valid_until: Option<keyward_core::time::Timestamp>,
    pub confirmed_by: &'a str,
}

/// The new key on stdout (with the old one's facts in JSON), what became of the old on stderr.
pub(super) fn print_rotation(json: bool, account: &str, new_key: &IssuedKey, old: Retired<'_>) {
    let facts = json!({
        "old_key_id": old.key_id,
        "old_key_valid_until": old.valid_until,
        "confirmed_by": old.confirmed_by,
    });
    hand_over(json, new_key, facts);
    match old.valid_until {
        Some(until) => eprintln!("Rotated {account}: the old key works until {until}."),
        None => eprintln!("Rotated {account}: the old key no longer works."),
    }
}

/// Prints a new key: alone on stdout, or as JSON with its facts and `extra`.
pub(super) fn hand_over(json: bool, issued: &IssuedKey, extra: serde_json::Value) {
    if json {
        let mut out = json!({
            "key": issued.key.expose(),
            "key_id": issued.info.key_id,
            "hint": issued.info.hint,
            "created_at": issued.info.created_at,
            "created_by": issued.info.created_by,
        });
        if let (Some(out), Some(extra)) = (out.as_object_mut(), extra.as_object()) {
            out.extend(extra.clone());
        }
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON values serialise"));
    } else {
        println!("{}", issued.key.expose());
    }
}

pub(super) fn describe(status: &KeyStatus) -> String {
    let mut lines = vec![];
    match &status.active {
        None => lines.push(format!(
            "{}: no active key (generate one with `keyward key generate {}`)",
            status.account, status.account
        )),
        Some(k) => {
            lines.push(format!("{}: {} ({})", status.account, k.hint, k.key_id));
            lines.push(format!("  created {} ({}) by {}", k.created_at, days(k.age_days), k.created_by));
            let due = if k.rotation_due { "ROTATION RECOMMENDED since" } else { "rotation due" };
            lines.push(format!("  {due} {} ({}-day policy)", k.rotation_due_at, k.rotation_period_days));
            if let Some(used) = k.last_used_at {
                lines.push(format!("  last used {used}"));
            }
        }
    }
    for g in &status.grace {
        lines.push(format!("  old key {} ({}) still works until {}", g.hint, g.key_id, g.valid_until));
    }
    lines.join("\n")
}

fn read_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .take(1024)
        .read_to_string(&mut text)
        .map_err(|err| Failure::Failed(format!("could not read the key from stdin: {err}")))?;
    Ok(text)
}
