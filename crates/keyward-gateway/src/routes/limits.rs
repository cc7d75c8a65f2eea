//! Request limits: header size (431), and JSON bodies for the refusals tower's layers make
//! (408 timeout, 413 body too large), so malformed input always gets a 4xx with a JSON error.
//! `POST /v1/keys/verify` applies the same limits itself (see `crate::app::router`).

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::{BodyExt, Collected, Limited};

use super::error;
use crate::Gateway;

pub async fn guard(State(gateway): State<Arc<Gateway>>, request: Request, next: Next) -> Response {
    match oversized_headers(&gateway, request.headers()) {
        Some(refusal) => refusal,
        None => next.run(request).await,
    }
}

/// The 431 for headers over the configured size, if they are.
pub fn oversized_headers(gateway: &Gateway, headers: &HeaderMap) -> Option<Response> {
    let header_bytes: usize = headers.iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum();
    (header_bytes > gateway.config.max_header_bytes).then(|| {
        error(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("request headers exceed {} bytes", gateway.config.max_header_bytes),
        )
    })
}

/// The whole body, within the size limit and the request's time limit (counted from
/// `started`, which the handler read anyway: no clock read of its own); a JSON 413 or 408
/// otherwise.
///
/// A verify body is small and nearly always in whole by the time the handler runs, so it is
/// looked at once before a timer is made: making one clones the runtime's handle, a counter
/// every runtime worker writes, and that on every request.
pub async fn read_body<B>(gateway: &Gateway, body: B, started: std::time::Instant) -> Result<Bytes, Response>
where
    B: HttpBody<Data = Bytes>,
    B::Error: Into<axum::BoxError>,
{
    let mut read = pin!(Limited::new(body, gateway.config.max_body_bytes).collect());
    let read = match poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await {
        Poll::Ready(read) => read,
        Poll::Pending => {
            let deadline = tokio::time::Instant::from_std(started) + gateway.config.request_timeout;
            match tokio::time::timeout_at(deadline, read).await {
                Ok(read) => read,
                Err(_) => return Err(error(StatusCode::REQUEST_TIMEOUT, "the request took too long")),
            }
        }
    };
    read.map(Collected::to_bytes).map_err(|_| error(StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large"))
}

/// A method a route does not take: 405 naming the one it does.
pub fn only(method: &'static str) -> Response {
    let mut refusal = error(StatusCode::METHOD_NOT_ALLOWED, format!("use {method} for this endpoint"));
    refusal.headers_mut().insert(header::ALLOW, HeaderValue::from_static(method));
    refusal
}

pub async fn json_refusals(response: Response) -> Response {
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let message = match response.status() {
        _ if is_json => return response,
        StatusCode::REQUEST_TIMEOUT => "the request took too long",
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "send a JSON body with Content-Type: application/json",
        status if status.is_client_error() && response.headers().get(header::CONTENT_LENGTH).is_some() => {
            "the request could not be read"
        }
        _ => return response,
    };
    let status = response.status();
    let mut json = error(status, message);
    if let Some(wait) = response.headers().get(header::RETRY_AFTER) {
        json.headers_mut().insert(header::RETRY_AFTER, wait.clone());
    }
    json.map(Body::new)
}
