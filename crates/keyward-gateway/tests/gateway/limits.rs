use chrono::Utc;
use keyward_core::UsageLimits;

use crate::TestGateway;

#[tokio::test]
async fn over_the_burst_limit_is_refused_with_retry_after() {
    let gw = TestGateway::start(|_| {}).await;
    let limits = UsageLimits { burst_limit: 3, burst_seconds: 60, daily_limit: 1000 };
    gw.keyward.set_usage_limits(&gw.admin, "acme", limits, Utc::now()).await.unwrap();
    let send = || gw.http.post(format!("{}/v1/keys/verify", gw.url)).json(&serde_json::json!({ "key": gw.key })).send();
    for remaining in [2, 1] {
        let (_, body) = gw.verify(&gw.key).await;
        assert_eq!((body["code"].as_str(), body["ratelimit"]["remaining"].as_u64()), (Some("VALID"), Some(remaining)));
    }
    // A granted call has its figures in the body only; the refusal has them in headers too.
    let last = send().await.unwrap();
    assert!(!last.headers().contains_key("x-ratelimit-remaining") && !last.headers().contains_key("retry-after"));
    let body: serde_json::Value = last.json().await.unwrap();
    assert_eq!((body["code"].as_str(), body["ratelimit"]["remaining"].as_u64()), (Some("VALID"), Some(0)));
    let response = send().await.unwrap();
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("x-ratelimit-limit").as_deref(), Some("3"));
    assert_eq!(header("x-ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    let retry: u64 = header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "one request comes back every 20 s: {retry}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!((body["valid"].as_bool(), body["code"].as_str()), (Some(false), Some("RATE_LIMITED")));

    let (_, _, gateway) = gw.stop().await;
    let rendered = gateway.metrics.render();
    assert!(rendered.contains(r#"keyward_gateway_requests_total{outcome="RATE_LIMITED"} 1"#), "{rendered}");
}

#[tokio::test]
async fn the_daily_limit_applies_too() {
    let gw = TestGateway::start(|_| {}).await;
    let limits = UsageLimits { burst_limit: 100, burst_seconds: 10, daily_limit: 2 };
    gw.keyward.set_usage_limits(&gw.admin, "acme", limits, Utc::now()).await.unwrap();
    assert_eq!(gw.code(&gw.key).await, "VALID");
    assert_eq!(gw.code(&gw.key).await, "VALID");
    assert_eq!(gw.code(&gw.key).await, "RATE_LIMITED");
    gw.stop().await;
}

#[tokio::test]
async fn failed_attempts_are_throttled_per_ip_and_not_logged() {
    let gw = TestGateway::start(|c| c.failures_per_ip_per_minute = 5).await;
    for _ in 0..5 {
        assert_eq!(gw.verify("kw_garbage").await, (200, gw.verify_shape("MALFORMED")));
    }
    let throttled = gw
        .http
        .post(format!("{}/v1/keys/verify", gw.url))
        .json(&serde_json::json!({ "key": "kw_garbage" }))
        .send()
        .await
        .unwrap();
    assert_eq!(throttled.status(), 429);
    assert_eq!(
        (&throttled.headers()["retry-after"], &throttled.headers()["content-type"]),
        (&"60".parse().unwrap(), &"application/json".parse().unwrap())
    );
    assert_eq!(throttled.json::<serde_json::Value>().await.unwrap(), gw.verify_shape("RATE_LIMITED"));
    assert_eq!(gw.code(&gw.key).await, "VALID", "a good key from the same IP still works");
    let (keyward, _dir, gateway) = gw.stop().await;
    let logged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calls").fetch_one(keyward.pool()).await.unwrap();
    assert_eq!(logged, 6, "5 failures and 1 success; the throttled attempt is not logged");
    assert!(gateway.metrics.render().contains("keyward_gateway_throttled_failures_total 1"));
}

impl TestGateway {
    fn verify_shape(&self, code: &str) -> serde_json::Value {
        serde_json::json!({ "valid": false, "code": code, "account": null, "key_id": null, "ratelimit": null })
    }
}
