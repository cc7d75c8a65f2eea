//! People and devices: enrol with a code, who am I, invite, list and revoke devices.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use keyward_core::team::codes::IssuedCode;
use keyward_core::team::enrol::Enrolment;
use keyward_core::team::{Device, Revoked, Session, TeamRole};
use serde::Deserialize;

use super::extract::Body;
use super::signed::Signed;
use super::Refusal;
use crate::app::Caller;
use crate::routes::ErrorBody;

/// Enrols this device with a single-use code (from `keyward team setup-code` or an owner's
/// invitation). A used, expired or unknown code gets one 401 that does not say which.
#[utoipa::path(post, path = "/v1/team/join", request_body = Enrolment, responses(
    (status = 201, description = "Enrolled: the person and this device", body = Session),
    (status = 400, description = "Invalid name, email or device credentials", body = ErrorBody),
    (status = 401, description = "The code is not valid", body = ErrorBody),
    (status = 429, description = "Too many failed sign-ins from this address", body = ErrorBody),
))]
pub async fn join(
    State(caller): State<Arc<Caller>>,
    Body(enrolment): Body<Enrolment>,
) -> Result<(StatusCode, Json<Session>), Refusal> {
    let guard = &caller.gateway.sign_ins;
    guard.admit(caller.addr.ip())?;
    match caller.gateway.keyward.enrol(&enrolment, Utc::now()).await {
        Ok(session) => Ok((StatusCode::CREATED, Json(session))),
        Err(err) => Err(guard.failed(caller.addr.ip(), err)),
    }
}

/// The signed-in person, their team role and this device.
#[utoipa::path(get, path = "/v1/team/me", security(("device_token" = [])), responses(
    (status = 200, description = "Signed in", body = Session),
    (status = 401, description = "Unknown or revoked device token", body = ErrorBody),
))]
pub async fn me(Signed(session): Signed) -> Json<Session> {
    Json(session)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Invitation {
    /// The person's name in the team (a new person, or a known one's new device): 1 to 64
    /// characters, no spaces.
    #[schema(pattern = r"^\s*[^\s\x00-\x1f\x7f-\x9f]{1,64}\s*$")]
    pub name: String,
    /// Where reminders go (empty: none).
    #[schema(
        pattern = r"^\s*$|^\s*[^@\s\x00-\x1f\x7f-\x9f]+@[^\s\x00-\x1f\x7f-\x9f.][^\s\x00-\x1f\x7f-\x9f]*\.[^\s\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f.]\s*$"
    )]
    pub email: Option<String>,
    /// `owner` or `member` (default) for a new person; a known person keeps theirs.
    pub role: Option<TeamRole>,
}

/// An owner invites a person: a single-use code, valid 24 hours, to hand to them.
#[utoipa::path(post, path = "/v1/team/invites", request_body = Invitation, security(("device_token" = [])), responses(
    (status = 201, description = "The code", body = IssuedCode),
    (status = 400, description = "Invalid name or email", body = ErrorBody),
    (status = 401, description = "Unknown or revoked device token", body = ErrorBody),
    (status = 403, description = "Not an owner", body = ErrorBody),
))]
pub async fn invite(
    State(caller): State<Arc<Caller>>,
    Signed(by): Signed,
    Body(invitation): Body<Invitation>,
) -> Result<(StatusCode, Json<IssuedCode>), Refusal> {
    let role = invitation.role.unwrap_or(TeamRole::Member);
    let code =
        caller.gateway.keyward.invite(&by, &invitation.name, invitation.email.as_deref(), role, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(code)))
}

/// Every device of the team (owners) or one's own (everyone else), newest first.
#[utoipa::path(get, path = "/v1/team/devices", security(("device_token" = [])), responses(
    (status = 200, description = "Devices", body = [Device]),
    (status = 401, description = "Unknown or revoked device token", body = ErrorBody),
))]
pub async fn devices(State(caller): State<Arc<Caller>>, Signed(by): Signed) -> Result<Json<Vec<Device>>, Refusal> {
    Ok(Json(caller.gateway.keyward.devices(&by).await?))
}

/// Revokes a device (owners: any; everyone: their own). Its next request is refused by every
/// replica. Revoking a revoked device changes nothing.
#[utoipa::path(post, path = "/v1/team/devices/{id}/revoke", params(("id" = String, Path, description = "The device id")),
    security(("device_token" = [])), responses(
    (status = 200, description = "Revoked, with the accounts whose key it could open (rotate them)", body = Revoked),
    (status = 401, description = "Unknown or revoked device token", body = ErrorBody),
    (status = 404, description = "No such device (among those the caller may revoke)", body = ErrorBody),
))]
pub async fn revoke_device(
    State(caller): State<Arc<Caller>>,
    Signed(by): Signed,
    Path(id): Path<String>,
) -> Result<Json<Revoked>, Refusal> {
    Ok(Json(caller.gateway.keyward.revoke_device(&by, &id, Utc::now()).await?))
}
