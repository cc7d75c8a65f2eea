//! The one error shape across IPC: `{kind, message}`. Internal failures (SQL, I/O) are logged
//! in full and reach the UI only as a short generic message.

use keyward_core::{Error, ErrorKind};
use serde::Serialize;

#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
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
        IpcError { kind, message }
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
    fn internal_details_stay_in_the_log() {
        let err = IpcError::from(Error::Database(sqlx_error()));
        assert_eq!(err.kind, ErrorKind::Internal);
        assert!(!err.message.contains("pool"), "{}", err.message);
    }

    fn sqlx_error() -> keyward_core::error::SqlError {
        keyward_core::error::SqlError::PoolTimedOut
    }
}
