use chrono::Utc;
use keyward_core::{ApiKey, Confirmation, Grace};

use crate::TestGateway;

#[tokio::test]
async fn every_code_over_a_real_socket() {
    let gw = TestGateway::start(|_| {}).await;
    let (status, valid) = gw.verify(&gw.key).await;
    assert_eq!(status, 200);
    assert_eq!((valid["valid"].as_bool(), valid["code"].as_str()), (Some(true), Some("VALID")));
    assert_eq!(valid["ratelimit"]["limit"], 100);
    assert_eq!(valid["ratelimit"]["remaining"], 99);

    let (status, malformed) = gw.verify("kw_short").await;
    assert_eq!((status, malformed["code"].as_str()), (200, Some("MALFORMED")));
    assert_eq!(gw.code(ApiKey::generate().expose()).await, "NOT_FOUND");

    // Rotate with a grace window: the old key still works, then expire-now ends it.
    let now = Utc::now();
    let rotation =
        gw.keyward.rotate_key(&gw.admin, "acme", Grace::OneHour, &Confirmation::Explicit, now).await.unwrap();
    assert_eq!(gw.code(&gw.key).await, "VALID");
    gw.keyward.expire_now(&gw.admin, "acme", None, Utc::now()).await.unwrap();
    let (_, expired) = gw.verify(&gw.key).await;
    assert_eq!(
        (expired["code"].as_str(), expired["account"].as_str()),
        (Some("EXPIRED"), None),
        "no more than the code"
    );

    // Rotate without grace: the key of the grace rotation is revoked at once.
    let second = rotation.new_key.key.expose().to_owned();
    gw.keyward.rotate_key(&gw.admin, "acme", Grace::None, &Confirmation::Explicit, Utc::now()).await.unwrap();
    assert_eq!(gw.code(&second).await, "REVOKED");
    gw.stop().await;
}

#[tokio::test]
async fn a_different_key_in_a_header_is_a_conflict() {
    let gw = TestGateway::start(|_| {}).await;
    let other = ApiKey::generate();
    let response = gw
        .http
        .post(format!("{}/v1/keys/verify", gw.url))
        .header("x-api-key", other.expose())
        .json(&serde_json::json!({ "key": gw.key }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("two different keys"));
    gw.stop().await;
}

/// The documented body is an object: an array (which serde would read as the struct's fields),
/// a bare string or no JSON at all is a 400, not a verdict.
#[tokio::test]
async fn a_body_that_is_not_the_documented_object_is_a_400() {
    let gw = TestGateway::start(|_| {}).await;
    // Failures name the case by number: one of the bodies holds the key.
    for (case, body) in
        [r#"["²"]"#.to_owned(), format!(r#"["{}"]"#, gw.key), r#""kw_x""#.to_owned(), "key=kw_x".to_owned()]
            .into_iter()
            .enumerate()
    {
        let response = gw
            .http
            .post(format!("{}/v1/keys/verify", gw.url))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "case {case}");
        let answer: serde_json::Value = response.json().await.unwrap();
        assert!(answer["error"].as_str().unwrap().contains("JSON object"), "case {case}");
    }
    assert_eq!(gw.code(&gw.key).await, "VALID", "the object form still works");
    gw.stop().await;
}
