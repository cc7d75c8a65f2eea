use crate::Home;

/// No Secret Service reachable (no session bus): a message that names the fix, exit 1, and
/// the database as it was.
#[test]
fn keyring_unavailable_is_a_clear_error_and_changes_nothing() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    let audit_before = home.ok(&["--json", "audit", "list", "acme"]).json().as_array().unwrap().len();
    let run = home
        .command("ana", &["key", "generate", "acme"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/keyward-test-bus")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(run.stdout.is_empty(), "no key was printed");
    assert!(stderr.contains("OS keyring is unavailable") && stderr.contains("gnome-keyring"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");

    let status = home.ok(&["--json", "key", "status", "acme"]).json();
    assert!(status["active"].is_null(), "no key row was made");
    let audit_after = home.ok(&["--json", "audit", "list", "acme"]).json().as_array().unwrap().len();
    assert_eq!(audit_after, audit_before, "no audit row was made");
    home.ok(&["key", "generate", "acme"]); // and with the keyring back, it works
}
