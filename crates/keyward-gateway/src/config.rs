use std::time::Duration;

/// How a gateway runs. `Default` is what `keyward serve` uses with no flags. (The address is
/// the listener's: callers bind it, so a port in use is their clear error to give.)
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Proxy mode: authenticated requests go on to this base URL.
    pub upstream: Option<url::Url>,
    pub max_body_bytes: usize,
    pub max_header_bytes: usize,
    pub request_timeout: Duration,
    /// Rows waiting for the call-log writer; beyond this, rows are dropped and counted.
    pub call_log_queue: usize,
    pub retention_days: i64,
    /// How often other processes' key changes are looked for.
    pub key_poll_interval: Duration,
    /// Failed attempts (unknown or malformed keys) allowed per client IP per minute.
    pub failures_per_ip_per_minute: u32,
    /// Failed team sign-ins (unknown codes or device tokens) allowed per client IP per minute.
    pub failed_sign_ins_per_ip_per_minute: u32,
    /// How old the view of the keys may grow while the database cannot be reached before every
    /// verdict is UNAVAILABLE (503). `None`: never (the embedded SQLite is the gateway's own
    /// file; a team database is not, and `keyward serve` sets [`DEFAULT_MAX_STALENESS`] there).
    pub max_staleness: Option<Duration>,
}

pub const DEFAULT_MAX_STALENESS: Duration = Duration::from_secs(10);

pub const DEFAULT_PORT: u16 = 8790;

impl Default for GatewayConfig {
    fn default() -> GatewayConfig {
        GatewayConfig {
            upstream: None,
            max_body_bytes: 10 * 1024 * 1024,
            max_header_bytes: 16 * 1024,
            request_timeout: Duration::from_secs(30),
            call_log_queue: 100_000,
            retention_days: keyward_core::domain::calls::DEFAULT_RETENTION_DAYS,
            key_poll_interval: Duration::from_millis(200),
            failures_per_ip_per_minute: 600,
            failed_sign_ins_per_ip_per_minute: 10,
            max_staleness: None,
        }
    }
}
