//! Headless reminders by email against a real SMTP server on loopback (aiosmtpd, writing every
//! message it receives to a Maildir). The key is made "200 days ago" by running the CLI under
//! faketime, a clock override the product itself does not need.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Home, Run};

/// aiosmtpd on 127.0.0.1:port, storing messages in `maildir`; stopped on drop.
pub(crate) struct SmtpServer(Child);

impl SmtpServer {
    pub(crate) fn start(port: u16, maildir: &Path) -> SmtpServer {
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd is installed (scripts/install-deps test)");
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        SmtpServer(child)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Every message in the Maildir, headers unfolded.
pub(crate) fn messages(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return vec![] };
    entries
        .map(|e| {
            std::fs::read_to_string(e.unwrap().path())
                .unwrap()
                .replace("\r\n", "\n")
                .replace("\n ", " ")
                .replace("=\n", "")
        })
        .collect()
}

pub(crate) fn header<'a>(message: &'a str, name: &str) -> &'a str {
    message.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).unwrap_or_default()
}

#[test]
fn due_reminders_are_emailed_once_each_and_a_refused_connection_keeps_them_due() {
    let home = Home::new();
    home.ok(&["account", "create", "acme", "--display-name", "Acme Inc"]);
    home.ok(&["member", "add", "acme", "carol", "--email", "carol@example.com", "--role", "super-admin"]);
    home.ok(&["member", "add", "acme", "erin", "--email", "erin@example.com", "--role", "super-admin"]);
    home.ok(&["member", "add", "acme", "bob", "--email", "bob@example.com"]);
    let made = home
        .command_at("-200d", &["key", "generate", "acme", "--json"])
        .output()
        .expect("faketime is installed (scripts/install-deps test)");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let key = serde_json::from_slice::<serde_json::Value>(&made.stdout).unwrap()["key"].as_str().unwrap().to_owned();

    let due = home.ok(&["reminders", "due", "--json"]).json();
    let mut who: Vec<(&str, &str, i64)> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["recipient"].as_str().unwrap(), r["kind"].as_str().unwrap(), r["age_days"].as_i64().unwrap()))
        .collect();
    who.sort();
    assert_eq!(
        who,
        [("ana", "due-0", 200), ("carol", "due-0", 200), ("erin", "due-0", 200)],
        "super admins and the key's maker"
    );

    // Not configured yet: a clear error, nothing sent.
    let unset = home.run(&["reminders", "send"]);
    assert_eq!(unset.code, 2, "{}", unset.shown());
    assert!(unset.stderr.contains("keyward config set smtp.url"), "{}", unset.shown());
    let leaked = home.run(&["config", "set", "smtp.url", "smtps://me:hunter2@mail.example.com"]);
    assert_eq!(leaked.code, 2);
    assert!(
        leaked.stderr.contains("KEYWARD_SMTP_PASSWORD") && !leaked.stderr.contains("hunter2"),
        "{}",
        leaked.shown()
    );

    // A server that refuses the connection: exit 1, every reminder stays due, none audited.
    let maildir = tempfile::tempdir().unwrap();
    let port = free_port();
    home.ok(&["config", "set", "smtp.url", &format!("smtp://127.0.0.1:{port}")]);
    home.ok(&["config", "set", "smtp.from", "keyward@example.com"]);
    let refused = home.run(&["reminders", "send"]);
    assert_eq!(refused.code, 1, "{}", refused.shown());
    assert!(refused.stdout.contains("stays due for the next run"), "{}", refused.shown());
    assert_eq!(home.ok(&["reminders", "due", "--json"]).json().as_array().unwrap().len(), 3);
    assert_eq!(reminder_audits(&home), 0);

    // The server is up: each person with an address gets one message; ana has none (reported).
    for folder in ["new", "cur", "tmp"] {
        std::fs::create_dir(maildir.path().join(folder)).unwrap();
    }
    let _server = SmtpServer::start(port, maildir.path());
    let sent: Run = home.run(&["reminders", "send", "--json"]);
    assert_eq!(sent.code, 0, "{}", sent.shown().replace("\\n", "\n"));
    let results: Vec<(String, String)> = sent
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["reminder"]["recipient"].as_str().unwrap().to_owned(), i["result"].as_str().unwrap().to_owned()))
        .collect();
    assert!(results.contains(&("ana".into(), "no_email".into())), "{results:?}");
    home.ok(&["reminders", "send"]);
    let inbox = messages(maildir.path());
    let mut to: Vec<&str> = inbox.iter().map(|m| header(m, "To")).collect();
    to.sort();
    assert_eq!(to, ["carol@example.com", "erin@example.com"], "one message each, even after a second run");
    for message in &inbox {
        assert_eq!(header(message, "Subject"), "Rotate the API key of Acme Inc (200 days old)");
        assert!(message.contains("is 200 days old") && message.contains("keyward key rotate acme"), "{message}");
        assert!(!message.contains(&key), "the key itself is never mailed");
    }
    assert_eq!(reminder_audits(&home), 2);
}

fn reminder_audits(home: &Home) -> usize {
    let audit = home.ok(&["audit", "list", "acme", "--json"]).json();
    audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "reminder_sent" && e["details"].as_str().unwrap().contains("\"channel\":\"email\""))
        .count()
}
