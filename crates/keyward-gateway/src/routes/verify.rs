//! `POST /v1/keys/verify`: how a user's own service checks a key. A well-formed request gets 200
//! with the verdict, or 429 once its address's failed attempts are throttled; the body says no
//! more than the code (account and key id only for a valid key).

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{add_rate_headers, error, json_ok, json_response, limits, two_keys};
use crate::app::{Call, Caller};
use crate::limiter::RateInfo;
use crate::outcome::Outcome;
use crate::presented::{find_key, scrubbed_path, Presented};

/// Borrows the key from the request body (unless it holds JSON escapes): no copy per call.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct VerifyRequest<'a> {
    /// The key to check.
    #[serde(borrow)]
    #[schema(value_type = String)]
    pub key: Cow<'a, str>,
}

impl<'a> VerifyRequest<'a> {
    /// The documented body, a JSON object with a `key` string, or `None` (a 400). serde reads a
    /// struct from an array too (`["kw_…"]`), so an object is required first; and it skips the
    /// strings of fields it ignores without checking them, so the body is checked to be UTF-8
    /// (JSON's encoding) first.
    pub fn from_body(body: &'a [u8]) -> Option<VerifyRequest<'a>> {
        let is_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let text = std::str::from_utf8(body).ok().filter(|_| is_object)?;
        serde_json::from_str(text).ok()
    }
}

/// Borrows the account and key id from the key index: no copies per call.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyResponse<'a> {
    pub valid: bool,
    pub code: Outcome,
    /// The key's account, for a valid key only.
    pub account: Option<&'a str>,
    /// The key's id, for a valid key only.
    pub key_id: Option<&'a str>,
    /// The key's burst allowance after this call (absent for unknown keys).
    pub ratelimit: Option<RateInfo>,
}

/// Checks a key: its format, whether it is active (or in a rotation's grace window), and its
/// account's usage limits. Every call is recorded in the call log.
#[utoipa::path(
    post,
    path = VERIFY_PATH,
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "The verdict (valid or not)", body = VerifyResponse),
        (status = 400, description = "Not a JSON object with a `key` string, or two different keys", body = super::ErrorBody),
        (status = 429, description = "Too many failed attempts from this caller", body = VerifyResponse),
        (status = 503, description = "UNAVAILABLE: the gateway has not reached its database within --max-staleness and vouches for no key", body = VerifyResponse),
    )
)]
pub async fn verify(State(caller): State<Arc<Caller>>, request: Request) -> Response {
    check(&caller, request).await
}

/// The route's work, on either body: the router's, or a served connection's own, which hands
/// verify calls straight here (`crate::server`).
pub async fn check<B>(caller: &Caller, request: axum::http::Request<B>) -> Response
where
    B: HttpBody<Data = Bytes>,
    B::Error: Into<axum::BoxError>,
{
    let (gateway, peer) = (&caller.gateway, caller.addr);
    let started = Instant::now();
    // The whole request, split once: no copies of the headers or the URI on the hot path.
    let (parts, body) = request.into_parts();
    let (method, uri, headers) = (&parts.method, &parts.uri, &parts.headers);
    if let Some(refusal) = limits::oversized_headers(gateway, headers) {
        return refusal;
    }
    let body = match limits::read_body(gateway, body, started).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let Some(VerifyRequest { key }) = VerifyRequest::from_body(&body) else {
        return error(StatusCode::BAD_REQUEST, r#"send a JSON object {"key": "kw_..."}"#);
    };
    let differs = match find_key(headers, uri) {
        Presented::One(other) => other != *key,
        Presented::Conflicting => true,
        Presented::None => false,
    };
    if differs {
        return two_keys();
    }
    let Some(auth) = gateway.assess(&key, peer.ip()) else {
        return throttled();
    };
    let valid = auth.outcome == Outcome::Valid;
    let response = VerifyResponse {
        valid,
        code: auth.outcome,
        account: auth.key.as_deref().filter(|_| valid).map(|k| k.account.as_str()),
        key_id: auth.key.as_deref().filter(|_| valid).map(|k| k.key_id.as_str()),
        ratelimit: auth.rate,
    };
    let mut answer = json_ok(&response);
    let status = if auth.outcome == Outcome::Unavailable {
        *answer.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        503
    } else {
        200
    };
    // A refusal also says it in headers, as every over-the-limit answer does; any other verdict
    // carries its figures in the body only (three more header values were ~10 % of the route's
    // cost at full load, and the caller is a service that reads the body anyway).
    if auth.outcome == Outcome::RateLimited {
        add_rate_headers(answer.headers_mut(), auth.rate, auth.retry_after);
    }
    // The route's own path needs no copy; a query string is scrubbed as anywhere else.
    let path = match uri.query() {
        None => Cow::Borrowed(VERIFY_PATH),
        Some(_) => Cow::Owned(scrubbed_path(uri)),
    };
    gateway.record(auth, Call { method, path, headers, ip: peer.ip(), started }, status);
    answer
}

/// The per-IP throttle on failed attempts: refused without a look at the key, not logged.
/// The answer never changes, so its body is serialized once (this is the path a flood of bad
/// keys takes, and it should cost no more than a bare server's answer).
pub fn throttled() -> Response {
    // Leaked once, so each answer borrows it: a `Bytes` made from a `Vec` is shared through a
    // reference count, which every answer would bump and drop from both runtime workers.
    static BODY: LazyLock<&'static [u8]> = LazyLock::new(|| {
        let body =
            VerifyResponse { valid: false, code: Outcome::RateLimited, account: None, key_id: None, ratelimit: None };
        serde_json::to_vec(&body).expect("a verdict serializes").leak()
    });
    let mut answer = json_response(StatusCode::TOO_MANY_REQUESTS, Body::from(Bytes::from_static(*BODY)));
    answer.headers_mut().insert(header::RETRY_AFTER, THROTTLE_RETRY_AFTER);
    answer
}

/// Seconds a throttled client is told to wait: the failure allowance is per minute.
const THROTTLE_RETRY_AFTER: HeaderValue = HeaderValue::from_static("60");

/// Where the verify route is mounted.
pub const VERIFY_PATH: &str = "/v1/keys/verify";

#[cfg(test)]
mod tests {
    use super::VerifyRequest;

    #[test]
    fn only_a_json_object_in_utf_8_with_a_key_string_is_read() {
        assert_eq!(
            VerifyRequest::from_body(br#" {"key": "kw_x", "other": 1}"#).map(|r| r.key.into_owned()),
            Some("kw_x".into())
        );
        // The fuzzer's find: invalid UTF-8 inside a field serde skips was read as a request.
        assert!(VerifyRequest::from_body(b"{\"key\":\"\",\"\":\"*\x94\x94\"}").is_none());
        for body in [&br#"["kw_x"]"#[..], b"\"kw_x\"", b"", b"{}", br#"{"key": 7}"#] {
            assert!(VerifyRequest::from_body(body).is_none(), "{}", String::from_utf8_lossy(body));
        }
    }
}
