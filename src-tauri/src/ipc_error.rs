//! The one error shape across IPC: `{kind, message, detail?}`. `detail` carries the reason and
//! the fields the UI needs to say it in the user's language; `message` is English, for logs.
//! Internal failures (SQL, I/O) are logged in full and reach the UI only as their kind.

use keyward_core::error::{Clash, Invalid, Missing};
use keyward_core::{ChallengeRefusal, Error, ErrorKind};
use serde::Serialize;

#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub detail: Option<ErrorDetail>,
}

/// Why, as `{reason, ...fields}`; which enum it is follows from `kind`.
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ErrorDetail {
    Invalid(Invalid),
    Missing(Missing),
    Clash(Clash),
    Refusal(ChallengeRefusal),
    Desktop(DesktopProblem),
    Team(TeamDetail),
}

/// Team mode: a server out of reach (kind `unavailable`; the app says so and retries), or a
/// refusal in the server's own words (any kind; the server speaks English): one with no detail
/// to rebuild it from (most come back as the same error as a local refusal, worded here).
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum TeamDetail {
    Unreachable { server: String },
    Said { message: String },
}

/// A desktop service outside Keyward that could not be used (kind `unavailable`).
#[cfg_attr(test, derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DesktopProblem {
    /// The clipboard could not be written: Show and copy by hand.
    Clipboard,
    /// Neither a Downloads nor a home folder exists for the export.
    NoExportFolder,
    /// The export file could not be written.
    ExportWrite { path: String },
    /// Settings were saved, but the login item could not be changed.
    StartAtLogin,
    /// This app is linked to a team but cannot sign in (its credentials left the keyring).
    TeamSignIn { detail: String },
    /// What the UI asked has no team path yet; nothing was done.
    NotInTeam { what: String },
}

impl std::fmt::Display for DesktopProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DesktopProblem::Clipboard => {
                f.write_str("the clipboard is not available: use Show and copy the key by hand")
            }
            DesktopProblem::NoExportFolder => {
                f.write_str("no Downloads or home folder was found to save the export in")
            }
            DesktopProblem::ExportWrite { path } => write!(f, "could not write {path}: check the folder's permissions"),
            DesktopProblem::StartAtLogin => {
                f.write_str("settings were saved, but start at login could not be changed on this desktop")
            }
            DesktopProblem::TeamSignIn { detail } => write!(
                f,
                "this app is connected to a team but cannot sign in ({detail}): leave the team in Settings and connect again"
            ),
            DesktopProblem::NotInTeam { what } => {
                write!(f, "{what} is not available while connected to a team in this version; nothing was done")
            }
        }
    }
}

impl From<DesktopProblem> for IpcError {
    fn from(problem: DesktopProblem) -> IpcError {
        IpcError {
            kind: ErrorKind::Unavailable,
            message: problem.to_string(),
            detail: Some(ErrorDetail::Desktop(problem)),
        }
    }
}

impl From<Invalid> for IpcError {
    fn from(invalid: Invalid) -> IpcError {
        IpcError::from(Error::from(invalid))
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
        let detail = match err {
            Error::InvalidInput(invalid) => Some(ErrorDetail::Invalid(invalid)),
            Error::NotFound(missing) => Some(ErrorDetail::Missing(missing)),
            Error::Conflict(clash) => Some(ErrorDetail::Clash(clash)),
            Error::Confirmation(refusal) => Some(ErrorDetail::Refusal(refusal)),
            Error::ServerUnreachable { server, .. } => Some(ErrorDetail::Team(TeamDetail::Unreachable { server })),
            Error::Remote { .. }
            | Error::Team(_)
            | Error::SignIn(_)
            | Error::NotShared { .. }
            | Error::NotAnOwner { .. } => Some(ErrorDetail::Team(TeamDetail::Said { message: message.clone() })),
            _ => None,
        };
        IpcError { kind, message, detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_kind_message_and_detail() {
        let err = IpcError::from(Error::from(Missing::Account { account: "x".into() }));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "not_found",
                "message": "no account named \"x\"",
                "detail": { "reason": "account", "account": "x" },
            })
        );
    }

    #[test]
    fn a_refused_code_says_why_in_data() {
        let err = IpcError::from(Error::Confirmation(ChallengeRefusal::Wrong { attempts_left: 2 }));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["detail"], serde_json::json!({ "reason": "wrong", "attempts_left": 2 }));
        assert_eq!(json["kind"], "confirmation");
    }

    #[test]
    fn no_message_carries_a_cli_hint() {
        let errors = [
            Error::from(Missing::ActiveKey { account: "acme".into() }),
            Error::from(Clash::ActiveKeyExists { account: "acme".into() }),
            Error::from(Clash::MemberExists { account: "acme".into(), member: "bob".into() }),
            Error::Confirmation(ChallengeRefusal::Required),
        ];
        for err in errors {
            let message = IpcError::from(err).message;
            assert!(!message.contains("keyward ") && !message.contains("--"), "{message}");
        }
    }

    #[test]
    fn a_team_servers_refusal_carries_its_own_reason_when_it_names_one() {
        use keyward_core::team::refusal::refusal_error;
        let detail = serde_json::json!({ "reason": "member", "account": "acme", "member": "bo" });
        let rebuilt = refusal_error(ErrorKind::NotFound, "bo is not a member of acme".into(), Some(detail.clone()));
        assert_eq!(serde_json::to_value(IpcError::from(rebuilt)).unwrap()["detail"], detail);
        let unnamed = refusal_error(ErrorKind::NotFound, "from a newer server".into(), None);
        let said = serde_json::to_value(IpcError::from(unnamed)).unwrap();
        assert_eq!(said["detail"], serde_json::json!({ "reason": "said", "message": "from a newer server" }));
    }

    #[test]
    fn internal_details_stay_in_the_log() {
        let err = IpcError::from(Error::Database(keyward_core::error::SqlError::PoolTimedOut));
        assert_eq!(err.kind, ErrorKind::Internal);
        assert!(err.detail.is_none());
        assert!(!err.message.contains("pool"), "{}", err.message);
    }
}
