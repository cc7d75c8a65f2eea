//! Sealing a key on this device (age, ASCII-armored, one ciphertext per recipient device) and
//! opening this device's share with its identity. Only devices run this; the server never can.

use keyward_core::domain::api_key::ApiKey;
use keyward_core::error::{Error, Result, TeamProblem};
use keyward_core::team::credentials::Credentials;
use keyward_core::team::sealed::{Recipient, SealedKey, Share};

/// The key's hash and hint, and a ciphertext for each recipient.
pub fn seal(key: &ApiKey, recipients: &[Recipient]) -> Result<SealedKey> {
    Ok(SealedKey { key_hash: key.hash(), hint: key.hint(), shares: shares_for(key, recipients)? })
}

pub fn shares_for(key: &ApiKey, recipients: &[Recipient]) -> Result<Vec<Share>> {
    recipients
        .iter()
        .map(|r| {
            let recipient: age::x25519::Recipient = r.recipient.parse().map_err(|_| TeamProblem::Credentials)?;
            let ciphertext = age::encrypt_and_armor(&recipient, key.expose().as_bytes())
                .map_err(|err| Error::Remote { kind: keyward_core::ErrorKind::Internal, message: err.to_string() })?;
            Ok(Share { device: r.device.clone(), ciphertext })
        })
        .collect()
}

/// This device's share, opened with its identity; a ciphertext it cannot open, or one that does
/// not hold a key, is refused (nothing of it is shown).
pub fn open(share: &Share, credentials: &Credentials) -> Result<ApiKey> {
    let identity = credentials.age_identity()?;
    let plaintext = age::decrypt(&identity, share.ciphertext.as_bytes()).map_err(|_| TeamProblem::Sealed)?;
    let text = String::from_utf8(plaintext).map_err(|_| TeamProblem::Sealed)?;
    Ok(ApiKey::parse(&text).map_err(|_| TeamProblem::Sealed)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient_of(device: &str, credentials: &Credentials) -> Recipient {
        Recipient { device: device.into(), person: "p".into(), recipient: credentials.recipient() }
    }

    #[test]
    fn each_device_opens_its_own_share_and_no_other() {
        let (alice, bob) = (Credentials::generate(), Credentials::generate());
        let key = ApiKey::generate();
        let sealed = seal(&key, &[recipient_of("a", &alice), recipient_of("b", &bob)]).unwrap();
        assert_eq!((sealed.key_hash.as_str(), sealed.shares.len()), (key.hash().as_str(), 2));
        assert!(sealed.shares.iter().all(|s| !s.ciphertext.contains(key.expose())));
        assert_eq!(open(&sealed.shares[0], &alice).unwrap().expose(), key.expose());
        assert_eq!(open(&sealed.shares[1], &bob).unwrap().expose(), key.expose());
        assert!(open(&sealed.shares[1], &alice).is_err(), "alice cannot open bob's share");
    }
}
