//! On a team database `keyward serve` emails rotation reminders itself: at start and every
//! hour. Every replica runs the check; the claim each reminder takes in the database makes it
//! go out once per person, whichever replica (or device, or `keyward reminders send`) is first.

use std::time::Duration;

use keyward_core::{Actor, Keyward};

use super::reminders::{email_due, report_line};
use crate::mailer::Mailer;

const EVERY: Duration = Duration::from_secs(3600);

pub fn start(keyward: Keyward) {
    // The audit trail names the host that sent them.
    let actor = Actor::new(format!("keyward-serve@{}", keyward_core::paths::machine_name()));
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            check(&keyward, &actor).await;
        }
    });
}

async fn check(keyward: &Keyward, actor: &Actor) {
    let config = match keyward.mail_config().await {
        Ok(config) if config.url.is_some() && config.from.is_some() => config,
        Ok(_) => return tracing::debug!("email reminders are off until smtp.url and smtp.from are set"),
        Err(err) => return tracing::warn!(%err, "reminder check failed; trying again within the hour"),
    };
    let mailer = match Mailer::new(&config) {
        Ok(mailer) => mailer,
        Err(err) => return tracing::warn!(%err, "email reminders cannot be sent"),
    };
    match email_due(keyward, actor, &mailer).await {
        Ok((report, _)) => {
            for item in report.iter().filter(|i| i["result"] == "sent" || i["result"] == "failed") {
                tracing::info!("reminder: {}", report_line(item));
            }
        }
        Err(err) => tracing::warn!(%err, "reminder check failed; trying again within the hour"),
    }
}
