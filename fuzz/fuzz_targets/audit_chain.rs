//! The audit trail's canonical encoding and chain on any field values: a chain built row by row
//! verifies, and any one change to any field of any row is found at that row.
#![no_main]

use arbitrary::Arbitrary;
use keyward_core::domain::audit::check_chain;
use keyward_core::time::Timestamp;
use keyward_core::{AuditEntry, ChainStatus};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Row {
    at: i64,
    actor: String,
    device: String,
    account: Option<String>,
    key_id: Option<String>,
    event: String,
    details: String,
}

#[derive(Arbitrary, Debug)]
enum Change {
    At(i64),
    Actor(String),
    Device(String),
    Account(Option<String>),
    KeyId(Option<String>),
    Event(String),
    Details(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    rows: Vec<Row>,
    change_at: usize,
    change: Change,
}

fuzz_target!(|input: Input| {
    let mut entries: Vec<AuditEntry> = Vec::new();
    for (n, row) in input.rows.into_iter().take(8).enumerate() {
        let prev_hash = entries.last().map(|e| e.hash.clone()).unwrap_or_default();
        let mut entry = AuditEntry {
            seq: n as i64 + 1,
            at: Timestamp::from(row.at),
            actor: row.actor,
            device: row.device,
            account: row.account,
            key_id: row.key_id,
            key_hint: None,
            event: row.event,
            details: row.details,
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.chain_hash(&entry.prev_hash);
        entries.push(entry);
    }
    assert_eq!(check_chain(&entries), ChainStatus::Verified { entries: entries.len() as u64, checkpoint: None });
    if entries.is_empty() {
        return;
    }
    let at = input.change_at % entries.len();
    let before = entries[at].clone();
    let row = &mut entries[at];
    match input.change {
        Change::At(ms) => row.at = Timestamp::from(ms),
        Change::Actor(v) => row.actor = v,
        Change::Device(v) => row.device = v,
        Change::Account(v) => row.account = v,
        Change::KeyId(v) => row.key_id = v,
        Change::Event(v) => row.event = v,
        Change::Details(v) => row.details = v,
    }
    // Millisecond times out of chrono's range read back as its minimum: the same stored instant.
    if *row == before {
        return;
    }
    match check_chain(&entries) {
        ChainStatus::Broken { entry, .. } => assert_eq!(entry, at as i64 + 1),
        other => panic!("a changed row went unnoticed: {other:?}"),
    }
});
