//! The desktop connected to a team: a real `keyward serve` on a throwaway PostgreSQL, people
//! on the CLI (alice the owner, bob and carol) and alice's desktop enrolled through Settings ›
//! Team. The app opens the key from its own share, rotates it through the dialog (bob's CLI
//! reads the new key, the team's gateway refuses the old one), and on its next start shares
//! the key with a super admin added meanwhile and shows the signed-in person's due reminder.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use keyward_core::store::test_postgres;

use crate::driver::{cli_binary, Driver};
use crate::key_lifecycle::{open_confirmation, verify};
use crate::reminders::NotifyMonitor;

/// A `keyward` with its own data folder (and the session's keyring).
struct Person(tempfile::TempDir);

impl Person {
    fn new() -> Person {
        Person(tempfile::tempdir().unwrap())
    }

    fn run(&self, args: &[&str]) -> Output {
        keyward(Some(self.0.path())).args(args).output().unwrap()
    }

    /// Its stdout, trimmed (never printed: it may be a key).
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "keyward {}: {}", args[0], String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

fn keyward(data_dir: Option<&Path>) -> Command {
    let mut command = Command::new(cli_binary());
    command.env_remove("KEYWARD_ACTOR").env_remove("KEYWARD_DATABASE_URL").env_remove("KEYWARD_DATA_DIR");
    if let Some(dir) = data_dir {
        command.env("KEYWARD_DATA_DIR", dir);
    }
    command
}

/// `keyward serve --database URL`: the team's API and gateway, stopped on drop.
struct TeamServer {
    child: Child,
    port: u16,
}

impl TeamServer {
    fn start(database: &str, data_dir: &Path) -> TeamServer {
        let mut child = keyward(Some(data_dir))
            .args(["serve", "--database", database, "--port", "0"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let banner = lines.next().expect("a banner line").unwrap();
        let port = banner
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("the banner names the port: {banner}"));
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        TeamServer { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for TeamServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn connect_in_settings_then_rotate_in_the_app_and_bob_reads_the_new_key() {
    let database = test_postgres::create_database().await;
    let server_dir = tempfile::tempdir().unwrap();
    let server = TeamServer::start(&database, server_dir.path());
    let url = server.url();
    let (alice, bob, carol) = (Person::new(), Person::new(), Person::new());

    let setup =
        String::from_utf8(keyward(None).args(["team", "setup-code", "--database", &database]).output().unwrap().stdout)
            .unwrap();
    alice.ok(&["team", "join", &url, "--code", setup.trim(), "--name", "alice", "--label", "alice-cli"]);
    for (person, name) in [(&bob, "bob"), (&carol, "carol")] {
        let code = alice.ok(&["team", "invite", name]);
        person.ok(&["team", "join", &url, "--code", &code, "--name", name, "--label", &format!("{name}-cli")]);
    }
    alice.ok(&["account", "create", "acme", "--display-name", "Acme Inc"]);
    alice.ok(&["member", "add", "acme", "bob", "--role", "super-admin"]);
    let first_key = alice.ok(&["key", "generate", "acme"]);
    assert!(bob.ok(&["key", "show", "acme"]) == first_key, "bob opens the key alice sealed to him");
    assert_eq!(verify(server.port, &first_key), "VALID");

    // alice's desktop: a new device of hers, enrolled in Settings › Team.
    let desktop_code = alice.ok(&["team", "invite", "alice"]);
    let app_data = tempfile::tempdir().unwrap();
    let env = [("KEYWARD_DATA_DIR", app_data.path())];
    let driver = Driver::launch(&env).await;
    driver.click("[data-testid=nav-settings]").await;
    driver.type_into("[data-testid=team-form] input[name=server]", &url).await;
    driver.type_into("[data-testid=team-form] input[name=code]", &desktop_code).await;
    driver.type_into("[data-testid=team-form] input[name=name]", "alice").await;
    driver.click("[data-testid=team-connect]").await;
    driver.wait_text("[data-testid=team-server]", "the server", |t| t.contains(&url)).await;
    driver.wait_text("[data-testid=team-me]", "who I am", |t| t.contains("alice") && t.contains("owner")).await;
    driver.wait_text("[data-testid=team-devices]", "alice's devices", |t| t.contains("alice-cli")).await;
    driver.wait_text("[data-testid=accounts]", "the team's account", |t| t.contains("Acme Inc")).await;
    driver.wait_text("[data-testid=team-badge]", "the team in the sidebar", |t| t.contains(&url)).await;
    driver.screenshot("team-settings").await;

    // The new device opens the key once a device that holds it shares it.
    alice.ok(&["key", "share", "acme"]);
    driver.click("[data-account=acme] button").await;
    driver.click("[data-testid=key-show]").await;
    let shown = driver
        .wait_text("[data-testid=key-value]", "the key, opened in the app", |t| {
            t.starts_with("kw_") && !t.contains('…')
        })
        .await;
    assert!(shown == first_key, "the app opened the same key from its own share");
    driver.click("[data-testid=key-show]").await; // Hide

    // Rotate through the dialog. A wrong code first: the server's refusal is worded as a local
    // one (the app rebuilds it from the reason the server names), not in the server's English.
    let code = open_confirmation(&driver, "rotate").await;
    let wrong = if code == "ACDEFG" { "ACDEFH" } else { "ACDEFG" };
    driver.type_into("[data-testid=challenge-answer]", wrong).await;
    driver.click("[data-testid=confirm-submit]").await;
    let refusal = driver.wait_text("[data-testid=confirm-error]", "the refusal", |t| !t.is_empty()).await;
    assert_eq!(refusal, "That code is not right: 2 attempt(s) left.");
    // Then the right one: the team's gateway refuses the old key, bob reads the new one.
    driver.type_into("[data-testid=challenge-answer]", &code).await;
    driver.click("[data-testid=confirm-submit]").await;
    driver.wait_text("[data-testid=toast]", "the rotation toast", |t| t.contains("Key rotated")).await;
    let rotated = Instant::now();
    while verify(server.port, &first_key) != "REVOKED" {
        assert!(rotated.elapsed() < Duration::from_secs(1), "the team's gateway still accepts the old key after 1 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let second_key = bob.ok(&["key", "show", "acme"]);
    assert!(second_key.starts_with("kw_") && second_key != first_key, "bob reads the key the app made");
    assert_eq!(verify(server.port, &second_key), "VALID");

    driver.click("[data-testid=tab-audit]").await;
    driver.wait_text("[data-testid=chain-status]", "a verified chain", |t| t.contains("Verified")).await;
    let events = driver.attrs("[data-testid=audit-table] tbody tr", "data-event").await;
    assert!(events.contains(&"rotated".to_owned()) && events.contains(&"shared".to_owned()), "{events:?}");
    driver.screenshot("team-audit").await;

    // carol, made a super admin after the rotation, cannot open the key…
    alice.ok(&["member", "add", "acme", "carol", "--role", "super-admin"]);
    let refused = carol.run(&["key", "show", "acme"]);
    assert_eq!(refused.status.code(), Some(3), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("share"));
    drop(driver);

    // The key turns 200 days old on the server: the app's next start shows alice's reminder,
    // claimed on the server for her (once, whichever of her devices asks first).
    let backdated = Command::new("psql")
        .args([&database, "-Atc", "UPDATE api_keys SET created_at = created_at - 200::bigint * 86400000"])
        .status()
        .expect("psql is installed");
    assert!(backdated.success());
    let monitor = NotifyMonitor::start();

    // …until the app next runs: it shares the key with her device by itself.
    let driver = Driver::launch(&env).await;
    driver.wait_text("[data-testid=accounts]", "the team's account", |t| t.contains("Acme Inc")).await;
    let started = Instant::now();
    loop {
        let out = carol.run(&["key", "show", "acme"]);
        if out.status.success() {
            assert!(String::from_utf8(out.stdout).unwrap().trim() == second_key, "carol opens the same key");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the app did not share the key with carol");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let seen = monitor.wait_for("Rotate the API key of Acme Inc").await;
    assert!(seen.contains("The key is 200 days old"), "{seen}");
    drop(driver);
    let driver = Driver::launch(&env).await;
    driver.wait_text("[data-testid=accounts]", "the team's account", |t| t.contains("Acme Inc")).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(monitor.notify_calls(), 1, "a claimed reminder is never shown twice");

    // alice revokes bob's device in the app: it could open the key, so the page offers to rotate.
    let bob_status: serde_json::Value = serde_json::from_str(&bob.ok(&["--json", "team", "status"])).unwrap();
    let bob_device = bob_status["device"].as_str().unwrap().to_owned();
    driver.click("[data-testid=nav-settings]").await;
    driver.click(&format!("[data-testid=revoke-{bob_device}]")).await;
    driver.client.accept_alert().await.expect("the app asks before revoking");
    driver
        .wait_text("[data-testid=device-may-hold-key]", "the offer to rotate", |t| {
            t.contains("bob may still hold the key of acme")
        })
        .await;
    let refused = bob.run(&["key", "show", "acme"]);
    assert_eq!(refused.status.code(), Some(3), "a revoked device is refused");
    driver.screenshot("team-revoked-device").await;
    drop(driver);
}
