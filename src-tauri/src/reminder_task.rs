//! Rotation reminders on the desktop: a background task checks at start, hourly, and after the
//! machine wakes (the wall clock jumped ahead of the monotonic one), and shows a native
//! notification for each reminder addressed to the person using this desktop. Each is claimed
//! in the database first, so another Keyward process, a restart or a clock jump never shows it
//! twice. Connected to a team, the reminders come from its server, claimed there for this
//! person. Clicking the notification opens the account's API key tab.

use std::time::{Duration, Instant};

use chrono::Utc;
use keyward_client::device::Signed;
use keyward_core::DueReminder;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::open_requests::OpenRequests;
use crate::prefs::{resolved, Language, Prefs};
use crate::state::Linked;
use crate::{tray, AppState};

const TICK: Duration = Duration::from_secs(60);
const HOURLY: Duration = Duration::from_secs(3600);

pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let clicks = app.clone();
    let _ = app.notification().on_action(move |action| {
        let account = action.notification().and_then(|n| n.extra().get("account")).and_then(|a| a.as_str());
        if let Some(account) = account {
            tray::show_main_window(&clicks);
            clicks.state::<OpenRequests>().open(account);
        }
    });
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let (mut last_check, mut last_wall) = (Instant::now(), Utc::now());
        check(&app).await;
        loop {
            tokio::time::sleep(TICK).await;
            let (now, wall) = (Instant::now(), Utc::now());
            let slept = (wall - last_wall).to_std().unwrap_or_default() > now.duration_since(last_check) + 2 * TICK;
            if slept || now.duration_since(last_check) >= HOURLY {
                check(&app).await;
                last_check = now;
            }
            last_wall = wall;
        }
    });
}

async fn check<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let language = match state.keyward.preferences::<Prefs>().await {
        Ok(prefs) => resolved(prefs.language),
        Err(err) => return tracing::warn!(%err, "reminder check failed; retrying within the hour"),
    };
    match state.linked() {
        Linked::Local => check_local(app, &state, language).await,
        Linked::Team(team) => check_team(app, &team, language).await,
        Linked::Broken(_) => {}
    }
}

/// Reminders of this machine's store addressed to the person using this desktop.
async fn check_local<R: Runtime>(app: &AppHandle<R>, state: &AppState, language: Language) {
    let now = Utc::now();
    let due = match state.keyward.due_reminders(now).await {
        Ok(due) => due,
        Err(err) => return tracing::warn!(%err, "reminder check failed; retrying within the hour"),
    };
    for reminder in due.iter().filter(|r| r.recipient == state.actor.name()) {
        let shown = state
            .keyward
            .deliver_reminder(&state.actor, reminder, "desktop", now, async { notify(app, reminder, language) })
            .await;
        if let Err(err) = shown {
            tracing::warn!(%err, account = reminder.account, "reminder notification not shown; retrying next check");
        }
    }
}

/// The signed-in person's reminders, claimed on the team server (once per person, whichever
/// device, replica or email run asks first). A claimed one that cannot be shown is logged.
async fn check_team<R: Runtime>(app: &AppHandle<R>, team: &Signed, language: Language) {
    let due = match team.api.claim_reminders().await {
        Ok(due) => due,
        Err(err) => return tracing::warn!(%err, "team reminder check failed; retrying within the hour"),
    };
    for reminder in &due {
        if let Err(err) = notify(app, reminder, language) {
            tracing::warn!(%err, account = reminder.account, "team reminder notification not shown");
        }
    }
}

/// Why a reminder was not shown: the store failed, or the desktop's notification service did.
#[derive(Debug)]
enum NotShown {
    Store(keyward_core::Error),
    Notification(String),
}

impl From<keyward_core::Error> for NotShown {
    fn from(err: keyward_core::Error) -> NotShown {
        NotShown::Store(err)
    }
}

impl std::fmt::Display for NotShown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotShown::Store(err) => err.fmt(f),
            NotShown::Notification(err) => write!(f, "the notification could not be shown: {err}"),
        }
    }
}

fn notify<R: Runtime>(app: &AppHandle<R>, reminder: &DueReminder, language: Language) -> Result<(), NotShown> {
    let (title, body) = text(reminder, language);
    app.notification()
        .builder()
        .title(title)
        .body(body)
        .extra("account", &reminder.account)
        .show()
        .map_err(|err| NotShown::Notification(err.to_string()))
}

/// Title and body in the user's language, naming the account and the key's age.
fn text(r: &DueReminder, language: Language) -> (String, String) {
    let heads_up = r.kind == "heads-up";
    let due = r.rotation_due_at.0.format("%Y-%m-%d");
    match (language, heads_up) {
        (Language::Ja, true) => (
            format!("{} のAPIキーはまもなくローテーション時期です", r.display_name),
            format!("キーの経過期間は {} 日です。{} にローテーションが推奨されます。", r.age_days, due),
        ),
        (Language::Ja, false) => (
            format!("{} のAPIキーのローテーションを推奨します", r.display_name),
            format!("キーの経過期間は {} 日です。Keyward でキーを変更(ローテーション)してください。", r.age_days),
        ),
        (_, true) => (
            format!("The API key of {} is due for rotation soon", r.display_name),
            format!("The key is {} days old; rotation is recommended from {}.", r.age_days, due),
        ),
        (_, false) => (
            format!("Rotate the API key of {}", r.display_name),
            format!("The key is {} days old. Rotate it in Keyward.", r.age_days),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_core::Timestamp;

    fn reminder(kind: &str) -> DueReminder {
        DueReminder {
            account: "acme".into(),
            display_name: "Acme Inc".into(),
            key_id: "key_1".into(),
            key_hint: "kw_Ab1…9xYz".into(),
            kind: kind.into(),
            recipient: "ana".into(),
            email: None,
            age_days: 200,
            rotation_due_at: Timestamp("2026-07-09T09:00:00Z".parse().unwrap()),
        }
    }

    #[test]
    fn notification_text_names_the_account_and_age_in_either_language() {
        assert_eq!(
            text(&reminder("due-0"), Language::En),
            ("Rotate the API key of Acme Inc".into(), "The key is 200 days old. Rotate it in Keyward.".into())
        );
        let (title, body) = text(&reminder("due-1"), Language::Ja);
        assert!(title.contains("Acme Inc") && body.contains("200 日"), "{title} / {body}");
        let (title, body) = text(&reminder("heads-up"), Language::En);
        assert!(title.contains("due for rotation soon") && body.contains("2026-07-09"), "{title} / {body}");
    }
}
