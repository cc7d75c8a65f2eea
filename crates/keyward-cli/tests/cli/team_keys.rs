//! Team keys end to end: three people, each on a machine of their own (a data folder, a D-Bus
//! session and a gnome-keyring), and a team server on PostgreSQL. A key is made and sealed on a
//! super admin's device, opened only on super admins' devices, shared to a newcomer by an
//! existing one, and never held in plaintext by anything on the server's side. Key comparisons
//! use `assert!`, so a failure never prints a key.

use std::process::Command;

use crate::serve::Server;
use crate::team::{psql, shared_server, team_database};
use crate::{Home, Run};

fn code_of(run: &Run) -> String {
    run.stdout.trim().to_owned()
}

fn join(home: &Home, server: &Server, code: &str, name: &str) {
    let run = home.run(&["team", "join", &server.url(), "--code", code, "--name", name]);
    assert_eq!(run.code, 0, "{name} joins: {}", run.shown());
}

#[test]
fn a_key_is_sealed_on_a_device_and_opened_only_by_super_admins_devices() {
    let _shared = shared_server();
    let url = team_database();
    let operator = Home::on(&url);
    let server = Server::start(&operator);
    let (alice, bob, carol) = (Home::own_device(), Home::own_device(), Home::own_device());
    join(&alice, &server, &code_of(&operator.ok(&["team", "setup-code"])), "alice");
    join(&bob, &server, &code_of(&alice.ok(&["team", "invite", "bob"])), "bob");
    join(&carol, &server, &code_of(&alice.ok(&["team", "invite", "carol"])), "carol");

    alice.ok(&["account", "create", "acme"]);
    alice.ok(&["member", "add", "acme", "carol", "--role", "member"]);
    let key = alice.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    assert!(key.starts_with("kw_"));
    assert!(alice.ok(&["key", "show", "acme"]).stdout.trim() == key, "alice opens her own share");
    assert_eq!(server.code(&key), "VALID", "the gateway verifies it by its hash");

    // Members see the key's public facts; whoami names the signed-in person.
    let status = carol.ok(&["--json", "key", "status", "acme"]).json();
    assert_eq!(status["active"]["created_by"], "alice");
    assert_eq!(status["active"]["age_days"], 0);
    assert_eq!(carol.ok(&["--json", "whoami"]).json()["actor"], "carol");
    let carol_show = carol.run(&["key", "show", "acme"]);
    assert_eq!(carol_show.code, 3, "a member may not see the key: {}", carol_show.shown());

    // bob becomes a super admin after the key was made: he cannot open it until alice shares.
    alice.ok(&["member", "add", "acme", "bob", "--role", "super-admin"]);
    let not_yet = bob.run(&["key", "show", "acme"]);
    assert_eq!(not_yet.code, 3, "{}", not_yet.shown());
    assert!(not_yet.stderr.contains("ask alice to share"), "{}", not_yet.shown());
    assert!(not_yet.stdout.is_empty());
    let shared = alice.ok(&["--json", "key", "share", "acme"]).json();
    assert_eq!(shared["shared_with"], 1);
    assert!(bob.ok(&["key", "show", "acme"]).stdout.trim() == key, "bob opens his new share");
    assert_eq!(alice.ok(&["--json", "key", "share", "acme"]).json()["shared_with"], 0);

    // Nothing on the server's side holds the key: the database (dumped), its log, its memory.
    let dump = Command::new("pg_dump").arg(&url).output().expect("pg_dump is installed");
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("BEGIN AGE ENCRYPTED FILE"), "the dump has the ciphertexts");
    assert!(!dump.contains(&key), "the database holds no key string");
    assert!(!server.log().contains(&key), "the server's log holds no key string");
    let core = tempfile::tempdir().unwrap();
    let prefix = core.path().join("server");
    let gcore =
        Command::new("gcore").arg("-o").arg(&prefix).arg(server.pid().to_string()).output().expect("gcore (gdb)");
    assert!(gcore.status.success(), "{}", String::from_utf8_lossy(&gcore.stderr));
    let dumped = std::fs::read(format!("{}.{}", prefix.display(), server.pid())).unwrap();
    assert!(dumped.len() > 1_000_000, "a whole core dump");
    assert!(memchr::memmem::find(&dumped, key.as_bytes()).is_none(), "the server's memory holds no key string");

    // A second device of bob's, given the key, then revoked: bob may still hold the key.
    let laptop = Home::own_device();
    join(&laptop, &server, &code_of(&alice.ok(&["team", "invite", "bob"])), "bob");
    alice.ok(&["key", "share", "acme"]);
    assert!(laptop.ok(&["key", "show", "acme"]).stdout.trim() == key, "bob's laptop opens its share");
    let laptop_device = laptop.ok(&["--json", "team", "status"]).json()["device"].as_str().unwrap().to_owned();
    let revoked = alice.ok(&["team", "revoke-device", &laptop_device]);
    assert!(revoked.stdout.contains("bob may still hold the key of acme: rotate it"), "{}", revoked.shown());
    assert_eq!(laptop.run(&["key", "show", "acme"]).code, 3, "a revoked device is refused");

    // Rotation: confirmed (--yes here; the server checks the confirmation), made and sealed on
    // alice's machine to both super admins; the old key is refused at once, its shares gone.
    let carol_rotates = carol.run(&["key", "rotate", "acme", "--yes"]);
    assert_eq!(carol_rotates.code, 3, "{}", carol_rotates.shown());
    let unconfirmed = alice.run(&["key", "rotate", "acme"]);
    assert_eq!(unconfirmed.code, 2, "no terminal and no --yes: {}", unconfirmed.shown());
    let rotated = alice.ok(&["--json", "key", "rotate", "acme", "--yes"]).json();
    let new_key = rotated["key"].as_str().unwrap().to_owned();
    assert!(new_key != key, "a new key");
    assert_eq!(rotated["confirmed_by"], "explicit");
    assert_eq!(server.code(&key), "REVOKED", "the old key stops now");
    assert_eq!(server.code(&new_key), "VALID");
    assert!(bob.ok(&["key", "show", "acme"]).stdout.trim() == new_key, "sealed to bob too");
    assert_eq!(psql(&url, "SELECT COUNT(*) FROM key_shares"), "2", "only the new key's two shares are left");

    // Deactivation: the key stops working, no new one, nothing left to open.
    alice.ok(&["key", "deactivate", "acme", "--yes"]);
    assert_eq!(server.code(&new_key), "REVOKED");
    assert_eq!(bob.run(&["key", "show", "acme"]).code, 4, "no active key");
    assert_eq!(psql(&url, "SELECT COUNT(*) FROM key_shares"), "0");
    let dump = Command::new("pg_dump").arg(&url).output().unwrap();
    assert!(!String::from_utf8_lossy(&dump.stdout).contains(&new_key));

    // Each machine's keyring has only its own credential.
    let alice_entry = team_entry(&alice);
    assert!(alice.keyring.as_ref().unwrap().lookup(&alice_entry).is_some());
    assert!(bob.keyring.as_ref().unwrap().lookup(&alice_entry).is_none(), "alice's credential is not on bob's machine");
}

fn team_entry(home: &Home) -> String {
    let link: serde_json::Value = serde_json::from_slice(&std::fs::read(home.db().join("team.json")).unwrap()).unwrap();
    link["credentials_entry"].as_str().unwrap().to_owned()
}
