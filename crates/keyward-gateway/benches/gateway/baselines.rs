//! The baselines: servers answering the verify route with a fixed verdict, no key check, no log.

use std::net::SocketAddr;

use axum::routing::post;
use axum::Router;

/// The answer both baselines give: a valid key's verdict, as the gateway would write it.
const BARE_BODY: &str = r#"{"valid":true,"code":"VALID","account":"acme","key_id":"key_0123456789abcdef","ratelimit":{"limit":1000000000,"remaining":999999999,"reset":1}}"#;

/// The baseline: the same response body, no key check, no call log.
pub async fn start_bare() -> SocketAddr {
    let app = Router::new().route(
        "/v1/keys/verify",
        post(|_body: axum::body::Bytes| async {
            ([(axum::http::header::CONTENT_TYPE, "application/json")], BARE_BODY)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A second baseline as lean as the gateway's own serving (hyper directly, no router, no boxed
/// bodies): against it, a ratio is the key check's and the call log's cost alone.
pub async fn start_bare_hyper() -> SocketAddr {
    use http_body_util::{BodyExt, Full};
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = |request: axum::http::Request<hyper::body::Incoming>| async move {
        let _ = request.into_body().collect().await;
        let body = Full::new(axum::body::Bytes::from_static(BARE_BODY.as_bytes()));
        let mut response = axum::http::Response::new(body);
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
        Ok::<_, std::convert::Infallible>(response)
    };
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = builder.serve_connection(TokioIo::new(stream), hyper::service::service_fn(answer)).await;
            });
        }
    });
    addr
}
