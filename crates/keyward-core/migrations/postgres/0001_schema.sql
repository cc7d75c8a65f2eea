-- Keyward's schema on PostgreSQL: the same tables, columns and rules as migrations/sqlite
-- 0001-0006 (ids made in code, instants as BIGINT UTC milliseconds, the one-active-key partial
-- index), with the call log partitioned by day. Forward-only: never edit a landed migration.

CREATE TABLE accounts (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    rotation_period_days BIGINT NOT NULL DEFAULT 180,
    created_at           BIGINT NOT NULL,
    created_by           TEXT NOT NULL,
    burst_limit          BIGINT NOT NULL DEFAULT 100,
    burst_seconds        BIGINT NOT NULL DEFAULT 10,
    daily_limit          BIGINT NOT NULL DEFAULT 250000,
    reminder_lead_days   BIGINT NOT NULL DEFAULT 14
);

CREATE TABLE members (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name       TEXT NOT NULL,
    email      TEXT,
    role       TEXT NOT NULL CHECK (role IN ('super-admin', 'member')),
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, name)
);

-- The secret is in the OS keyring of the machine named by `created_on`, under `id`; here only
-- its SHA-256 and a display hint.
CREATE TABLE api_keys (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    key_hash       TEXT NOT NULL UNIQUE,
    hint           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    created_by     TEXT NOT NULL,
    retired_at     BIGINT,
    retired_by     TEXT,
    retired_reason TEXT CHECK (retired_reason IN ('rotated', 'deactivated')),
    expires_at     BIGINT,
    last_used_at   BIGINT,
    created_on     TEXT
);
CREATE UNIQUE INDEX api_keys_one_active ON api_keys (account_id) WHERE retired_at IS NULL;
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

CREATE TABLE challenges (
    id              TEXT PRIMARY KEY,
    action          TEXT NOT NULL CHECK (action IN ('rotate', 'deactivate')),
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    key_id          TEXT NOT NULL REFERENCES api_keys(id),
    actor           TEXT NOT NULL,
    code_hash       TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    spent_at        BIGINT
);

CREATE TABLE secret_journal (
    key_id      TEXT PRIMARY KEY,
    recorded_at BIGINT NOT NULL,
    device      TEXT
);

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    device    TEXT NOT NULL,
    account   TEXT,
    key_id    TEXT,
    event     TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_account ON audit_log (account, seq);

CREATE TABLE key_revision (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO key_revision (id, revision) VALUES (1, 0);

-- The call log, one partition per UTC day (`calls_YYYYMMDD`, made by the writer before it
-- copies a day's first rows); retention drops whole partitions.
CREATE TABLE calls (
    at              BIGINT NOT NULL,
    account         TEXT,
    key_id          TEXT,
    key_fingerprint TEXT,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    status          BIGINT NOT NULL,
    outcome         TEXT NOT NULL,
    latency_us      BIGINT NOT NULL,
    client_ip       TEXT NOT NULL,
    user_agent      TEXT
) PARTITION BY RANGE (at);
CREATE INDEX calls_account_at ON calls (account, at);
CREATE INDEX calls_at ON calls (at);

-- The hourly rollup the writer keeps with each batch ('' = no account).
CREATE TABLE call_hours (
    account TEXT NOT NULL,
    hour    BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    count   BIGINT NOT NULL,
    PRIMARY KEY (account, hour, outcome)
);

-- Summed over every gateway: served = logged + dropped once their queues are empty.
CREATE TABLE call_log_counters (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    dropped BIGINT NOT NULL,
    served  BIGINT NOT NULL DEFAULT 0,
    logged  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO call_log_counters (id, dropped) VALUES (1, 0);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sent_reminders (
    key_id    TEXT NOT NULL REFERENCES api_keys(id),
    kind      TEXT NOT NULL,
    recipient TEXT NOT NULL,
    channel   TEXT NOT NULL,
    sent_at   BIGINT NOT NULL,
    PRIMARY KEY (key_id, kind, recipient)
);

CREATE TABLE reminder_snoozes (
    key_id    TEXT NOT NULL REFERENCES api_keys(id),
    recipient TEXT NOT NULL,
    until_at  BIGINT NOT NULL,
    PRIMARY KEY (key_id, recipient)
);

-- Usage limits shared by every gateway: per key, the burst and daily limits as GCRA
-- "theoretical arrival times" (UTC microseconds). Gateways lease chunks of the allowance from
-- here ahead of their requests (`serving::budget`); the embedded SQLite has one gateway and
-- keeps its limits in memory.
CREATE TABLE limit_budgets (
    key_id    TEXT PRIMARY KEY,
    burst_tat BIGINT NOT NULL,
    daily_tat BIGINT NOT NULL
);
