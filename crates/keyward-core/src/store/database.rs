//! Which database a URL names: `sqlite://PATH` (a file) or `postgres://…` (a team's server).
//! Without a URL, Keyward uses `keyward.db` in its data folder.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::paths::DATABASE_FILE;

/// The environment variable the CLI reads when `--database` is not given.
pub const DATABASE_URL_ENV: &str = "KEYWARD_DATABASE_URL";

#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (created if missing; its folder must exist).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, as given (it may hold a password: see [`Database::redacted`]).
    Postgres(String),
}

impl Database {
    /// The embedded database of a data folder.
    pub fn in_data_dir(data_dir: &Path) -> Database {
        Database::Sqlite(data_dir.join(DATABASE_FILE))
    }

    /// `postgres://` / `postgresql://` URLs and `sqlite://PATH`; anything else is refused with
    /// the forms that work.
    pub fn parse(url: &str) -> Result<Database> {
        let url = url.trim();
        let refuse = || Error::DatabaseUrl { url: redact(url) };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Parsed here so a typo fails before any connection attempt, naming no password.
            url.parse::<sqlx::postgres::PgConnectOptions>().map_err(|_| refuse())?;
            return Ok(Database::Postgres(url.to_owned()));
        }
        match url.strip_prefix("sqlite://") {
            Some(path) if !path.is_empty() && !path.contains('?') => Ok(Database::Sqlite(PathBuf::from(path))),
            _ => Err(refuse()),
        }
    }

    /// The URL with any password replaced by `***`: what messages and logs show.
    pub fn redacted(&self) -> String {
        match self {
            Database::Sqlite(path) => format!("sqlite://{}", path.display()),
            Database::Postgres(url) => redact(url),
        }
    }

    pub fn backend(&self) -> super::Backend {
        match self {
            Database::Sqlite(_) => super::Backend::Sqlite,
            Database::Postgres(_) => super::Backend::Postgres,
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`; also hides a `password=`
/// query parameter. Text that is not a URL is shown only up to its scheme.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(not a URL)".to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{user_info}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
                    _ => param.to_owned(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(Database::parse("sqlite:///tmp/kw.db").unwrap(), Database::Sqlite("/tmp/kw.db".into()));
        assert_eq!(Database::parse("sqlite://kw.db").unwrap(), Database::Sqlite("kw.db".into()));
        let pg = Database::parse(" postgres://kw:pw@db.example:5432/keyward ").unwrap();
        assert_eq!(pg, Database::Postgres("postgres://kw:pw@db.example:5432/keyward".into()));
        assert!(matches!(Database::parse("postgresql://h/db").unwrap(), Database::Postgres(_)));
    }

    #[test]
    fn other_urls_are_refused_without_their_password() {
        for bad in ["mysql://u:hunter2@h/db", "sqlite://", "keyward.db", "", "postgres://u:hunter2@h:notaport/db"] {
            let err = Database::parse(bad).unwrap_err().to_string();
            assert!(err.contains("postgres://"), "{bad}: {err}");
            assert!(!err.contains("hunter2"), "{bad}: {err}");
        }
    }

    #[test]
    fn redaction_hides_passwords_only() {
        let pg = Database::parse("postgres://kw:s3cret@db:5432/keyward?sslmode=require&password=x2").unwrap();
        assert_eq!(pg.redacted(), "postgres://kw:***@db:5432/keyward?sslmode=require&password=***");
        assert_eq!(Database::parse("postgres://kw@db/keyward").unwrap().redacted(), "postgres://kw@db/keyward");
        assert_eq!(format!("{pg:?}"), pg.redacted());
    }
}
