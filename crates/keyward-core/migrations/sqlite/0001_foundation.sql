-- Keyward's foundation schema. Forward-only: never edit a landed migration, add a new one.
-- Written to run unchanged on PostgreSQL too (TEXT ids made in code, BIGINT UTC milliseconds,
-- no AUTOINCREMENT, partial indexes both engines know).

CREATE TABLE accounts (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    rotation_period_days INTEGER NOT NULL DEFAULT 180,
    created_at           BIGINT NOT NULL,
    created_by           TEXT NOT NULL
);

CREATE TABLE members (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name       TEXT NOT NULL,
    email      TEXT,
    role       TEXT NOT NULL CHECK (role IN ('super-admin', 'member')),
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, name)
);

-- One row per key ever issued. The secret is in the OS keyring under `id`; here only its
-- SHA-256 and a display hint. `retired_at` is NULL for the account's active key; a retired key
-- with `expires_at` in the future is still valid (a rotation's grace window).
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
    expires_at     BIGINT
);

-- At most one active key per account, whatever the code above it does.
CREATE UNIQUE INDEX api_keys_one_active ON api_keys (account_id) WHERE retired_at IS NULL;
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

-- Captcha-style confirmations for rotate and deactivate. Only the code's hash is kept.
CREATE TABLE challenges (
    id              TEXT PRIMARY KEY,
    action          TEXT NOT NULL CHECK (action IN ('rotate', 'deactivate')),
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    key_id          TEXT NOT NULL REFERENCES api_keys(id),
    actor           TEXT NOT NULL,
    code_hash       TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    spent_at        BIGINT
);

-- Keyring entries that must not outlive their key: written before a secret is stored or when
-- its key is retired, removed once the keyring agrees. What is left here at start-up names an
-- orphaned keyring entry to delete (a crash between the keyring and the database).
CREATE TABLE secret_journal (
    key_id      TEXT PRIMARY KEY,
    recorded_at BIGINT NOT NULL
);

-- Append-only, hash-chained: hash = SHA-256(prev_hash || canonical JSON of the row).
-- `account` is the account's name, kept as text so the trail reads on its own.
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
