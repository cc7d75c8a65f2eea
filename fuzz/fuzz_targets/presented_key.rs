//! Where a request carries its key (Bearer, X-API-Key, `hapikey`), and what is cut out of the
//! logged path and the forwarded headers: never panics, and nothing key-shaped survives the cut.
#![no_main]

use arbitrary::Arbitrary;
use http::{header, HeaderMap, HeaderValue, Uri};
use keyward_gateway::presented::{find_key, scrubbed_path, strip_key_headers, user_agent, Presented, API_KEY_HEADER};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Request<'a> {
    authorization: Option<&'a [u8]>,
    api_key: Option<&'a [u8]>,
    user_agent: Option<&'a [u8]>,
    uri: &'a str,
}

fuzz_target!(|request: Request<'_>| {
    let Ok(uri) = request.uri.parse::<Uri>() else { return };
    let mut headers = HeaderMap::new();
    for (name, value) in [
        (header::AUTHORIZATION, request.authorization),
        (API_KEY_HEADER, request.api_key),
        (header::USER_AGENT, request.user_agent),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_bytes(v).ok()) {
            headers.insert(name, value);
        }
    }
    if let Presented::One(key) = find_key(&headers, &uri) {
        assert_eq!(key.trim(), key, "a presented key is trimmed");
    }
    let logged = scrubbed_path(&uri);
    assert!(logged.starts_with(uri.path()));
    if let Some((_, query)) = logged.split_once('?') {
        for (name, value) in url_pairs(query) {
            assert!(!value.starts_with("kw_"), "a key-shaped value reached the log: {logged}");
            assert!(!name.eq_ignore_ascii_case("hapikey"), "the key parameter reached the log: {logged}");
        }
    }
    if let Some(agent) = user_agent(&headers) {
        assert!(agent.chars().count() <= 256);
    }
    strip_key_headers(&mut headers);
    assert!(headers.get(&API_KEY_HEADER).is_none());
    let bearer_left = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    assert!(!bearer_left, "a Bearer key would be forwarded");
});

fn url_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}
