use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use utoipa::OpenApi;

use crate::app::Caller;

/// Liveness: `ok` while the gateway serves.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Serving", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Prometheus text: requests by outcome, latency, call-log rows served/written/dropped, queue depth.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", body = String)))]
pub async fn metrics(State(caller): State<Arc<Caller>>) -> impl IntoResponse {
    let gateway = &caller.gateway;
    gateway.metrics.queue_depth.set(gateway.calls.queue_depth() as i64);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], gateway.metrics.render())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Keyward gateway",
        description = "Verify Keyward API keys, or put key auth in front of any HTTP service."
    ),
    paths(super::verify::verify, healthz, metrics),
    components(schemas(super::verify::VerifyRequest, super::verify::VerifyResponse, super::ErrorBody))
)]
pub struct ApiDoc;

/// The OpenAPI document, generated from the handlers.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
