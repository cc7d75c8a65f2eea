//! Rotation reminders for the signed-in person, to show as native notifications on their device.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use keyward_core::DueReminder;

use super::accounts::acting;
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
