//! Team keys, end to end encrypted: the devices of the account's super admins to seal a new key
//! to, the sealed key itself, a device's ciphertext to open, and shares for devices that lack
//! one. The server handles hashes and ciphertexts only.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use keyward_core::team::sealed::{Recipient, SealedKey, SealedRotation, Share};
use keyward_core::{Action, Challenge, Confirmation, Deactivation, Grace, KeyInfo, KeyStatus, Reveal};
use serde::{Deserialize, Serialize};

use super::accounts::acting;
use super::extract::{Body, Params};
use super::signed::Signed;
use super::Refusal;
use crate::app::Caller;
use crate::routes::ErrorBody;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Lacking {
    /// Only the devices with no share of the active key yet.
    #[serde(default)]
    pub lacking_share: bool,
}

/// The active devices of the account's super admins (asked by one of them).
#[utoipa::path(get, path = "/v1/team/accounts/{account}/key/recipients", params(("account" = String, Path), Lacking),
    security(("device_token" = [])), responses(
    (status = 200, description = "Devices to seal the key to", body = [Recipient]),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
))]
pub async fn recipients(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Params(lacking): Params<Lacking>,
) -> Result<Json<Vec<Recipient>>, Refusal> {
    let keyward = acting(&caller, &signed);
    Ok(Json(match lacking.lacking_share {
        true => keyward.recipients_lacking_share(&signed.0, &account, Utc::now()).await?,
        false => keyward.key_recipients(&signed.0, &account, Utc::now()).await?,
    }))
}

/// Records a key a super admin's device made and sealed.
#[utoipa::path(post, path = "/v1/team/accounts/{account}/key", params(("account" = String, Path)),
    request_body = SealedKey, security(("device_token" = [])), responses(
    (status = 201, description = "The key's public facts", body = KeyInfo),
    (status = 400, description = "Not a sealed key, or a share for a device that is not a recipient", body = ErrorBody),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
    (status = 409, description = "The account already has an active key", body = ErrorBody),
))]
pub async fn generate(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(sealed): Body<SealedKey>,
) -> Result<(StatusCode, Json<KeyInfo>), Refusal> {
    let info = acting(&caller, &signed).generate_sealed_key(&signed.0, &account, &sealed, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Why {
    /// `view` (default) or `copy`: the audit trail records which.
    pub why: Option<String>,
}

/// This device's ciphertext of the active key, to open on the device; audited.
#[utoipa::path(get, path = "/v1/team/accounts/{account}/key/share", params(("account" = String, Path), Why),
    security(("device_token" = [])), responses(
    (status = 200, description = "This device's share", body = Share),
    (status = 403, description = "Not a super admin, or no share for this device yet (the error names whom to ask)", body = ErrorBody),
    (status = 404, description = "No active key", body = ErrorBody),
))]
pub async fn share(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Params(why): Params<Why>,
) -> Result<Json<Share>, Refusal> {
    let why = if why.why.as_deref() == Some("copy") { Reveal::Copy } else { Reveal::View };
    Ok(Json(acting(&caller, &signed).sealed_key_share(&signed.0, &account, why, Utc::now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewShares {
    pub shares: Vec<Share>,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct SharesAdded {
    pub added: usize,
}

/// Adds ciphertexts of the active key for recipient devices that lack one.
#[utoipa::path(post, path = "/v1/team/accounts/{account}/key/shares", params(("account" = String, Path)),
    request_body = NewShares, security(("device_token" = [])), responses(
    (status = 200, description = "How many were added", body = SharesAdded),
    (status = 400, description = "A share for a device that is not a recipient", body = ErrorBody),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
))]
pub async fn add_shares(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(new): Body<NewShares>,
) -> Result<Json<SharesAdded>, Refusal> {
    let added = acting(&caller, &signed).add_key_shares(&signed.0, &account, &new.shares, Utc::now()).await?;
    Ok(Json(SharesAdded { added }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewChallenge {
    pub action: Action,
}

/// A captcha-style challenge for rotate or deactivate: the device shows the code, the person
/// types it back, and the server checks it with the change.
#[utoipa::path(post, path = "/v1/team/accounts/{account}/challenges", params(("account" = String, Path)),
    request_body = NewChallenge, security(("device_token" = [])), responses(
    (status = 201, description = "The challenge", body = Challenge),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
    (status = 404, description = "No active key", body = ErrorBody),
))]
pub async fn challenge(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(new): Body<NewChallenge>,
) -> Result<(StatusCode, Json<Challenge>), Refusal> {
    let keyward = acting(&caller, &signed);
    let challenge = keyward.issue_challenge(&signed.0.actor(), &account, new.action, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(challenge)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SealedRotationRequest {
    pub grace: Grace,
    pub confirmation: Confirmation,
    /// The new key, made and sealed on the device.
    pub sealed: SealedKey,
}

/// Rotates to a key the device made and sealed; the old key stops now or after the grace.
#[utoipa::path(post, path = "/v1/team/accounts/{account}/key/rotate", params(("account" = String, Path)),
    request_body = SealedRotationRequest, security(("device_token" = [])), responses(
    (status = 200, description = "Rotated", body = SealedRotation),
    (status = 400, description = "A wrong, expired or spent confirmation, or not a sealed key", body = ErrorBody),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
    (status = 404, description = "No active key", body = ErrorBody),
))]
pub async fn rotate(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(request): Body<SealedRotationRequest>,
) -> Result<Json<SealedRotation>, Refusal> {
    let keyward = acting(&caller, &signed);
    let SealedRotationRequest { grace, confirmation, sealed } = request;
    Ok(Json(keyward.rotate_sealed_key(&signed.0, &account, grace, &confirmation, &sealed, Utc::now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DeactivationRequest {
    pub confirmation: Confirmation,
}

/// Deactivates the key: it stops working now and no new key is made.
#[utoipa::path(post, path = "/v1/team/accounts/{account}/key/deactivate", params(("account" = String, Path)),
    request_body = DeactivationRequest, security(("device_token" = [])), responses(
    (status = 200, description = "Deactivated", body = Deactivation),
    (status = 400, description = "A wrong, expired or spent confirmation", body = ErrorBody),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
    (status = 404, description = "No active key", body = ErrorBody),
))]
pub async fn deactivate(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(request): Body<DeactivationRequest>,
) -> Result<Json<Deactivation>, Refusal> {
    let keyward = acting(&caller, &signed);
    Ok(Json(keyward.deactivate_sealed_key(&signed.0, &account, &request.confirmation, Utc::now()).await?))
}

/// The key's public facts: hint, age, rotation due date, grace windows (for the account's members).
#[utoipa::path(get, path = "/v1/team/accounts/{account}/key/status", params(("account" = String, Path)),
    security(("device_token" = [])), responses(
    (status = 200, description = "The key's status", body = KeyStatus),
    (status = 403, description = "Not a member of the account", body = ErrorBody),
    (status = 404, description = "No such account", body = ErrorBody),
))]
pub async fn status(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
) -> Result<Json<KeyStatus>, Refusal> {
    Ok(Json(acting(&caller, &signed).key_status(&signed.0.actor(), &account, Utc::now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ExpireNow {
    /// Only this key (default: every key of the account in a grace window).
    pub key_id: Option<String>,
}

/// Ends rotated-away keys' grace windows now; returns the keys that stopped working.
#[utoipa::path(post, path = "/v1/team/accounts/{account}/key/expire-now", params(("account" = String, Path)),
    request_body = ExpireNow, security(("device_token" = [])), responses(
    (status = 200, description = "Keys whose grace ended", body = [String]),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
    (status = 404, description = "No grace window running", body = ErrorBody),
))]
pub async fn expire_now(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(request): Body<ExpireNow>,
) -> Result<Json<Vec<String>>, Refusal> {
    let keyward = acting(&caller, &signed);
    Ok(Json(keyward.expire_now(&signed.0.actor(), &account, request.key_id.as_deref(), Utc::now()).await?))
}
