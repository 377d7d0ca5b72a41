-- Tags on contacts are kept in `metadata.tags` (a sorted array of words, see plugs_domain::tags);
-- this table indexes them so a tag filter reads a few index pages instead of every row's JSON. It
-- is the device's own (never synced), kept by triggers, and filled here from the rows already held.
CREATE TABLE IF NOT EXISTS contact_tags (
    tag TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (tag, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS contact_tags_by_contact ON contact_tags (contact_id);

CREATE TRIGGER IF NOT EXISTS contacts_tags_after_insert AFTER INSERT ON contacts
WHEN json_type(NEW.metadata, '$.tags') = 'array'
BEGIN
    INSERT OR IGNORE INTO contact_tags (tag, contact_id)
        SELECT value, NEW.id FROM json_each(NEW.metadata, '$.tags') WHERE type = 'text';
END;

CREATE TRIGGER IF NOT EXISTS contacts_tags_after_update AFTER UPDATE OF metadata ON contacts
WHEN json_extract(OLD.metadata, '$.tags') IS NOT json_extract(NEW.metadata, '$.tags')
BEGIN
    DELETE FROM contact_tags WHERE contact_id = OLD.id;
    INSERT OR IGNORE INTO contact_tags (tag, contact_id)
        SELECT value, NEW.id FROM json_each(NEW.metadata, '$.tags') WHERE type = 'text' AND json_type(NEW.metadata, '$.tags') = 'array';
END;

INSERT OR IGNORE INTO contact_tags (tag, contact_id)
    SELECT j.value, c.id FROM contacts c, json_each(c.metadata, '$.tags') j
    WHERE json_type(c.metadata, '$.tags') = 'array' AND j.type = 'text';

-- Contacts with a keep-in-touch cadence of their own (`metadata.keep_in_touch`, see touch.rs): the
-- losing-touch list reads these and the tagged ones, never every contact.
CREATE INDEX IF NOT EXISTS contacts_keep_in_touch ON contacts (organization_id)
    WHERE json_extract(metadata, '$.keep_in_touch.every') IS NOT NULL AND NOT is_deleted;
