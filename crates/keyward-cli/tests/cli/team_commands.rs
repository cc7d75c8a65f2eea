//! The rest of the CLI through a team server, with the same output and exit codes as on one
//! machine: account show, policy and limits, key expire-now and verify, audit export, calls,
//! reminders; the commands that have no team meaning refuse and change nothing.

use crate::serve::Server;
use crate::team::{shared_server, team_database};
use crate::team_people::code_of;
use crate::Home;

#[test]
fn account_key_log_and_reminder_commands_go_to_the_team() {
    let _shared = shared_server();
    let url = team_database();
    let operator = Home::on(&url);
    let server = Server::start(&operator);
    let (alice, bob) = (Home::device(), Home::device());
    alice.ok(&[
        "team",
        "join",
        &server.url(),
        "--code",
        &code_of(&operator.run(&["team", "setup-code"])),
        "--name",
        "alice",
    ]);
    let for_bob = code_of(&alice.run(&["team", "invite", "bob"]));
    bob.ok(&["team", "join", &server.url(), "--code", &for_bob, "--name", "bob"]);
    alice.ok(&["account", "create", "acme", "--display-name", "Acme Inc"]);
    alice.ok(&["account", "create", "globex"]);
    alice.ok(&["member", "add", "acme", "bob", "--role", "member"]);

    // A person sees the accounts they belong to; an owner sees every account.
    let names = |home: &Home| -> Vec<String> {
        let list = home.ok(&["--json", "account", "list"]).json();
        list.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&bob), ["acme"]);
    assert_eq!(names(&alice), ["acme", "globex"]);

    // Account facts and rules: super admins change them, members read them.
    assert_eq!(bob.ok(&["--json", "account", "show", "acme"]).json()["your_role"], "member");
    let policy = alice.ok(&["--json", "account", "policy", "acme", "--rotation-days", "90"]).json();
    assert_eq!((policy["rotation_period_days"].as_i64(), policy["reminder_lead_days"].as_i64()), (Some(90), Some(14)));
    let refused = bob.run(&["account", "policy", "acme", "--rotation-days", "30"]);
    assert_eq!(refused.code, 3, "{}", refused.shown());
    assert!(refused.stderr.contains("bob is not a super admin of acme"), "{}", refused.shown());
    // The server's refusals come back as the same errors as local ones: code, words and hint.
    let missing = alice.run(&["member", "remove", "acme", "carol"]);
    assert_eq!(missing.code, 4, "{}", missing.shown());
    assert!(missing.stderr.contains("`keyward member list acme` shows who is"), "{}", missing.shown());
    assert!(alice.ok(&["account", "limits", "acme", "--burst", "50/10"]).stdout.contains("burst 50 per 10 s"));
    assert_eq!(bob.ok(&["--json", "account", "limits", "acme"]).json()["burst_limit"], 50);

    // A rotation with grace, ended early; verify asks the team's gateway.
    let old = alice.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    let new = alice.ok(&["key", "rotate", "acme", "--grace", "1h", "--yes"]).stdout.trim().to_owned();
    let during = alice.run(&["key", "verify", &old]);
    assert!(during.code == 0, "the old key works during its grace: {} {}", during.code, during.stderr);
    let ended = alice.ok(&["--json", "key", "expire-now", "acme"]).json();
    assert_eq!(ended["ended"].as_array().unwrap().len(), 1);
    let old_verdict = bob.run(&["key", "verify", &old]);
    assert_eq!((old_verdict.code, old_verdict.stdout.trim()), (1, "EXPIRED"), "its grace ended");
    let verdict = bob.run(&["key", "verify", &new]);
    assert_eq!(verdict.code, 0);
    assert!(verdict.stdout.starts_with("VALID (acme, key_"), "{}", verdict.stdout);

    // The trail and the calls every gateway logged.
    let csv = alice.ok(&["audit", "export", "acme"]).stdout;
    assert!(
        csv.starts_with("seq,at,actor,device,account") && csv.contains(",rotated,") && csv.contains(",grace_ended,")
    );
    assert!(!csv.contains(&new) && !csv.contains(&old));
    // The gateway writes its call log in batches: poll until the three verifies are in.
    let since = std::time::Instant::now();
    while alice.ok(&["--json", "calls", "list", "acme"]).json().as_array().unwrap().len() < 3 {
        assert!(since.elapsed() < std::time::Duration::from_secs(10), "the three verifies never reached the call log");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(alice.ok(&["--json", "reminders", "due"]).json(), serde_json::json!([]));
    let snoozed = alice.ok(&["--json", "reminders", "snooze", "acme", "--for", "1d"]).json();
    assert!(snoozed["until"].is_string(), "{snoozed}");

    // No team meaning: refused (exit 1), nothing done.
    for args in [
        &["reminders", "send"][..],
        &["calls", "export", "acme"],
        &["member", "set-email", "acme", "bob", "bob@example.com"],
        &["config", "get"],
    ] {
        let refused = alice.run(args);
        assert_eq!(refused.code, 1, "{args:?}: {}", refused.shown());
        assert!(refused.stderr.contains("connected to the team") && refused.stderr.contains("Nothing was done"));
    }

    // A super admin removed: the CLI says they may still hold the key.
    alice.ok(&["member", "set-role", "acme", "bob", "super-admin"]);
    let removed = alice.ok(&["member", "remove", "acme", "bob"]);
    assert!(removed.stderr.contains("bob may still hold the key of acme: rotate it"), "{}", removed.shown());

    // …or rotate at once: revoking a device that could open the key, and removing its person.
    alice.ok(&["member", "add", "acme", "bob", "--role", "super-admin"]);
    alice.ok(&["key", "share", "acme"]);
    let bob_device = bob.ok(&["--json", "team", "status"]).json()["device"].as_str().unwrap().to_owned();
    let revoked = alice.ok(&["team", "revoke-device", &bob_device, "--rotate", "--yes"]);
    let third = revoked.stdout.lines().last().unwrap().trim().to_owned();
    assert!(third.starts_with("kw_") && third != new, "the rotation hands over a new key");
    assert_eq!(alice.run(&["key", "verify", &new]).stdout.trim(), "REVOKED");
    let removed = alice.ok(&["member", "remove", "acme", "bob", "--rotate", "--yes"]);
    let fourth = removed.stdout.lines().last().unwrap().trim().to_owned();
    assert!(fourth.starts_with("kw_") && fourth != third);
    assert_eq!(alice.run(&["key", "verify", &third]).stdout.trim(), "REVOKED");
    assert!(!removed.stderr.contains("may still hold"), "rotated, not just warned: {}", removed.shown());
}
