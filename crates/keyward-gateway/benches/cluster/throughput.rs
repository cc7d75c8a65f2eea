//! One gateway's verify throughput on PostgreSQL against the same gateway on SQLite.

use std::sync::Arc;

use keyward_core::secrets::store::MemorySecrets;
use keyward_core::Keyward;
use keyward_gateway::GatewayConfig;

use crate::compared::{compare, Runs};
use crate::{start_gateway, team, with_acme, OPEN};

const PAIRS: usize = 9;

pub async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Keyward::open_with(dir.path(), Arc::new(MemorySecrets::default())).await.unwrap();
    let sqlite_key = with_acme(&sqlite, OPEN).await;
    let (sqlite_addr, _) = start_gateway(sqlite.clone(), GatewayConfig::default()).await;
    // Where the difference lies: both gateways with their call logs off (a queue of one row
    // drops nearly every row before the writer), so neither database ingests anything.
    let unlogged = GatewayConfig { call_log_queue: 1, ..GatewayConfig::default() };
    let (sqlite_unlogged, _) = start_gateway(sqlite, unlogged.clone()).await;
    compare_once(sqlite_unlogged, &sqlite_key, unlogged, "call log off").await;
    // The database server shares these two cores with the gateway and wrk. First as it comes;
    // then with its processes SCHED_BATCH, as the SQLite writer's threads run (the database's
    // bulk work then yields to the request threads, as it would on a host of its own).
    for batch in [false, true] {
        if batch {
            schedule_postgres_batch();
        }
        let label = if batch { "its processes SCHED_BATCH" } else { "call log on" };
        compare_once(sqlite_addr, &sqlite_key, GatewayConfig::default(), label).await;
    }
}

/// Every running PostgreSQL process to SCHED_BATCH; backends forked later inherit it.
fn schedule_postgres_batch() {
    let pids = std::process::Command::new("pgrep").args(["-x", "postgres"]).output().expect("pgrep");
    for pid in String::from_utf8_lossy(&pids.stdout).split_whitespace() {
        let _ = std::process::Command::new("chrt").args(["--batch", "-p", "0", pid]).status();
    }
}

async fn compare_once(sqlite_addr: std::net::SocketAddr, sqlite_key: &str, config: GatewayConfig, label: &str) {
    let (_, postgres, postgres_key) = team(OPEN).await;
    let (postgres_addr, _) = start_gateway(postgres, config).await;
    let (sqlite_body, postgres_body) =
        (format!(r#"{{"key":"{sqlite_key}"}}"#), format!(r#"{{"key":"{postgres_key}"}}"#));
    let scripts = tempfile::tempdir().unwrap();
    let runs = Runs { pairs: PAIRS, seconds: 2, paced: None };
    let line = ((sqlite_addr, sqlite_body.as_str()), (postgres_addr, postgres_body.as_str()));
    let compared = tokio::task::block_in_place(|| compare(&scripts, &runs, &[line]));
    let result = &compared[0];
    let (sqlite_load, postgres_load) = result.median_pair();
    println!(
        "one gateway, valid key ({label}): PostgreSQL {:.0} req/s vs SQLite {:.0} req/s = {:.1} % (middle half {} %; {PAIRS} pairs of 2 s; target >= 95 %)",
        postgres_load.rps,
        sqlite_load.rps,
        result.median() * 100.0,
        result.spread()
    );
}
