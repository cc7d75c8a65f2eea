//! HTTP handlers. Each turns a request into one call on [`crate::Gateway`] and a response.

pub mod limits;
pub mod ops;
pub mod proxy;
pub mod verify;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::limiter::RateInfo;

/// Every error the gateway answers with: a JSON object naming what went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do.
    pub error: String,
    /// The outcome code, for refusals of a presented key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
}

pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(ErrorBody { error: message.into(), code: None })).into_response()
}

/// The 400 for a request carrying two different keys (in headers, query or body).
pub fn two_keys() -> Response {
    error(StatusCode::BAD_REQUEST, "two different keys in one request: send one")
}

/// Adds `X-RateLimit-Limit/Remaining/Reset` and, when refused, `Retry-After` (straight into
/// the response's headers: a map of its own would be hashed twice on the hot path).
pub fn add_rate_headers(headers: &mut HeaderMap, rate: Option<RateInfo>, retry_after: Option<u64>) {
    let mut put = |name: &'static str, value: u64| {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    };
    if let Some(rate) = rate {
        put("x-ratelimit-limit", u64::from(rate.limit));
        put("x-ratelimit-remaining", u64::from(rate.remaining));
        put("x-ratelimit-reset", rate.reset);
    }
    if let Some(wait) = retry_after {
        put("retry-after", wait);
    }
}
