//! Rotation reminders: who should hear what now ([`Keyward::due_reminders`]), delivering one
//! exactly once across processes ([`Keyward::deliver_reminder`]), snoozing, and the per-account
//! policy. The timing rules are in [`crate::domain::reminder_policy`]; the transports (desktop
//! notification, email) are the front doors' business.
//!
//! Recipients: every super admin of the account, and whoever last created or rotated the key.

use std::collections::BTreeMap;
use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::domain::audit::AuditEvent;
use crate::domain::members::Role;
use crate::domain::reminder_policy::{latest_slot, reminder_to_send, Policy};
use crate::domain::settings::{REMINDER_LEAD_DAYS, ROTATION_PERIOD_DAYS};
use crate::error::{Error, Invalid, Result};
use crate::keyward::Keyward;
use crate::time::{from_millis, to_millis, Timestamp};

/// One reminder for one person.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DueReminder {
    pub account: String,
    pub display_name: String,
    pub key_id: String,
    pub key_hint: String,
    /// `heads-up`, `due-N` (the N-th period past) or `snooze-…` (a snooze ran out).
    pub kind: String,
    pub recipient: String,
    pub email: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub age_days: i64,
    #[schema(value_type = String, format = DateTime)]
    pub rotation_due_at: Timestamp,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Another process (or an earlier run) delivered it already.
    AlreadySent,
}

#[derive(sqlx::FromRow)]
struct ActiveKeyRow {
    account: String,
    display_name: String,
    rotation_period_days: i64,
    reminder_lead_days: i64,
    key_id: String,
    hint: String,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    key_id: String,
    name: String,
    email: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SentRow {
    key_id: String,
    recipient: String,
    kind: String,
    sent_at: i64,
}

#[derive(sqlx::FromRow)]
struct SnoozeRow {
    key_id: String,
    recipient: String,
    until_at: i64,
}

/// Per (key id, recipient): the reminders already sent there, as (kind, when).
type SentTo<'a> = BTreeMap<(&'a str, &'a str), Vec<(String, DateTime<Utc>)>>;

impl Keyward {
    /// Every reminder that should go out at `now`, to whom. Reads only.
    pub async fn due_reminders(&self, now: DateTime<Utc>) -> Result<Vec<DueReminder>> {
        self.reminders_due_to(None, now).await
    }

    /// The reminders due at `now`, to everyone or only to `recipient`.
    async fn reminders_due_to(&self, recipient: Option<&str>, now: DateTime<Utc>) -> Result<Vec<DueReminder>> {
        let keys: Vec<ActiveKeyRow> = sqlx::query_as(
            "SELECT a.name AS account, a.display_name, a.rotation_period_days, a.reminder_lead_days,
                    k.id AS key_id, k.hint, k.created_at
             FROM api_keys k JOIN accounts a ON a.id = k.account_id
             WHERE k.retired_at IS NULL ORDER BY a.name",
        )
        .fetch_all(&self.pool)
        .await?;
        // Super admins of each key's account, and the key's creator (with their email where
        // they are still a member).
        let people: Vec<PersonRow> = sqlx::query_as(
            "SELECT k.id AS key_id, m.name, m.email FROM api_keys k JOIN members m ON m.account_id = k.account_id
             WHERE k.retired_at IS NULL AND (m.role = $1 OR m.name = k.created_by)
             UNION
             SELECT k.id AS key_id, k.created_by AS name, NULL AS email FROM api_keys k
             WHERE k.retired_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM members m WHERE m.account_id = k.account_id AND m.name = k.created_by)",
        )
        .bind(Role::SuperAdmin)
        .fetch_all(&self.pool)
        .await?;
        let sent: Vec<SentRow> = sqlx::query_as(
            "SELECT s.key_id, s.recipient, s.kind, s.sent_at FROM sent_reminders s
             JOIN api_keys k ON k.id = s.key_id WHERE k.retired_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let snoozes: Vec<SnoozeRow> = sqlx::query_as(
            "SELECT z.key_id, z.recipient, z.until_at FROM reminder_snoozes z
             JOIN api_keys k ON k.id = z.key_id WHERE k.retired_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;

        let mut sent_to: SentTo = BTreeMap::new();
        for row in &sent {
            sent_to
                .entry((&row.key_id, &row.recipient))
                .or_default()
                .push((row.kind.clone(), from_millis(row.sent_at)));
        }
        let snoozed: BTreeMap<(&str, &str), DateTime<Utc>> =
            snoozes.iter().map(|z| ((z.key_id.as_str(), z.recipient.as_str()), from_millis(z.until_at))).collect();
        let mut people_of: BTreeMap<&str, Vec<&PersonRow>> = BTreeMap::new();
        for person in people.iter().filter(|p| recipient.is_none_or(|only| p.name == only)) {
            people_of.entry(&person.key_id).or_default().push(person);
        }

        let mut due = vec![];
        for key in &keys {
            let created = from_millis(key.created_at);
            let policy = Policy { period_days: key.rotation_period_days, lead_days: key.reminder_lead_days };
            let latest = latest_slot(created, policy, now);
            if latest.is_none() {
                continue;
            }
            for person in people_of.get(key.key_id.as_str()).into_iter().flatten() {
                let id = (key.key_id.as_str(), person.name.as_str());
                let already = sent_to.get(&id).map(Vec::as_slice).unwrap_or_default();
                if let Some(kind) = reminder_to_send(latest, already, snoozed.get(&id).copied(), now) {
                    due.push(DueReminder {
                        account: key.account.clone(),
                        display_name: key.display_name.clone(),
                        key_id: key.key_id.clone(),
                        key_hint: key.hint.clone(),
                        kind,
                        recipient: person.name.clone(),
                        email: person.email.clone(),
                        age_days: (now - created).num_days(),
                        rotation_due_at: Timestamp(created + Duration::days(key.rotation_period_days)),
                    });
                }
            }
        }
        Ok(due)
    }

    /// Delivers `reminder` through `channel` exactly once: it is claimed first (a row keyed by
    /// key, kind and person, so a concurrent process loses the claim), then `send` runs; a
    /// failed send releases the claim for the next run, a successful one is audited
    /// `reminder_sent`.
    pub async fn deliver_reminder<F, E>(
        &self,
        actor: &Actor,
        reminder: &DueReminder,
        channel: &str,
        now: DateTime<Utc>,
        send: F,
    ) -> Result<Delivery, E>
    where
        F: Future<Output = Result<(), E>>,
        E: From<Error>,
    {
        let claimed = sqlx::query(
            "INSERT INTO sent_reminders (key_id, kind, recipient, channel, sent_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (key_id, kind, recipient) DO NOTHING",
        )
        .bind(&reminder.key_id)
        .bind(&reminder.kind)
        .bind(&reminder.recipient)
        .bind(channel)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await
        .map_err(Error::from)?;
        if claimed.rows_affected() == 0 {
            return Ok(Delivery::AlreadySent);
        }
        if let Err(err) = send.await {
            sqlx::query("DELETE FROM sent_reminders WHERE key_id = $1 AND kind = $2 AND recipient = $3")
                .bind(&reminder.key_id)
                .bind(&reminder.kind)
                .bind(&reminder.recipient)
                .execute(&self.pool)
                .await
                .map_err(Error::from)?;
            return Err(err);
        }
        let account = self.account(&reminder.account).await?;
        let mut tx = self.begin_write().await?;
        let details = json!({ "kind": reminder.kind, "channel": channel, "recipient": reminder.recipient });
        self.audit(&mut tx, actor, &account, Some(&reminder.key_id), AuditEvent::ReminderSent, details, now).await?;
        self.commit(tx).await?;
        Ok(Delivery::Sent)
    }

    /// The actor's due reminders, each claimed for `channel` (a team device shows them): what
    /// another channel or replica delivered already is left out, and none is handed out twice.
    pub async fn claim_reminders(&self, actor: &Actor, channel: &str, now: DateTime<Utc>) -> Result<Vec<DueReminder>> {
        let mut claimed = Vec::new();
        for reminder in self.reminders_due_to(Some(actor.name()), now).await? {
            let delivery = self.deliver_reminder(actor, &reminder, channel, now, async { Ok::<(), Error>(()) }).await?;
            if delivery == Delivery::Sent {
                claimed.push(reminder);
            }
        }
        Ok(claimed)
    }

    /// Holds back the actor's reminders for the account's active key for `days` (1 or 7).
    pub async fn snooze_reminders(
        &self,
        actor: &Actor,
        account: &str,
        days: i64,
        now: DateTime<Utc>,
    ) -> Result<Timestamp> {
        if ![1, 7].contains(&days) {
            return Err(Invalid::Snooze { days }.into());
        }
        let account = self.account(account).await?;
        self.require_member(actor, &account, "snooze reminders", now).await?;
        let key = self.active_key(&account).await?;
        let until = now + Duration::days(days);
        sqlx::query(
            "INSERT INTO reminder_snoozes (key_id, recipient, until_at) VALUES ($1, $2, $3)
             ON CONFLICT (key_id, recipient) DO UPDATE SET until_at = excluded.until_at",
        )
        .bind(&key.id)
        .bind(actor.name())
        .bind(to_millis(until))
        .execute(&self.pool)
        .await?;
        Ok(Timestamp(until))
    }

    /// Sets an account's rotation period and heads-up lead time. Super admins only; audited.
    pub async fn set_rotation_policy(
        &self,
        actor: &Actor,
        account: &str,
        period_days: i64,
        lead_days: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        check_policy(period_days, lead_days)?;
        let account = self.account(account).await?;
        self.require_super_admin(actor, &account, "change the rotation policy", now).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE accounts SET rotation_period_days = $1, reminder_lead_days = $2 WHERE id = $3")
            .bind(period_days)
            .bind(lead_days)
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "rotation_period_days": period_days, "reminder_lead_days": lead_days });
        self.audit(&mut tx, actor, &account, None, AuditEvent::PolicyChanged, details, now).await?;
        self.commit(tx).await?;
        Ok(())
    }
}

pub(crate) fn check_policy(period_days: i64, lead_days: i64) -> Result<()> {
    Invalid::check_range("rotation_period_days", period_days, ROTATION_PERIOD_DAYS)?;
    Invalid::check_range("reminder_lead_days", lead_days, REMINDER_LEAD_DAYS)?;
    if lead_days >= period_days {
        return Err(Invalid::LeadTooLong { lead_days, period_days }.into());
    }
    Ok(())
}
