//! The verify endpoint's body on any bytes: never panics; only a JSON object in UTF-8 with a
//! `key` string is read (anything else is the documented 400).
#![no_main]

use keyward_core::ApiKey;
use keyward_gateway::routes::verify::VerifyRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let Some(request) = VerifyRequest::from_body(body) else { return };
    assert_eq!(body.iter().find(|b| !b.is_ascii_whitespace()), Some(&b'{'));
    assert!(std::str::from_utf8(body).is_ok(), "what was read is UTF-8");
    let _ = ApiKey::digest_of(&request.key);
});
