//! Is this key string good right now? The path services take: no actor, no keyring, one
//! indexed lookup by hash — and none at all for a malformed string.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::api_key::ApiKey;
use crate::error::Result;
use crate::keyward::Keyward;
use crate::serde_names::display_as_serde_name;
use crate::time::to_millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerifyCode {
    Valid,
    Malformed,
    NotFound,
    Revoked,
    Expired,
}

display_as_serde_name!(VerifyCode);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub valid: bool,
    pub code: VerifyCode,
    pub account: Option<String>,
    pub key_id: Option<String>,
}

/// A key's validity from its stored state: active, in grace, expired or revoked.
pub fn validity(retired_at: Option<i64>, expires_at: Option<i64>, now_ms: i64) -> VerifyCode {
    match (retired_at, expires_at) {
        (None, _) => VerifyCode::Valid,
        (Some(_), Some(until)) if now_ms < until => VerifyCode::Valid,
        (Some(_), Some(_)) => VerifyCode::Expired,
        (Some(_), None) => VerifyCode::Revoked,
    }
}

impl Keyward {
    pub async fn verify_key(&self, candidate: &str, now: DateTime<Utc>) -> Result<Verification> {
        let Ok(key) = ApiKey::parse(candidate) else {
            return Ok(Verification { valid: false, code: VerifyCode::Malformed, account: None, key_id: None });
        };
        let row: Option<(String, String, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT k.id, a.name, k.retired_at, k.expires_at
             FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = $1",
        )
        .bind(key.hash())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            None => Verification { valid: false, code: VerifyCode::NotFound, account: None, key_id: None },
            Some((key_id, account, retired_at, expires_at)) => {
                let code = validity(retired_at, expires_at, to_millis(now));
                Verification { valid: code == VerifyCode::Valid, code, account: Some(account), key_id: Some(key_id) }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states() {
        assert_eq!(validity(None, None, 5), VerifyCode::Valid);
        assert_eq!(validity(Some(1), None, 5), VerifyCode::Revoked);
        assert_eq!(validity(Some(1), Some(6), 5), VerifyCode::Valid);
        assert_eq!(validity(Some(1), Some(5), 5), VerifyCode::Expired);
    }
}
