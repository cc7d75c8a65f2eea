//! The whole promise, clicked through in the real app: create an account, generate, show, copy
//! (the real clipboard, wiped after the timeout), rotate through the challenge (the in-process
//! gateway refuses the old key over HTTP at once), a wrong code refused, deactivate, and the
//! audit and call-log tabs telling what happened. Screenshots of every page land in
//! test-artifacts/.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use crate::driver::{free_port, Driver};

/// POST /v1/keys/verify on the app's gateway; returns the verdict code.
pub fn verify(port: u16, key: &str) -> String {
    let body = serde_json::json!({ "key": key }).to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the in-process gateway listens");
    write!(
        stream,
        "POST /v1/keys/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: e2e-test/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let json = response.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or_default();
    let verdict: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|_| panic!("a JSON verdict, got {response:?}"));
    verdict["code"].as_str().unwrap().to_owned()
}

fn clipboard() -> String {
    let out = Command::new("xclip").args(["-o", "-selection", "clipboard"]).output().expect("xclip is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Opens the Actions menu, picks `action`, ticks "I'm not a robot" and reads the code shown.
pub async fn open_confirmation(driver: &Driver, action: &str) -> String {
    driver.click("[data-testid=key-actions]").await;
    driver.click(&format!("[data-testid=action-{action}]")).await;
    driver.wait_for("[data-testid=consequence]").await;
    driver.click("[data-testid=robot]").await;
    let code = driver.wait_text("[data-testid=challenge-code]", "a 6-character code", |t| t.len() == 6).await;
    code
}

#[tokio::test]
async fn create_generate_show_copy_rotate_deactivate_audit_calls() {
    let data_home = tempfile::tempdir().unwrap();
    let driver = Driver::launch(&[("XDG_DATA_HOME", data_home.path())]).await;
    let port = free_port();

    // Settings: our own gateway port (the default may be taken on a shared machine) and the
    // shortest clipboard timeout, so the wipe is seen within the test.
    driver.click("[data-testid=nav-settings]").await;
    driver.type_into("[data-testid=gateway-port]", &port.to_string()).await;
    driver.type_into("input[name=clipboard_clear_secs]", "5").await;
    driver.click("[data-testid=settings-save]").await;
    let gateway = format!("http://127.0.0.1:{port}");
    driver.wait_text("[data-testid=gateway-state]", "the gateway on the new port", |t| t.contains(&gateway)).await;
    driver.wait_text("[data-testid=gateway-badge]", "the sidebar badge", |t| t.contains(&gateway)).await;
    driver.screenshot("settings").await;

    // Create an account from the sidebar.
    driver.click("[data-testid=create-account]").await;
    driver.type_into("[data-testid=create-dialog] input[name=name]", "acme").await;
    driver.type_into("[data-testid=create-dialog] input[name=display_name]", "Acme Inc").await;
    driver.click("[data-testid=create-dialog] button[type=submit]").await;
    driver.wait_text("[data-account=acme]", "the new account in the sidebar", |t| t.contains("Acme Inc")).await;

    // Generate, then Show.
    driver.click("[data-testid=key-generate]").await;
    driver
        .wait_text("[data-testid=key-age]", "the key's age and creator", |t| t.contains("today") && t.contains("by"))
        .await;
    driver.click("[data-testid=key-show]").await;
    let first_key = driver
        .wait_text("[data-testid=key-value]", "the key itself", |t| t.starts_with("kw_") && !t.contains('…'))
        .await;
    driver.click("[data-testid=key-show]").await; // Hide
    driver.wait_text("[data-testid=key-value]", "the hint again", |t| t.contains('…')).await;
    driver.screenshot("api-key").await;

    // Copy: the real clipboard holds the key, and is wiped after the 5 s setting.
    driver.click("[data-testid=key-copy]").await;
    driver.wait_text("[data-testid=toast]", "the copy toast", |t| t.contains("cleared in 5 s")).await;
    assert_eq!(clipboard(), first_key, "xclip reads the copied key");
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_ne!(clipboard(), first_key, "the clipboard no longer holds the key after 5 s");
    assert_eq!(verify(port, &first_key), "VALID");

    // Rotate now, through the challenge.
    let code = open_confirmation(&driver, "rotate").await;
    assert_eq!(driver.text("[data-testid=confirm-submit]").await, "Rotate now and expire this key");
    driver.screenshot("rotate-dialog").await;
    driver.type_into("[data-testid=challenge-answer]", &code).await;
    driver.click("[data-testid=confirm-submit]").await;
    driver.wait_text("[data-testid=toast]", "the rotation toast", |t| t.contains("Key rotated")).await;
    assert_eq!(verify(port, &first_key), "REVOKED", "the old key fails at once");
    driver.click("[data-testid=key-show]").await;
    let second_key = driver
        .wait_text("[data-testid=key-value]", "the new key", |t| {
            t.starts_with("kw_") && !t.contains('…') && t != first_key
        })
        .await;
    assert_eq!(verify(port, &second_key), "VALID", "the new key works");
    driver.click("[data-testid=key-show]").await;

    // Deactivate: a wrong code first — refused, explained, the dialog keeps its state.
    let code = open_confirmation(&driver, "deactivate").await;
    let wrong = if code == "ACDEFG" { "ACDEFH" } else { "ACDEFG" };
    driver.type_into("[data-testid=challenge-answer]", wrong).await;
    driver.click("[data-testid=confirm-submit]").await;
    let refusal = driver.wait_text("[data-testid=confirm-error]", "the refusal", |t| !t.is_empty()).await;
    assert_eq!(refusal, "That code is not right: 2 attempt(s) left.");
    assert_eq!(driver.text("[data-testid=challenge-code]").await, code, "the same code stays on screen");
    assert_eq!(verify(port, &second_key), "VALID", "a refused code changes nothing");
    driver.screenshot("deactivate-refused").await;
    driver.type_into("[data-testid=challenge-answer]", &code).await;
    driver.click("[data-testid=confirm-submit]").await;
    driver.wait_text("[data-testid=toast]", "the deactivation toast", |t| t.contains("Key deactivated")).await;
    driver.wait_for("[data-testid=no-key]").await;
    assert_eq!(verify(port, &second_key), "REVOKED");

    // The audit tab lists the events in order and says Verified.
    driver.click("[data-testid=tab-audit]").await;
    driver.wait_text("[data-testid=chain-status]", "a verified chain", |t| t.contains("Verified")).await;
    let events = driver.attrs("[data-testid=audit-table] tbody tr", "data-event").await;
    let expected =
        ["account_created", "generated", "viewed", "copied", "rotated", "viewed", "challenge_failed", "deactivated"];
    assert_eq!(events, expected);
    driver.screenshot("audit-log").await;

    // The call log tab shows the five calls made, newest first, with their outcomes.
    driver.click("[data-testid=tab-calls]").await;
    let table = driver
        .wait_text("[data-testid=calls-table]", "five calls", |t| t.matches("/v1/keys/verify").count() == 5)
        .await;
    assert!(!table.contains(&first_key) && !table.contains(&second_key), "never a key in the call log: {table}");
    let outcomes = driver.attrs("[data-testid=calls-table] tbody tr", "data-outcome").await;
    assert_eq!(outcomes, ["REVOKED", "VALID", "VALID", "REVOKED", "VALID"]);
    assert_eq!(driver.attrs("[data-testid=calls-table] tbody td.agent", "title").await, ["e2e-test/1.0"; 5]);
    driver.wait_for("[data-testid=calls-chart]").await;
    driver.screenshot("call-log").await;

    // Members: add one, then correct their address in place (once the form is idle again: erase,
    // type, Tab away).
    driver.click("[data-testid=tab-members]").await;
    driver.type_into("input[name=member-name]", "bob").await;
    driver.type_into("input[name=member-email]", "bob@example.com").await;
    driver.click("[data-testid=member-add] button[type=submit]").await;
    let bob_email = driver.wait_for("[data-member=bob] input[name=email]:enabled").await;
    assert_eq!(bob_email.prop("value").await.unwrap().as_deref(), Some("bob@example.com"));
    let erase = "\u{E003}".repeat("bob@example.com".len());
    bob_email.send_keys(&format!("\u{E010}{erase}bob@corp.example\u{E004}")).await.unwrap();
    driver
        .wait_text("[data-testid=toast]", "the new address", |t| {
            t.contains("Reminders for bob go to bob@corp.example.")
        })
        .await;
    let stored = driver.wait_for("[data-member=bob] input[name=email]").await.prop("value").await.unwrap();
    assert_eq!(stored.as_deref(), Some("bob@corp.example"));
    driver.screenshot("members").await;

    // The smallest supported window, in the dark theme: nothing overflows sideways.
    driver.click("[data-testid=nav-settings]").await;
    driver.wait_for("[data-testid=theme]").await.select_by_value("dark").await.unwrap();
    driver.click("[data-testid=settings-save]").await;
    driver.wait_text("[data-testid=toast]", "saved", |t| t.contains("Settings saved")).await;
    driver.client.set_window_size(800, 600).await.unwrap();
    driver.click("[data-account=acme] button").await;
    driver.click("[data-testid=tab-calls]").await;
    driver.wait_for("[data-testid=calls-table]").await;
    let fits = driver
        .client
        .execute("return document.documentElement.scrollWidth <= window.innerWidth + 1", vec![])
        .await
        .unwrap();
    assert_eq!(fits, serde_json::json!(true), "no horizontal scroll at 800x600");
    let theme = driver.client.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
    assert_eq!(theme, "dark");
    driver.screenshot("call-log-800x600-dark").await;

    // 日本語: the same page in Japanese.
    driver.click("[data-testid=nav-settings]").await;
    driver.wait_for("[data-testid=language]").await.select_by_value("ja").await.unwrap();
    driver.click("[data-testid=settings-save]").await;
    driver.wait_text("[data-testid=settings-save]", "Japanese labels", |t| t == "設定を保存").await;
    driver.click("[data-account=acme] button").await;
    driver.wait_text("[data-testid=tab-key]", "the Japanese tab name", |t| t == "APIキー").await;
    // The web view draws Japanese only with a font that has its glyphs (else boxes): the
    // machine must have one, and the screenshot shows it.
    let japanese = std::process::Command::new("fc-list").arg(":lang=ja").arg("family").output().unwrap();
    assert!(!japanese.stdout.is_empty(), "no font with Japanese glyphs: install fonts-noto-cjk");
    driver.screenshot("api-key-ja").await;
    driver.close().await;
}
