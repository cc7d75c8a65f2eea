//! The audit trail and the call log of every gateway on the team database, for the people who
//! may read them (the same checks as on one desktop).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use keyward_core::domain::audit::AuditEvent;
use keyward_core::{AuditEntry, CallEntry, CallFilter, CallStats, ChainStatus};
use serde::Deserialize;

use super::extract::Params;
use super::signed::Signed;
use super::Refusal;
use crate::app::Caller;
use crate::routes::ErrorBody;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this event (`generated`, `viewed`, `copied`, `rotated`, …).
    #[param(value_type = Option<AuditEvent>)]
    pub event: Option<String>,
    /// At most this many rows, newest first.
    #[param(minimum = 1)]
    pub limit: Option<i64>,
}

/// The account's audit trail, newest first.
#[utoipa::path(get, path = "/v1/team/accounts/{account}/audit", params(("account" = String, Path), AuditQuery),
    security(("device_token" = [])), responses(
    (status = 200, description = "Audit rows", body = [AuditEntry]),
    (status = 403, description = "Not a member of the account", body = ErrorBody),
    (status = 404, description = "No such account", body = ErrorBody),
))]
pub async fn audit(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Path(account): Path<String>,
    Params(query): Params<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, Refusal> {
    let keyward = &caller.gateway.keyward;
    let entries =
        keyward.audit_entries(&signed.0.actor(), &account, query.event.as_deref(), query.limit, Utc::now()).await?;
    Ok(Json(entries))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Limit {
    /// At most this many rows, the newest.
    #[param(minimum = 1)]
    pub limit: Option<i64>,
}

/// The team's own trail: setup codes, invitations, enrolments and revocations (owners).
#[utoipa::path(get, path = "/v1/team/audit", params(Limit), security(("device_token" = [])), responses(
    (status = 200, description = "Team audit rows, oldest first", body = [AuditEntry]),
    (status = 403, description = "Not an owner", body = ErrorBody),
))]
pub async fn team_audit(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Params(query): Params<Limit>,
) -> Result<Json<Vec<AuditEntry>>, Refusal> {
    Ok(Json(caller.gateway.keyward.team_audit_entries(&signed.0, query.limit).await?))
}

/// Whether the team's whole trail still follows its hash chain (any signed-in person may ask:
/// the verdict names a row number, never its content).
#[utoipa::path(get, path = "/v1/team/audit/verify", security(("device_token" = [])), responses(
    (status = 200, description = "The chain's verdict", body = ChainStatus),
    (status = 401, description = "Unknown or revoked device token", body = ErrorBody),
))]
pub async fn verify_audit(State(caller): State<Arc<Caller>>, _signed: Signed) -> Result<Json<ChainStatus>, Refusal> {
    Ok(Json(caller.gateway.keyward.verify_audit_chain().await?))
}

/// Calls every gateway logged, newest first (the last 7 days).
#[utoipa::path(get, path = "/v1/team/calls", params(CallFilter), security(("device_token" = [])), responses(
    (status = 200, description = "Calls", body = [CallEntry]),
    (status = 403, description = "Not a member of the account", body = ErrorBody),
))]
pub async fn calls(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Params(filter): Params<CallFilter>,
) -> Result<Json<Vec<CallEntry>>, Refusal> {
    Ok(Json(caller.gateway.keyward.list_calls(&signed.0.actor(), &filter, Utc::now()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// One account's calls; without it, every account the caller may read.
    pub account: Option<String>,
}

/// Calls per hour and outcome over 7 days, and the cluster's served/logged/dropped.
#[utoipa::path(get, path = "/v1/team/calls/stats", params(StatsQuery), security(("device_token" = [])), responses(
    (status = 200, description = "Hourly counts", body = CallStats),
    (status = 403, description = "Not a member of the account", body = ErrorBody),
))]
pub async fn call_stats(
    State(caller): State<Arc<Caller>>,
    signed: Signed,
    Params(query): Params<StatsQuery>,
) -> Result<Json<CallStats>, Refusal> {
    let keyward = &caller.gateway.keyward;
    Ok(Json(keyward.call_stats(&signed.0.actor(), query.account.as_deref(), Utc::now()).await?))
}
