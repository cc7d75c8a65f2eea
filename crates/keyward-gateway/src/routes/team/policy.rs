//! An account's facts and its rules: the rotation policy (super admins change it) and the
//! usage limits every gateway of the team enforces.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use keyward_core::{Account, UsageLimits};
use serde::Deserialize;

use super::accounts::acting;
use super::extract::Body;
use super::signed::Signed;
use super::Refusal;
use crate::app::Caller;
use crate::routes::ErrorBody;

/// One account, with the caller's role in it.
#[utoipa::path(get, path = "/v1/team/accounts/{account}", params(("account" = String, Path)),
    security(("device_token" = [])), responses(
    (status = 200, description = "The account", body = Account),
    (status = 404, description = "No such account", body = ErrorBody),
))]
pub async fn show(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
) -> Result<Json<Account>, Refusal> {
    Ok(Json(caller.gateway.keyward.show_account(&signed.0.actor(), &account).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Policy {
    /// Rotation is recommended after this many days (30 to 730).
    #[schema(minimum = 30, maximum = 730)]
    #[serde(deserialize_with = "keyward_core::whole_number::deserialize")]
    pub rotation_period_days: i64,
    /// A heads-up reminder this many days before (0: none; at most 90).
    #[schema(minimum = 0, maximum = 90)]
    #[serde(deserialize_with = "keyward_core::whole_number::deserialize")]
    pub reminder_lead_days: i64,
}

/// A super admin sets when rotation is recommended and when reminders start.
#[utoipa::path(put, path = "/v1/team/accounts/{account}/policy", params(("account" = String, Path)),
    request_body = Policy, security(("device_token" = [])), responses(
    (status = 200, description = "The account with its new policy", body = Account),
    (status = 400, description = "Out of range", body = ErrorBody),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
))]
pub async fn set_policy(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(policy): Body<Policy>,
) -> Result<Json<Account>, Refusal> {
    let (keyward, actor) = (acting(&caller, &signed), signed.0.actor());
    let (period, lead) = (policy.rotation_period_days, policy.reminder_lead_days);
    keyward.set_rotation_policy(&actor, &account, period, lead, Utc::now()).await?;
    Ok(Json(keyward.show_account(&actor, &account).await?))
}

/// The account's usage limits (per key, on every gateway of the team together).
#[utoipa::path(get, path = "/v1/team/accounts/{account}/limits", params(("account" = String, Path)),
    security(("device_token" = [])), responses(
    (status = 200, description = "The limits", body = UsageLimits),
    (status = 404, description = "No such account", body = ErrorBody),
))]
pub async fn limits(
    State(caller): State<Arc<Caller>>,
    _signed: Signed,
    Path(account): Path<String>,
) -> Result<Json<UsageLimits>, Refusal> {
    Ok(Json(caller.gateway.keyward.usage_limits(&account).await?))
}

/// A super admin changes the limits; every gateway picks them up.
#[utoipa::path(put, path = "/v1/team/accounts/{account}/limits", params(("account" = String, Path)),
    request_body = UsageLimits, security(("device_token" = [])), responses(
    (status = 200, description = "The new limits", body = UsageLimits),
    (status = 400, description = "Out of range", body = ErrorBody),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
))]
pub async fn set_limits(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(limits): Body<UsageLimits>,
) -> Result<Json<UsageLimits>, Refusal> {
    let keyward = acting(&caller, &signed);
    Ok(Json(keyward.set_usage_limits(&signed.0.actor(), &account, limits, Utc::now()).await?))
}
