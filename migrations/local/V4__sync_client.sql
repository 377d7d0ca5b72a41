-- The device side of sync (see docs/sync.md).

-- Pulled rows whose parent row has not arrived yet: applied as soon as it does.
CREATE TABLE sync_parked (
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    row TEXT NOT NULL CHECK (json_valid(row)),
    PRIMARY KEY (table_name, record_id)
) STRICT;

-- Changes the server refused, with the row as it was here and the reason, so nothing typed is lost
-- and the app can show what to fix.
CREATE TABLE sync_rejections (
    mutation_id TEXT PRIMARY KEY NOT NULL,
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    row TEXT CHECK (json_valid(row)),
    reason TEXT NOT NULL CHECK (json_valid(reason)),
    rejected_at TEXT NOT NULL
) STRICT;

-- Rows seen during a full resync; what is not seen (and not pending here) is gone from the server.
CREATE TABLE sync_resync_seen (
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (table_name, record_id)
) STRICT, WITHOUT ROWID;
