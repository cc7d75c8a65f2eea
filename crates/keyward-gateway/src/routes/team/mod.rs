//! `/v1/team/…`: a team's admin API, served beside verify and the proxy when the gateway runs on
//! a team database. Who calls is the person of the device token in `Authorization: Bearer …`
//! ([`signed::Signed`]); any replica answers any request (all state is in the database).

pub mod accounts;
pub mod extract;
pub mod keys;
pub mod logs;
pub mod people;
pub mod policy;
pub mod reminders;
pub mod signed;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use keyward_core::error::{ErrorKind, SignIn};
use keyward_core::team::refusal::refusal_detail;
use keyward_core::Error;
use std::sync::Arc;

use super::ErrorBody;
use crate::app::Caller;

pub fn routes() -> Router<Arc<Caller>> {
    Router::new()
        .route("/v1/team/join", post(people::join))
        .route("/v1/team/me", get(people::me))
        .route("/v1/team/invites", post(people::invite))
        .route("/v1/team/devices", get(people::devices))
        .route("/v1/team/devices/{id}/revoke", post(people::revoke_device))
        .route("/v1/team/accounts", get(accounts::list).post(accounts::create))
        .route("/v1/team/accounts/{account}", get(policy::show))
        .route("/v1/team/accounts/{account}/policy", put(policy::set_policy))
        .route("/v1/team/accounts/{account}/limits", get(policy::limits).put(policy::set_limits))
        .route("/v1/team/accounts/{account}/key/expire-now", post(keys::expire_now))
        .route("/v1/team/accounts/{account}/reminders/snooze", post(reminders::snooze))
        .route("/v1/team/reminders/due", get(reminders::due))
        .route("/v1/team/accounts/{account}/members", get(accounts::members).post(accounts::add_member))
        .route("/v1/team/accounts/{account}/members/{person}", put(accounts::set_role).delete(accounts::remove_member))
        .route("/v1/team/accounts/{account}/key", post(keys::generate))
        .route("/v1/team/accounts/{account}/key/recipients", get(keys::recipients))
        .route("/v1/team/accounts/{account}/key/status", get(keys::status))
        .route("/v1/team/accounts/{account}/key/share", get(keys::share))
        .route("/v1/team/accounts/{account}/key/shares", post(keys::add_shares))
        .route("/v1/team/accounts/{account}/challenges", post(keys::challenge))
        .route("/v1/team/accounts/{account}/key/rotate", post(keys::rotate))
        .route("/v1/team/accounts/{account}/key/deactivate", post(keys::deactivate))
        .route("/v1/team/accounts/{account}/audit", get(logs::audit))
        .route("/v1/team/audit", get(logs::team_audit))
        .route("/v1/team/audit/verify", get(logs::verify_audit))
        .route("/v1/team/calls", get(logs::calls))
        .route("/v1/team/reminders/claim", post(reminders::claim))
        .route("/v1/team/calls/stats", get(logs::call_stats))
}

/// A core error as the team API answers it: the status its kind maps to, the message, the kind
/// and (for most refusals) the detail, from which a device rebuilds the same error as a local
/// refusal: its exit code, its hints, its wording in the user's language.
pub struct Refusal(pub Error);

impl From<Error> for Refusal {
    fn from(err: Error) -> Refusal {
        Refusal(err)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let kind = self.0.kind();
        let status = match (&self.0, kind) {
            (Error::SignIn(SignIn::TooMany), _) => StatusCode::TOO_MANY_REQUESTS,
            (Error::SignIn(_), _) => StatusCode::UNAUTHORIZED,
            (_, ErrorKind::InvalidInput | ErrorKind::Confirmation) => StatusCode::BAD_REQUEST,
            (_, ErrorKind::PermissionDenied) => StatusCode::FORBIDDEN,
            (_, ErrorKind::NotFound) => StatusCode::NOT_FOUND,
            (_, ErrorKind::Conflict) => StatusCode::CONFLICT,
            (_, ErrorKind::KeyringUnavailable | ErrorKind::Unavailable | ErrorKind::Internal) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            // SQL and I/O detail stays in the server's log.
            tracing::error!(err = %self.0, "team request failed");
            "the team server could not do this (see its log); nothing was changed".to_owned()
        } else {
            self.0.to_string()
        };
        let kind = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned));
        let detail = refusal_detail(&self.0);
        (status, Json(ErrorBody { error: message, code: None, kind, detail })).into_response()
    }
}
