use chrono::Duration;
use std::sync::Arc;

use keyward_core::{CallFilter, CallRecord, IndexedKey, Tally};

use crate::{on_both_backends, Backend, Fixture};

fn call(f: &Fixture, minute: i64, path: &str, agent: &str) -> CallRecord {
    CallRecord {
        at: f.t0 + Duration::minutes(minute),
        key: Some(Arc::new(IndexedKey::named("acme", "key_0123456789abcdef"))),
        key_fingerprint: None,
        method: "GET".into(),
        path: path.to_owned().into(),
        status: 200,
        outcome: "VALID",
        latency_us: 120,
        client_ip: [127, 0, 0, 1].into(),
        user_agent: Some(agent.into()),
    }
}

/// What the call-log tab's text box and pager ask for: a literal substring of path, IP or
/// user agent (LIKE wildcards in it match only themselves), newest first, page by page.
async fn text_filter_matches_literally_and_pages_newest_first(backend: Backend) {
    let f = Fixture::new(backend).await;
    let batch: Vec<CallRecord> = (0..25)
        .map(|i| call(&f, i, &format!("/v1/contacts/{i}"), if i % 5 == 0 { "crm-sync/2.0" } else { "curl/8.5" }))
        .chain([call(&f, 30, "/v1/100%_done", "curl/8.5")])
        .collect();
    f.keyward.call_writer().unwrap().write(&batch, Tally::rows(batch.len()), &[]).unwrap();
    let now = f.t0 + Duration::hours(1);
    let list = |text: &str, limit, offset| CallFilter {
        account: Some("acme".into()),
        text: Some(text.into()),
        limit: Some(limit),
        offset: Some(offset),
        ..CallFilter::default()
    };
    let paths = |calls: Vec<keyward_core::CallEntry>| calls.into_iter().map(|c| c.path).collect::<Vec<_>>();

    let synced = f.keyward.list_calls(&f.admin, &list("CRM-SYNC", 100, 0), now).await.unwrap();
    assert_eq!(
        paths(synced),
        ["/v1/contacts/20", "/v1/contacts/15", "/v1/contacts/10", "/v1/contacts/5", "/v1/contacts/0"]
    );
    let literal = f.keyward.list_calls(&f.admin, &list("%_", 100, 0), now).await.unwrap();
    assert_eq!(paths(literal), ["/v1/100%_done"], "% and _ are not wildcards here");
    let second_page = f.keyward.list_calls(&f.admin, &list("contacts", 10, 10), now).await.unwrap();
    assert_eq!(paths(second_page).first().map(String::as_str), Some("/v1/contacts/14"));
    let blank = f.keyward.list_calls(&f.admin, &list("  ", 100, 0), now).await.unwrap();
    assert_eq!(blank.len(), 26, "a blank text box filters nothing");
}

on_both_backends!(text_filter_matches_literally_and_pages_newest_first);
