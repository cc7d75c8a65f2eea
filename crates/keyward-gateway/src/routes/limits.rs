//! Request limits: header size (431), and JSON bodies for the refusals tower's layers make
//! (408 timeout, 413 body too large), so malformed input always gets a 4xx with a JSON error.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::error;
use crate::Gateway;

pub async fn guard(State(gateway): State<Arc<Gateway>>, request: Request, next: Next) -> Response {
    let header_bytes: usize = request.headers().iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum();
    if header_bytes > gateway.config.max_header_bytes {
        return error(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("request headers exceed {} bytes", gateway.config.max_header_bytes),
        );
    }
    next.run(request).await
}

pub async fn json_refusals(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
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
