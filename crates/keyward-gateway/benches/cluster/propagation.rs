//! From a rotation's return to three gateways refusing the old key.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use keyward_core::secrets::store::MemorySecrets;
use keyward_core::{Actor, Confirmation, Grace, Keyward, VerifyCode};
use sqlx::{Connection, PgConnection};

use crate::{percentiles, team, OPEN};

const ROTATIONS: usize = 200;

pub async fn run() {
    let (database, cli, mut key) = team(OPEN).await;
    let keyward_core::store::Database::Postgres(url) = &database else { unreachable!() };
    let mut gateways = Vec::new();
    for _ in 0..3 {
        let gateway = Keyward::connect(&database, Arc::new(MemorySecrets::default())).await.unwrap();
        gateway.load_key_index().await.unwrap();
        let follower = gateway.clone();
        tokio::spawn(async move { follower.follow_key_changes(Duration::from_millis(200)).await });
        gateways.push(gateway);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut admin = PgConnection::connect(url).await.unwrap();
    let target = "p99 <= 250 ms, max <= 1,000 ms";
    for kill_listeners in [false, true] {
        let mut took = Vec::with_capacity(ROTATIONS);
        for _ in 0..ROTATIONS {
            if kill_listeners {
                sqlx::query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                     WHERE query ILIKE 'listen%' AND datname = current_database()",
                )
                .execute(&mut admin)
                .await
                .unwrap();
            }
            let rotation = cli
                .rotate_key(&Actor::new("bench"), "acme", Grace::None, &Confirmation::Explicit, Utc::now())
                .await
                .unwrap();
            let returned = Instant::now();
            let mut waiting: Vec<&Keyward> = gateways.iter().collect();
            while !waiting.is_empty() {
                waiting.retain(|g| g.check_key(&key, Utc::now).code != VerifyCode::Revoked);
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
            took.push(returned.elapsed().as_secs_f64() * 1e3);
            key = rotation.new_key.key.expose().to_owned();
            // Let the listeners reconnect before the next kill, as separate blips would.
            tokio::time::sleep(Duration::from_millis(if kill_listeners { 300 } else { 20 })).await;
        }
        let (p50, p99, max) = percentiles(took);
        println!(
            "propagation, {ROTATIONS} rotations, 3 gateways{}: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms  (target {target})",
            if kill_listeners { ", listeners killed before each" } else { "" }
        );
    }
}
