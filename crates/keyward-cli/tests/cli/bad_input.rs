//! Each bad input gets a clear message and its documented exit code, and changes nothing.

use crate::Home;

fn expect(home: &Home, actor: &str, args: &[&str], code: i32, says: &str) {
    let run = home.run_as(actor, args);
    assert_eq!(run.code, code, "keyward {}: {}", args.join(" "), run.shown());
    assert!(run.stderr.contains(says), "keyward {}: {}", args.join(" "), run.shown());
}

#[test]
fn bad_input_gets_a_clear_message_and_its_exit_code() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    let key = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();

    expect(&home, "ana", &["key", "status", "nope"], 4, "no account named \"nope\": `keyward account list` shows");
    expect(&home, "ana", &["account", "create", "Bad_Name"], 2, "not a valid account name");
    expect(&home, "ana", &["account", "create", "acme"], 5, "already exists");
    expect(&home, "ana", &["key", "generate", "acme"], 5, "rotate it instead");
    expect(&home, "ana", &["key", "rotate", "acme", "--grace", "2h", "--yes"], 2, "not a grace period");
    expect(&home, "ana", &["key", "rotate", "acme"], 2, "pass --yes in scripts");
    expect(&home, "ana", &["member", "add", "acme", "bob", "--email", "bob"], 2, "not an email address");
    expect(&home, "ana", &["member", "set-email", "acme", "ana", "ana at example"], 2, "not an email address");
    expect(&home, "ana", &["member", "set-email", "acme", "ana"], 2, "--clear");
    expect(&home, "ana", &["member", "set-email", "acme", "zed", "zed@example.com"], 4, "zed");
    expect(&home, "bob", &["key", "show", "acme"], 3, "bob is not a super admin of acme");
    expect(&home, "ana", &["no-such-command"], 2, "unrecognized subcommand");
    expect(&home, "ana", &["audit", "list", "acme", "--event", "rotatd"], 2, "no audit event \"rotatd\": use one of");

    let malformed = home.run(&["--json", "key", "verify", "kw_thisisnotakey"]);
    assert_eq!((malformed.code, malformed.json()["code"].as_str()), (1, Some("MALFORMED")));
    let mut typo = key.clone().into_bytes();
    typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    assert_eq!(home.run(&["--json", "key", "verify", &typo]).json()["code"], "MALFORMED");

    // An export that cannot be written says so and exits 1 (not "bad input", not a panic).
    let full = std::fs::File::create("/dev/full").unwrap();
    let export = home.command("ana", &["audit", "export", "acme", "--format", "csv"]).stdout(full).output().unwrap();
    assert_eq!(export.status.code(), Some(1), "{}", String::from_utf8_lossy(&export.stderr));
    assert!(String::from_utf8_lossy(&export.stderr).contains("could not write the export"));

    // Nothing above changed anything: one account, the same key.
    assert_eq!(home.ok(&["--json", "account", "list"]).json().as_array().unwrap().len(), 1);
    assert_eq!(home.ok(&["key", "show", "acme"]).stdout.trim(), key);
    let denied = home.ok(&["--json", "audit", "list", "acme", "--event", "permission_denied"]).json();
    assert_eq!(denied.as_array().unwrap().len(), 1, "the refusal is in the trail");
}
