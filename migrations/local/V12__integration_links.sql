-- Which provider record each local row is, and the provider's properties as they were when last
-- sent or received: a run sends only what changed since, and tells an edit made on both sides
-- from one made on one side. Kept on the device that runs the integration (it holds the
-- credential); never synced.
CREATE TABLE IF NOT EXISTS integration_links (
    integration_id TEXT NOT NULL,
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    synced TEXT NOT NULL,
    PRIMARY KEY (integration_id, table_name, record_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS integration_links_remote ON integration_links (integration_id, table_name, remote_id);
