use keyward_core::{ChainStatus, Confirmation, Grace, Reveal};

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
    assert_eq!(kw.verify_audit_chain().await.unwrap(), ChainStatus::Verified { entries: 7 });
    f
}

async fn tamper(f: &Fixture, sql: &str) -> ChainStatus {
    sqlx::raw_sql(sql).execute(f.keyward.pool()).await.unwrap();
    f.keyward.verify_audit_chain().await.unwrap()
}

fn broken_at(status: ChainStatus) -> i64 {
    match status {
        ChainStatus::Broken { entry, .. } => entry,
        ChainStatus::Verified { .. } => panic!("tampering went unnoticed"),
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

on_both_backends!(
    an_edited_row_is_found,
    an_edited_time_is_found,
    a_deleted_row_is_found,
    swapped_rows_are_found,
    renumbered_rows_are_found
);
