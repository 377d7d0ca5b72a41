-- Tags on contacts are kept in `metadata.tags` (a sorted array of words, see plugs_domain::tags);
-- this table indexes the tags of live contacts, with their organization, so a tag filter and its
-- count read a few index pages instead of every row's JSON. It is the device's own (never synced),
-- kept by triggers, and filled here from the rows already held. The triggers never count on
-- INSERT OR IGNORE: the upsert of a pulled row overrides a trigger's conflict clause, so they insert
-- only what is not there yet.
CREATE TABLE IF NOT EXISTS contact_tags (
    tag TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    PRIMARY KEY (tag, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS contact_tags_by_contact ON contact_tags (contact_id);

CREATE TRIGGER IF NOT EXISTS contacts_tags_after_insert AFTER INSERT ON contacts
WHEN json_type(NEW.metadata, '$.tags') = 'array' AND NOT NEW.is_deleted
BEGIN
    INSERT INTO contact_tags (tag, contact_id, organization_id)
        SELECT DISTINCT value, NEW.id, NEW.organization_id FROM json_each(NEW.metadata, '$.tags')
        WHERE type = 'text' AND NOT EXISTS (SELECT 1 FROM contact_tags x WHERE x.tag = value AND x.contact_id = NEW.id);
END;

CREATE TRIGGER IF NOT EXISTS contacts_tags_after_update AFTER UPDATE OF metadata, is_deleted, organization_id ON contacts
WHEN json_extract(OLD.metadata, '$.tags') IS NOT json_extract(NEW.metadata, '$.tags') OR OLD.is_deleted IS NOT NEW.is_deleted
  OR OLD.organization_id IS NOT NEW.organization_id
BEGIN
    DELETE FROM contact_tags WHERE contact_id = OLD.id;
    INSERT INTO contact_tags (tag, contact_id, organization_id)
        SELECT DISTINCT value, NEW.id, NEW.organization_id FROM json_each(NEW.metadata, '$.tags')
        WHERE type = 'text' AND json_type(NEW.metadata, '$.tags') = 'array' AND NOT NEW.is_deleted;
END;

INSERT OR IGNORE INTO contact_tags (tag, contact_id, organization_id)
    SELECT j.value, c.id, c.organization_id FROM contacts c, json_each(c.metadata, '$.tags') j
    WHERE json_type(c.metadata, '$.tags') = 'array' AND j.type = 'text' AND NOT c.is_deleted;

-- Keep in touch (see touch.rs): each contact's next touch, worked out by the store from its cadence
-- (its own, or its tags' default), its last interaction and its snooze, kept here so the
-- losing-touch list reads an index instead of every row. Writes that can move a next touch mark
-- the contact in `contact_touch_dirty` (by trigger, whichever path wrote it: the app, an import,
-- a pull); the store works those out before it reads. The device's own, never synced.
CREATE TABLE IF NOT EXISTS contact_touch (
    contact_id TEXT PRIMARY KEY NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    every INTEGER NOT NULL,
    unit TEXT NOT NULL,
    from_tag TEXT,
    last_touch TEXT NOT NULL,
    next_touch TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS contact_touch_next ON contact_touch (next_touch, contact_id);
CREATE TABLE IF NOT EXISTS contact_touch_dirty (contact_id TEXT PRIMARY KEY NOT NULL) STRICT, WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS contacts_touch_after_insert AFTER INSERT ON contacts
WHEN json_type(NEW.metadata, '$.keep_in_touch') IS NOT NULL OR json_type(NEW.metadata, '$.tags') IS NOT NULL
BEGIN
    INSERT INTO contact_touch_dirty (contact_id) SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM contact_touch_dirty WHERE contact_id = NEW.id);
END;

CREATE TRIGGER IF NOT EXISTS contacts_touch_after_update AFTER UPDATE OF metadata, last_interaction, created_at, is_deleted ON contacts
WHEN json_type(NEW.metadata, '$.keep_in_touch') IS NOT NULL OR json_type(NEW.metadata, '$.tags') IS NOT NULL
  OR json_type(OLD.metadata, '$.keep_in_touch') IS NOT NULL OR json_type(OLD.metadata, '$.tags') IS NOT NULL
BEGIN
    INSERT INTO contact_touch_dirty (contact_id) SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM contact_touch_dirty WHERE contact_id = NEW.id);
END;

INSERT OR IGNORE INTO contact_touch_dirty (contact_id)
    SELECT id FROM contacts WHERE json_type(metadata, '$.keep_in_touch') IS NOT NULL OR json_type(metadata, '$.tags') IS NOT NULL;

-- Lists by name: the first page of 100k contacts read from an index rather than sorted whole.
CREATE INDEX IF NOT EXISTS contacts_by_last_name ON contacts (organization_id, last_name, first_name, id) WHERE NOT is_deleted;
CREATE INDEX IF NOT EXISTS contacts_by_first_name ON contacts (organization_id, first_name, last_name, id) WHERE NOT is_deleted;
