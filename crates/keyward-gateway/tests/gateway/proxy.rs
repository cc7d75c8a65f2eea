//! Proxy mode against a real upstream started by the test.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Uri};
use axum::routing::any;
use axum::{Json, Router};
use keyward_core::ApiKey;
use serde_json::{json, Value};

use crate::TestGateway;

/// An upstream that reports what reached it: method, path and query, headers, body size.
async fn start_upstream() -> String {
    async fn echo(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Json<Value> {
        let headers: serde_json::Map<String, Value> =
            headers.iter().map(|(n, v)| (n.to_string(), json!(v.to_str().unwrap_or("")))).collect();
        let checksum: u64 = body.iter().map(|b| u64::from(*b)).sum();
        Json(
            json!({ "method": method.as_str(), "uri": uri.to_string(), "headers": headers, "len": body.len(), "sum": checksum }),
        )
    }
    async fn big() -> Body {
        let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'z'; 64 * 1024])));
        Body::from_stream(futures_util::stream::iter(chunks))
    }
    let app = Router::new().route("/big", any(big)).fallback(echo).layer(axum::extract::DefaultBodyLimit::disable());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn gateway_to_upstream() -> TestGateway {
    let upstream = start_upstream().await;
    TestGateway::start(|c| c.upstream = Some(upstream.parse().unwrap())).await
}

#[tokio::test]
async fn each_presentation_form_reaches_the_upstream_without_the_key() {
    let gw = gateway_to_upstream().await;
    let forms = [
        gw.http.get(format!("{}/v1/contacts?limit=5", gw.url)).bearer_auth(&gw.key),
        gw.http.get(format!("{}/v1/contacts?limit=5", gw.url)).header("x-api-key", &gw.key),
        gw.http.get(format!("{}/v1/contacts?limit=5&hapikey={}", gw.url, gw.key)),
    ];
    for form in forms {
        let response = form.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-ratelimit-limit"], "100");
        let seen: Value = response.json().await.unwrap();
        assert_eq!(seen["uri"], "/v1/contacts?limit=5");
        assert_eq!(seen["headers"]["x-keyward-account"], "acme");
        assert!(seen["headers"]["x-keyward-key-id"].as_str().unwrap().starts_with("key_"));
        assert!(!seen.to_string().contains(&gw.key), "the key reached the upstream");
    }
    gw.stop().await;
}

#[tokio::test]
async fn refusals_are_401_or_400_with_the_code_and_never_reach_the_upstream() {
    let gw = gateway_to_upstream().await;
    let get = |path: &str| gw.http.get(format!("{}{path}", gw.url));
    let missing = get("/v1/x").send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.json::<Value>().await.unwrap()["code"], "MISSING_KEY");
    let unknown = get("/v1/x").bearer_auth(ApiKey::generate().expose()).send().await.unwrap();
    assert_eq!(unknown.status(), 401);
    assert_eq!(unknown.json::<Value>().await.unwrap()["code"], "NOT_FOUND");
    let malformed = get("/v1/x").header("x-api-key", "nonsense").send().await.unwrap();
    assert_eq!(malformed.json::<Value>().await.unwrap()["code"], "MALFORMED");
    let both =
        get(&format!("/v1/x?hapikey={}", ApiKey::generate().expose())).bearer_auth(&gw.key).send().await.unwrap();
    assert_eq!(both.status(), 400);
    assert!(both.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("two different keys"));
    // A method beyond the eight HTTP defines for any resource is not forwarded (schemathesis
    // sent QUERY, and the upstream's 501 came back as the gateway's answer).
    let query = gw.http.request(Method::from_bytes(b"QUERY").unwrap(), format!("{}/v1/x", gw.url));
    let query = query.bearer_auth(&gw.key).send().await.unwrap();
    assert_eq!(query.status(), 405);
    assert!(query.headers()["allow"].to_str().unwrap().contains("TRACE"));
    gw.stop().await;
}

#[tokio::test]
async fn bodies_stream_both_ways() {
    let gw = gateway_to_upstream().await;
    let chunks = (0..48).map(|i| Ok::<_, std::io::Error>(Bytes::from(vec![i as u8; 64 * 1024])));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let response = gw.http.post(format!("{}/upload", gw.url)).bearer_auth(&gw.key).body(body).send().await.unwrap();
    let seen: Value = response.json().await.unwrap();
    let expected_sum: u64 = (0..48u64).map(|i| i * 64 * 1024).sum();
    assert_eq!((seen["method"].as_str(), seen["len"].as_u64()), (Some("POST"), Some(48 * 64 * 1024)));
    assert_eq!(seen["sum"].as_u64(), Some(expected_sum));

    let big = gw.http.get(format!("{}/big", gw.url)).bearer_auth(&gw.key).send().await.unwrap();
    assert_eq!(big.status(), 200);
    let bytes = big.bytes().await.unwrap();
    assert_eq!(bytes.len(), 64 * 64 * 1024);
    assert!(bytes.iter().all(|b| *b == b'z'));
    gw.stop().await;
}
