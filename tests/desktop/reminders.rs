//! A key made 200 days ago (under faketime: the product needs no clock override) brings a
//! native notification when the app starts — seen on the session bus with dbus-monitor, since
//! the plugin's own success says nothing about delivery — and never a second one for the same
//! reminder after a relaunch. Clicking it (dunstctl) opens the account's API key tab.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::accounts_window::keyward;
use crate::driver::{cli_binary, Driver};

/// `dbus-monitor` watching Notify calls on the session bus, writing to a file.
pub struct NotifyMonitor {
    child: Child,
    log: tempfile::NamedTempFile,
}

impl NotifyMonitor {
    pub fn start() -> NotifyMonitor {
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = Command::new("dbus-monitor")
            .args(["--session", "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"])
            .stdout(log.reopen().unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor is installed");
        std::thread::sleep(Duration::from_millis(500)); // subscribed before the app starts
        NotifyMonitor { child, log }
    }

    fn text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap()
    }

    pub fn notify_calls(&self) -> usize {
        self.text().matches("member=Notify").count()
    }

    pub async fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text();
            if text.contains(what) {
                return text;
            }
            assert!(Instant::now() < deadline, "no Notify call carrying {what:?}; the monitor saw:\n{text}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for NotifyMonitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn generate_200_days_ago(data_home: &Path) {
    let out = Command::new("faketime")
        .args(["-f", "-200d"])
        .arg(cli_binary())
        .args(["key", "generate", "acme"])
        .env("XDG_DATA_HOME", data_home)
        .env_remove("KEYWARD_DATA_DIR")
        .env_remove("KEYWARD_ACTOR")
        .output()
        .expect("faketime is installed (scripts/install-deps test)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn a_due_key_notifies_once_across_restarts_and_the_click_opens_it() {
    let data_home = tempfile::tempdir().unwrap();
    keyward(data_home.path(), &["account", "create", "acme", "--display-name", "Acme Inc"]);
    generate_200_days_ago(data_home.path());
    let monitor = NotifyMonitor::start();
    let env = [("XDG_DATA_HOME", data_home.path())];

    let driver = Driver::launch(&env).await;
    let banner = driver.wait_text("[data-testid=due-banner]", "the due banner", |t| t.contains("200 days old")).await;
    assert!(banner.contains("Acme Inc"), "{banner}");
    driver.wait_for("[data-account=acme] .badge").await; // the sidebar badge
    driver.screenshot("reminder-banner").await;
    driver.click("[data-testid=nav-settings]").await;
    let seen = monitor.wait_for("Rotate the API key of Acme Inc").await;
    assert!(seen.contains("The key is 200 days old. Rotate it in Keyward."), "{seen}");
    assert_eq!(monitor.notify_calls(), 1);

    // A click on the notification (its default action, through the notification server).
    let clicked = Command::new("dunstctl").args(["action", "0"]).status().expect("dunstctl (dunst) is installed");
    assert!(clicked.success());
    driver.wait_for("[data-testid=tab-key][aria-selected=true]").await;
    drop(driver);

    // Relaunched: the reminder was recorded as sent, so no second notification.
    let driver = Driver::launch(&env).await;
    driver.wait_for("[data-testid=due-banner]").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(monitor.notify_calls(), 1, "the same reminder is never shown twice");
    drop(driver);

    let audit = keyward(data_home.path(), &["audit", "list", "acme", "--json"]);
    let audit: serde_json::Value = serde_json::from_str(&audit).unwrap();
    let sent: Vec<&serde_json::Value> =
        audit.as_array().unwrap().iter().filter(|e| e["event"] == "reminder_sent").collect();
    assert_eq!(sent.len(), 1);
    assert!(sent[0]["details"].as_str().unwrap().contains("\"channel\":\"desktop\""));
}
