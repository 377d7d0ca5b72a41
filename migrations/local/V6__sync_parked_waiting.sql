-- A parked row names the parent it waits for (waiting_table/waiting_id), so a page retries only the
-- rows whose parent has arrived; waiting_table = '' marks a row that collided with a local row not yet
-- settled.
--
-- This change was first made by editing V4 after it had shipped. V4 is back to its released text, and
-- stores made with either text of V4 arrive here: the table is rebuilt, whatever columns it has. Rows
-- parked before carry no parent name ('' here), so they are retried after the next push settles,
-- when each one is applied or parked again with the parent it waits for. Nothing parked is lost.
CREATE TABLE sync_parked_v6 (
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    row TEXT NOT NULL CHECK (json_valid(row)),
    waiting_table TEXT NOT NULL,
    waiting_id TEXT NOT NULL,
    PRIMARY KEY (table_name, record_id)
) STRICT;
INSERT INTO sync_parked_v6 (table_name, record_id, seq, row, waiting_table, waiting_id)
    SELECT table_name, record_id, seq, row, '', '' FROM sync_parked;
DROP TABLE sync_parked;
ALTER TABLE sync_parked_v6 RENAME TO sync_parked;
CREATE INDEX idx_sync_parked_waiting ON sync_parked (waiting_table, waiting_id);
