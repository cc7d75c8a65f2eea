use std::path::Path;
use std::process::Command;
use std::time::Duration;

use fantoccini::Locator;

use crate::driver::{cli_binary, Driver};

fn keyward(data_home: &Path, args: &[&str]) -> String {
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
    let client = &driver.client;
    let list = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=accounts]"))
        .await
        .expect("the accounts list renders");
    let text = list.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert!(text.contains("Acme Inc") && text.contains("Globex"), "{rows:?}");
    let acme = client.find(Locator::Css("[data-account=acme] .key")).await.unwrap().text().await.unwrap();
    let globex = client.find(Locator::Css("[data-account=globex] .key")).await.unwrap().text().await.unwrap();
    assert_eq!((acme.as_str(), globex.as_str()), ("Key active", "No key"));
    let role = client.find(Locator::Css("[data-account=acme] .role")).await.unwrap().text().await.unwrap();
    assert_eq!(role, "super-admin");
    assert!(!text.contains(key.trim()), "the window never shows the key here");
    driver.screenshot("accounts").await;
    driver.close().await;
}
