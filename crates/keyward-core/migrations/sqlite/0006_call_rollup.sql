-- The call log's hourly rollup (account, hour, outcome -> count), kept current by the writer in
-- each batch's transaction: the 7-day chart and `calls stats` read it, not the raw rows.
-- `account` is '' for calls with an unknown key.
CREATE TABLE call_hours (
    account TEXT NOT NULL,
    hour    BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    count   BIGINT NOT NULL,
    PRIMARY KEY (account, hour, outcome)
);
INSERT INTO call_hours (account, hour, outcome, count)
    SELECT COALESCE(account, ''), (at / 3600000) * 3600000, outcome, COUNT(*) FROM calls GROUP BY 1, 2, 3;

-- Every gateway adds what it served (keyed requests handed to its call log) and what it logged
-- beside what it dropped: once the queues are empty, served = logged + dropped over all of them.
ALTER TABLE call_log_counters ADD COLUMN served BIGINT NOT NULL DEFAULT 0;
ALTER TABLE call_log_counters ADD COLUMN logged BIGINT NOT NULL DEFAULT 0;
UPDATE call_log_counters SET logged = (SELECT COUNT(*) FROM calls), served = dropped + (SELECT COUNT(*) FROM calls);
