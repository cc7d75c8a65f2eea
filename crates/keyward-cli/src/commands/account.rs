use std::process::ExitCode;

use chrono::Utc;
use keyward_core::{Account, UsageLimits};

use crate::failure::Result;

use super::Ctx;
use crate::cli::AccountCmd;
use crate::output::print;

pub async fn run(ctx: &Ctx, cmd: AccountCmd) -> Result<ExitCode> {
    let Ctx { keyward, actor, json } = ctx;
    match cmd {
        AccountCmd::Policy { name, rotation_days, lead_days } => {
            let current = keyward.show_account(actor, &name).await?;
            if rotation_days.is_some() || lead_days.is_some() {
                let period = rotation_days.unwrap_or(current.rotation_period_days.into());
                let lead = lead_days.unwrap_or(current.reminder_lead_days.into());
                keyward.set_rotation_policy(actor, &name, period, lead, Utc::now()).await?;
            }
            let account = keyward.show_account(actor, &name).await?;
            print(*json, &account, describe_policy);
        }
        AccountCmd::Create { name, display_name } => {
            let account = keyward.create_account(actor, &name, display_name.as_deref(), Utc::now()).await?;
            print(*json, &account, |a| format!("Created account {} — you ({actor}) are its super admin.", a.name));
        }
        AccountCmd::List => {
            let accounts = keyward.list_accounts(actor).await?;
            print(*json, &accounts, |list| {
                if list.is_empty() {
                    return "No accounts yet: create one with `keyward account create NAME`.".into();
                }
                list.iter().map(line).collect::<Vec<_>>().join("\n")
            });
        }
        AccountCmd::Show { name } => {
            let account = keyward.show_account(actor, &name).await?;
            print(*json, &account, describe);
        }
        AccountCmd::Limits { name, burst, daily } => {
            let current = keyward.usage_limits(&name).await?;
            let limits = match changed_limits(current, burst.as_deref(), daily)? {
                Some(limits) => keyward.set_usage_limits(actor, &name, limits, Utc::now()).await?,
                None => current,
            };
            print(*json, &limits, |l| describe_limits(&name, l));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The limits with `--burst` / `--daily` applied; None when neither was given.
pub(super) fn changed_limits(
    mut limits: UsageLimits,
    burst: Option<&str>,
    daily: Option<u32>,
) -> Result<Option<UsageLimits>> {
    if burst.is_none() && daily.is_none() {
        return Ok(None);
    }
    if let Some(burst) = burst {
        (limits.burst_limit, limits.burst_seconds) = UsageLimits::parse_burst(burst)?;
    }
    if let Some(daily) = daily {
        limits.daily_limit = daily;
    }
    Ok(Some(limits))
}

pub(super) fn describe(a: &Account) -> String {
    format!(
        "{}\n  display name: {}\n  created: {} by {}\n  your role: {}\n  active key: {}\n  rotation period: {} days",
        a.name,
        a.display_name,
        a.created_at,
        a.created_by,
        a.your_role.map_or("not a member".into(), |r| r.to_string()),
        if a.has_active_key { "yes" } else { "no" },
        a.rotation_period_days
    )
}

pub(super) fn describe_policy(a: &Account) -> String {
    format!(
        "{}: rotation recommended after {} days, heads-up {} days before",
        a.name, a.rotation_period_days, a.reminder_lead_days
    )
}

pub(super) fn describe_limits(name: &str, l: &UsageLimits) -> String {
    format!("{name}: burst {} per {} s, {} per day (per key)", l.burst_limit, l.burst_seconds, l.daily_limit)
}

pub(super) fn line(a: &Account) -> String {
    let role = a.your_role.map_or("-".into(), |r| r.to_string());
    let key = if a.has_active_key { "key active" } else { "no key" };
    format!("{:<24} {:<12} {:<10} {}", a.name, role, key, a.display_name)
}
