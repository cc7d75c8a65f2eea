//! Keeping a gateway's key index current with changes made elsewhere — the CLI, the desktop
//! app, another host — and knowing how current it is.
//!
//! Every change bumps `key_revision` in its own transaction. Each gateway polls that one-row
//! table (every 200 ms by default, on both backends) and reloads when it moved. On PostgreSQL the
//! changing transaction also NOTIFYs the new revision, and each gateway LISTENs: a change
//! reaches every gateway within milliseconds, and the poll covers a notification lost with a
//! dropped connection. After a reconnect the listener catches up at once.
//!
//! The age of the view is the time since the database last confirmed the index current. A
//! gateway that cannot reach its database keeps answering from its view for a while, then
//! refuses (`keyward_gateway`'s `--max-staleness`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgListener;

use crate::keyward::Keyward;
use crate::store::{Database, KEY_CHANGES_CHANNEL};
use crate::time::to_millis;

impl Keyward {
    /// Keeps the index current for as long as it is awaited: the poll every `every`, and on
    /// PostgreSQL the change notifications too.
    pub async fn follow_key_changes(&self, every: Duration) {
        match self.database() {
            Database::Postgres(url) => {
                let url = url.clone();
                tokio::join!(self.poll_key_changes(every), self.listen_for_key_changes(&url, every));
            }
            Database::Sqlite(_) => self.poll_key_changes(every).await,
        }
    }

    /// How long ago the database last confirmed the index current (`None`: never loaded).
    pub fn key_index_age(&self, now: DateTime<Utc>) -> Option<Duration> {
        match self.index.confirmed_at() {
            0 => None,
            confirmed => Some(Duration::from_millis(to_millis(now).saturating_sub(confirmed).max(0) as u64)),
        }
    }

    async fn poll_key_changes(&self, every: Duration) {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            self.catch_up().await;
        }
    }

    /// Reads the revision; reloads if it moved, else records that the view is current.
    async fn catch_up(&self) {
        let asked_at = Utc::now();
        match sqlx::query_scalar::<_, i64>("SELECT revision FROM key_revision WHERE id = 1").fetch_one(&self.pool).await
        {
            Ok(revision) if revision != self.index.revision() => {
                if let Err(err) = self.load_key_index().await {
                    tracing::warn!(%err, "key index reload failed; retrying");
                }
            }
            Ok(_) => self.index.confirm(asked_at),
            Err(err) => tracing::warn!(%err, "could not read the key revision"),
        }
    }

    async fn listen_for_key_changes(&self, url: &str, retry_every: Duration) {
        loop {
            let listening = async {
                let mut listener = PgListener::connect(url).await?;
                listener.listen(KEY_CHANGES_CHANNEL).await?;
                Ok::<_, sqlx::Error>(listener)
            };
            let mut listener = match listening.await {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(%err, "could not listen for key changes; the poll covers them meanwhile");
                    tokio::time::sleep(retry_every).await;
                    continue;
                }
            };
            // Whatever changed while nobody listened.
            self.catch_up().await;
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        let newer = notification.payload().parse::<i64>().map_or(true, |r| r > self.index.revision());
                        if newer {
                            if let Err(err) = self.load_key_index().await {
                                tracing::warn!(%err, "key index reload failed; the poll retries");
                            }
                        }
                    }
                    // The connection dropped: the next receive reconnects and listens again,
                    // and a notification sent meanwhile is lost, so look now.
                    Ok(None) => {
                        tracing::info!("key-change listener reconnecting");
                        self.catch_up().await;
                    }
                    Err(err) => {
                        tracing::warn!(%err, "key-change listener lost; reconnecting");
                        tokio::time::sleep(retry_every).await;
                        break;
                    }
                }
            }
        }
    }
}
