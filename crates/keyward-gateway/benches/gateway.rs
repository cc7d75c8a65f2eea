//! `make bench`: the real gateway against a bare axum server that returns the same body with no
//! auth and no logging, both driven by wrk over loopback in this one run, plus the call-log
//! writer alone. Prints figures and ratios against the targets; asserts nothing.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;
use chrono::Utc;
use keyward_core::secret_store::MemorySecrets;
use keyward_core::{Actor, CallRecord, IndexedKey, Keyward, UsageLimits};
use keyward_gateway::{serve, Gateway, GatewayConfig};

/// The allocator `keyward serve` ships with, so the figures are the shipped binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Every figure comes from pairs of short runs, the baseline and the subject back to back (in
/// alternating order), judged by the median over the pairs: on two shared cores the machine's
/// speed drifts by 10-15 % over seconds (hypervisor steal), and a pair sees the same drift on
/// both sides where runs far apart would not. The lines take their pairs in turns (a round is
/// one pair of each line), so a slow phase of the machine falls on every line alike, not on
/// whichever line was running then.
const PAIRS: usize = 21;
const PAIR_SECONDS: u32 = 2;
/// Paced (half-load) pairs: fewer, longer runs, since a p99 needs many requests.
const PACED_PAIRS: usize = 5;
const PACED_SECONDS: u32 = 3;
const CONNECTIONS: u32 = 32;
const PACE_MS: u32 = 2;

struct Load {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// The server's CPU time per request (this process's, in µs): wrk's share and the
    /// machine's speed drift do not enter it the way they enter requests/s.
    cpu_us: f64,
}

/// A subject against the baseline: every pair's (baseline, subject), sorted by their ratio.
struct Compared {
    pairs: Vec<(Load, Load)>,
}

fn median_of(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

impl Compared {
    fn ratio(pair: &(Load, Load)) -> f64 {
        pair.1.rps / pair.0.rps
    }

    /// The pair with the median ratio.
    fn median_pair(&self) -> &(Load, Load) {
        &self.pairs[self.pairs.len() / 2]
    }

    /// Subject / baseline requests/s, the median over the pairs.
    fn median(&self) -> f64 {
        Compared::ratio(self.median_pair())
    }

    /// The middle half of the ratios, as percentages: how much the pairs disagreed.
    fn spread(&self) -> String {
        let n = self.pairs.len();
        let pct = |i: usize| Compared::ratio(&self.pairs[i]) * 100.0;
        format!("{:.1}-{:.1}", pct(n / 4), pct(n - 1 - n / 4))
    }

    /// Server CPU µs per request, (baseline, subject), medians over all pairs.
    fn cpu(&self) -> (f64, f64) {
        (median_of(self.pairs.iter().map(|p| p.0.cpu_us).collect()), median_of(self.pairs.iter().map(|p| p.1.cpu_us).collect()))
    }

    /// Every pair's subject p99 minus baseline p99 in ms, with its pair, smallest first.
    fn p99_gaps(&self) -> Vec<(f64, &(Load, Load))> {
        let mut gaps: Vec<_> = self.pairs.iter().map(|p| (p.1.p99_ms - p.0.p99_ms, p)).collect();
        gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
        gaps
    }

    /// The median of [`Compared::p99_gaps`].
    fn p99_gap(&self) -> f64 {
        let gaps = self.p99_gaps();
        gaps[gaps.len() / 2].0
    }
}

/// How the pairs of one comparison run: at full speed, or paced (connections, ms between).
struct Runs {
    pairs: usize,
    seconds: u32,
    paced: Option<(u32, u32)>,
}

const MAX_LOAD: Runs = Runs { pairs: PAIRS, seconds: PAIR_SECONDS, paced: None };

/// One comparison's two sides: (address, request body) for the baseline and for the subject.
type Sides<'a> = ((SocketAddr, &'a str), (SocketAddr, &'a str));

/// Runs every line's pairs, in rounds of one pair per line; each line's pairs sorted by ratio.
fn compare(scripts: &tempfile::TempDir, runs: &Runs, lines: &[Sides<'_>]) -> Vec<Compared> {
    let mut compared: Vec<Compared> = lines.iter().map(|_| Compared { pairs: vec![] }).collect();
    for round in 0..runs.pairs {
        for (((baseline, baseline_body), (subject, subject_body)), line) in lines.iter().zip(&mut compared) {
            let run_baseline = || wrk(scripts, *baseline, baseline_body, runs.paced, runs.seconds);
            let run_subject = || wrk(scripts, *subject, subject_body, runs.paced, runs.seconds);
            let pair = if round % 2 == 0 {
                let b = run_baseline();
                (b, run_subject())
            } else {
                let s = run_subject();
                (run_baseline(), s)
            };
            line.pairs.push(pair);
        }
    }
    for line in &mut compared {
        line.pairs.sort_by(|a, b| Compared::ratio(a).total_cmp(&Compared::ratio(b)));
    }
    compared
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let keyward = Keyward::open_with(dir.path(), Arc::new(MemorySecrets::default())).await.unwrap();
    let admin = Actor::new("bench");
    keyward.create_account(&admin, "acme", None, Utc::now()).await.unwrap();
    let key = keyward.generate_key(&admin, "acme", Utc::now()).await.unwrap().key.expose().to_owned();
    // Limits out of the way: this measures verification and logging, not refusals.
    let open = UsageLimits { burst_limit: 1_000_000_000, burst_seconds: 1, daily_limit: 1_000_000_000 };
    keyward.set_usage_limits(&admin, "acme", open, Utc::now()).await.unwrap();

    // The per-IP throttle of failed attempts off, so every malformed call is verified and
    // logged; the shipped settings are measured separately below.
    let every_call = GatewayConfig { failures_per_ip_per_minute: u32::MAX, ..GatewayConfig::default() };
    let gateway_addr = start_gateway(keyward.clone(), every_call.clone()).await;
    let shipped_addr = start_gateway(keyward.clone(), GatewayConfig::default()).await;
    // The call log's share: a queue of one row drops nearly every row before the writer.
    let unlogged_addr = start_gateway(keyward.clone(), GatewayConfig { call_log_queue: 1, ..every_call }).await;
    let bare_addr = start_bare().await;
    // A second bare server: the baseline against itself shows how far apart two identical
    // servers measure on this machine, i.e. how much of any other ratio is noise.
    let bare_twin = start_bare().await;
    let bare_hyper = start_bare_hyper().await;
    let body_valid = format!(r#"{{"key":"{key}"}}"#);
    let body_malformed = r#"{"key":"kw_thisisnotavalidkeyatall"}"#.to_owned();
    let scripts = tempfile::tempdir().unwrap();

    println!(
        "Keyward gateway benchmark — wrk, {CONNECTIONS} connections, loopback, 2 cores shared with wrk;\n\
         max load: {PAIRS} pairs of {PAIR_SECONDS}-s runs (bare, subject) per line, the lines in turns, median ratio of the pairs"
    );
    let bare = (bare_addr.0, body_valid.as_str());
    let max_load = [
        (bare, (bare_twin.0, body_valid.as_str())),
        (bare, (gateway_addr.0, &body_valid)),
        (bare, (shipped_addr.0, &body_malformed)),
        (bare, (gateway_addr.0, &body_malformed)),
        (bare, (unlogged_addr.0, &body_valid)),
        ((bare_hyper, &body_valid), (gateway_addr.0, &body_valid)),
        ((bare_hyper, &body_valid), (shipped_addr.0, &body_malformed)),
    ];
    let [twin, valid, malformed_shipped, malformed, valid_unlogged, valid_vs_hyper, malformed_vs_hyper] =
        <[Compared; 7]>::try_from(compare(&scripts, &MAX_LOAD, &max_load)).ok().expect("one per line");
    let books_max = books(&gateway_addr.1).await;

    // Half the bare server's max rate, paced by wrk: each connection waits PACE_MS after each
    // response, so connections = rate * PACE_MS / 1000 (a little under, counting latency).
    let half = valid.median_pair().0.rps / 2.0;
    let connections = ((half * f64::from(PACE_MS) / 1000.0).round() as u32).max(1);
    let paced = Runs { pairs: PACED_PAIRS, seconds: PACED_SECONDS, paced: Some((connections, PACE_MS)) };
    let [valid_paced, unlogged_paced] =
        <[Compared; 2]>::try_from(compare(&scripts, &paced, &[(bare, (gateway_addr.0, &body_valid)), (bare, (unlogged_addr.0, &body_valid))]))
            .ok()
            .expect("one per line");
    let books_paced = books(&gateway_addr.1).await;

    let (writer, queries) = call_log_figures().await;

    println!();
    println!(
        "{:<46} {:>9} {:>9} {:>17} {:>8} {:>8} {:>14}",
        "max load (the median pair)", "bare/s", "subject/s", "ratio (mid half)", "p50 ms", "p99 ms", "CPU µs/req b/s"
    );
    for (name, c) in [
        ("bare axum twin (the noise floor)", &twin),
        ("gateway, valid key (verify + call log)", &valid),
        ("gateway, malformed key, shipped IP throttle", &malformed_shipped),
        ("gateway, malformed key, every call logged", &malformed),
        ("gateway, valid key, call log off", &valid_unlogged),
        ("vs bare hyper: gateway, valid key", &valid_vs_hyper),
        ("vs bare hyper: gateway, malformed, shipped", &malformed_vs_hyper),
    ] {
        let (b, s) = c.median_pair();
        let cpu = c.cpu();
        println!(
            "{name:<46} {:>9.0} {:>9.0} {:>5.1} {:>11} {:>8.3} {:>8.3} {:>14}",
            b.rps,
            s.rps,
            c.median() * 100.0,
            format!("({})", c.spread()),
            s.p50_ms,
            s.p99_ms,
            format!("{:.1} / {:.1}", cpu.0, cpu.1),
        );
    }
    println!();
    println!("paced at half the bare max: {PACED_PAIRS} pairs of {PACED_SECONDS}-s runs, {connections} connections each waiting {PACE_MS} ms");
    println!("{:<46} {:>9} {:>9} {:>10} {:>10} {:>12}", "(the pair with the median p99 gap)", "bare/s", "subject/s", "bare p99", "subj p99", "p99 gaps ms");
    for (name, c) in [("gateway, valid key", &valid_paced), ("gateway, valid key, call log off", &unlogged_paced)] {
        let gaps = c.p99_gaps();
        let (b, s) = gaps[gaps.len() / 2].1;
        let gaps = gaps.iter().map(|(g, _)| format!("{g:+.2}")).collect::<Vec<_>>().join(" ");
        println!("{name:<46} {:>9.0} {:>9.0} {:>10.3} {:>10.3}   {gaps}", b.rps, s.rps, b.p99_ms, s.p99_ms);
    }
    println!();
    let pct = |c: &Compared| format!("{:.1} %", c.median() * 100.0);
    println!("{:<52} {:>22}", "  (bare twin: two identical servers)", pct(&twin));
    verdict("valid key vs bare requests/s", pct(&valid), valid.median() >= 0.85, ">= 85 %");
    // The per-IP throttle is how the gateway meets a flood of bad keys ("so they can't flood
    // the log"): the target is judged on it. Logging every malformed call is shown beside it.
    verdict("malformed key vs bare requests/s", pct(&malformed_shipped), malformed_shipped.median() >= 0.95, ">= 95 %");
    println!("{:<52} {:>22}", "  (malformed, throttle off: every call logged)", pct(&malformed));
    println!("{:<52} {:>22}", "  (valid key with the call log off)", pct(&valid_unlogged));
    // The targets' baseline is the issue's bare axum server; the gateway serves verify with
    // hyper directly, so these show what the key check and the log cost over equally lean serving.
    println!("{:<52} {:>22}", "  (valid key vs a bare hyper server)", pct(&valid_vs_hyper));
    println!("{:<52} {:>22}", "  (malformed key, throttle, vs a bare hyper server)", pct(&malformed_vs_hyper));
    let p99_gap = valid_paced.p99_gap();
    verdict(
        &format!("p99 gap at ~{:.0} req/s (half of bare max)", valid_paced.median_pair().1.rps),
        format!("{p99_gap:+.3} ms"),
        p99_gap <= 0.5,
        "<= 0.5 ms",
    );
    println!("{:<52} {:>22}", "  (the same with the call log off)", format!("{:+.3} ms", unlogged_paced.p99_gap()));
    verdict("call-log writer, rows/s with indexes", format!("{writer:.0}"), writer >= 50_000.0, ">= 50,000");
    for (name, ms) in queries {
        println!("{name:<52} {:>19.1} ms", ms);
    }
    for (name, (served, logged, dropped)) in [("max load, valid + malformed", books_max), ("+ paced", books_paced)] {
        verdict(
            &format!("served = logged + dropped ({name})"),
            format!("{served} = {logged} + {dropped}"),
            served == logged + dropped,
            "exact",
        );
    }
}

fn verdict(what: &str, figure: String, met: bool, target: &str) {
    println!("{what:<52} {figure:>22}   target {target:<10} {}", if met { "met" } else { "MISSED" });
}

async fn start_gateway(keyward: Keyward, config: GatewayConfig) -> (SocketAddr, Arc<Gateway>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let running = Gateway::start(keyward, config).await.unwrap();
    let gateway = Arc::clone(&running.gateway);
    tokio::spawn(serve(listener, running, std::future::pending()));
    (addr, gateway)
}

/// The answer both baselines give: a valid key's verdict, as the gateway would write it.
const BARE_BODY: &str = r#"{"valid":true,"code":"VALID","account":"acme","key_id":"key_0123456789abcdef","ratelimit":{"limit":1000000000,"remaining":999999999,"reset":1}}"#;

/// The baseline: the same response body, no key check, no call log.
async fn start_bare() -> (SocketAddr, ()) {
    let app = Router::new().route(
        "/v1/keys/verify",
        post(|_body: axum::body::Bytes| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], BARE_BODY) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, ())
}

/// A second baseline as lean as the gateway's own serving (hyper directly, no router, no boxed
/// bodies): against it, a ratio is the key check's and the call log's cost alone.
async fn start_bare_hyper() -> SocketAddr {
    use http_body_util::{BodyExt, Full};
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = |request: axum::http::Request<hyper::body::Incoming>| async move {
        let _ = request.into_body().collect().await;
        let body = Full::new(axum::body::Bytes::from_static(BARE_BODY.as_bytes()));
        let mut response = axum::http::Response::new(body);
        response.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
        Ok::<_, std::convert::Infallible>(response)
    };
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = builder.serve_connection(TokioIo::new(stream), hyper::service::service_fn(answer)).await;
            });
        }
    });
    addr
}

/// Once the call-log queue has drained: (served, logged, dropped) from /metrics' counters.
async fn books(gateway: &Gateway) -> (u64, u64, u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while gateway.calls.queue_depth() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(keyward_gateway::call_log::BATCH_WINDOW * 3).await;
    let m = &gateway.metrics;
    (m.served.get(), m.logged.get(), m.dropped.get())
}

/// Runs wrk against `addr` (POST /v1/keys/verify with `body`), at full speed on CONNECTIONS,
/// or `paced`: (connections, milliseconds each waits after a response).
fn wrk(scripts: &tempfile::TempDir, addr: SocketAddr, body: &str, paced: Option<(u32, u32)>, seconds: u32) -> Load {
    let (connections, delay_ms) = paced.map_or((CONNECTIONS, None), |(c, ms)| (c, Some(ms)));
    let script = scripts.path().join(format!("post-{}.lua", delay_ms.unwrap_or(0)));
    let mut lua = format!(
        "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    );
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
        let line = text.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_else(|| panic!("wrk printed no {label}:\n{text}"));
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

/// The call-log writer alone: 1,000,000 rows in batches of 1,000 into a database with its
/// index, then the queries `keyward calls` and the desktop chart run, on those million rows.
async fn call_log_figures() -> (f64, Vec<(&'static str, f64)>) {
    const BATCHES: usize = 1_000;
    let dir = tempfile::tempdir().unwrap();
    let keyward = Keyward::open_with(dir.path(), Arc::new(MemorySecrets::default())).await.unwrap();
    let admin = Actor::new("bench");
    for name in ["acme", "globex"] {
        keyward.create_account(&admin, name, None, Utc::now()).await.unwrap();
    }
    let start = Utc::now() - chrono::Duration::days(6);
    let mut writer = keyward.call_writer().unwrap();
    let [acme, globex] = ["acme", "globex"].map(|account| Arc::new(IndexedKey::named(account, "key_0123456789abcdef")));
    let started = Instant::now();
    for b in 0..BATCHES {
        let batch: Vec<CallRecord> = (0..1_000)
            .map(|i| CallRecord {
                // A million calls spread over six days, two accounts, a few outcomes.
                at: start + chrono::Duration::milliseconds(((b * 1_000 + i) as i64) * 500),
                key: Some(Arc::clone(if i % 4 == 0 { &globex } else { &acme })),
                key_fingerprint: None,
                method: "POST".into(),
                path: "/v1/keys/verify".into(),
                status: if i % 10 == 0 { 401 } else { 200 },
                outcome: if i % 10 == 0 { "REVOKED" } else { "VALID" }.into(),
                latency_us: 42,
                client_ip: [127, 0, 0, 1].into(),
                user_agent: Some("wrk".into()),
            })
            .collect();
        writer.write(&batch, 0, &[]).unwrap();
    }
    let rows_per_second = (BATCHES * 1_000) as f64 / started.elapsed().as_secs_f64();
    let now = Utc::now();
    let mut queries = vec![];
    let filter = |account: Option<&str>, outcome: Option<&str>| keyward_core::CallFilter {
        account: account.map(str::to_owned),
        outcome: outcome.map(str::to_owned),
        limit: Some(100),
        ..Default::default()
    };
    for (name, f) in [
        ("query: newest 100 calls of one account (1M rows)", filter(Some("acme"), None)),
        ("query: newest 100 calls, all accounts", filter(None, None)),
        ("query: newest 100 REVOKED calls of one account", filter(Some("globex"), Some("REVOKED"))),
    ] {
        let t = Instant::now();
        let rows = keyward.list_calls(&admin, &f, now).await.unwrap();
        assert_eq!(rows.len(), 100);
        queries.push((name, t.elapsed().as_secs_f64() * 1000.0));
    }
    let t = Instant::now();
    keyward.call_stats(&admin, Some("globex"), now).await.unwrap();
    queries.push(("query: 7-day hourly stats of one account", t.elapsed().as_secs_f64() * 1000.0));
    let t = Instant::now();
    keyward.purge_calls(now - chrono::Duration::days(7), 5_000).await.unwrap();
    queries.push(("purge with nothing past retention", t.elapsed().as_secs_f64() * 1000.0));
    (rows_per_second, queries)
}
