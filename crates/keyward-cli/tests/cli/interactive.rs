//! Rotate and deactivate without --yes, at a real terminal: `script` gives the process a pty.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{redact, Home, BIN};

/// A `keyward` process behind a pseudo-terminal, read on a thread.
struct Terminal {
    child: std::process::Child,
    screen: String,
    bytes: mpsc::Receiver<Vec<u8>>,
}

impl Terminal {
    fn start(home: &Home, args: &str) -> Terminal {
        let line = format!("{BIN} {args}");
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", &line, "/dev/null"])
            .env("KEYWARD_DATA_DIR", home.db())
            .env("KEYWARD_ACTOR", "ana")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let (tx, bytes) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Terminal { child, screen: String::new(), bytes }
    }

    /// Reads until `needle` appears after `from`; returns the screen so far.
    fn wait_for(&mut self, needle: &str, from: usize) -> &str {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.screen[from.min(self.screen.len())..].contains(needle) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.bytes.recv_timeout(left) {
                Ok(chunk) => self.screen.push_str(&String::from_utf8_lossy(&chunk)),
                Err(_) => panic!("no {needle:?} on the terminal; it shows: {}", redact(&self.screen)),
            }
        }
        &self.screen
    }

    fn type_line(&mut self, text: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(format!("{text}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> (i32, String) {
        drop(self.child.stdin.take());
        let status = self.child.wait().unwrap();
        while let Ok(chunk) = self.bytes.recv_timeout(Duration::from_millis(500)) {
            self.screen.push_str(&String::from_utf8_lossy(&chunk));
        }
        (status.code().unwrap_or(-1), self.screen)
    }
}

fn code_on(screen: &str) -> String {
    let line = screen.lines().rev().find(|l| l.contains("type this code")).expect("a code is shown");
    line.rsplit(' ').next().unwrap().trim().to_owned()
}

#[test]
fn rotate_at_a_terminal_takes_the_shown_code_after_a_wrong_one() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    let old = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();

    let mut term = Terminal::start(&home, "key rotate acme");
    let code = code_on(term.wait_for("code> ", 0));
    assert_eq!(code.len(), 6);
    assert!(term.screen.contains("stop working now"));
    let mark = term.screen.len();
    term.type_line(if code == "AAAAAA" { "CCCCCC" } else { "AAAAAA" });
    term.wait_for("2 attempt(s) left", mark);
    term.type_line(&code.to_lowercase());
    let (exit, screen) = term.finish();
    assert_eq!(exit, 0, "{}", redact(&screen));
    assert!(screen.contains("Rotated acme"));

    assert_eq!(home.run(&["key", "verify", &old]).code, 1, "the old key fails at once");
    let events = home.ok(&["--json", "audit", "list", "acme"]).json();
    let names: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["account_created", "generated", "challenge_failed", "rotated"]);
    let details: serde_json::Value = serde_json::from_str(events[3]["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["confirmed_by"], "challenge");
}

#[test]
fn three_wrong_codes_at_a_terminal_leave_the_key_in_place() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    let key = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    let mut term = Terminal::start(&home, "key deactivate acme");
    let code = code_on(term.wait_for("code> ", 0));
    let wrong = if code == "AAAAAA" { "CCCCCC" } else { "AAAAAA" };
    for _ in 0..3 {
        let mark = term.screen.len();
        term.type_line(wrong);
        term.wait_for("\n", mark + wrong.len());
    }
    let (exit, screen) = term.finish();
    assert_eq!(exit, 1, "{}", redact(&screen));
    assert!(screen.contains("error: wrong code: 0 attempt(s) left"), "{}", redact(&screen));
    home.ok(&["key", "verify", &key]);
}
