//! Instants: passed in as `DateTime<Utc>` (nothing in the rules reads the clock), stored as UTC
//! unix milliseconds (BIGINT, which SQLite and PostgreSQL order and compare alike), shown as
//! RFC 3339.

use chrono::{DateTime, TimeZone, Utc};

/// A UTC instant as stored (unix milliseconds) and as shown (RFC 3339, `Z`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, type = "string"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

impl From<i64> for Timestamp {
    fn from(ms: i64) -> Timestamp {
        Timestamp(from_millis(ms))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }
}

/// As shown: a team server's answers are read back by its devices.
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| Timestamp(at.with_timezone(&Utc)))
            .map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }
}

/// The longest look-back [`parse_span`] takes, in days: a century is "everything" for a log kept
/// 7 days, and keeps `now - span` far inside chrono's range.
pub const MAX_SPAN_DAYS: i64 = 36_500;

/// A look-back span as typed (`30m`, `24h`, `7d`): a positive whole number of minutes, hours or
/// days, at most [`MAX_SPAN_DAYS`]. `None` for anything else (signs, spaces, other units).
pub fn parse_span(text: &str) -> Option<chrono::Duration> {
    let unit = text.chars().last()?;
    let number = &text[..text.len() - unit.len_utf8()];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = number.parse().ok()?;
    let minutes = match unit {
        'm' => n,
        'h' => n.checked_mul(60)?,
        'd' => n.checked_mul(24 * 60)?,
        _ => return None,
    };
    (1..=MAX_SPAN_DAYS * 24 * 60).contains(&minutes).then(|| chrono::Duration::minutes(minutes))
}

pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_typed_and_nothing_else() {
        assert_eq!(parse_span("30m"), Some(chrono::Duration::minutes(30)));
        assert_eq!(parse_span("24h"), Some(chrono::Duration::hours(24)));
        assert_eq!(parse_span("36500d"), Some(chrono::Duration::days(MAX_SPAN_DAYS)));
        // Panicked before the fuzz target was written: a multi-byte last character, a huge span.
        for bad in ["", "d", "7é", "é", "36501d", "99999999999999999d", "+7d", "-7d", " 7d", "0m", "7w"] {
            assert_eq!(parse_span(bad), None, "{bad:?}");
        }
    }
}
