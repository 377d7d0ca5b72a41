-- Audit rows pulled from the server are never pushed back (they are the server's already). Most
-- pages skip them by moving the pushed mark past the page; when this device's own audit rows are
-- still waiting to be pushed, the pulled ones in between are named here until the mark passes them.
CREATE TABLE sync_audit_pulled (
    id TEXT PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;

-- Stores that pushed pulled audit rows back kept the server's refusal of each (another user's row:
-- forbidden) as a rejection, forever. Those echoes go; the rows themselves stay.
DELETE FROM sync_rejections WHERE table_name = 'audit_logs' AND json_extract(reason, '$.code') = 'forbidden';
