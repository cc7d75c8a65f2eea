-- Preferences of this installation (desktop and CLI share them): one row per setting, the value
-- as JSON text. Names the code does not know are ignored, so older builds read newer files.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
