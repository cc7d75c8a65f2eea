use crate::{keyring_lookup, Home};

/// generate -> show -> status -> verify -> rotate with grace -> expire-now -> deactivate, with
/// the secrets really in the OS keyring, then the audit trail in order and intact.
#[test]
fn full_lifecycle_with_the_real_keyring() {
    let home = Home::new();
    let created = home.ok(&["--json", "account", "create", "acme", "--display-name", "Acme Inc"]).json();
    assert_eq!((created["name"].as_str(), created["your_role"].as_str()), (Some("acme"), Some("super-admin")));

    let generated = home.ok(&["key", "generate", "acme"]);
    let first = generated.stdout.trim().to_owned();
    assert_eq!(generated.stdout, format!("{first}\n"), "the key alone on stdout");
    assert!(first.starts_with("kw_") && first.len() == 39);
    assert!(!generated.stderr.contains(&first), "stderr shows only the hint");

    let status = home.ok(&["--json", "key", "status", "acme"]).json();
    let first_id = status["active"]["key_id"].as_str().unwrap().to_owned();
    assert_eq!(status["active"]["created_by"], "ana");
    assert_eq!(status["active"]["age_days"], 0);
    assert_eq!(status["active"]["rotation_due"], false);
    assert_eq!(keyring_lookup(&first_id).as_deref(), Some(first.as_str()), "the secret is in the OS keyring");

    assert_eq!(home.ok(&["key", "show", "acme"]).stdout.trim(), first);
    let verified = home.ok(&["--json", "key", "verify", &first]).json();
    assert_eq!((verified["valid"].as_bool(), verified["code"].as_str()), (Some(true), Some("VALID")));

    let rotated = home.ok(&["--json", "key", "rotate", "acme", "--grace", "1h", "--yes"]).json();
    let second = rotated["key"].as_str().unwrap().to_owned();
    let second_id = rotated["key_id"].as_str().unwrap().to_owned();
    assert_eq!(rotated["old_key_id"], first_id.as_str());
    assert_eq!(rotated["confirmed_by"], "explicit");
    assert!(rotated["old_key_valid_until"].is_string());
    assert_eq!(keyring_lookup(&first_id), None, "the old secret left the keyring");
    assert_eq!(keyring_lookup(&second_id).as_deref(), Some(second.as_str()));
    home.ok(&["key", "verify", &first]); // still inside its grace window
    let status = home.ok(&["--json", "key", "status", "acme"]).json();
    assert_eq!(status["grace"][0]["key_id"], first_id.as_str());

    home.ok(&["key", "expire-now", "acme"]);
    let expired = home.run(&["key", "verify", &first]);
    assert_eq!((expired.code, expired.stdout.split_whitespace().next()), (1, Some("EXPIRED")), "{}", expired.shown());

    let no_grace = home.ok(&["key", "rotate", "acme", "--yes"]);
    let third = no_grace.stdout.trim().to_owned();
    let revoked = home.run(&["--json", "key", "verify", &second]);
    assert_eq!((revoked.code, revoked.json()["code"].as_str()), (1, Some("REVOKED")));

    home.ok(&["key", "deactivate", "acme", "--yes"]);
    let gone = home.run(&["key", "verify", &third]);
    assert_eq!(gone.code, 1);
    let status = home.ok(&["--json", "key", "status", "acme"]).json();
    assert!(status["active"].is_null());

    let events: Vec<String> = home
        .ok(&["--json", "audit", "list", "acme"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["account_created", "generated", "viewed", "rotated", "grace_ended", "rotated", "deactivated"]);
    assert_eq!(home.ok(&["--json", "audit", "verify"]).json()["status"], "verified");
    let csv = home.ok(&["audit", "export", "acme", "--format", "csv"]).stdout;
    assert!(
        csv.starts_with("seq,at,actor,device,account,key_id,key_hint,event,details,hash\n") && csv.lines().count() == 8
    );
    assert_eq!(home.ok(&["audit", "export", "acme", "--format", "json"]).json().as_array().unwrap().len(), 7);

    // No key string anywhere in the database files, WAL included.
    for entry in std::fs::read_dir(home.db()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for key in [&first, &second, &third] {
            let found = bytes.windows(key.len()).any(|w| w == key.as_bytes());
            assert!(!found, "a key string is stored in the database files");
        }
    }
}

#[test]
fn tampering_with_the_audit_trail_is_reported() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    home.ok(&["key", "generate", "acme"]);
    home.ok(&["key", "rotate", "acme", "--yes"]);
    let verified = home.ok(&["audit", "verify"]).stdout;
    assert_eq!(verified.trim(), "Verified: 3 entries, chain intact; the signed checkpoint at entry 3 holds.");
    home.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
    let broken = home.run(&["audit", "verify"]);
    assert_eq!(broken.code, 1, "{}", broken.shown());
    assert!(broken.stdout.starts_with("BROKEN at entry 2"), "{}", broken.shown());
}

/// The newest rows deleted leave a chain that still links; the checkpoint in the real keyring
/// (never in the database) shows them gone, and names them.
#[test]
fn the_newest_audit_rows_cut_off_are_reported() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    home.ok(&["key", "generate", "acme"]);
    home.ok(&["key", "show", "acme"]);
    home.ok(&["key", "rotate", "acme", "--yes"]);
    home.sql("DELETE FROM audit_log WHERE seq > 2");
    let cut = home.run(&["audit", "verify"]);
    assert_eq!(cut.code, 1, "{}", cut.shown());
    assert!(
        cut.stdout.starts_with(
            "TRUNCATED: the trail has 2 entries but its signed checkpoint recorded 4: entries 3-4 are missing"
        ),
        "{}",
        cut.shown()
    );
    let json = home.run(&["--json", "audit", "verify"]).json();
    assert_eq!((json["status"].as_str(), json["checkpoint"].as_u64()), (Some("truncated"), Some(4)));
}

/// A member's reminder address is set, shown in the list, and removed again.
#[test]
fn a_members_email_is_set_and_cleared() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    let set = home.ok(&["member", "set-email", "acme", "ana", "ana@example.com"]);
    assert_eq!(set.stdout.trim(), "ana's reminders in acme go to ana@example.com.");
    let listed = home.ok(&["--json", "member", "list", "acme"]).json();
    assert_eq!(listed[0]["email"], "ana@example.com");
    let cleared = home.ok(&["--json", "member", "set-email", "acme", "ana", "--clear"]).json();
    assert_eq!(cleared["email"], serde_json::Value::Null);
    let trail = home.ok(&["--json", "audit", "list", "acme", "--event", "email_changed"]).json();
    assert_eq!(trail.as_array().unwrap().len(), 2, "both changes are in the trail");
}
