//! The API key itself: its format, generation, parsing, hash and display hint.
//!
//! Format (GitHub's token design): `kw_` + 30 base62 characters from the OS CSPRNG + 6 base62
//! characters of CRC32 over those 30. About 178 bits of entropy, a prefix secret scanners can
//! match, and a checksum that rejects any typo before a database read.

use rand::distr::{Alphanumeric, SampleString};
use rand::rngs::OsRng;
use rand::TryRngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub const PREFIX: &str = "kw_";
const RANDOM_LEN: usize = 30;
const CHECKSUM_LEN: usize = 6;
pub const KEY_LEN: usize = PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A key string. It never prints (Debug shows `<redacted>`), never serialises, and is wiped from
/// memory on drop; [`ApiKey::expose`] is the one way out, used only to hand it to its owner.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Zeroizing<String>);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Why a string is not a well-formed key. Never contains the string itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("a Keyward key starts with \"kw_\"")]
    Prefix,
    #[error("a Keyward key is {KEY_LEN} characters long")]
    Length,
    #[error("a Keyward key holds only letters and digits after \"kw_\"")]
    Alphabet,
    #[error("the key's checksum does not match: it was mistyped or truncated")]
    Checksum,
}

impl ApiKey {
    /// A fresh key from the OS CSPRNG.
    pub fn generate() -> ApiKey {
        ApiKey(Zeroizing::new(with_checksum(&random_base62(RANDOM_LEN))))
    }

    /// Checks prefix, length, alphabet and checksum; touches no storage.
    pub fn parse(candidate: &str) -> Result<ApiKey, Malformed> {
        check_format(candidate)?;
        Ok(ApiKey(Zeroizing::new(candidate.to_owned())))
    }

    /// [`ApiKey::parse`] and [`ApiKey::digest`] in one, without copying the key: the
    /// gateway's path for every presented key.
    pub fn digest_of(candidate: &str) -> Result<[u8; 32], Malformed> {
        check_format(candidate)?;
        Ok(Sha256::digest(candidate.as_bytes()).into())
    }

    /// The key string, for the one place that must hand it over (stdout, clipboard, keyring).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Hex SHA-256: what the database stores and looks keys up by.
    pub fn hash(&self) -> String {
        hex::encode(self.digest())
    }

    /// SHA-256 of the key, as bytes.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// `kw_AbC…wxyz`: the first 6 and last 4 characters, enough to tell keys apart.
    pub fn hint(&self) -> String {
        format!("{}…{}", &self.0[..6], &self.0[KEY_LEN - 4..])
    }
}

/// `kw_` + `random` + its checksum.
pub(crate) fn with_checksum(random: &str) -> String {
    let mut key = String::with_capacity(KEY_LEN);
    key.push_str(PREFIX);
    key.push_str(random);
    key.extend(checksum(random).map(char::from));
    key
}

/// `len` base62 characters straight from the operating system's CSPRNG.
pub(crate) fn random_base62(len: usize) -> String {
    Alphanumeric.sample_string(&mut OsRng.unwrap_err(), len)
}

fn check_format(candidate: &str) -> Result<(), Malformed> {
    let body = candidate.strip_prefix(PREFIX).ok_or(Malformed::Prefix)?;
    if candidate.len() != KEY_LEN {
        return Err(Malformed::Length);
    }
    if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Malformed::Alphabet);
    }
    let (random, check) = body.split_at(RANDOM_LEN);
    if checksum(random) != check.as_bytes() {
        return Err(Malformed::Checksum);
    }
    Ok(())
}

/// CRC32 of `random`, in base62, left-padded to 6 characters (62^6 > 2^32).
fn checksum(random: &str) -> [u8; CHECKSUM_LEN] {
    let mut n = crc32fast::hash(random.as_bytes()) as u64;
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_back() {
        for _ in 0..200 {
            let key = ApiKey::generate();
            assert_eq!(key.expose().len(), KEY_LEN);
            assert_eq!(ApiKey::parse(key.expose()).unwrap(), key);
            assert_eq!(ApiKey::digest_of(key.expose()), Ok(key.digest()));
        }
    }

    #[test]
    fn every_single_character_mutation_is_rejected() {
        let key = ApiKey::generate();
        let original = key.expose().as_bytes().to_vec();
        let alphabet: Vec<u8> = BASE62.iter().copied().chain(*b"_-!").collect();
        let mut tried = 0;
        for i in 0..original.len() {
            for &c in &alphabet {
                if c == original[i] {
                    continue;
                }
                let mut mutated = original.clone();
                mutated[i] = c;
                let text = String::from_utf8(mutated).unwrap();
                assert!(ApiKey::parse(&text).is_err(), "mutation at {i} accepted");
                assert_eq!(ApiKey::digest_of(&text).err(), ApiKey::parse(&text).err());
                tried += 1;
            }
        }
        assert!(tried > 2_000);
    }

    #[test]
    fn truncation_extension_and_prefix_are_rejected() {
        let key = ApiKey::generate();
        let s = key.expose();
        assert_eq!(ApiKey::parse(&s[..KEY_LEN - 1]), Err(Malformed::Length));
        assert_eq!(ApiKey::parse(&format!("{s}0")), Err(Malformed::Length));
        assert_eq!(ApiKey::parse(&s.replacen("kw_", "kx_", 1)), Err(Malformed::Prefix));
        assert_eq!(ApiKey::parse(""), Err(Malformed::Prefix));
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::generate();
        let printed = format!("{key:?}");
        assert!(!printed.contains(&key.expose()[3..]));
        assert!(printed.contains("redacted"));
    }

    #[test]
    fn hint_shows_first_six_and_last_four() {
        let key = ApiKey::generate();
        let s = key.expose();
        assert_eq!(key.hint(), format!("{}…{}", &s[..6], &s[s.len() - 4..]));
        assert_eq!(key.hash().len(), 64);
    }
}
