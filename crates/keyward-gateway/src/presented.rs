//! Where a request carries its key, and how to take it out again.
//!
//! A key may come as `Authorization: Bearer KEY`, `X-API-Key: KEY`, or the `hapikey` query
//! parameter (HubSpot's legacy form, so old integrations can point here). Two different keys in
//! one request are refused.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Uri};

/// A name checked when compiled: a `&str` name is parsed again at every lookup.
pub const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");
pub const QUERY_PARAM: &str = "hapikey";
/// Query parameters that may carry a secret and never reach the log or the upstream.
const SECRET_PARAMS: &[&str] = &["hapikey", "api_key", "apikey", "key", "token", "access_token"];

#[derive(Debug, PartialEq, Eq)]
pub enum Presented {
    None,
    One(String),
    /// Two different keys: a 400, whatever they are.
    Conflicting,
}

/// The key a request presents, from any of the three places.
pub fn find_key(headers: &HeaderMap, uri: &Uri) -> Presented {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let header_key = headers.get(&API_KEY_HEADER).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned());
    let query_key = uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == QUERY_PARAM)
            .map(|(_, v)| v.trim().to_owned())
    });
    let mut found: Option<String> = None;
    for key in [bearer, header_key, query_key].into_iter().flatten() {
        match &found {
            Some(existing) if *existing != key => return Presented::Conflicting,
            _ => found = Some(key),
        }
    }
    found.map_or(Presented::None, Presented::One)
}

/// The path and query with every secret-bearing parameter removed (what is logged and sent on).
pub fn scrubbed_path(uri: &Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else { return path.to_owned() };
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, value)| {
            !SECRET_PARAMS.iter().any(|s| name.eq_ignore_ascii_case(s)) && !value.starts_with("kw_")
        })
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    format!("{path}?{query}")
}

/// Removes the key's headers before forwarding: a Bearer `Authorization` and `X-API-Key`.
/// Another `Authorization` scheme (e.g. Basic for the upstream) is left alone.
pub fn strip_key_headers(headers: &mut HeaderMap) {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    if bearer {
        headers.remove(header::AUTHORIZATION);
    }
    headers.remove(&API_KEY_HEADER);
}

/// A user agent fit for the log: at most 256 characters.
pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::USER_AGENT)
        .map(HeaderValue::to_str)
        .and_then(Result::ok)
        .map(|ua| ua.chars().take(256).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        text.parse().unwrap()
    }

    #[test]
    fn each_form_is_found_and_two_different_keys_conflict() {
        let mut headers = HeaderMap::new();
        assert_eq!(find_key(&headers, &uri("/x?hapikey=abc")), Presented::One("abc".into()));
        // Trimmed like the headers (the fuzzer found `?hapikey=abc+`, a trailing space, kept).
        assert_eq!(find_key(&headers, &uri("/x?hapikey=abc+")), Presented::One("abc".into()));
        headers.insert("authorization", "Bearer abc".parse().unwrap());
        assert_eq!(find_key(&headers, &uri("/x?hapikey=abc")), Presented::One("abc".into()), "same key twice is fine");
        headers.insert("x-api-key", "def".parse().unwrap());
        assert_eq!(find_key(&headers, &uri("/x")), Presented::Conflicting);
        let basic: HeaderMap = [(header::AUTHORIZATION, "Basic Zm9v".parse().unwrap())].into_iter().collect();
        assert_eq!(find_key(&basic, &uri("/x")), Presented::None);
    }

    #[test]
    fn secrets_are_cut_from_the_path() {
        assert_eq!(scrubbed_path(&uri("/v1/x?hapikey=kw_abc&limit=5")), "/v1/x?limit=5");
        assert_eq!(scrubbed_path(&uri("/v1/x?Token=t&q=kw_zzz")), "/v1/x");
        assert_eq!(scrubbed_path(&uri("/v1/x?a=1&b=2")), "/v1/x?a=1&b=2");
    }

    #[test]
    fn only_bearer_authorization_is_stripped() {
        let mut headers: HeaderMap = [(header::AUTHORIZATION, "Basic Zm9v".parse().unwrap())].into_iter().collect();
        strip_key_headers(&mut headers);
        assert!(headers.contains_key(header::AUTHORIZATION));
        headers.insert(header::AUTHORIZATION, "bearer kw_x".parse().unwrap());
        headers.insert("x-api-key", "kw_x".parse().unwrap());
        strip_key_headers(&mut headers);
        assert!(headers.is_empty());
    }
}
