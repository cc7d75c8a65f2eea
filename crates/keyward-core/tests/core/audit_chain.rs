use keyward_core::error::Invalid;
use keyward_core::secrets::store::SecretStore;
use keyward_core::store::Database;
use keyward_core::{ChainStatus, Confirmation, Grace, Keyward, Reveal};

use crate::{on_both_backends, Backend, Fixture};

/// A fixture with seven chained entries.
async fn trail(backend: Backend) -> Fixture {
    let f = Fixture::new(backend).await;
    let (kw, ana, t0) = (&f.keyward, &f.admin, f.t0);
    kw.generate_key(ana, "acme", t0).await.unwrap();
    kw.reveal_key(ana, "acme", Reveal::View, t0).await.unwrap();
    kw.reveal_key(ana, "acme", Reveal::Copy, t0).await.unwrap();
    kw.rotate_key(ana, "acme", Grace::None, &Confirmation::Explicit, t0).await.unwrap();
    kw.reveal_key(ana, "acme", Reveal::View, t0).await.unwrap();
    kw.deactivate_key(ana, "acme", &Confirmation::Explicit, t0).await.unwrap();
    assert_eq!(kw.verify_audit_chain().await.unwrap(), ChainStatus::Verified { entries: 7, checkpoint: Some(7) });
    f
}

async fn tamper(f: &Fixture, sql: &str) -> ChainStatus {
    sqlx::raw_sql(sql).execute(f.keyward.pool()).await.unwrap();
    f.keyward.verify_audit_chain().await.unwrap()
}

fn broken_at(status: ChainStatus) -> i64 {
    match status {
        ChainStatus::Broken { entry, .. } => entry,
        other => panic!("tampering went unnoticed or misnamed: {other:?}"),
    }
}

async fn an_edited_row_is_found(backend: Backend) {
    let f = trail(backend).await;
    assert_eq!(broken_at(tamper(&f, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 4").await), 4);
}

async fn an_edited_time_is_found(backend: Backend) {
    let f = trail(backend).await;
    assert_eq!(broken_at(tamper(&f, "UPDATE audit_log SET at = at - 1 WHERE seq = 6").await), 6);
}

async fn a_deleted_row_is_found(backend: Backend) {
    let f = trail(backend).await;
    assert_eq!(broken_at(tamper(&f, "DELETE FROM audit_log WHERE seq = 3").await), 4);
}

async fn swapped_rows_are_found(backend: Backend) {
    let f = trail(backend).await;
    // Swap the contents of entries 2 and 3, keeping their positions (and hashes) in place.
    let sql = "UPDATE audit_log SET event = CASE seq WHEN 2 THEN (SELECT event FROM audit_log WHERE seq = 3)
                                                    ELSE (SELECT event FROM audit_log WHERE seq = 2) END
               WHERE seq IN (2, 3)";
    assert_eq!(broken_at(tamper(&f, sql).await), 2);
}

async fn renumbered_rows_are_found(backend: Backend) {
    let f = trail(backend).await;
    // Move entry 3 before entry 2 (through a free number: seq is unique).
    let sql = "UPDATE audit_log SET seq = 100 WHERE seq = 2;
               UPDATE audit_log SET seq = 2 WHERE seq = 3;
               UPDATE audit_log SET seq = 3 WHERE seq = 100;";
    assert_eq!(broken_at(tamper(&f, sql).await), 2);
}

/// Deletes the newest `n` rows. Nothing to fix up in the chain: every remaining row still
/// follows from the one before it, which is why the checkpoint is needed.
async fn cut_newest(f: &Fixture, n: i64) -> ChainStatus {
    let sql = format!("DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) FROM audit_log) - {n}");
    tamper(f, &sql).await
}

async fn the_newest_rows_cut_off_are_found(backend: Backend) {
    let f = trail(backend).await;
    assert_eq!(cut_newest(&f, 1).await, ChainStatus::Truncated { entries: 6, checkpoint: 7 });
    assert_eq!(cut_newest(&f, 1).await, ChainStatus::Truncated { entries: 5, checkpoint: 7 });
}

async fn fifty_rows_cut_off_are_found(backend: Backend) {
    let f = trail(backend).await;
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    for _ in 0..49 {
        f.keyward.reveal_key(&f.admin, "acme", Reveal::View, f.t0).await.unwrap();
    }
    let ChainStatus::Verified { entries, checkpoint: Some(anchored) } = f.keyward.verify_audit_chain().await.unwrap()
    else {
        panic!("a sound trail is verified against its checkpoint")
    };
    assert_eq!((entries, anchored), (57, 57));
    assert_eq!(cut_newest(&f, 50).await, ChainStatus::Truncated { entries: 7, checkpoint: 57 });
}

async fn a_trail_cut_then_written_on_is_found(backend: Backend) {
    let f = trail(backend).await;
    cut_newest(&f, 2).await;
    // New rows take the cut-off numbers; the checkpoint does not move back to meet them.
    let kw = f.reopen().await;
    kw.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    assert_eq!(kw.verify_audit_chain().await.unwrap(), ChainStatus::Truncated { entries: 6, checkpoint: 7 });
    kw.reveal_key(&f.admin, "acme", Reveal::View, f.t0).await.unwrap();
    assert_eq!(broken_at(kw.verify_audit_chain().await.unwrap()), 7, "entry 7 is not the one signed");
}

async fn a_checkpoint_not_signed_by_the_trail_key_is_refused(backend: Backend) {
    let f = trail(backend).await;
    let trail_id: String = f.scalar("SELECT value FROM settings WHERE name = 'audit_trail_id'").await;
    let entry = format!("audit-checkpoint:{}", serde_json::from_str::<String>(&trail_id).unwrap());
    let stored = f.secrets.get_text(&entry).unwrap().expect("a checkpoint in the keyring");
    let mut forged: serde_json::Value = serde_json::from_str(&stored).unwrap();
    forged["entries"] = 3.into();
    f.secrets.put_text(&entry, &forged.to_string()).unwrap();
    let ChainStatus::BadCheckpoint { reason } = f.keyward.verify_audit_chain().await.unwrap() else {
        panic!("a forged checkpoint went unnoticed")
    };
    assert!(reason.contains("signature"), "{reason}");
}

async fn a_keyring_out_of_reach_leaves_changes_done_and_unanchored(backend: Backend) {
    let f = Fixture::new(backend).await;
    f.secrets.unavailable.store(true, std::sync::atomic::Ordering::SeqCst);
    for name in ["bo", "cy"] {
        f.keyward.add_member(&f.admin, "acme", name, None, keyward_core::Role::Member, f.t0).await.unwrap();
    }
    f.secrets.unavailable.store(false, std::sync::atomic::Ordering::SeqCst);
    let behind = ChainStatus::Verified { entries: 3, checkpoint: Some(1) };
    let kw = f.reopen().await;
    assert_eq!(kw.verify_audit_chain().await.unwrap(), behind, "the changes are done, their rows not yet anchored");
    // The handle that failed twice tries again with its next change.
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    let ChainStatus::Verified { entries, checkpoint } = kw.verify_audit_chain().await.unwrap() else { panic!() };
    assert_eq!((entries, checkpoint), (4, Some(4)), "anchored again with the next change");
}

/// schemathesis found a negative limit a 500 on PostgreSQL (it refuses a negative LIMIT).
async fn a_listing_limit_below_one_is_bad_input(backend: Backend) {
    let f = trail(backend).await;
    for limit in [-1, 0, i64::MIN] {
        let err = f.keyward.audit_entries(&f.admin, "acme", None, Some(limit), f.t0).await.unwrap_err();
        assert!(matches!(err, keyward_core::Error::InvalidInput(_)), "{limit}: {err}");
    }
    assert_eq!(f.keyward.audit_entries(&f.admin, "acme", None, Some(2), f.t0).await.unwrap().len(), 2);
}

/// An event filter naming no event is bad input that lists them (a misspelling listed nothing;
/// schemathesis found one holding a NUL a 500 on PostgreSQL, whose text cannot hold one).
async fn an_event_filter_naming_no_event_is_bad_input(backend: Backend) {
    let f = trail(backend).await;
    for event in ["rotatd", "rotated\0", "", "Rotated"] {
        let err = f.keyward.audit_entries(&f.admin, "acme", Some(event), None, f.t0).await.unwrap_err();
        let keyward_core::Error::InvalidInput(Invalid::AuditEvent { known, .. }) = &err else {
            panic!("{event:?}: {err}")
        };
        assert!(known.contains("rotated") && known.contains("member_added"), "{known}");
    }
    let viewed = f.keyward.audit_entries(&f.admin, "acme", Some(" viewed "), None, f.t0).await.unwrap();
    assert_eq!(viewed.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(), ["viewed", "viewed"]);
}

/// An older copy of the database file put back (a backup restored in place of the live one:
/// here opened from a folder of its own, so no WAL of the live file can be replayed onto it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_database_file_put_back_is_found() {
    let f = trail(Backend::Sqlite).await;
    let restored_dir = tempfile::tempdir().unwrap();
    let backup = restored_dir.path().join("keyward.db");
    sqlx::query("VACUUM INTO $1").bind(backup.to_str().unwrap()).execute(f.keyward.pool()).await.unwrap();
    f.keyward.generate_key(&f.admin, "acme", f.t0).await.unwrap();
    f.keyward.reveal_key(&f.admin, "acme", Reveal::Copy, f.t0).await.unwrap();
    let restored = Keyward::connect(&Database::Sqlite(backup), f.secrets.clone()).await.unwrap();
    assert_eq!(restored.verify_audit_chain().await.unwrap(), ChainStatus::Truncated { entries: 7, checkpoint: 9 });
}

on_both_backends!(
    a_listing_limit_below_one_is_bad_input,
    an_event_filter_naming_no_event_is_bad_input,
    the_newest_rows_cut_off_are_found,
    fifty_rows_cut_off_are_found,
    a_trail_cut_then_written_on_is_found,
    a_checkpoint_not_signed_by_the_trail_key_is_refused,
    a_keyring_out_of_reach_leaves_changes_done_and_unanchored,
    an_edited_row_is_found,
    an_edited_time_is_found,
    a_deleted_row_is_found,
    swapped_rows_are_found,
    renumbered_rows_are_found
);
