//! Proxy mode (`--upstream URL`): every other path is authenticated; the key is taken out of
//! the request, `X-Keyward-Account` and `X-Keyward-Key-Id` are added, and the request is
//! streamed to the upstream and its answer streamed back.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::TryStreamExt;

use super::verify::throttled;
use super::{add_rate_headers, error, two_keys, ErrorBody};
use crate::app::{Call, Caller};
use crate::outcome::Outcome;
use crate::presented::{find_key, scrubbed_path, strip_key_headers, Presented};

/// The methods forwarded (those HTTP defines for any resource); others are a 405 here, not
/// something an upstream is left to make sense of.
const PROXIED_METHODS: [Method; 8] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::HEAD,
    Method::OPTIONS,
    Method::TRACE,
];

/// Headers that belong to one connection, not to the request (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[&str] =
    &["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host"];

/// Proxy mode: any path that is not the gateway's own, with any method, is authenticated by
/// its key (Bearer, `X-API-Key` or `?hapikey=`) and forwarded to `--upstream`; the upstream's
/// answer comes back as it is.
#[utoipa::path(
    method(get, post, put, patch, delete, head, options, trace),
    path = "/{path}",
    params(("path" = String, Path, description = "Any path but the gateway's own, forwarded to the upstream as it is")),
    security(("api_key" = [])),
    responses(
        (status = 400, description = "Two different keys in one request", body = super::ErrorBody),
        (status = 401, description = "MISSING_KEY, or a key that is not valid (its code says why)", body = super::ErrorBody),
        (status = 404, description = "The gateway was started without --upstream: there is nothing to proxy to", body = super::ErrorBody),
        (status = 405, description = "A method other than these", body = super::ErrorBody),
        (status = 413, description = "The body is larger than the gateway accepts", body = super::ErrorBody),
        (status = 429, description = "The key's usage limit, or this caller's failed attempts, are used up", body = super::ErrorBody),
        (status = 431, description = "The headers are larger than the gateway accepts", body = super::ErrorBody),
        (status = 502, description = "The upstream service did not answer", body = super::ErrorBody),
        (status = 503, description = "UNAVAILABLE: the gateway cannot reach its database", body = super::ErrorBody),
        (status = "default", description = "The upstream's own answer, passed through"),
    )
)]
pub async fn proxy(State(caller): State<Arc<Caller>>, request: Request) -> Response {
    let (gateway, peer) = (&caller.gateway, caller.addr);
    let started = Instant::now();
    let Some(upstream) = gateway.config.upstream.clone() else {
        return error(
            StatusCode::NOT_FOUND,
            "no such endpoint: verify keys with POST /v1/keys/verify, or start the gateway with --upstream URL to proxy",
        );
    };
    if !PROXIED_METHODS.contains(request.method()) {
        return super::limits::only("GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE");
    }
    let (parts, body) = request.into_parts();
    let key = match find_key(&parts.headers, &parts.uri) {
        Presented::One(key) => key,
        Presented::None => {
            return refusal(
                StatusCode::UNAUTHORIZED,
                "MISSING_KEY",
                "send the key as Authorization: Bearer KEY, X-API-Key, or ?hapikey=",
            );
        }
        Presented::Conflicting => return two_keys(),
    };
    let Some(auth) = gateway.assess(&key, peer.ip()) else {
        return throttled();
    };
    let path = scrubbed_path(&parts.uri);
    let target = format!("{}{path}", upstream.as_str().trim_end_matches('/'));
    let call = Call { method: &parts.method, path: path.into(), headers: &parts.headers, ip: peer.ip(), started };
    let denied = match auth.outcome {
        Outcome::Valid => None,
        Outcome::RateLimited => Some((
            StatusCode::TOO_MANY_REQUESTS,
            "the key's usage limit is reached: retry after the Retry-After seconds",
        )),
        Outcome::Unavailable => Some((
            StatusCode::SERVICE_UNAVAILABLE,
            "the gateway cannot reach its database and will not vouch for any key: retry shortly",
        )),
        _ => Some((StatusCode::UNAUTHORIZED, "the key is not valid")),
    };
    let (outcome, rate, retry_after) = (auth.outcome, auth.rate, auth.retry_after);
    if let Some((status, message)) = denied {
        gateway.record(auth, call, status.as_u16());
        let mut response = refusal(status, outcome.as_str(), message);
        add_rate_headers(response.headers_mut(), rate, retry_after);
        return response;
    }
    let key_info = auth.key.as_deref().expect("a valid key is known");
    let mut forward_headers = parts.headers.clone();
    strip_key_headers(&mut forward_headers);
    for name in HOP_BY_HOP {
        forward_headers.remove(*name);
    }
    for (name, value) in [("x-keyward-account", &key_info.account), ("x-keyward-key-id", &key_info.key_id)] {
        if let Ok(value) = HeaderValue::from_str(value) {
            forward_headers.insert(HeaderName::from_static(name), value);
        }
    }
    let upstream_request = gateway
        .http
        .request(parts.method.clone(), &target)
        .headers(forward_headers)
        .body(reqwest::Body::wrap_stream(body.into_data_stream()));
    let response = match upstream_request.send().await {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(%err, "upstream unreachable");
            gateway.record(auth, call, 502);
            return error(StatusCode::BAD_GATEWAY, "the upstream service did not answer");
        }
    };
    let status = response.status();
    gateway.record(auth, call, status.as_u16());
    let mut back = HeaderMap::new();
    for (name, value) in response.headers() {
        if !HOP_BY_HOP.contains(&name.as_str()) && name != header::CONTENT_LENGTH {
            back.append(name.clone(), value.clone());
        }
    }
    add_rate_headers(&mut back, rate, retry_after);
    let stream = response.bytes_stream().map_err(std::io::Error::other);
    (status, back, Body::from_stream(stream)).into_response()
}

fn refusal(status: StatusCode, code: &'static str, message: &str) -> Response {
    (status, Json(ErrorBody { error: message.to_owned(), code: Some(code), kind: None, detail: None })).into_response()
}
