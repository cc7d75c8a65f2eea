//! HTTP handlers. Each turns a request into one call on [`crate::Gateway`] and a response.

pub mod limits;
pub mod ops;
pub mod proxy;
pub mod team;
pub mod verify;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
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
    /// The kind of error, for team requests (`permission_denied`, `not_found`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// For team requests: why, as `{"reason": …, …fields}` (e.g. `{"reason": "member",
    /// "account": "acme", "member": "bo"}`), so a device words the refusal in its user's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(ErrorBody { error: message.into(), code: None, kind: None, detail: None })).into_response()
}

/// The 400 for a request carrying two different keys (in headers, query or body).
pub fn two_keys() -> Response {
    error(StatusCode::BAD_REQUEST, "two different keys in one request: send one")
}

pub const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A 200 JSON answer, serialized into a buffer that fits a verdict: axum's `Json` starts at
/// 128 bytes, and a valid key's verdict (~150) made it grow on every call.
pub fn json_ok(body: &impl Serialize) -> Response {
    let mut buf = Vec::with_capacity(256);
    match serde_json::to_writer(&mut buf, body) {
        Ok(()) => json_response(StatusCode::OK, Body::from(buf)),
        Err(err) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("could not write the answer: {err}")),
    }
}

/// A JSON answer built in place: axum's `(headers, body)` answers first give the body's own
/// content type (octet-stream for bytes) and then replace it, two header writes per answer.
pub fn json_response(status: StatusCode, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, APPLICATION_JSON);
    response
}

// Checked when compiled: `from_static` at run time validates every byte of the name per call.
const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Adds `X-RateLimit-Limit/Remaining/Reset` and, when refused, `Retry-After` (straight into
/// the response's headers: a map of its own would be hashed twice on the hot path).
pub fn add_rate_headers(headers: &mut HeaderMap, rate: Option<RateInfo>, retry_after: Option<u64>) {
    if let Some(rate) = rate {
        headers.insert(RATELIMIT_LIMIT, HeaderValue::from(rate.limit));
        headers.insert(RATELIMIT_REMAINING, HeaderValue::from(rate.remaining));
        headers.insert(RATELIMIT_RESET, HeaderValue::from(rate.reset));
    }
    if let Some(wait) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(wait));
    }
}
