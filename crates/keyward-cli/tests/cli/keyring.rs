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

/// Another person's machine, as far as the keyring goes: a D-Bus session bus of its own with an
/// unlocked gnome-keyring on it. Secrets stored through one bus are invisible through another.
pub struct OwnKeyring {
    pub bus: String,
    bus_pid: u32,
    /// The daemon's home: its keyring files (another machine's disk).
    _home: tempfile::TempDir,
}

impl OwnKeyring {
    pub fn start() -> OwnKeyring {
        // The forked daemon keeps stdout open: read its two lines, never to the end.
        let mut daemon = std::process::Command::new("dbus-daemon")
            .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("dbus-daemon (package dbus) is installed");
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(daemon.stdout.take().unwrap()));
        let bus = lines.next().expect("a bus address").unwrap().trim().to_owned();
        let bus_pid = lines.next().and_then(|p| p.ok()?.trim().parse().ok()).expect("the bus's pid");
        let _ = daemon.wait();
        let own = OwnKeyring { bus, bus_pid, _home: tempfile::tempdir().unwrap() };
        own.start_daemon();
        own
    }

    /// Starts (or starts again, on the same keyring files) gnome-keyring-daemon on this bus.
    pub fn start_daemon(&self) {
        let home = self._home.path();
        let mut keyring = std::process::Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_RUNTIME_DIR", home)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon is installed");
        use std::io::Write;
        keyring.stdin.take().unwrap().write_all(b"pw").unwrap();
        assert!(keyring.wait().unwrap().success(), "gnome-keyring-daemon started");
        // It has forked: wait until it owns the Secret Service name.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.daemon_pid().is_none() {
            assert!(std::time::Instant::now() < deadline, "gnome-keyring-daemon took the Secret Service name");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Replaces whatever daemon owns the Secret Service name now (after a crash, D-Bus starts a
    /// locked one) with an unlocked one on the same keyring files.
    pub fn restart_daemon(&self) {
        if let Some(pid) = self.daemon_pid() {
            let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while self.daemon_pid() == Some(pid) {
                assert!(std::time::Instant::now() < deadline, "gnome-keyring-daemon {pid} let go of its name");
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        self.start_daemon();
    }

    /// The pid of the process that owns the Secret Service name on this bus.
    pub fn daemon_pid(&self) -> Option<u32> {
        let out = std::process::Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                "string:org.freedesktop.secrets",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).split_whitespace().last()?.parse().ok()
    }

    /// `secret-tool lookup` through this keyring's bus.
    pub fn lookup(&self, entry: &str) -> Option<String> {
        let out = std::process::Command::new("secret-tool")
            .args(["lookup", "service", keyward_core::paths::APP_IDENTIFIER, "username", entry])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .unwrap();
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The keyring daemon leaves with its bus.
impl Drop for OwnKeyring {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").arg(self.bus_pid.to_string()).status();
    }
}
