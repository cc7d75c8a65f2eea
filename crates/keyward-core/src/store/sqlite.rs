//! The embedded SQLite file: WAL, a busy timeout, foreign keys, forward-only migrations from
//! `migrations/sqlite`.

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};

use super::threads;
use crate::error::{Error, Result};

/// How long a write waits for another connection's (or process's) write lock before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn open(path: &Path) -> Result<AnyPool> {
    // Through the `Any` driver a connection is configured by its URL and these pragmas
    // (`mode=rwc` creates the file). WAL persists in the file; the others are per connection.
    let url = format!("sqlite://{}?mode=rwc", percent_encode_path(path));
    let options: AnyConnectOptions = url.parse()?;
    // A pool retries a connection that fails to open until its acquire timeout (30 s), then
    // reports only that it timed out; one direct attempt first says why, at once.
    if let Err(err) = first_read(&options).await {
        return Err(match path.parent().is_some_and(on_read_only_disk) {
            true => Error::ReadOnlyDisk { path: path.display().to_string() },
            false => err.into(),
        });
    }
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                threads::mark_batch();
                let per_connection = format!(
                    "PRAGMA busy_timeout = {}; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                    BUSY_TIMEOUT.as_millis()
                );
                conn.execute(per_connection.as_str()).await?;
                // Switching to WAL takes a lock the busy timeout does not wait for: only a new file
                // is switched, once; every later connection finds it in WAL already.
                let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await?;
                if !mode.eq_ignore_ascii_case("wal") {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// Opens a connection and reads through the WAL's index, as every pooled connection will. A file
/// not in WAL mode yet (new, or a backup made with `VACUUM INTO`) is switched here, while no other
/// connection is open: the switch takes a lock the busy timeout does not wait for.
async fn first_read(options: &AnyConnectOptions) -> std::result::Result<(), sqlx::Error> {
    let mut conn = sqlx::AnyConnection::connect_with(options).await?;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut conn).await?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.execute("PRAGMA journal_mode = WAL").await?;
    }
    let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master").fetch_one(&mut conn).await?;
    conn.close().await
}

/// Whether `dir` is on a file system mounted read-only (where SQLite cannot make the WAL's
/// index file, so even reading fails).
fn on_read_only_disk(dir: &Path) -> bool {
    let probe = dir.join(".keyward-write-probe");
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(err) => err.kind() == std::io::ErrorKind::ReadOnlyFilesystem,
    }
}

/// A file path as the path of a `sqlite://` URL: the characters a URL gives a meaning to
/// (`%`, `?`, `#`, spaces and other non-alphanumerics but `/._-~`) are escaped.
fn percent_encode_path(path: &Path) -> String {
    let mut out = String::new();
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'.' | b'_' | b'-' | b'~' => out.push(*byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_survive_url_characters() {
        let path = std::path::Path::new("/tmp/a b/k%w?#.db");
        assert_eq!(super::percent_encode_path(path), "/tmp/a%20b/k%25w%3F%23.db");
    }
}
