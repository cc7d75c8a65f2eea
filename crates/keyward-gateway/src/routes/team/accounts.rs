//! Accounts and their members, for signed-in people: the same rules as on one desktop, with
//! the person of the device token as the actor and that device in the audit trail.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use keyward_core::{Account, Keyward, Member, Removal, Role};
use serde::Deserialize;

use super::extract::Body;
use super::signed::Signed;
use super::Refusal;
use crate::app::Caller;
use crate::routes::ErrorBody;

/// The server's handle, acting for the request's device (the device of its audit rows).
pub fn acting(caller: &Caller, signed: &Signed) -> Keyward {
    caller.gateway.keyward.clone().with_device(&signed.0.device)
}

/// The accounts the caller belongs to (owners: every account), with their role in each.
#[utoipa::path(get, path = "/v1/team/accounts", security(("device_token" = [])), responses(
    (status = 200, description = "Accounts", body = [Account]),
    (status = 401, description = "Unknown or revoked device token", body = ErrorBody),
))]
pub async fn list(State(caller): State<Arc<Caller>>, signed: Signed) -> Result<Json<Vec<Account>>, Refusal> {
    Ok(Json(caller.gateway.keyward.team_accounts(&signed.0).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAccount {
    /// 1 to 63 lowercase letters, digits or `-` (surrounding spaces are ignored).
    #[schema(pattern = r"^\s*[a-z0-9-]{1,63}\s*$")]
    pub name: String,
    pub display_name: Option<String>,
}

/// An owner creates an account and becomes its first super admin.
#[utoipa::path(post, path = "/v1/team/accounts", request_body = NewAccount, security(("device_token" = [])), responses(
    (status = 201, description = "Created", body = Account),
    (status = 400, description = "Invalid name", body = ErrorBody),
    (status = 403, description = "Not an owner", body = ErrorBody),
    (status = 409, description = "The name is taken", body = ErrorBody),
))]
pub async fn create(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Body(new): Body<NewAccount>,
) -> Result<(StatusCode, Json<Account>), Refusal> {
    let keyward = acting(&caller, &signed);
    let account = keyward.create_team_account(&signed.0, &new.name, new.display_name.as_deref(), Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// The account's members (for its members).
#[utoipa::path(get, path = "/v1/team/accounts/{account}/members", params(("account" = String, Path)),
    security(("device_token" = [])), responses(
    (status = 200, description = "Members", body = [Member]),
    (status = 403, description = "Not a member of the account", body = ErrorBody),
    (status = 404, description = "No such account", body = ErrorBody),
))]
pub async fn members(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
) -> Result<Json<Vec<Member>>, Refusal> {
    Ok(Json(caller.gateway.keyward.list_members(&signed.0.actor(), &account, Utc::now()).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewMember {
    /// A person of the team.
    #[schema(pattern = r"^\s*[^\s\x00-\x1f\x7f-\x9f]{1,64}\s*$")]
    pub person: String,
    pub role: Role,
}

/// A super admin adds a person of the team to the account.
#[utoipa::path(post, path = "/v1/team/accounts/{account}/members", params(("account" = String, Path)),
    request_body = NewMember, security(("device_token" = [])), responses(
    (status = 201, description = "Added", body = Member),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
    (status = 404, description = "No such account or person", body = ErrorBody),
    (status = 409, description = "Already a member", body = ErrorBody),
))]
pub async fn add_member(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Body(new): Body<NewMember>,
) -> Result<(StatusCode, Json<Member>), Refusal> {
    let keyward = acting(&caller, &signed);
    let member = keyward.add_team_member(&signed.0, &account, &new.person, new.role, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(member)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewRole {
    pub role: Role,
}

/// A super admin changes a member's role (an account keeps at least one super admin; a former
/// super admin's devices lose their key shares).
#[utoipa::path(put, path = "/v1/team/accounts/{account}/members/{person}", params(("account" = String, Path),
    ("person" = String, Path)), request_body = NewRole, security(("device_token" = [])), responses(
    (status = 200, description = "The member now", body = Member),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
    (status = 404, description = "No such account or member", body = ErrorBody),
    (status = 409, description = "The account's last super admin", body = ErrorBody),
))]
pub async fn set_role(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path((account, person)): Path<(String, String)>,
    Body(new): Body<NewRole>,
) -> Result<Json<Member>, Refusal> {
    let keyward = acting(&caller, &signed);
    Ok(Json(keyward.set_role(&signed.0.actor(), &account, &person, new.role, Utc::now()).await?))
}

/// A super admin removes a member; the answer says whether they may still hold the key.
#[utoipa::path(delete, path = "/v1/team/accounts/{account}/members/{person}", params(("account" = String, Path),
    ("person" = String, Path)), security(("device_token" = [])), responses(
    (status = 200, description = "Removed", body = Removal),
    (status = 403, description = "Not a super admin of the account", body = ErrorBody),
    (status = 404, description = "No such account or member", body = ErrorBody),
    (status = 409, description = "The account's last super admin", body = ErrorBody),
))]
pub async fn remove_member(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path((account, person)): Path<(String, String)>,
) -> Result<Json<Removal>, Refusal> {
    let keyward = acting(&caller, &signed);
    Ok(Json(keyward.remove_member(&signed.0.actor(), &account, &person, Utc::now()).await?))
}
