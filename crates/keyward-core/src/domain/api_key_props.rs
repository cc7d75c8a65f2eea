//! Property tests of the key format: every generated shape parses, every single-character typo
//! and adjacent swap is refused before any lookup, and nothing panics on arbitrary input.

use proptest::prelude::*;

use super::api_key::{ApiKey, Malformed, KEY_LEN, PREFIX};

/// A key's 30 random characters.
const BODY: &str = "[0-9A-Za-z]{30}";

/// A well-formed key with the given 30-character body (its checksum computed as `generate` does).
fn key_with_body(body: &str) -> String {
    super::api_key::with_checksum(body)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]

    #[test]
    fn any_body_with_its_checksum_parses(body in BODY) {
        let key = key_with_body(&body);
        prop_assert_eq!(key.len(), KEY_LEN);
        prop_assert!(ApiKey::parse(&key).is_ok());
    }

    #[test]
    fn a_single_changed_character_is_refused(
        body in BODY,
        at in 0usize..KEY_LEN,
        with in proptest::char::range('!', '~'),
    ) {
        let key = key_with_body(&body);
        prop_assume!(key.as_bytes()[at] != with as u8);
        let mut typo = key.into_bytes();
        typo[at] = with as u8;
        let typo = String::from_utf8(typo).unwrap();
        prop_assert!(ApiKey::parse(&typo).is_err(), "accepted a typo at {at}");
    }

    #[test]
    fn two_swapped_neighbours_are_refused(body in BODY, at in 3usize..KEY_LEN - 1) {
        let key = key_with_body(&body);
        let mut swapped = key.clone().into_bytes();
        prop_assume!(swapped[at] != swapped[at + 1]);
        swapped.swap(at, at + 1);
        prop_assert_eq!(ApiKey::parse(std::str::from_utf8(&swapped).unwrap()).unwrap_err(), Malformed::Checksum);
    }

    #[test]
    fn arbitrary_text_never_panics_and_what_parses_is_well_formed(text in "\\PC{0,64}") {
        if let Ok(key) = ApiKey::parse(&text) {
            prop_assert!(key.expose().starts_with(PREFIX) && key.expose().len() == KEY_LEN);
            prop_assert!(key.expose()[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        prop_assert_eq!(ApiKey::digest_of(&text).is_ok(), ApiKey::parse(&text).is_ok());
    }

    #[test]
    fn the_hint_shows_ten_characters_at_most(body in BODY) {
        let key = ApiKey::parse(&key_with_body(&body)).unwrap();
        let hint = key.hint();
        let shown: usize = hint.split('…').map(str::len).sum();
        prop_assert_eq!(shown, 10);
        prop_assert!(!hint.contains(&key.expose()[6..KEY_LEN - 4]));
    }
}
