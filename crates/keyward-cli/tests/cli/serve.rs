//! `keyward serve` as a real process: verify over HTTP, changes made by other `keyward`
//! processes picked up, SIGTERM flushing the call log, and the `calls` commands reading it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Home;

pub struct Server {
    child: Child,
    addr: String,
    /// Its stderr after the banner, line by line.
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(home: &Home) -> Server {
        Server::start_with(home, &[])
    }

    /// `keyward serve --port 0 EXTRA…`, once its banner names the address.
    pub fn start_with(home: &Home, extra: &[&str]) -> Server {
        let args: Vec<&str> = ["serve", "--port", "0"].iter().chain(extra).copied().collect();
        let mut child = home.command("ana", &args).stderr(Stdio::piped()).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let banner = lines.next().expect("a banner line").unwrap();
        // "Keyward gateway on http://127.0.0.1:PORT: ..." (or https://)
        let after = banner.split("://").nth(1).unwrap_or_else(|| panic!("the banner names the address: {banner}"));
        let addr = after.split(|c: char| c != '.' && c != ':' && !c.is_ascii_digit()).next().unwrap();
        let addr = addr.trim_end_matches(':').to_owned();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&log);
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|line| kept.lock().unwrap().push(line)));
        Server { child, addr, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything it has logged after its banner.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The first line of its log containing `text`, once it is there (panics after 10 s).
    pub fn log_line(&self, text: &str) -> String {
        let since = Instant::now();
        loop {
            if let Some(line) = self.log.lock().unwrap().iter().find(|l| l.contains(text)) {
                return line.clone();
            }
            assert!(since.elapsed() < Duration::from_secs(10), "no log line with {text:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// One request with any headers and body: the status and the JSON body.
    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let headers: String = headers.iter().map(|(name, value)| format!("{name}: {value}\r\n")).collect();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    pub fn verify(&self, key: &str) -> Value {
        self.request("POST", "/v1/keys/verify", key).1
    }

    /// One request on its own connection: the status and the JSON body.
    pub fn request(&self, method: &str, path: &str, key: &str) -> (u16, Value) {
        self.call(method, path, &[], &serde_json::json!({ "key": key }).to_string())
    }

    pub fn code(&self, key: &str) -> String {
        self.verify(key)["code"].as_str().unwrap().to_owned()
    }

    /// SIGTERM, then its exit code and everything it logged.
    pub fn stop(self) -> (i32, String) {
        let log = Arc::clone(&self.log);
        let code = self.terminate();
        // The reader thread may still be taking the last lines.
        std::thread::sleep(Duration::from_millis(100));
        let text = log.lock().unwrap().join("\n");
        (code, text)
    }

    /// Reaps it after an outside `kill`.
    pub fn wait_gone(&mut self) {
        let _ = self.child.wait();
    }

    pub fn terminate(mut self) -> i32 {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

/// A test that fails before `terminate` leaves no gateway behind.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_verifies_follows_other_processes_and_flushes_on_sigterm() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    let old = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    let server = Server::start(&home);
    assert_eq!(server.code(&old), "VALID");
    assert_eq!(server.code("kw_typo"), "MALFORMED");

    // Another process rotates: the running gateway refuses the old key within a second.
    let new = home.ok(&["key", "rotate", "acme", "--yes"]).stdout.trim().to_owned();
    let rotated = Instant::now();
    while server.code(&old) != "REVOKED" {
        assert!(rotated.elapsed() < Duration::from_secs(1), "the old key still works after {:?}", rotated.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.code(&new), "VALID");

    // Another process lowers the limits: they apply to the running gateway too.
    let limits = home.ok(&["--json", "account", "limits", "acme", "--burst", "1/60", "--daily", "1000"]).json();
    assert_eq!((limits["burst_limit"].as_u64(), limits["burst_seconds"].as_u64()), (Some(1), Some(60)));
    let changed = Instant::now();
    while server.code(&new) != "RATE_LIMITED" {
        assert!(changed.elapsed() < Duration::from_secs(1), "new limits not applied after {:?}", changed.elapsed());
    }
    assert_eq!(server.terminate(), 0, "SIGTERM is a clean stop");

    // Everything served was logged (SIGTERM flushed the queue), and never with a key in it.
    let calls = home.ok(&["--json", "calls", "list", "acme", "--limit", "1000"]).json();
    let calls = calls.as_array().unwrap();
    let stats = home.ok(&["--json", "calls", "stats", "acme"]).json();
    assert_eq!(stats["logged"].as_u64(), Some(calls.len() as u64));
    assert_eq!(stats["dropped"], 0);
    assert!(calls.iter().any(|c| c["outcome"] == "REVOKED"), "calls with the rotated key are attributed to acme");
    let text = serde_json::to_string(calls).unwrap();
    assert!(!text.contains(&old) && !text.contains(&new));
    let limited = home.ok(&["--json", "calls", "list", "acme", "--outcome", "rate_limited"]).json();
    assert!(!limited.as_array().unwrap().is_empty());
    let unattributed = home.ok(&["--json", "calls", "list", "--outcome", "malformed"]).json();
    assert_eq!(unattributed.as_array().unwrap().len(), 1, "unattributed rows show unfiltered");
    assert!(unattributed[0]["account"].is_null());
    let csv = home.ok(&["calls", "export", "acme", "--format", "csv"]).stdout;
    assert!(csv
        .starts_with("at,account,key_id,key_fingerprint,method,path,status,outcome,latency_us,client_ip,user_agent\n"));
}

#[test]
fn serve_and_calls_refuse_bad_input_clearly() {
    let home = Home::new();
    home.ok(&["account", "create", "acme"]);
    // A multi-byte last character and a span past chrono's range panicked (found writing the fuzz target).
    for since in ["2x", "7é", "99999999999999d", "-7d", "0h", ""] {
        let run = home.run(&["calls", "list", &format!("--since={since}")]);
        assert_eq!(run.code, 2, "--since {since:?}: {}", run.shown());
        assert!(run.stderr.contains("not a duration"), "{}", run.shown());
    }
    let run = home.run(&["calls", "list", "--status", "6xx"]);
    assert_eq!(run.code, 2, "{}", run.shown());
    let run = home.run(&["account", "limits", "acme", "--burst", "100"]);
    assert_eq!(run.code, 2, "{}", run.shown());
    assert!(run.stderr.contains("REQUESTS/SECONDS"), "{}", run.shown());
    let run = home.run(&["account", "limits", "acme", "--burst", "0/10"]);
    assert_eq!(run.code, 2, "a burst of 0 is refused, not turned into 1: {}", run.shown());
    assert!(run.stderr.contains("burst limit 0 is out of range: use 1 to 1000000000"), "{}", run.shown());
    let run = home.run_as("bob", &["account", "limits", "acme", "--daily", "5"]);
    assert_eq!(run.code, 3, "{}", run.shown());
    let run = home.run_as("bob", &["calls", "list", "acme"]);
    assert_eq!(run.code, 3, "{}", run.shown());

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = home.run(&["serve", "--port", &port]);
    assert_eq!(run.code, 5, "{}", run.shown());
    assert!(run.stderr.contains(&format!("port {port} is in use")), "{}", run.shown());
}
