//! One wrk run against a server of this process, and what it measured.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

/// Connections of a full-speed run.
pub const CONNECTIONS: u32 = 32;

pub struct Load {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The server's CPU time per request (this process's, in µs): wrk's share and the
    /// machine's speed drift do not enter it the way they enter requests/s.
    pub cpu_us: f64,
}

/// Runs wrk against `addr` (POST /v1/keys/verify with `body`), at full speed on CONNECTIONS,
/// or `paced`: (connections, milliseconds each waits after a response).
pub fn wrk(scripts: &tempfile::TempDir, addr: SocketAddr, body: &str, paced: Option<(u32, u32)>, seconds: u32) -> Load {
    let (connections, delay_ms) = paced.map_or((CONNECTIONS, None), |(c, ms)| (c, Some(ms)));
    let script = scripts.path().join(format!("post-{}.lua", delay_ms.unwrap_or(0)));
    let mut lua =
        format!("wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
    if let Some(ms) = delay_ms {
        lua.push_str(&format!("function delay() return {ms} end\n"));
    }
    std::fs::write(&script, lua).unwrap();
    let cpu_before = process_cpu();
    let out = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "-s"])
        .arg(&script)
        .arg(format!("http://{addr}/v1/keys/verify"))
        .output()
        .expect("wrk is installed (make bench installs it)");
    let cpu = process_cpu() - cpu_before;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |label: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("wrk printed no {label}:\n{text}"));
        parse_figure(line.trim_start()[label.len()..].split_whitespace().next().unwrap())
    };
    let requests: f64 = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("wrk printed no request count:\n{text}"));
    Load {
        rps: field("Requests/sec:"),
        p50_ms: field("50%"),
        p99_ms: field("99%"),
        cpu_us: cpu.as_secs_f64() * 1e6 / requests.max(1.0),
    }
}

/// This process's CPU time so far, user + system. Every server of the bench lives in this
/// process, and only the one under load is busy (its call-log writer thread included).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("Linux /proc");
    // The fields after the command name (which may hold spaces) start at field 3, the state;
    // utime and stime are fields 14 and 15, in USER_HZ ticks (100 a second on Linux).
    let fields: Vec<&str> = stat[stat.rfind(')').expect("a stat line") + 1..].split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// wrk's figures: `123.45`, `1.23ms`, `456.78us`, `1.2s`, `12.3k`.
fn parse_figure(text: &str) -> f64 {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().unwrap_or(0.0);
    match unit {
        "us" => n / 1000.0,
        "ms" | "" => n,
        "s" => n * 1000.0,
        "k" => n * 1000.0,
        _ => n,
    }
}
