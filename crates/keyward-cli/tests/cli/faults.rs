//! Injected faults, each with a clear error and nothing half-made: a full disk, a read-only
//! database, the data folder deleted while serving, the database locked past the busy timeout,
//! the keyring daemon absent or killed mid-operation, and SMTP servers that refuse, hang or drop
//! the connection mid-message. docs/reliability.md has the table these tests stand behind.
//!
//! The disk faults mount a small tmpfs (the tests run as root, as `make test` does in CI).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::keyring::OwnKeyring;
use crate::serve::Server;
use crate::{keyring_lookup, Home, Run};

/// A tmpfs of `size` mounted in a fresh temporary folder; unmounted on drop.
struct Tmpfs {
    point: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let point = dir.path().join("mnt");
        std::fs::create_dir(&point).unwrap();
        mount(&["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", point.to_str().unwrap()]);
        Tmpfs { point, _dir: dir }
    }

    fn home(&self) -> Home {
        Home { dir: tempfile::tempdir_in(&self.point).unwrap(), ..Home::default() }
    }

    fn remount(&self, mode: &str) {
        mount(&["-o", &format!("remount,{mode}"), self.point.to_str().unwrap()]);
    }

    /// Writes zeros until the disk refuses: the file system is then full.
    fn fill(&self) -> PathBuf {
        let filler = self.point.join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        for _ in 0..64 {
            let _ = file.write_all(&[0u8; 512]);
        }
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.point).status();
    }
}

fn mount(args: &[&str]) {
    let status = Command::new("mount").args(args).status().expect("mount(8)");
    assert!(status.success(), "mount {args:?} (the disk-fault tests run as root, as CI does)");
}

/// A key made now, as `keyward --json key generate` hands it over.
fn generate(home: &Home, account: &str) -> (String, String) {
    let made = home.ok(&["--json", "key", "generate", account]).json();
    (made["key"].as_str().unwrap().to_owned(), made["key_id"].as_str().unwrap().to_owned())
}

/// SQLite's WAL emptied, so the next change must grow a file (a full disk then refuses it).
fn truncate_wal(home: &Home) {
    home.sql("PRAGMA wal_checkpoint(TRUNCATE)");
}

fn assert_refused(run: &Run, words: &str) {
    assert_eq!(run.code, 1, "{}", run.shown());
    assert!(run.stderr.contains(words) && run.stderr.contains("nothing was changed"), "{}", run.shown());
}

/// The account's one key is `key`: the database and the keyring agree on it.
fn assert_one_key(home: &Home, account: &str, key: &str) {
    let shown = home.ok(&["--json", "key", "show", account]).json();
    assert!(shown["key"] == key, "the keyring still holds the account's key");
    assert_eq!(home.ok(&["--json", "key", "verify", key]).json()["code"], "VALID");
    let keys = home.ok(&["--json", "key", "status", account]).json();
    assert!(keys["grace"].as_array().is_none_or(Vec::is_empty), "no half-rotated key: {keys}");
}

/// The journal a change leaves behind is cleaned at the next start (after IN_FLIGHT).
fn assert_no_orphans(home: &Home) {
    let next_start = home.command_at("+11m", &["account", "list"]).output().unwrap();
    assert!(next_start.status.success());
    assert_eq!(home.count("SELECT COUNT(*) FROM secret_journal"), 0, "no journalled secret left");
}

fn metric(server: &Server, name: &str) -> u64 {
    let mut stream = std::net::TcpStream::connect(&server.url()[7..]).unwrap();
    write!(stream, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stream, &mut text).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
}

fn counters(home: &Home) -> (i64, i64, i64) {
    let stats = home.ok(&["--json", "calls", "stats"]).json();
    let n = |field: &str| stats[field].as_i64().unwrap();
    (n("served"), n("logged_ever"), n("dropped"))
}

#[test]
fn a_full_disk_refuses_changes_whole_and_the_gateway_keeps_verifying() {
    let disk = Tmpfs::mount("2m");
    let home = disk.home();
    home.ok(&["account", "create", "acme"]);
    home.ok(&["account", "create", "globex"]);
    home.ok(&["account", "limits", "acme", "--burst", "100000/1"]);
    let (key, _) = generate(&home, "acme");
    let server = Server::start(&home);
    assert_eq!(server.code(&key), "VALID");

    truncate_wal(&home);
    let filler = disk.fill();
    assert_refused(&home.run(&["key", "rotate", "acme", "--yes"]), "the disk holding the database is full");
    assert_refused(&home.run(&["key", "deactivate", "acme", "--yes"]), "the disk holding the database is full");
    assert_refused(&home.run(&["key", "generate", "globex"]), "the disk holding the database is full");
    // The gateway answers from memory and counts the rows it cannot write as dropped.
    for _ in 0..100 {
        assert_eq!(server.code(&key), "VALID");
    }
    std::thread::sleep(Duration::from_millis(400));
    assert!(metric(&server, "keyward_gateway_call_log_rows_dropped_total") >= 100);

    // Space back: the next batch also writes the counts it owed.
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(server.code(&key), "VALID");
    std::thread::sleep(Duration::from_millis(400));
    let (served, logged, dropped) = counters(&home);
    assert!(served == logged + dropped && dropped >= 100, "served {served} = logged {logged} + dropped {dropped}");
    assert_one_key(&home, "acme", &key);
    assert_eq!(home.run(&["key", "show", "globex"]).code, 4, "no half-made key of globex");
    assert_no_orphans(&home);

    // Still full when stopped: it says the call log misses what it could not write (exit 1).
    truncate_wal(&home);
    let _filler = disk.fill();
    for _ in 0..20 {
        assert_eq!(server.code(&key), "VALID");
    }
    let (code, log) = server.stop();
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("could not be written to the database") && log.contains("20 call(s)"), "{log}");
    assert!(!log.contains(&key));
}

#[test]
fn a_read_only_database_refuses_changes_at_once_and_whole() {
    let disk = Tmpfs::mount("8m");
    let home = disk.home();
    home.ok(&["account", "create", "acme"]);
    let (key, _) = generate(&home, "acme");
    disk.remount("ro");
    // Changes are refused at once, saying why (never after a 30-s pool time-out). Whether reads
    // still work depends on whether SQLite finds the WAL's index file left from before the
    // remount (it cannot make one on a read-only disk): either way nothing changes.
    for args in [&["key", "rotate", "acme", "--yes"][..], &["member", "add", "acme", "bob"], &["key", "status", "acme"]]
    {
        let started = Instant::now();
        let run = home.run(args);
        if !(args[1] == "status" && run.code == 0) {
            assert_refused(&run, "the database is read-only");
            assert!(run.stderr.contains("mounted read-only"), "{}", run.shown());
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{args:?} answered at once");
    }
    disk.remount("rw");
    assert_one_key(&home, "acme", &key);
    assert!(home.ok(&["audit", "verify"]).stdout.starts_with("Verified: 3 entries"), "made, generated, shown");
}

#[test]
fn a_data_folder_deleted_while_serving_is_reported_not_silently_lost() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    let (key, _) = generate(&home, "acme");
    let server = Server::start(&home);
    assert_eq!(server.code(&key), "VALID");
    std::thread::sleep(Duration::from_millis(300));
    for entry in std::fs::read_dir(home.db()).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    // Its keys as they were stay in force; the calls cannot be logged any more, and it says so.
    for _ in 0..10 {
        assert_eq!(server.code(&key), "VALID");
    }
    let gone = server.log_line("was removed or replaced while in use");
    assert!(gone.contains("keyward.db"), "{gone}");
    let (code, log) = server.stop();
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("10 call(s) it answered could not be written"), "{log}");
}

#[test]
fn a_database_locked_past_the_busy_timeout_refuses_changes_and_the_gateway_answers() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    let (key, _) = generate(&home, "acme");
    let server = Server::start(&home);
    // Another program holds the write lock far longer than Keyward waits (10 s).
    let mut holder = Command::new("python3")
        .args(["-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(120)"])
        .arg(home.db().join("keyward.db"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(holder.stdout.take().unwrap()).read_line(&mut ready).unwrap();
    assert_eq!(ready.trim(), "locked");
    let started = Instant::now();
    let rotate = home.run(&["key", "rotate", "acme", "--yes"]);
    assert!(started.elapsed() >= Duration::from_secs(9), "it waited for the lock first");
    assert_refused(&rotate, "the database is locked by another program");
    assert!(started.elapsed() < Duration::from_secs(15), "it waited once, not once per statement");
    assert_eq!(server.code(&key), "VALID", "verification does not wait for the lock");
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_one_key(&home, "acme", &key);
}

#[test]
fn a_keyring_absent_from_the_start_refuses_key_changes_and_leaves_verify_working() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    home.ok(&["account", "create", "globex"]);
    let (key, key_id) = generate(&home, "acme");
    let no_keyring = |args: &[&str]| {
        Run::from(home.command("ana", args).env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent").output().unwrap())
    };
    let unavailable = "the OS keyring is unavailable";
    for args in [&["key", "rotate", "acme", "--yes"][..], &["key", "show", "acme"], &["key", "generate", "globex"]] {
        let run = no_keyring(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.shown());
        assert!(run.stderr.contains(unavailable) && run.stderr.contains("nothing was changed"), "{}", run.shown());
    }
    assert_eq!(no_keyring(&["--json", "key", "verify", &key]).json()["code"], "VALID");
    assert_eq!(no_keyring(&["audit", "verify"]).code, 0);
    assert_one_key(&home, "acme", &key);
    // Revoking never waits for the keyring: the key stops working now, and its secret, which
    // could not be deleted, goes at the next start that reaches the keyring.
    assert_eq!(no_keyring(&["key", "deactivate", "acme", "--yes"]).code, 0);
    assert_eq!(home.run(&["--json", "key", "verify", &key]).json()["code"], "REVOKED");
    assert!(keyring_lookup(&key_id).is_some());
    assert_no_orphans(&home);
    assert!(keyring_lookup(&key_id).is_none(), "the secret is gone after the next start");
}

#[test]
fn a_keyring_daemon_killed_mid_rotation_leaves_one_consistent_key() {
    let keyring = OwnKeyring::start();
    let home = Home { keyring: Some(keyring), ..Home::default() };
    home.ok(&["account", "create", "acme"]);
    generate(&home, "acme");
    let keyring = home.keyring.as_ref().unwrap();
    let daemon = keyring.daemon_pid().expect("the keyring daemon's pid");
    // Rotations back to back; the daemon is killed under them.
    let rotations = {
        let command = |n: u32| {
            home.command("ana", &["--json", "key", "rotate", "acme", "--yes"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map(|c| (n, c))
        };
        let mut children = Vec::new();
        for n in 0..12 {
            children.push(command(n).unwrap().1.wait_with_output().unwrap());
            if n == 5 {
                assert!(Command::new("kill").args(["-9", &daemon.to_string()]).status().unwrap().success());
            }
        }
        children
    };
    let made = rotations.iter().filter(|o| o.status.success()).count();
    let refused: Vec<&std::process::Output> = rotations.iter().filter(|o| !o.status.success()).collect();
    assert!(made >= 5 && !refused.is_empty(), "{made} made");
    for output in &refused {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("the OS keyring is unavailable"), "{stderr}");
    }
    let keys: i64 = home.count("SELECT COUNT(*) FROM api_keys");
    assert_eq!(keys, 1 + made as i64, "a key row per reported rotation, none half-made");
    // The daemon back on the same keyring files: the active key's secret is there and verifies.
    keyring.start_daemon();
    let shown = home.ok(&["--json", "key", "show", "acme"]).json();
    let key = shown["key"].as_str().unwrap().to_owned();
    assert_one_key(&home, "acme", &key);
}

/// How a fake SMTP server misbehaves.
#[derive(Clone, Copy)]
enum Smtp {
    /// Accepts the connection and never says a word.
    Hangs,
    /// Speaks SMTP up to the message, reads part of it, and hangs up.
    DropsMidMessage,
}

/// One-connection-at-a-time fake on loopback; returns its port.
fn fake_smtp(behaviour: Smtp) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                if let Smtp::Hangs = behaviour {
                    std::thread::sleep(Duration::from_secs(60));
                    return;
                }
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let _ = stream.write_all(b"220 fake ESMTP\r\n");
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    let command = line.to_ascii_uppercase();
                    let answer: &[u8] = if command.starts_with("EHLO") {
                        b"250-fake\r\n250 8BITMIME\r\n"
                    } else if command.starts_with("DATA") {
                        b"354 go ahead\r\n"
                    } else if command.starts_with("MAIL") || command.starts_with("RCPT") {
                        b"250 ok\r\n"
                    } else {
                        // The first line of the message: hang up.
                        return;
                    };
                    let _ = stream.write_all(answer);
                    line.clear();
                }
            });
        }
    });
    port
}

fn home_with_a_due_reminder(smtp_port: u16) -> Home {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    home.ok(&["member", "set-email", "acme", "ana", "ana@example.com"]);
    home.ok(&["config", "set", "smtp.url", &format!("smtp://127.0.0.1:{smtp_port}")]);
    home.ok(&["config", "set", "smtp.from", "keyward@example.com"]);
    let made = home.command_at("-200d", &["key", "generate", "acme"]).output().unwrap();
    assert!(made.status.success());
    home
}

fn reminder_rows(home: &Home) -> i64 {
    home.count("SELECT COUNT(*) FROM sent_reminders")
}

#[test]
fn smtp_servers_that_hang_or_drop_mid_message_keep_the_reminder_due() {
    // A server that never greets once hung the send for as long as it held the connection.
    for (behaviour, words) in
        [(Smtp::Hangs, "did not finish within 30 s"), (Smtp::DropsMidMessage, "incomplete response")]
    {
        let home = home_with_a_due_reminder(fake_smtp(behaviour));
        let started = Instant::now();
        let send = home.run(&["reminders", "send"]);
        assert_eq!(send.code, 1, "{}", send.shown());
        let said = format!("{}{}", send.stdout, send.stderr);
        assert!(said.contains("not sent to ana@example.com") && said.contains(words), "{}", send.shown());
        assert!(said.contains("it stays due for the next run"), "{}", send.shown());
        assert!(started.elapsed() < Duration::from_secs(40), "a hung server is given up on");
        assert_eq!(reminder_rows(&home), 0, "not recorded as sent");
        assert_eq!(home.ok(&["--json", "reminders", "due"]).json().as_array().unwrap().len(), 1, "still due");
    }
}
