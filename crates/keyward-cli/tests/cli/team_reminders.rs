//! Rotation reminders in a team: every `keyward serve` replica checks at start (and hourly) and
//! emails what is due, and each reminder reaches each person once, whichever replica is first.

use std::time::{Duration, Instant};

use crate::reminders::{free_port, header, messages, SmtpServer};
use crate::serve::Server;
use crate::team::{psql, shared_server, team_database};
use crate::team_people::code_of;
use crate::Home;

#[test]
fn replicas_email_each_due_reminder_once_per_person() {
    let _shared = shared_server();
    let url = team_database();
    let operator = Home::on(&url);
    let first = Server::start(&operator);
    let setup = code_of(&operator.run(&["team", "setup-code"]));
    let alice = Home::device();
    let server = first.url();
    let join = |home: &Home, code: &str, name: &str, email: Option<&str>| {
        let mut args = vec!["team", "join", &server, "--code", code, "--name", name];
        args.extend(email.map(|e| ["--email", e]).into_iter().flatten());
        home.ok(&args);
    };
    join(&alice, &setup, "alice", Some("alice@example.com"));
    let (bob, carol) = (Home::device(), Home::device());
    join(&bob, &code_of(&alice.run(&["team", "invite", "bob"])), "bob", Some("bob@example.com"));
    join(&carol, &code_of(&alice.run(&["team", "invite", "carol"])), "carol", None);
    alice.ok(&["account", "create", "acme", "--display-name", "Acme Inc"]);
    alice.ok(&["member", "add", "acme", "bob", "--role", "super-admin"]);
    alice.ok(&["member", "add", "acme", "carol", "--role", "super-admin"]);
    alice.ok(&["key", "generate", "acme"]);
    // The key's server-side birth moved 200 days back: due for rotation.
    psql(&url, "UPDATE api_keys SET created_at = created_at - 200::bigint * 86400000");

    let maildir = tempfile::tempdir().unwrap();
    for folder in ["new", "cur", "tmp"] {
        std::fs::create_dir(maildir.path().join(folder)).unwrap();
    }
    let port = free_port();
    let _smtp = SmtpServer::start(port, maildir.path());
    operator.ok(&["config", "set", "smtp.url", &format!("smtp://127.0.0.1:{port}")]);
    operator.ok(&["config", "set", "smtp.from", "keyward@example.com"]);

    // Two more replicas start at once; each checks at start.
    let replicas = [Server::start(&operator), Server::start(&operator)];
    let started = Instant::now();
    while messages(maildir.path()).len() < 2 {
        assert!(started.elapsed() < Duration::from_secs(15), "no reminder emails 15 s after the replicas started");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    let inbox = messages(maildir.path());
    let mut to: Vec<&str> = inbox.iter().map(|m| header(m, "To")).collect();
    to.sort();
    assert_eq!(to, ["alice@example.com", "bob@example.com"], "one each, carol has no address");
    assert!(inbox.iter().all(|m| header(m, "Subject") == "Rotate the API key of Acme Inc (200 days old)"));
    let sent = psql(&url, "SELECT COUNT(*) FROM audit_log WHERE event = 'reminder_sent'");
    assert_eq!(sent, "2", "one audited send per person");
    let sent_by: Vec<String> = replicas.iter().map(|r| r.log()).filter(|log| log.contains("reminder: acme")).collect();
    assert!(!sent_by.is_empty(), "a replica logs what it sent");
}
