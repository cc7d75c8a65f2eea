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

/// Writes an export to stdout; a closed or full stdout is a failure (exit 1), not a panic.
pub fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|err| Failure::Failed(format!("could not write the export: {err}")))
}

/// An export that could not be written to stdout says so (exit 1); other errors stay the core's.
pub fn export_failed(err: keyward_core::Error) -> Failure {
    match err {
        keyward_core::Error::Csv(err) => Failure::Failed(format!("could not write the export: {err}")),
        other => other.into(),
    }
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
