use std::path::Path;
use std::process::Command;

use crate::driver::{cli_binary, Driver};

pub fn keyward(data_home: &Path, args: &[&str]) -> String {
    let out = Command::new(cli_binary())
        .args(args)
        .env("XDG_DATA_HOME", data_home)
        .env_remove("KEYWARD_DATA_DIR")
        .env_remove("KEYWARD_ACTOR")
        .output()
        .unwrap();
    assert!(out.status.success(), "keyward {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Accounts made with the CLI in its default data folder appear in the desktop window: both
/// front doors share one database, found through the platform data dir, and both know the
/// OS user as the same person (the creator, hence super admin).
#[tokio::test]
async fn the_window_lists_the_accounts_the_cli_created() {
    let data_home = tempfile::tempdir().unwrap();
    keyward(data_home.path(), &["account", "create", "acme", "--display-name", "Acme Inc"]);
    keyward(data_home.path(), &["account", "create", "globex", "--display-name", "Globex"]);
    let key = keyward(data_home.path(), &["key", "generate", "acme"]);
    assert!(key.starts_with("kw_"));

    let driver = Driver::launch(&[("XDG_DATA_HOME", data_home.path())]).await;
    let text = driver
        .wait_text("[data-testid=accounts]", "both accounts", |t| t.contains("Acme Inc") && t.contains("Globex"))
        .await;
    assert_eq!(driver.text("[data-account=acme] .role").await, "Super admin");
    // The first account opens on its API key tab: masked, with the hint only.
    let masked = driver.text("[data-testid=key-value]").await;
    assert!(!masked.contains(key.trim()) && !text.contains(key.trim()), "the key is never shown unasked");
    let (head, tail) = masked.split_once('…').expect("a hint like kw_Ab1…9xYz");
    assert!(key.trim().starts_with(head) && key.trim().ends_with(tail), "{masked} is the key's hint");
    driver.click("[data-account=globex] button").await;
    driver.wait_for("[data-testid=no-key] [data-testid=key-generate]").await;
    driver.screenshot("accounts").await;

    // A second launch hands over to the running app (single instance) and exits.
    let mut second = Command::new(crate::driver::APP)
        .env("XDG_DATA_HOME", data_home.path())
        .env("XDG_CONFIG_HOME", driver.config_home())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            panic!("a second launch kept running next to the first");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
    assert!(driver.text("[data-testid=accounts]").await.contains("Acme Inc"), "the first app still answers");
    driver.close().await;
}
