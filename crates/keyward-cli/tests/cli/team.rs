//! Team mode on a real PostgreSQL (the throwaway server `make test` starts): `keyward`
//! processes and gateways sharing one database, as several hosts would.

use std::process::{Command, Stdio};
use std::sync::{RwLock, RwLockReadGuard};
use std::thread;
use std::time::{Duration, Instant};

use keyward_core::store::test_postgres;

use crate::serve::Server;
use crate::{Home, Run};

/// The outage test stops the server: it holds this for writing, every other test here for reading.
static SERVER: RwLock<()> = RwLock::new(());

/// The test server, while no test has it stopped (a failed test's lock is still good).
pub fn shared_server() -> RwLockReadGuard<'static, ()> {
    SERVER.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A new database on the test server.
pub fn team_database() -> String {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(test_postgres::create_database())
}

/// `psql URL -Atc SQL`: the rows, `|`-separated.
pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql").args([url, "-Atc", sql]).output().expect("psql is installed");
    assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// How long after `since` every server refused `key` as REVOKED (panics after 5 s).
fn until_all_refuse(servers: &[Server], key: &str, since: Instant) -> Duration {
    let mut waiting: Vec<&Server> = servers.iter().collect();
    while !waiting.is_empty() {
        assert!(since.elapsed() < Duration::from_secs(5), "a gateway still accepts the old key after 5 s");
        waiting.retain(|server| server.code(key) != "REVOKED");
        if !waiting.is_empty() {
            thread::sleep(Duration::from_millis(5));
        }
    }
    since.elapsed()
}

#[test]
fn three_gateways_refuse_a_rotated_key_within_a_second_even_with_their_listeners_killed() {
    let _shared = shared_server();
    let url = team_database();
    let home = Home::on(&url);
    home.ok(&["account", "create", "acme"]);
    let mut key = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    let servers: Vec<Server> = (0..3).map(|_| Server::start(&home)).collect();
    for server in &servers {
        assert_eq!(server.code(&key), "VALID");
    }
    for kill_listeners in [false, true, false, true] {
        if kill_listeners {
            let killed = psql(
                &url,
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE query ILIKE 'listen%' AND datname = current_database()",
            );
            assert_eq!(killed, "3", "each gateway listens on one connection");
        }
        let new = home.ok(&["key", "rotate", "acme", "--yes"]).stdout.trim().to_owned();
        let took = until_all_refuse(&servers, &key, Instant::now());
        assert!(took < Duration::from_secs(1), "listeners killed: {kill_listeners}; took {took:?}");
        eprintln!("rotation refused by all 3 gateways after {took:?} (listeners killed: {kill_listeners})");
        for server in &servers {
            assert_eq!(server.code(&new), "VALID");
        }
        key = new;
    }
    for server in servers {
        assert_eq!(server.terminate(), 0);
    }
}

/// The test server stopped until this is dropped (also when a test fails: the others need it).
struct Outage<'a>(&'a str);

impl Outage<'_> {
    fn begin(ctl: &str) -> Outage<'_> {
        assert!(Command::new(ctl).arg("stop").status().unwrap().success(), "the test PostgreSQL stops");
        Outage(ctl)
    }
}

impl Drop for Outage<'_> {
    fn drop(&mut self) {
        assert!(Command::new(self.0).arg("start").status().unwrap().success(), "the test PostgreSQL starts");
    }
}

#[test]
fn a_gateway_that_loses_its_database_fails_closed_then_recovers() {
    let _alone = SERVER.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    let ctl = std::env::var("KEYWARD_TEST_PG_CTL").expect("scripts/with-postgres sets KEYWARD_TEST_PG_CTL");
    let url = team_database();
    let home = Home::on(&url);
    home.ok(&["account", "create", "acme"]);
    home.ok(&["account", "limits", "acme", "--burst", "100000/10"]);
    let key = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    let server = Server::start_with(&home, &["--max-staleness", "1"]);
    assert_eq!(server.request("GET", "/healthz", "").0, 200);
    assert_eq!(server.code(&key), "VALID");

    let outage = Outage::begin(&ctl);
    let stopped = Instant::now();
    // From its last view for up to --max-staleness, then UNAVAILABLE, with a 503.
    let (status, body) = loop {
        let (status, body) = server.request("POST", "/v1/keys/verify", &key);
        if body["code"] != "VALID" {
            break (status, body);
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(3),
            "still VALID {:?} after the database stopped",
            stopped.elapsed()
        );
        thread::sleep(Duration::from_millis(20));
    };
    let refused_after = stopped.elapsed();
    assert_eq!((status, body["code"].as_str(), body["valid"].as_bool()), (503, Some("UNAVAILABLE"), Some(false)));
    assert!(refused_after >= Duration::from_millis(700), "refused too early: {refused_after:?}");
    let (health, report) = server.request("GET", "/healthz", "");
    assert_eq!((health, report["status"].as_str()), (503, Some("degraded")), "{report}");
    assert!(report["view_age_ms"].as_u64().unwrap() >= 1_000, "{report}");
    eprintln!("VALID answers stopped {refused_after:?} after the database did (max-staleness 1 s)");

    drop(outage);
    let started = Instant::now();
    while server.code(&key) != "VALID" {
        assert!(started.elapsed() < Duration::from_secs(10), "not serving 10 s after the database returned");
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.request("GET", "/healthz", "").1["status"], "ok");
    eprintln!("serving again {:?} after the database returned", started.elapsed());
    assert_eq!(server.terminate(), 0);
}

#[test]
fn two_processes_generate_at_once_one_wins_the_other_exits_5() {
    let _shared = shared_server();
    let home = Home::on(&team_database());
    for round in 0..5 {
        let account = format!("acme-{round}");
        home.ok(&["account", "create", &account]);
        let racers: Vec<_> = (0..2)
            .map(|_| home.command("ana", &["key", "generate", &account]).stdout(Stdio::piped()).spawn().unwrap())
            .collect();
        let mut codes: Vec<i32> =
            racers.into_iter().map(|child| child.wait_with_output().unwrap().status.code().unwrap()).collect();
        codes.sort();
        assert_eq!(codes, [0, 5], "round {round}");
    }
}

#[test]
fn audit_rows_appended_by_three_processes_at_once_keep_one_chain() {
    let _shared = shared_server();
    let home = Home::on(&team_database());
    home.ok(&["account", "create", "acme"]);
    thread::scope(|scope| {
        for writer in 0..3 {
            let home = &home;
            scope.spawn(move || {
                for n in 0..6 {
                    home.ok(&["member", "add", "acme", &format!("p{writer}-{n}"), "--role", "member"]);
                }
            });
        }
    });
    // account_created + 18 member_added, one chain.
    let verified = home.ok(&["audit", "verify"]);
    assert!(verified.stdout.contains("Verified: 19 entries"), "{}", verified.shown());
}

#[test]
fn db_copy_moves_a_local_install_and_its_trail_still_verifies() {
    let _shared = shared_server();
    let local = Home::new();
    local.ok(&["account", "create", "acme"]);
    local.ok(&["member", "add", "acme", "bo", "--role", "member", "--email", "bo@example.com"]);
    local.ok(&["key", "generate", "acme"]);
    let key = local.ok(&["key", "rotate", "acme", "--yes"]).stdout.trim().to_owned();
    local.ok(&["account", "limits", "acme", "--burst", "50/10"]);
    let trail = local.ok(&["audit", "verify"]).stdout;

    let url = team_database();
    let copied = local.ok(&["--json", "db", "copy", "--to", &url]).json();
    assert_eq!(copied["tables"][0], serde_json::json!({ "table": "accounts", "rows": 1 }), "{copied}");
    let team = Home::on(&url);
    assert_eq!(team.ok(&["audit", "verify"]).stdout, trail, "the same entries, the chain intact");
    assert!(team.ok(&["key", "verify", &key]).stdout.contains("VALID"));
    // Compared without printing: a failed assertion must not show a key.
    let shown = team.ok(&["key", "show", "acme"]).stdout.trim().to_owned();
    assert!(shown == key, "key show on the team database is not this machine's key");
    let members = team.ok(&["--json", "member", "list", "acme"]).json();
    assert_eq!(members.as_array().map(Vec::len), Some(2), "{members}");

    let before = team.ok(&["audit", "verify"]).stdout;
    let again = local.run(&["db", "copy", "--to", &url]);
    assert_eq!(again.code, 5, "{}", again.shown());
    assert!(again.stderr.contains("copy into an empty database"), "{}", again.shown());
    assert_eq!(team.ok(&["audit", "verify"]).stdout, before, "the refused copy changed nothing");
}

#[test]
fn a_dump_of_the_team_database_holds_no_key_string() {
    let _shared = shared_server();
    let url = team_database();
    let home = Home::on(&url);
    home.ok(&["account", "create", "acme"]);
    let first = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    let second = home.ok(&["key", "rotate", "acme", "--grace", "1h", "--yes"]).stdout.trim().to_owned();
    home.ok(&["key", "show", "acme"]);
    let dump = Command::new("pg_dump").arg(&url).output().expect("pg_dump is installed");
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("api_keys") && dump.len() > 2_000, "a real dump");
    for key in [&first, &second] {
        assert!(key.starts_with("kw_") && !dump.contains(key.as_str()), "a key string is in the dump");
    }
}

#[test]
fn bad_urls_wrong_passwords_and_absent_servers_are_named_and_change_nothing() {
    let _shared = shared_server();
    let server = std::env::var(test_postgres::TEST_POSTGRES_ENV).unwrap();
    let host = server.rsplit_once('@').unwrap().1;
    let cases = [
        ("mysql://kw:hunter2@127.0.0.1/keyward", "is not a database URL"),
        (&*format!("postgres://kw:hunter2@{host}/postgres"), "password authentication failed"),
        (&*format!("postgres://kw:kw-test@{host}/no_such_db"), "database \"no_such_db\" does not exist"),
        ("postgres://kw:hunter2@127.0.0.1:1/keyward", "is the server running"),
    ];
    for (url, says) in cases {
        let home = Home::on(url);
        let run: Run = home.run(&["account", "create", "acme"]);
        assert_eq!(run.code, 1, "{url}: {}", run.shown());
        assert!(run.stderr.contains(says), "{url}: {}", run.shown());
        assert!(!run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"), "the password is printed");
        assert_eq!(std::fs::read_dir(home.db()).unwrap().count(), 0, "{url}: nothing was made locally");
    }
}

#[test]
fn served_is_logged_plus_dropped_over_three_gateways_and_the_log_reads_as_one() {
    let _shared = shared_server();
    let home = Home::on(&team_database());
    home.ok(&["account", "create", "acme"]);
    home.ok(&["account", "limits", "acme", "--burst", "100000/10"]);
    let key = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    let servers: Vec<Server> = (0..3).map(|_| Server::start(&home)).collect();
    for (n, server) in servers.iter().enumerate() {
        for _ in 0..20 * (n + 1) {
            assert_eq!(server.code(&key), "VALID");
        }
    }
    for server in servers {
        assert_eq!(server.terminate(), 0, "a clean stop flushes the queue");
    }
    let stats = home.ok(&["--json", "calls", "stats", "acme"]).json();
    let counts = [&stats["served"], &stats["logged_ever"], &stats["dropped"], &stats["logged"]];
    assert_eq!(counts.map(|c| c.as_i64()), [Some(120), Some(120), Some(0), Some(120)], "{stats}");
    let listed = home.ok(&["--json", "calls", "list", "acme", "--limit", "1000"]).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(120), "every gateway's calls in one log");
}

#[test]
fn three_gateways_share_one_usage_limit() {
    let _shared = shared_server();
    let home = Home::on(&team_database());
    home.ok(&["account", "create", "acme"]);
    home.ok(&["account", "limits", "acme", "--burst", "300/10", "--daily", "1000000"]);
    let key = home.ok(&["key", "generate", "acme"]).stdout.trim().to_owned();
    let servers: Vec<Server> = (0..3).map(|_| Server::start(&home)).collect();
    let started = Instant::now();
    let load = Duration::from_secs(3);
    let (accepted, refused) = thread::scope(|scope| {
        let workers: Vec<_> = servers
            .iter()
            .map(|server| {
                let key = &key;
                scope.spawn(move || {
                    let (mut accepted, mut refused) = (0, 0);
                    while started.elapsed() < load {
                        match server.code(key).as_str() {
                            "VALID" => accepted += 1,
                            "RATE_LIMITED" => refused += 1,
                            other => panic!("unexpected verdict {other}"),
                        }
                    }
                    (accepted, refused)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).fold((0, 0), |(a, r), (wa, wr)| (a + wa, r + wr))
    });
    // What one gateway's GCRA allows from a full bucket: the burst, then 30 a second.
    let elapsed = started.elapsed().as_secs_f64();
    let allowed = 300.0 + 30.0 * elapsed;
    eprintln!("3 gateways, {elapsed:.2} s: accepted {accepted}, refused {refused}, one gateway's limit {allowed:.0}");
    assert!(refused > 1_000, "the load is well over the limit: {refused} refused");
    assert!(f64::from(accepted) <= allowed * 1.05, "accepted {accepted} > {allowed:.0} × 1.05");
    assert!(f64::from(accepted) >= 300.0, "the burst is usable: {accepted}");
}
