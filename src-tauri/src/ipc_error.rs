//! The one error shape across IPC: `{kind, message}`. Internal failures (SQL, I/O) are logged
//! in full and reach the UI only as a short generic message.

use keyward_core::{ChallengeRefusal, Error, ErrorKind};
use serde::Serialize;

#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
    /// For `confirmation` errors: why the code was refused, so the dialog can explain it in
    /// the user's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub refusal: Option<ChallengeRefusal>,
}

impl IpcError {
    /// A desktop service (clipboard, a folder) failed; `message` says what to do instead.
    pub fn unavailable(message: &str) -> IpcError {
        IpcError { kind: ErrorKind::Unavailable, message: message.to_owned(), refusal: None }
    }

    pub fn invalid(message: impl Into<String>) -> IpcError {
        IpcError { kind: ErrorKind::InvalidInput, message: message.into(), refusal: None }
    }
}

impl From<Error> for IpcError {
    fn from(err: Error) -> IpcError {
        let kind = err.kind();
        let message = if kind == ErrorKind::Internal {
            tracing::error!(%err, "internal error behind an IPC command");
            "Something went wrong inside Keyward; the details are in its log.".to_owned()
        } else {
            err.to_string()
        };
        let refusal = match &err {
            Error::Confirmation(refusal) => Some(refusal.clone()),
            _ => None,
        };
        IpcError { kind, message, refusal }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_kind_and_message() {
        let err = IpcError::from(Error::NotFound("no account named \"x\"".into()));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json, serde_json::json!({ "kind": "not_found", "message": "no account named \"x\"" }));
    }

    #[test]
    fn a_refused_code_says_why_in_data() {
        let err = IpcError::from(Error::Confirmation(ChallengeRefusal::Wrong { attempts_left: 2 }));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["refusal"], serde_json::json!({ "reason": "wrong", "attempts_left": 2 }));
        assert_eq!(json["kind"], "confirmation");
    }

    #[test]
    fn internal_details_stay_in_the_log() {
        let err = IpcError::from(Error::Database(sqlx_error()));
        assert_eq!(err.kind, ErrorKind::Internal);
        assert!(!err.message.contains("pool"), "{}", err.message);
    }

    fn sqlx_error() -> keyward_core::error::SqlError {
        keyward_core::error::SqlError::PoolTimedOut
    }
}
