//! Slow and abusive clients against `keyward serve` (the real binary, its own process): 1,000
//! idle connections, trickled heads and bodies, oversized headers and bodies, and an HTTP/2
//! rapid-reset stream flood. Through each, one well-behaved client verifies a key on a
//! keep-alive connection; the harness prints its latencies against the same client with no one
//! else about, what the abusers were answered, and the server's resident memory (now and peak).
//!
//! `make abuse` runs it inside a desktop session (the CLI makes the key in the keyring). Prints
//! figures; asserts nothing but that the good client was always answered VALID.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_keyward");
const MEASURE: Duration = Duration::from_secs(5);
/// What the good client must stay within, whatever else is going on.
const P99_TARGET: Duration = Duration::from_millis(10);

struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keyward(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).env("KEYWARD_DATA_DIR", dir).env("KEYWARD_ACTOR", "ana").output().unwrap();
    assert!(out.status.success(), "keyward {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn start(dir: &std::path::Path) -> Served {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0"])
        .env("KEYWARD_DATA_DIR", dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let banner = lines.next().unwrap().unwrap();
    let addr = banner.split("http://").nth(1).unwrap().split(' ').next().unwrap().to_owned();
    std::thread::spawn(move || lines.for_each(drop));
    Served { child, addr }
}

/// VmRSS and VmHWM of a process, in MB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb = |field: &str| -> f64 {
        let line = status.lines().find(|l| l.starts_with(field)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() / 1024.0
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

/// One HTTP/1.1 request on a keep-alive connection: the status and the body.
fn exchange(stream: &mut BufReader<TcpStream>, request: &[u8]) -> std::io::Result<(u16, String)> {
    stream.get_mut().write_all(request)?;
    let mut status = String::new();
    stream.read_line(&mut status)?;
    let code = status.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut length = 0;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body)?;
    Ok((code, String::from_utf8_lossy(&body).into_owned()))
}

fn verify_request(addr: &str, key: &str) -> Vec<u8> {
    let body = format!(r#"{{"key":"{key}"}}"#);
    format!(
        "POST /v1/keys/verify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The well-behaved client: sequential verifies, ~2 ms apart, for `MEASURE`. Latencies in µs,
/// and how many answers were not VALID (or not answered).
fn good_client(addr: &str, key: &str) -> (Vec<u64>, u64) {
    let request = verify_request(addr, key);
    let mut stream = BufReader::new(TcpStream::connect(addr).unwrap());
    let (mut latencies, mut failed) = (Vec::new(), 0);
    let until = Instant::now() + MEASURE;
    while Instant::now() < until {
        let started = Instant::now();
        match exchange(&mut stream, &request) {
            Ok((200, body)) if body.contains("\"VALID\"") => latencies.push(started.elapsed().as_micros() as u64),
            _ => {
                failed += 1;
                stream = BufReader::new(TcpStream::connect(addr).unwrap());
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    (latencies, failed)
}

/// What the abusers were answered: status (or 0: closed without an answer) → count.
type Answers = Arc<Mutex<std::collections::BTreeMap<u16, u64>>>;

fn answered(answers: &Answers, status: u16) {
    *answers.lock().unwrap().entry(status).or_default() += 1;
}

fn status_of(stream: &mut TcpStream) -> u16 {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut head = [0u8; 12];
    match stream.read(&mut head) {
        Ok(n) if n >= 12 => std::str::from_utf8(&head[9..12]).ok().and_then(|s| s.parse().ok()).unwrap_or(0),
        _ => 0,
    }
}

/// Connections held open while the phase lasts, each sent `opening` then one more byte of
/// `trickle` (if any) every 100 ms.
fn trickle(addr: String, count: usize, opening: Vec<u8>, trickle: Option<u8>, stop: Arc<AtomicBool>, answers: Answers) {
    let mut streams: Vec<TcpStream> = (0..count).filter_map(|_| TcpStream::connect(&addr).ok()).collect();
    for stream in &mut streams {
        let _ = stream.write_all(&opening);
    }
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        let Some(byte) = trickle else { continue };
        streams.retain_mut(|s| match s.write_all(&[byte]) {
            Ok(()) => true,
            Err(_) => {
                answered(&answers, 0);
                false
            }
        });
    }
    let still_open = streams.len() as u64;
    answers.lock().unwrap().insert(1, still_open);
}

/// Requests as fast as one thread can make them, each on a new connection.
fn hammer(addr: String, request: Vec<u8>, stop: Arc<AtomicBool>, answers: Answers) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(&addr) else { continue };
        // The server may answer (and close) before it has read everything: stop writing then.
        let _ = stream.write_all(&request);
        answered(&answers, status_of(&mut stream));
    }
}

/// HTTP/2 rapid reset: open a stream and cancel it at once, over and over (CVE-2023-44487).
fn rapid_reset(addr: String, stop: Arc<AtomicBool>, streams: Arc<AtomicU64>, answers: Answers) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        while !stop.load(Ordering::Relaxed) {
            let Ok(tcp) = tokio::net::TcpStream::connect(&addr).await else { continue };
            let Ok((mut client, connection)) = h2::client::handshake(tcp).await else {
                answered(&answers, 0);
                continue;
            };
            let driver = tokio::spawn(connection);
            while !stop.load(Ordering::Relaxed) {
                let request = http::Request::post(format!("http://{addr}/v1/keys/verify")).body(()).expect("a request");
                let ready = match client.clone().ready().await {
                    Ok(ready) => ready,
                    Err(_) => break,
                };
                client = ready;
                match client.send_request(request, false) {
                    // Dropping both halves resets the stream (RST_STREAM CANCEL).
                    Ok((response, body)) => {
                        drop((response, body));
                        streams.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => break,
                }
            }
            answered(&answers, 0);
            driver.abort();
        }
    });
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0) as f64 / 1000.0
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    keyward(dir.path(), &["account", "create", "acme"]);
    keyward(dir.path(), &["account", "limits", "acme", "--burst", "1000000/1"]);
    let made: serde_json::Value =
        serde_json::from_str(&keyward(dir.path(), &["--json", "key", "generate", "acme"])).unwrap();
    let key = made["key"].as_str().unwrap().to_owned();
    let served = start(dir.path());
    let addr = served.addr.clone();
    let pid = served.child.id();
    println!("Slow and abusive clients against keyward serve ({addr}); the good client verifies every ~2 ms");
    println!(
        "{:<36} {:>7} {:>7} {:>7} {:>6} {:>7}  {:>13}  abusers were answered",
        "while", "p50 ms", "p99 ms", "max ms", "failed", "p99 ok", "RSS / peak MB"
    );

    let big_header = format!(
        "POST /v1/keys/verify HTTP/1.1\r\nHost: x\r\nX-Junk: {}\r\nContent-Length: 2\r\n\r\n{{}}",
        "a".repeat(64 * 1024)
    )
    .into_bytes();
    let big_body = {
        let mut r = b"POST /v1/keys/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\n\r\n".to_vec();
        r.extend(std::iter::repeat_n(b' ', 20_000_000));
        r
    };
    type Abuse = Box<dyn Fn(String, Arc<AtomicBool>, Answers, Arc<AtomicU64>) + Send + Sync>;
    let phases: Vec<(&str, usize, Abuse)> = vec![
        ("no one else (the baseline)", 0, Box::new(|_, _, _, _| {})),
        ("1,000 idle connections", 1, Box::new(|a, s, r, _| trickle(a, 1000, vec![], None, s, r))),
        (
            "200 connections trickling a head",
            1,
            Box::new(|a, s, r, _| trickle(a, 200, b"GET /healthz HTTP/1.1\r\nX-Slow: ".to_vec(), Some(b'a'), s, r)),
        ),
        (
            "200 connections trickling a body",
            1,
            Box::new(|a, s, r, _| {
                let head = b"POST /v1/keys/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".to_vec();
                trickle(a, 200, head, Some(b' '), s, r)
            }),
        ),
        ("4 clients sending 64 KB headers", 4, {
            let request = big_header.clone();
            Box::new(move |a, s, r, _| hammer(a, request.clone(), s, r))
        }),
        ("2 clients sending 20 MB bodies", 2, {
            let request = big_body.clone();
            Box::new(move |a, s, r, _| hammer(a, request.clone(), s, r))
        }),
        ("2 HTTP/2 rapid-reset stream floods", 2, Box::new(|a, s, r, n| rapid_reset(a, s, n, r))),
    ];
    let mut baseline_p99 = 0.0;
    for (name, threads, abuse) in phases {
        let (stop, answers, streams) =
            (Arc::new(AtomicBool::new(false)), Answers::default(), Arc::new(AtomicU64::new(0)));
        let abuse = Arc::new(abuse);
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (abuse, addr, stop, answers, streams) =
                    (abuse.clone(), addr.clone(), stop.clone(), answers.clone(), streams.clone());
                std::thread::spawn(move || abuse(addr, stop, answers, streams))
            })
            .collect();
        std::thread::sleep(Duration::from_secs(if threads == 0 { 0 } else { 1 }));
        let (mut latencies, failed) = good_client(&addr, &key);
        let (rss, peak) = memory(pid);
        stop.store(true, Ordering::Relaxed);
        for worker in workers {
            worker.join().unwrap();
        }
        latencies.sort_unstable();
        let p99 = percentile(&latencies, 0.99);
        if threads == 0 {
            baseline_p99 = p99;
        }
        let mut said: Vec<String> = answers
            .lock()
            .unwrap()
            .iter()
            .map(|(status, n)| match status {
                0 => format!("closed ×{n}"),
                1 => format!("still open at the end ×{n}"),
                s => format!("{s} ×{n}"),
            })
            .collect();
        if streams.load(Ordering::Relaxed) > 0 {
            said.insert(0, format!("{} streams opened and reset", streams.load(Ordering::Relaxed)));
        }
        let met = if p99 <= P99_TARGET.as_secs_f64() * 1000.0 { "met" } else { "MISSED" };
        println!(
            "{name:<36} {:>7.2} {:>7.2} {:>7.2} {failed:>6} {met:>7}  {rss:>5.1} / {peak:>5.1}  {}",
            percentile(&latencies, 0.5),
            p99,
            latencies.last().copied().unwrap_or(0) as f64 / 1000.0,
            said.join(", ")
        );
        assert_eq!(failed, 0, "the good client was refused or not answered while: {name}");
        // The server must still be there.
        assert!(served_alive(pid), "the server died while: {name}");
    }
    println!(
        "p99 target for the good client: {:.1} ms (the baseline's p99 was {baseline_p99:.2} ms)",
        P99_TARGET.as_secs_f64() * 1000.0
    );
}

fn served_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}
