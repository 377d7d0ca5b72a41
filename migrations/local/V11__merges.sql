-- Contact merges made on this device, with what undo needs (see merge.rs): the kept contact's
-- values as they were, the merged contacts' metadata, and which interactions and files moved.
-- The device's own, never synced (the merge's writes sync like any edit).
CREATE TABLE IF NOT EXISTS contact_merges (
    id TEXT PRIMARY KEY NOT NULL,
    keep TEXT NOT NULL,
    journal TEXT NOT NULL CHECK (json_valid(journal)),
    merged_at TEXT NOT NULL,
    undone_at TEXT
) STRICT;
