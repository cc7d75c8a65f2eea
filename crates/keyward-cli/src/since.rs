use crate::failure::{Failure, Result};
use chrono::Duration;
use keyward_core::time::{parse_span, MAX_SPAN_DAYS};

/// `30m`, `24h`, `7d` -> a duration.
pub fn parse(text: &str) -> Result<Duration> {
    parse_span(text).ok_or_else(|| {
        Failure::Usage(format!(
            "\"{text}\" is not a duration: use minutes, hours or days (at most {MAX_SPAN_DAYS}d), e.g. 30m, 24h, 7d"
        ))
    })
}
