//! `keyward team …`: enrol this data folder's device with a team server and manage the team's
//! people and devices. Codes are printed alone on stdout (for scripts); what to do with them
//! goes to stderr.

use std::path::Path;
use std::process::ExitCode;

use chrono::Utc;
use keyward_client::device::{self, Join};
use keyward_core::store::Database;
use keyward_core::team::TeamRole;
use keyward_core::{Grace, Keyward};
use serde_json::json;

use crate::cli::TeamCmd;
use crate::failure::{Failure, Result};
use crate::output::print;

pub async fn run(data_dir: &Path, database: Option<&str>, json: bool, cmd: TeamCmd) -> Result<ExitCode> {
    match cmd {
        TeamCmd::SetupCode => {
            let url = database.ok_or_else(|| {
                Failure::Usage("name the team's database: --database postgres://… (or KEYWARD_DATABASE_URL)".into())
            })?;
            let keyward = Keyward::open_database(&Database::parse(url)?).await?;
            let code = keyward.create_setup_code(&keyward_core::Actor::local(), Utc::now()).await?;
            println!("{}", code.code);
            eprintln!(
                "Valid once, until {}: on the first owner's device run `keyward team join https://SERVER --code CODE --name NAME`.",
                code.expires_at
            );
        }
        TeamCmd::Join { url, code, name, email, label, insecure } => {
            let label = label.unwrap_or_else(keyward_core::paths::machine_name);
            let join =
                Join { server: &url, insecure, code: &code, name: &name, email: email.as_deref(), label: &label };
            let me = device::join(data_dir, &join).await?;
            print(json, &me, |me| {
                format!(
                    "Joined the team at {url} as {} ({}); this device is {} ({}).",
                    me.person, me.role, me.device, me.device_label
                )
            });
        }
        TeamCmd::Status => {
            let device::Signed { link, api, .. } = device::signed_in(data_dir)?;
            let me = api.me().await?;
            let shown = json!({
                "server": link.server,
                "person": me.person,
                "email": me.email,
                "role": me.role,
                "device": me.device,
                "device_label": me.device_label,
            });
            print(json, &shown, |_| {
                let email = me.email.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default();
                format!(
                    "Server: {}\nYou: {}{email} ({})\nThis device: {} ({})",
                    link.server, me.person, me.role, me.device, me.device_label
                )
            });
        }
        TeamCmd::Invite { name, email, role } => {
            let role: TeamRole = role.parse()?;
            let device::Signed { api, .. } = device::signed_in(data_dir)?;
            let code = api.invite(&name, email.as_deref(), role).await?;
            println!("{}", code.code);
            eprintln!(
                "Valid once, until {}: {name} runs `keyward team join {} --code CODE --name {name}`.",
                code.expires_at,
                api.server()
            );
        }
        TeamCmd::Devices => {
            let device::Signed { link, api, .. } = device::signed_in(data_dir)?;
            let devices = api.devices().await?;
            print(json, &devices, |devices| {
                let rows: Vec<String> = devices
                    .iter()
                    .map(|d| {
                        let this = if d.id == link.device { "  (this device)" } else { "" };
                        let state = if d.revoked { "revoked" } else { "active" };
                        format!(
                            "{}  {}  {}  {state}  added {}  last seen {}{this}",
                            d.id, d.person, d.label, d.created_at, d.last_seen_at
                        )
                    })
                    .collect();
                rows.join("\n")
            });
        }
        TeamCmd::RevokeDevice { id, rotate, confirm } => {
            let team = device::signed_in(data_dir)?;
            let revoked = team.api.revoke_device(&id).await?;
            print(json, &revoked, |r| {
                let d = &r.device;
                let mut text = format!(
                    "Revoked {} ({}, {}): its next request is refused by every server of the team.",
                    d.id, d.label, d.person
                );
                for account in r.may_hold_keys_of.iter().filter(|_| !rotate) {
                    text += &format!(
                        "\n{} may still hold the key of {account}: rotate it with `keyward key rotate {account}` (or revoke with --rotate).",
                        d.person
                    );
                }
                text
            });
            for account in revoked.may_hold_keys_of.iter().filter(|_| rotate) {
                super::in_team::rotate(&team, json, account, Grace::None, confirm.yes).await?;
            }
        }
        TeamCmd::Audit { limit } => {
            let device::Signed { api, .. } = device::signed_in(data_dir)?;
            let entries = api.team_audit(limit).await?;
            print(json, &entries, |list| list.iter().map(super::audit::line).collect::<Vec<_>>().join("\n"));
        }
        TeamCmd::Leave => {
            let link = device::leave(data_dir).await?;
            print(json, &json!({ "server": link.server, "device": link.device }), |_| {
                format!(
                    "Left the team at {}: device {} is revoked and its credential removed from this keyring.",
                    link.server, link.device
                )
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
