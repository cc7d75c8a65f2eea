-- Team mode: the people of a team, their enrolled devices, and the single-use codes that enrol
-- them, and the encrypted shares of team keys. Only hashes of device tokens and codes are kept;
-- a device's age recipient is public.
-- The same statements are SQLite's migration 0007.

CREATE TABLE people (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    email      TEXT,
    team_role  TEXT NOT NULL CHECK (team_role IN ('owner', 'member')),
    created_at BIGINT NOT NULL
);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people(id),
    label        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    recipient    TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX devices_person ON devices (person_id);

-- A setup code (the first owner, made by an operator with database access) or an invitation
-- (made by an owner, for a named person: a new person, or a new device of one).
CREATE TABLE team_codes (
    code_hash  TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('setup', 'invite')),
    name       TEXT,
    email      TEXT,
    team_role  TEXT NOT NULL CHECK (team_role IN ('owner', 'member')),
    created_by TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- A team key's secret, encrypted on a super admin's device to each device of the account's
-- super admins (age, X25519): one ciphertext per key and device. The server cannot open them.
CREATE TABLE key_shares (
    key_id     TEXT NOT NULL REFERENCES api_keys(id),
    device_id  TEXT NOT NULL REFERENCES devices(id),
    ciphertext TEXT NOT NULL,
    shared_by  TEXT NOT NULL,
    shared_at  BIGINT NOT NULL,
    PRIMARY KEY (key_id, device_id)
);
