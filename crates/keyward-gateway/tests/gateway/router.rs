//! The router alone, driven with `oneshot`: limits and malformed input give 4xx JSON.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use keyward_gateway::app::router_for_caller;
use serde_json::Value;
use tower::ServiceExt;

use crate::TestGateway;

async fn send(gw: &TestGateway, request: Request<Body>) -> (StatusCode, Value) {
    let app = router_for_caller(Arc::clone(&gw.gateway), SocketAddr::from(([127, 0, 0, 1], 4000)));
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into())))
}

fn post(body: impl Into<Body>) -> Request<Body> {
    Request::post("/v1/keys/verify").header("content-type", "application/json").body(body.into()).unwrap()
}

#[tokio::test]
async fn malformed_requests_get_a_4xx_with_a_json_error() {
    let gw = TestGateway::start(|c| c.max_body_bytes = 1024).await;
    for body in ["", "not json", "{}", r#"{"key": 5}"#, "[1,2]"] {
        let (status, json) = send(&gw, post(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(json["error"].as_str().unwrap().contains("JSON object"), "{json}");
    }
    let (status, json) = send(&gw, post(vec![b'x'; 4096])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(json["error"].is_string(), "{json}");

    let huge = "a".repeat(20 * 1024);
    let request = Request::post("/v1/keys/verify").header("x-padding", huge).body(Body::from("{}")).unwrap();
    let (status, json) = send(&gw, request).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert!(json["error"].as_str().unwrap().contains("headers"), "{json}");

    let (status, json) = send(&gw, Request::get("/v1/anything").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(json["error"].as_str().unwrap().contains("--upstream"), "{json}");
    gw.stop().await;
}

/// The verify route sits outside the router's middleware (it is the hot path) and applies the
/// same limits itself: a body that never finishes, a wrong method.
#[tokio::test]
async fn verify_keeps_the_time_limit_and_names_its_method() {
    let gw = TestGateway::start(|c| c.request_timeout = std::time::Duration::from_millis(200)).await;
    let stalled = Body::from_stream(futures_util::stream::pending::<Result<axum::body::Bytes, std::io::Error>>());
    let request = Request::post("/v1/keys/verify").header("content-length", "64").body(stalled).unwrap();
    let answered = tokio::time::timeout(std::time::Duration::from_secs(5), send(&gw, request)).await;
    let (status, json) = answered.expect("a stalled body is cut off at the request time limit");
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert!(json["error"].as_str().unwrap().contains("too long"), "{json}");

    let app = router_for_caller(Arc::clone(&gw.gateway), SocketAddr::from(([127, 0, 0, 1], 4000)));
    let response = app.oneshot(Request::get("/v1/keys/verify").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(json["error"].as_str().unwrap().contains("use POST"), "{json}");
    gw.stop().await;
}

#[tokio::test]
async fn verify_answers_through_the_router() {
    let gw = TestGateway::start(|_| {}).await;
    let body = serde_json::json!({ "key": gw.key }).to_string();
    let (status, json) = send(&gw, post(body)).await;
    assert_eq!((status, json["code"].as_str()), (StatusCode::OK, Some("VALID")));
    assert_eq!(json["account"], "acme");
    gw.stop().await;
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let gw = TestGateway::start(|_| {}).await;
    let (status, body) = send(&gw, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")), "{body}");
    assert!(body["view_age_ms"].as_u64().is_some_and(|age| age < 5_000), "{body}");
    let (_, openapi) = send(&gw, Request::get("/openapi.json").body(Body::empty()).unwrap()).await;
    assert!(openapi["paths"]["/v1/keys/verify"]["post"].is_object(), "{openapi}");
    assert!(openapi["components"]["schemas"]["VerifyResponse"].is_object());
    // The proxy is documented; a gateway on SQLite documents no team API, which it does not serve.
    assert!(openapi["paths"]["/{path}"]["trace"].is_object(), "{openapi}");
    let paths = openapi["paths"].as_object().unwrap();
    assert!(!paths.keys().any(|p| p.starts_with("/v1/team/")), "{:?}", paths.keys());
    let (_, metrics) = send(&gw, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    let text = metrics.as_str().unwrap();
    for name in ["call_log_rows_written", "call_log_rows_dropped", "call_log_queue_depth", "request_duration_seconds"] {
        assert!(text.contains(name), "{name} missing from /metrics");
    }
    gw.stop().await;
}

/// A served connection hands verify calls to the handler before the router sees them
/// (`server.rs`); over a real socket they must be answered exactly as the router answers them.
#[tokio::test]
async fn a_served_connection_answers_verify_as_the_router_does() {
    let gw = TestGateway::start(|c| c.max_body_bytes = 1024).await;
    let valid = serde_json::json!({ "key": gw.key }).to_string();
    let cases: [(&str, &str, Option<&str>, String); 7] = [
        ("valid key", "POST", None, valid.clone()),
        ("malformed key", "POST", None, r#"{"key":"kw_nope"}"#.into()),
        ("not JSON", "POST", None, "not json".into()),
        ("body over the limit", "POST", None, "x".repeat(4096)),
        ("headers over the limit", "POST", Some("x-padding"), valid.clone()),
        ("a second, different key", "POST", Some("x-api-key"), valid.clone()),
        ("wrong method", "GET", None, String::new()),
    ];
    for (case, method, header, body) in cases {
        let padding = "a".repeat(20 * 1024);
        let extra = match header {
            Some("x-padding") => Some(("x-padding", padding.as_str())),
            Some(name) => Some((name, "kw_someotherkey")),
            None => None,
        };
        let mut routed =
            Request::builder().method(method).uri("/v1/keys/verify").header("content-type", "application/json");
        let mut served = gw
            .http
            .request(method.parse().unwrap(), format!("{}/v1/keys/verify", gw.url))
            .header("content-type", "application/json");
        if let Some((name, value)) = extra {
            routed = routed.header(name, value);
            served = served.header(name, value);
        }
        let (routed_status, mut routed) = send(&gw, routed.body(Body::from(body.clone())).unwrap()).await;
        let served = served.body(body).send().await.unwrap();
        let served_status = served.status().as_u16();
        let mut served: Value = served.json().await.unwrap();
        // Each call takes one from the key's allowance: the served one came second.
        if let (Some(after), Some(before)) =
            (served.pointer_mut("/ratelimit/remaining"), routed.pointer_mut("/ratelimit/remaining"))
        {
            assert_eq!(after.as_u64().unwrap() + 1, before.as_u64().unwrap(), "{case}: one more call taken");
            (*after, *before) = (Value::Null, Value::Null);
        }
        assert_eq!(served_status, routed_status.as_u16(), "{case}: status");
        assert_eq!(served, routed, "{case}: body");
        assert!(served.is_object(), "{case}: a JSON answer");
    }
    gw.stop().await;
}

/// The served verify path keeps the request time limit: a body that stops coming over a real
/// socket gets the JSON 408, not a connection held open.
#[tokio::test]
async fn a_served_verify_with_a_stalled_body_times_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let gw = TestGateway::start(|c| c.request_timeout = std::time::Duration::from_millis(200)).await;
    let mut socket = tokio::net::TcpStream::connect(gw.url.trim_start_matches("http://")).await.unwrap();
    let head = "POST /v1/keys/verify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 64\r\n\r\n{\"key\":";
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut answer)).await;
    let answer =
        String::from_utf8_lossy(&answer[..read.expect("answered within the time limit").unwrap()]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("too long"), "{answer}");
    gw.stop().await;
}
