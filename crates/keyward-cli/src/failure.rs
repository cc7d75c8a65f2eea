//! The CLI's one error type: the core's errors, worded with the CLI's own hints (commands and
//! flags to try), and the failures only a command line has (a bad flag value, a busy port).

use keyward_core::error::{Clash, Missing};
use keyward_core::{ChallengeRefusal, Error, ErrorKind};

use crate::output::{EXIT_CONFLICT, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_PERMISSION_DENIED, EXIT_USAGE};

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Core(#[from] Error),
    /// A value the CLI itself refuses (exit 2): say which and what to write instead.
    #[error("{0}")]
    Usage(String),
    /// A clash outside the core (exit 5), e.g. a port another program holds.
    #[error("{0}")]
    Conflict(String),
    /// Something outside Keyward failed (exit 1): a socket, stdin, the mail server.
    #[error("{0}")]
    Failed(String),
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Core(err) => match err.kind() {
                ErrorKind::InvalidInput => EXIT_USAGE,
                ErrorKind::PermissionDenied => EXIT_PERMISSION_DENIED,
                ErrorKind::NotFound => EXIT_NOT_FOUND,
                ErrorKind::Conflict => EXIT_CONFLICT,
                ErrorKind::Confirmation
                | ErrorKind::KeyringUnavailable
                | ErrorKind::Unavailable
                | ErrorKind::Internal => EXIT_FAILURE,
            },
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Conflict(_) => EXIT_CONFLICT,
            Failure::Failed(_) => EXIT_FAILURE,
        }
    }

    /// What to run or pass next, where the CLI knows better than the core.
    pub fn hint(&self) -> Option<String> {
        let Failure::Core(err) = self else { return None };
        Some(match err {
            Error::NotFound(Missing::Account { .. }) => "`keyward account list` shows the accounts there are".into(),
            Error::NotFound(Missing::Member { account, .. }) => format!("`keyward member list {account}` shows who is"),
            Error::NotFound(Missing::ActiveKey { account }) => {
                format!("generate one with `keyward key generate {account}`")
            }
            Error::Conflict(Clash::ActiveKeyExists { account }) => {
                format!("rotate it instead: `keyward key rotate {account}`")
            }
            Error::Conflict(Clash::MemberExists { account, member }) => {
                format!("change their role with `keyward member set-role {account} {member} ROLE`")
            }
            Error::Confirmation(ChallengeRefusal::Required) => "in scripts, pass --yes".into(),
            _ => return None,
        })
    }
}
