//! The terminal side of the captcha-style confirmation: show the core's challenge code on
//! stderr, read the typed answer, let the core judge it. `--yes` confirms explicitly instead;
//! with no terminal and no `--yes` the action is refused before anything happens.

use std::io::{BufRead, IsTerminal, Write};

use keyward_core::{Action, Challenge, ChallengeRefusal, Confirmation, Error};

use crate::failure::{Failure, Result};

/// `issue` makes the challenge (the local core, or a team server), `act` does the change with
/// the confirmation the person gave.
pub async fn confirmed<T>(
    issue: impl AsyncFnOnce() -> keyward_core::Result<Challenge>,
    action: Action,
    yes: bool,
    consequence: &str,
    act: impl AsyncFn(&Confirmation) -> keyward_core::Result<T>,
) -> Result<T> {
    if yes {
        return Ok(act(&Confirmation::Explicit).await?);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "`{action}` needs a confirmation and there is no terminal to type it: run it in a terminal, \
             or pass --yes in scripts"
        )));
    }
    let challenge = issue().await?;
    eprintln!("{consequence}");
    eprintln!("To confirm, type this code within 120 seconds:  {}", challenge.code);
    loop {
        eprint!("code> ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).unwrap_or(0) == 0 {
            return Err(Failure::Usage("no code was typed: nothing was changed".into()));
        }
        let confirmation = Confirmation::Challenge { id: challenge.id.clone(), code: answer };
        match act(&confirmation).await {
            Err(Error::Confirmation(ChallengeRefusal::Wrong { attempts_left })) if attempts_left > 0 => {
                eprintln!("Wrong code: {attempts_left} attempt(s) left.");
            }
            outcome => return Ok(outcome?),
        }
    }
}
