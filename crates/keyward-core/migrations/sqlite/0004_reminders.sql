-- Rotation reminders: a heads-up lead time per account, the reminders already delivered (one
-- row per key, kind and person, so no process ever sends one twice), and snoozes.
ALTER TABLE accounts ADD COLUMN reminder_lead_days INTEGER NOT NULL DEFAULT 14;

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
