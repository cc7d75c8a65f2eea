//! A refusal as it crosses the wire: a team server adds the error's `detail` (its reason and
//! fields, the shape the desktop's IPC errors carry) beside the English message and the kind;
//! a device rebuilds the same [`Error`] from them. So a refusal from a team server gets what a
//! local one gets: the CLI's hints and exit code, the desktop's wording in the user's language.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::challenge::ChallengeRefusal;
use crate::error::{Clash, Error, ErrorKind, Invalid, Missing};

/// `Error::PermissionDenied` on the wire (the other refusals are enums tagged by `reason`).
#[derive(Serialize, Deserialize)]
#[serde(tag = "reason", rename = "not_super_admin")]
struct NotSuperAdmin {
    actor: String,
    account: String,
}

/// The detail a team server answers `err` with, when a device can rebuild it.
pub fn refusal_detail(err: &Error) -> Option<Value> {
    let detail = match err {
        Error::InvalidInput(invalid) => serde_json::to_value(invalid),
        Error::NotFound(missing) => serde_json::to_value(missing),
        Error::Conflict(clash) => serde_json::to_value(clash),
        Error::Confirmation(refusal) => serde_json::to_value(refusal),
        Error::PermissionDenied { actor, account } => {
            serde_json::to_value(NotSuperAdmin { actor: actor.clone(), account: account.clone() })
        }
        _ => return None,
    };
    detail.ok()
}

/// The error a team server refused with. A detail this version does not know (a newer server)
/// leaves it in the server's words, of the kind it named.
pub fn refusal_error(kind: ErrorKind, message: String, detail: Option<Value>) -> Error {
    let rebuilt = detail.and_then(|detail| match kind {
        ErrorKind::InvalidInput => serde_json::from_value::<Invalid>(detail).ok().map(Error::InvalidInput),
        ErrorKind::NotFound => serde_json::from_value::<Missing>(detail).ok().map(Error::NotFound),
        ErrorKind::Conflict => serde_json::from_value::<Clash>(detail).ok().map(Error::Conflict),
        ErrorKind::Confirmation => serde_json::from_value::<ChallengeRefusal>(detail).ok().map(Error::Confirmation),
        ErrorKind::PermissionDenied => serde_json::from_value::<NotSuperAdmin>(detail)
            .ok()
            .map(|denied| Error::PermissionDenied { actor: denied.actor, account: denied.account }),
        _ => None,
    });
    rebuilt.unwrap_or(Error::Remote { kind, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(err: Error) -> Error {
        let detail = refusal_detail(&err);
        assert!(detail.is_some(), "{err} has no detail");
        refusal_error(err.kind(), err.to_string(), detail)
    }

    #[test]
    fn each_refusal_with_a_detail_comes_back_the_same() {
        let refusals = [
            Error::from(Invalid::OutOfRange { field: "rotation_period_days".into(), value: 0, min: 1, max: 3650 }),
            Error::from(Invalid::Snooze { days: 3 }),
            Error::from(Missing::GraceWindow { account: "acme".into(), key_id: None }),
            Error::from(Missing::Member { account: "acme".into(), member: "bo".into() }),
            Error::from(Clash::LastSuperAdmin { account: "acme".into(), member: "ana".into() }),
            Error::from(ChallengeRefusal::Wrong { attempts_left: 2 }),
            Error::from(ChallengeRefusal::Burned),
            Error::PermissionDenied { actor: "bo".into(), account: "acme".into() },
        ];
        for err in refusals {
            let (text, kind) = (err.to_string(), err.kind());
            let back = round_trip(err);
            assert_eq!((back.to_string(), back.kind()), (text.clone(), kind));
            assert!(!matches!(back, Error::Remote { .. }), "{text} came back as a remote message");
        }
    }

    #[test]
    fn an_unknown_or_mismatched_detail_keeps_the_servers_words() {
        let unknown = serde_json::json!({ "reason": "from_a_newer_server" });
        let mismatched = serde_json::to_value(Missing::Account { account: "acme".into() }).unwrap();
        for (kind, detail) in
            [(ErrorKind::NotFound, Some(unknown)), (ErrorKind::Conflict, Some(mismatched)), (ErrorKind::NotFound, None)]
        {
            let err = refusal_error(kind, "said so".into(), detail);
            assert!(
                matches!(&err, Error::Remote { kind: k, message } if *k == kind && message == "said so"),
                "{err:?}"
            );
        }
    }

    #[test]
    fn errors_a_device_cannot_rebuild_send_no_detail() {
        assert_eq!(refusal_detail(&Error::NotAnOwner { person: "bo".into() }), None);
        assert_eq!(refusal_detail(&Error::LeaseTimedOut), None);
    }
}
