//! Printing results as text or JSON, and turning errors into messages and exit codes.

use std::process::ExitCode;

use keyward_core::{Error, ErrorKind};
use serde::Serialize;

/// Documented exit codes (also in `keyward --help` and the README).
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_PERMISSION_DENIED: u8 = 3;
pub const EXIT_NOT_FOUND: u8 = 4;
pub const EXIT_CONFLICT: u8 = 5;

pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput => EXIT_USAGE,
        ErrorKind::PermissionDenied => EXIT_PERMISSION_DENIED,
        ErrorKind::NotFound => EXIT_NOT_FOUND,
        ErrorKind::Conflict => EXIT_CONFLICT,
        ErrorKind::Confirmation | ErrorKind::KeyringUnavailable | ErrorKind::Unavailable | ErrorKind::Internal => {
            EXIT_FAILURE
        }
    }
}

/// Prints `error: …` on stderr (and `{"error": {kind, message}}` on stdout with --json is left
/// to callers that want it) and returns the matching exit code.
pub fn fail(err: &Error) -> ExitCode {
    eprintln!("error: {err}");
    ExitCode::from(exit_code(err.kind()))
}

/// Prints `value` as pretty JSON when `json`, else the text `human` renders.
pub fn print<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T) -> String) {
    if json {
        println!("{}", serde_json::to_string_pretty(value).expect("output types serialise"));
    } else {
        let text = human(value);
        if !text.is_empty() {
            println!("{text}");
        }
    }
}

/// "3 days ago" style ages for people; JSON keeps exact times.
pub fn days(n: i64) -> String {
    match n {
        0 => "today".into(),
        1 => "1 day ago".into(),
        n => format!("{n} days ago"),
    }
}
