//! Key commands through the team server: keys are made and sealed on this device, opened from
//! its own share, and checked by the team's gateway.

use std::process::ExitCode;

use keyward_client::device::Signed;
use keyward_core::{Action, Grace, IssuedKey, Reveal};
use serde_json::json;

use crate::cli::KeyCmd;
use crate::commands::key;
use crate::confirm::confirmed;
use crate::failure::Result;
use crate::output::print;

pub async fn run(team: &Signed, json: bool, cmd: KeyCmd) -> Result<ExitCode> {
    let api = &team.api;
    match cmd {
        KeyCmd::Generate { account } => {
            let issued = team.generate_key(&account).await?;
            key::hand_over(json, &issued, json!({}));
            eprintln!(
                "Generated {} for {account}, sealed to its super admins' devices. `keyward key show {account}` shows it again.",
                issued.info.hint
            );
        }
        KeyCmd::Show { account } => {
            let key = team.reveal_key(&account, Reveal::View).await?;
            print(json, &json!({ "key": key.expose() }), |_| key.expose().to_owned());
        }
        KeyCmd::Status { account } => print(json, &api.key_status(&account).await?, key::describe),
        KeyCmd::Share { account } => {
            let added = team.share_key(&account).await?;
            print(json, &json!({ "shared_with": added }), |_| match added {
                0 => format!("Every device of {account}'s super admins can open its key already."),
                n => format!("Sealed the key of {account} to {n} more device(s) of its super admins."),
            });
        }
        KeyCmd::Rotate { account, grace, confirm } => rotate(team, json, &account, grace.parse()?, confirm.yes).await?,
        KeyCmd::Deactivate { account, confirm } => {
            let issue = async || api.challenge(&account, Action::Deactivate).await;
            let consequence = key::deactivate_consequence(&account);
            let done = confirmed(issue, Action::Deactivate, confirm.yes, &consequence, async |c| {
                api.deactivate_key(&account, c).await
            })
            .await?;
            print(json, &done, |d| format!("Deactivated key {} of {account}.", d.key_id));
        }
        KeyCmd::ExpireNow { account, key_id } => {
            key::print_expired(json, &api.expire_now(&account, key_id.as_deref()).await?);
        }
        KeyCmd::Verify { key } => {
            let candidate = key::candidate_key(key.as_deref())?;
            let verdict = api.verify_key(candidate.trim()).await?;
            print(json, &verdict, |v| match v["account"].as_str() {
                Some(account) => {
                    format!("{} ({account}, {})", v["code"].as_str().unwrap_or(""), v["key_id"].as_str().unwrap_or(""))
                }
                None => v["code"].as_str().unwrap_or("").to_owned(),
            });
            return Ok(if verdict["valid"] == true { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Rotates to a key made and sealed here, after its confirmation, then hands it over.
pub async fn rotate(team: &Signed, json: bool, account: &str, grace: Grace, yes: bool) -> Result<()> {
    let issue = async || team.api.challenge(account, Action::Rotate).await;
    let consequence = key::rotate_consequence(account, grace);
    let (new_key, rotation) =
        confirmed(issue, Action::Rotate, yes, &consequence, async |c| team.rotate_key(account, grace, c).await).await?;
    let old = key::Retired {
        key_id: &rotation.old_key_id,
        valid_until: rotation.old_key_valid_until,
        confirmed_by: &rotation.confirmed_by,
    };
    key::print_rotation(json, account, &IssuedKey { key: new_key, info: rotation.new_key.clone() }, old);
    Ok(())
}
