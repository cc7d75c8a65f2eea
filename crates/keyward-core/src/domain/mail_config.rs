//! Where headless reminders are emailed from: an SMTP URL and a sender address, stored with the
//! other settings (`keyward config set smtp.url …`). The password never is: it comes from the
//! environment of the process that sends (KEYWARD_SMTP_PASSWORD), as secrets only live in the
//! keyring or the environment.

use serde::Serialize;

use crate::error::{Error, Invalid, Result};
use crate::keyward::Keyward;

pub const SMTP_URL: &str = "smtp.url";
pub const SMTP_FROM: &str = "smtp.from";
pub const SMTP_PASSWORD_ENV: &str = "KEYWARD_SMTP_PASSWORD";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MailConfig {
    /// `smtp://host:25` (plain, or `?tls=required` for STARTTLS) or `smtps://host:465` (TLS);
    /// `user@` in it names the account whose password is in KEYWARD_SMTP_PASSWORD.
    pub url: Option<String>,
    pub from: Option<String>,
}

fn check(name: &str, value: &str) -> Result<()> {
    match name {
        SMTP_URL => {
            let rest = value
                .strip_prefix("smtp://")
                .or_else(|| value.strip_prefix("smtps://"))
                .ok_or_else(|| Error::from(Invalid::SmtpUrl { url: value.to_owned() }))?;
            let authority = rest.split(['/', '?']).next().unwrap_or_default();
            if authority.rsplit_once('@').is_some_and(|(user, _)| user.contains(':')) {
                return Err(Invalid::SmtpPasswordInUrl { env: SMTP_PASSWORD_ENV.to_owned() }.into());
            }
            Ok(())
        }
        SMTP_FROM => match value.split_once('@') {
            Some((local, domain)) if !local.is_empty() && domain.contains('.') => Ok(()),
            _ => Err(Invalid::SmtpFrom { from: value.to_owned() }.into()),
        },
        other => {
            Err(Invalid::UnknownSetting { name: other.to_owned(), known: format!("{SMTP_URL}, {SMTP_FROM}") }.into())
        }
    }
}

impl Keyward {
    pub async fn mail_config(&self) -> Result<MailConfig> {
        let value = |name: &'static str| async move {
            let stored: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
            Ok::<_, Error>(stored.and_then(|json| serde_json::from_str(&json).ok()))
        };
        Ok(MailConfig { url: value(SMTP_URL).await?, from: value(SMTP_FROM).await? })
    }

    /// Sets `smtp.url` or `smtp.from` after checking it.
    pub async fn set_mail_config(&self, name: &str, value: &str) -> Result<()> {
        check(name, value.trim())?;
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(serde_json::Value::from(value.trim()).to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_senders_are_checked() {
        assert!(check(SMTP_URL, "smtp://127.0.0.1:2525").is_ok());
        assert!(check(SMTP_URL, "smtps://mailer@mail.example.com:465").is_ok());
        assert!(check(SMTP_URL, "smtp://mail.example.com?tls=required").is_ok());
        assert!(check(SMTP_URL, "http://mail.example.com").unwrap_err().to_string().contains("not an SMTP URL"));
        assert!(check(SMTP_URL, "smtps://me:secret@mail.example.com")
            .unwrap_err()
            .to_string()
            .contains(SMTP_PASSWORD_ENV));
        assert!(check(SMTP_FROM, "keyward@example.com").is_ok());
        assert!(check(SMTP_FROM, "keyward").is_err());
        assert!(check("smtp.port", "25").unwrap_err().to_string().contains("no setting"));
    }
}
