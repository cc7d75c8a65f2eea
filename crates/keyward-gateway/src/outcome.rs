use keyward_core::VerifyCode;
use serde::Serialize;

/// What happened to a request that presented a key: the verify code, RATE_LIMITED, or
/// UNAVAILABLE (the gateway's view of the keys is older than its `max_staleness`: fail closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Valid,
    Malformed,
    NotFound,
    Revoked,
    Expired,
    RateLimited,
    Unavailable,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Valid => "VALID",
            Outcome::Malformed => "MALFORMED",
            Outcome::NotFound => "NOT_FOUND",
            Outcome::Revoked => "REVOKED",
            Outcome::Expired => "EXPIRED",
            Outcome::RateLimited => "RATE_LIMITED",
            Outcome::Unavailable => "UNAVAILABLE",
        }
    }

    pub const ALL: [Outcome; 7] = [
        Outcome::Valid,
        Outcome::Malformed,
        Outcome::NotFound,
        Outcome::Revoked,
        Outcome::Expired,
        Outcome::RateLimited,
        Outcome::Unavailable,
    ];
}

impl From<VerifyCode> for Outcome {
    fn from(code: VerifyCode) -> Outcome {
        match code {
            VerifyCode::Valid => Outcome::Valid,
            VerifyCode::Malformed => Outcome::Malformed,
            VerifyCode::NotFound => Outcome::NotFound,
            VerifyCode::Revoked => Outcome::Revoked,
            VerifyCode::Expired => Outcome::Expired,
        }
    }
}
