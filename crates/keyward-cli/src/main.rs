//! `keyward`: the command-line front door to keyward-core.
//!
//! - `cli`: the clap types (every flag and help text)
//! - `commands/`: one module per command group; each parses, calls the core, prints
//! - `output`: text/JSON printing and the exit codes
//! - `failure`: the CLI's error type: the core's errors with CLI hints, exit codes
//! - `confirm`: the interactive challenge for rotate and deactivate
//! - `since`: durations like 24h for --since
//! - `mailer`: reminder emails over SMTP (lettre)

mod cli;
mod commands;
mod confirm;
mod failure;
mod mailer;
mod output;
mod since;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts");
    let code = match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(err) => output::fail(&err),
    };
    // A keyring call that never answered (see `Keyward::with_secrets`) keeps a blocking thread;
    // the runtime would otherwise wait for it for ever on the way out.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    code
}
