//! The key parser on any text: never panics; what it accepts has the key's shape; `digest_of`
//! (the gateway's path) agrees with `parse`.
#![no_main]

use keyward_core::domain::api_key::{KEY_LEN, PREFIX};
use keyward_core::ApiKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let parsed = ApiKey::parse(text);
    assert_eq!(parsed.is_ok(), ApiKey::digest_of(text).is_ok());
    if let Ok(key) = parsed {
        assert!(key.expose().starts_with(PREFIX) && key.expose().len() == KEY_LEN);
        assert!(key.expose()[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(key.hint().chars().count(), 11);
    }
});
