-- The gateway: per-account usage limits, a key's last use, the call log, and a revision
-- counter that tells running gateways (in any process) that keys changed.

ALTER TABLE accounts ADD COLUMN burst_limit INTEGER NOT NULL DEFAULT 100;
ALTER TABLE accounts ADD COLUMN burst_seconds INTEGER NOT NULL DEFAULT 10;
ALTER TABLE accounts ADD COLUMN daily_limit INTEGER NOT NULL DEFAULT 250000;

ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;

-- Bumped in every transaction that changes which keys are valid, or an account's limits.
CREATE TABLE key_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO key_revision (id, revision) VALUES (1, 0);

-- Every request that presented a key. Never the key: an unknown key is named only by the first
-- 8 hex characters of its SHA-256, and secret-bearing query parameters are cut from `path`.
CREATE TABLE calls (
    at              BIGINT NOT NULL,
    account         TEXT,
    key_id          TEXT,
    key_fingerprint TEXT,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    status          INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    latency_us      BIGINT NOT NULL,
    client_ip       TEXT NOT NULL,
    user_agent      TEXT
);
-- One index: per-account queries range over (account, at). Rows are appended in time order,
-- so unfiltered queries and the purge walk rowid from either end instead of a second index
-- (which would cost a third of the writer's speed).
CREATE INDEX calls_account_at ON calls (account, at);

-- Rows the gateways could not log because their queue was full, kept so every process sees them.
CREATE TABLE call_log_counters (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    dropped BIGINT NOT NULL
);
INSERT INTO call_log_counters (id, dropped) VALUES (1, 0);
