//! The call log's filters as a team server reads them from a query string, the CLI's `--since`
//! span, and the text search's LIKE pattern: never panic; a span is in range; the pattern matches
//! the text literally (every `%`, `_` and `\` escaped).
#![no_main]

use keyward_core::domain::calls::contains_pattern;
use keyward_core::time::{parse_span, MAX_SPAN_DAYS};
use keyward_core::CallFilter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|query: &str| {
    let _ = serde_urlencoded::from_str::<CallFilter>(query);
    if let Some(span) = parse_span(query) {
        assert!(span.num_minutes() >= 1 && span.num_days() <= MAX_SPAN_DAYS);
    }
    let pattern = contains_pattern(query);
    let inner = &pattern[1..pattern.len() - 1];
    let mut unescaped = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => unescaped.push(chars.next().expect("an escape is followed by what it escapes")),
            '%' | '_' => panic!("an unescaped wildcard in {pattern:?}"),
            c => unescaped.push(c),
        }
    }
    assert_eq!(unescaped, query);
});
