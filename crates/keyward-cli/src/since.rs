use crate::failure::{Failure, Result};
use chrono::Duration;

/// `30m`, `24h`, `7d` -> a duration.
pub fn parse(text: &str) -> Result<Duration> {
    let bad = || Failure::Usage(format!("\"{text}\" is not a duration: use minutes, hours or days, e.g. 30m, 24h, 7d"));
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| bad())?;
    if n <= 0 {
        return Err(bad());
    }
    match unit {
        "m" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        _ => Err(bad()),
    }
}
