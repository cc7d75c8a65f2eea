//! Rotation reminders for the signed-in person, to show as native notifications on their device.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use keyward_core::{DueReminder, Timestamp};
use serde::{Deserialize, Serialize};

use super::accounts::acting;
use super::extract::Body;
use super::signed::Signed;
use super::Refusal;
use crate::app::Caller;
use crate::routes::ErrorBody;

/// The caller's due reminders, claimed for their device: each reminder reaches a person once,
/// whichever device, replica or email run asks first.
#[utoipa::path(post, path = "/v1/team/reminders/claim", security(("device_token" = [])), responses(
    (status = 200, description = "Reminders to show now (each only once)", body = [DueReminder]),
    (status = 401, description = "Unknown or revoked device token", body = ErrorBody),
))]
pub async fn claim(State(caller): State<Arc<Caller>>, signed: Signed) -> Result<Json<Vec<DueReminder>>, Refusal> {
    let keyward = acting(&caller, &signed);
    Ok(Json(keyward.claim_reminders(&signed.0.actor(), "desktop", Utc::now()).await?))
}

/// The caller's reminders due now (read only: nothing is claimed).
#[utoipa::path(get, path = "/v1/team/reminders/due", security(("device_token" = [])), responses(
    (status = 200, description = "Reminders due for the caller", body = [DueReminder]),
))]
pub async fn due(State(caller): State<Arc<Caller>>, signed: Signed) -> Result<Json<Vec<DueReminder>>, Refusal> {
    let due = caller.gateway.keyward.due_reminders(Utc::now()).await?;
    Ok(Json(due.into_iter().filter(|r| r.recipient == signed.0.person).collect()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Snooze {
    /// 1 or 7 (the spec lists both: see `routes::ops`).
    #[serde(deserialize_with = "keyward_core::whole_number::deserialize")]
    pub days: i64,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct Snoozed {
    #[schema(value_type = String, format = DateTime)]
    pub until: Timestamp,
}

/// Holds back the caller's reminders for the account's key for a day or a week.
#[utoipa::path(post, path = "/v1/team/accounts/{account}/reminders/snooze", params(("account" = String, Path)),
    request_body = Snooze, security(("device_token" = [])), responses(
    (status = 200, description = "Snoozed until", body = Snoozed),
    (status = 400, description = "Not 1 or 7 days", body = ErrorBody),
))]
pub async fn snooze(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(snooze): Body<Snooze>,
) -> Result<Json<Snoozed>, Refusal> {
    let keyward = acting(&caller, &signed);
    let until = keyward.snooze_reminders(&signed.0.actor(), &account, snooze.days, Utc::now()).await?;
    Ok(Json(Snoozed { until }))
}
