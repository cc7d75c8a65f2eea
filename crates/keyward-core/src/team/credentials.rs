//! A device's own secrets, made on the device and kept in its OS keyring: the token it signs in
//! with (the server keeps only its hash) and its age X25519 identity (the server keeps only the
//! public recipient, to which keys are encrypted for this device).

use age::secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::domain::api_key::random_base62;
use crate::error::{Result, TeamProblem};

const TOKEN_PREFIX: &str = "kwt_";

/// Never printed: `Debug` shows only the public recipient.
#[derive(Clone, Serialize, Deserialize)]
pub struct Credentials {
    token: String,
    identity: String,
}

impl Credentials {
    pub fn generate() -> Credentials {
        let identity = age::x25519::Identity::generate().to_string().expose_secret().to_owned();
        Credentials { token: format!("{TOKEN_PREFIX}{}", random_base62(43)), identity }
    }

    /// The keyring entry's text (JSON).
    pub fn to_secret_text(&self) -> String {
        serde_json::to_string(self).expect("two strings serialise")
    }

    pub fn from_secret_text(text: &str) -> Result<Credentials> {
        let credentials: Credentials = serde_json::from_str(text).map_err(|_| TeamProblem::Credentials)?;
        credentials.age_identity()?;
        Ok(credentials)
    }

    /// The bearer token of this device's requests.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The public half, which the server records.
    pub fn recipient(&self) -> String {
        self.age_identity().map(|id| id.to_public().to_string()).unwrap_or_default()
    }

    pub fn age_identity(&self) -> Result<age::x25519::Identity> {
        self.identity.parse().map_err(|_| TeamProblem::Credentials.into())
    }
}

/// A fresh name for a keyring entry of [`Credentials`]: one per enrolment, so several data
/// folders (people, tests) share one keyring without meeting.
pub fn new_entry_name() -> String {
    format!("team-device-{}", random_base62(16))
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials {{ recipient: {}, token: <redacted> }}", self.recipient())
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.token.zeroize();
        self.identity.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_round_trip_and_never_print_their_secrets() {
        let made = Credentials::generate();
        let back = Credentials::from_secret_text(&made.to_secret_text()).unwrap();
        assert_eq!(back.token(), made.token());
        assert!(made.recipient().starts_with("age1"));
        let shown = format!("{made:?}");
        assert!(!shown.contains(made.token()) && !shown.contains("AGE-SECRET-KEY"));
        assert!(Credentials::from_secret_text("{\"token\":\"x\",\"identity\":\"nope\"}").is_err());
    }
}
