//! Printing results as text or JSON, and turning errors into messages and exit codes.

use std::process::ExitCode;

use serde::Serialize;

use crate::failure::Failure;

/// Documented exit codes (also in `keyward --help` and the README).
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_PERMISSION_DENIED: u8 = 3;
pub const EXIT_NOT_FOUND: u8 = 4;
pub const EXIT_CONFLICT: u8 = 5;

/// Prints `error: …` (and the CLI's hint, if it has one) on stderr and returns the matching
/// exit code.
pub fn fail(err: &Failure) -> ExitCode {
    match err.hint() {
        Some(hint) => eprintln!("error: {err}: {hint}"),
        None => eprintln!("error: {err}"),
    }
    ExitCode::from(err.exit_code())
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
