//! Reminder emails over SMTP (lettre): the transport from `smtp.url` (TLS as its scheme and
//! `tls=` say), the password from KEYWARD_SMTP_PASSWORD, one plain-text message per person.

use std::time::Duration;

use keyward_core::domain::mail_config::{MailConfig, SMTP_PASSWORD_ENV};
use keyward_core::DueReminder;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::failure::{Failure, Result};

/// How long one SMTP step may take (lettre's socket time-out).
const STEP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one whole message may take. lettre's own time-out does not cover every wait (a
/// server that accepts the connection and never greets hangs it for as long as the server
/// likes), so each send is also bounded as a whole.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Mailer> {
        let (Some(url), Some(from)) = (&config.url, &config.from) else {
            return Err(Failure::Usage(
                "email is not set up: `keyward config set smtp.url smtp://HOST:PORT` and `keyward config set smtp.from ADDRESS`".into(),
            ));
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|err| {
                Failure::Usage(format!(
                    "smtp.url \"{url}\" cannot be used ({err}): fix it with `keyward config set smtp.url`"
                ))
            })?
            .timeout(Some(STEP_TIMEOUT));
        if let Ok(password) = std::env::var(SMTP_PASSWORD_ENV) {
            let user = url::Url::parse(url).map(|u| u.username().to_owned()).unwrap_or_default();
            builder = builder.credentials(Credentials::new(user, password));
        }
        let from = from.parse().map_err(|_| {
            Failure::Usage(format!(
                "smtp.from \"{from}\" is not an address: fix it with `keyward config set smtp.from`"
            ))
        })?;
        Ok(Mailer { transport: builder.build(), from })
    }

    /// Sends `reminder` to `address`; the error says why in one line.
    pub async fn send(&self, reminder: &DueReminder, address: &str) -> std::result::Result<(), String> {
        let to: Mailbox = address.parse().map_err(|_| format!("\"{address}\" is not a deliverable address"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject(reminder))
            .body(body(reminder))
            .map_err(|err| err.to_string())?;
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(sent) => sent.map(|_| ()).map_err(|err| err.to_string()),
            Err(_) => Err(format!("the SMTP server did not finish within {} s", SEND_TIMEOUT.as_secs())),
        }
    }
}

fn subject(r: &DueReminder) -> String {
    if r.kind == "heads-up" {
        format!("The API key of {} is due for rotation soon ({} days old)", r.display_name, r.age_days)
    } else {
        format!("Rotate the API key of {} ({} days old)", r.display_name, r.age_days)
    }
}

fn body(r: &DueReminder) -> String {
    format!(
        "Hello {recipient},\n\n\
         The API key {hint} of the account {display} ({account}) is {age} days old. \
         Rotation is recommended from {due}.\n\n\
         Rotating it creates a new key and ends the old one (now, or after a grace window you pick); \
         integrations using the old key must be given the new one.\n\n\
         Rotate it in the Keyward app (Settings > Integrations > API key > Actions > Rotate key), or run:\n\n\
         \x20   keyward key rotate {account} --grace 24h\n\n\
         To be reminded later: keyward reminders snooze {account} --for 1w\n\n\
         You receive this as a super admin of {display}, or as the person who last created or rotated its key.\n",
        recipient = r.recipient,
        hint = r.key_hint,
        display = r.display_name,
        account = r.account,
        age = r.age_days,
        due = r.rotation_due_at.0.format("%Y-%m-%d"),
    )
}
