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

pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}
