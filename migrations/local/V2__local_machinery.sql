-- Local-only machinery: none of these tables exist on the server.

-- Full-text search over contacts. External content (the text lives once, in contacts), kept current by
-- triggers so every write path, whatever its origin, updates the index in the same transaction.
-- contacts has no INTEGER PRIMARY KEY, so its rowid could change on VACUUM: Store::vacuum rebuilds
-- this index afterwards, and nothing else in the store runs VACUUM.
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    first_name, last_name, email, company, job_title, industry, notes,
    content = 'contacts',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

CREATE TRIGGER contacts_fts_after_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, first_name, last_name, email, company, job_title, industry, notes)
    VALUES (new.rowid, new.first_name, new.last_name, new.email, new.company, new.job_title, new.industry, new.notes);
END;

CREATE TRIGGER contacts_fts_after_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, first_name, last_name, email, company, job_title, industry, notes)
    VALUES ('delete', old.rowid, old.first_name, old.last_name, old.email, old.company, old.job_title, old.industry, old.notes);
END;

CREATE TRIGGER contacts_fts_after_update
AFTER UPDATE OF first_name, last_name, email, company, job_title, industry, notes ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, first_name, last_name, email, company, job_title, industry, notes)
    VALUES ('delete', old.rowid, old.first_name, old.last_name, old.email, old.company, old.job_title, old.industry, old.notes);
    INSERT INTO contacts_fts (rowid, first_name, last_name, email, company, job_title, industry, notes)
    VALUES (new.rowid, new.first_name, new.last_name, new.email, new.company, new.job_title, new.industry, new.notes);
END;

-- Change capture for sync: one row per write, in the write's own transaction. `fields` names the
-- columns the write changed, so the server can merge edits to different fields of one row.
-- op 'upsert' carries the row's current state (a soft delete or restore is an upsert of is_deleted);
-- op 'delete' is a hard delete (only media_collection_items, which has no tombstone column).
CREATE TABLE sync_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id TEXT NOT NULL UNIQUE,
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    fields TEXT NOT NULL CHECK (json_valid(fields)),
    changed_at TEXT NOT NULL
) STRICT;

CREATE INDEX idx_sync_outbox_record ON sync_outbox (table_name, record_id);

-- Device-local settings: this device's id, the signed-in local user and organization.
CREATE TABLE local_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
