-- Databases shared by several machines: a key's secret lives in the keyring of the machine that
-- made it (`created_on`, so show/copy elsewhere can say where), and each machine clears only its
-- own secret-journal rows (`device`). Rows from before this migration name no machine.
ALTER TABLE api_keys ADD COLUMN created_on TEXT;
ALTER TABLE secret_journal ADD COLUMN device TEXT;
