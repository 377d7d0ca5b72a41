-- The bytes of files live in the blob store (a folder or S3), one copy per organization and
-- content (SHA-256). This table says which are complete there, and how large, for the quota and
-- for garbage collection; the media rows name their content in metadata.sha256 (and a thumbnail's
-- in metadata.thumbnail.sha256).
CREATE TABLE IF NOT EXISTS media_blobs (
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size BIGINT NOT NULL CHECK (size >= 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (organization_id, sha256)
);
ALTER TABLE media_blobs ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON media_blobs;
CREATE POLICY tenant_isolation ON media_blobs USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
GRANT SELECT, INSERT, UPDATE, DELETE ON media_blobs TO plugs_app;

CREATE INDEX IF NOT EXISTS media_content_sha256 ON media (organization_id, (metadata->>'sha256'));
CREATE INDEX IF NOT EXISTS media_thumbnail_sha256 ON media (organization_id, (metadata->'thumbnail'->>'sha256'));

-- Blobs no media row names any more (live or tombstone: a tombstone keeps its bytes until the purge
-- removes it after the retention), recorded longer ago than p_grace.
CREATE OR REPLACE FUNCTION plugs_unreferenced_blobs(p_grace INTERVAL) RETURNS TABLE (organization_id UUID, sha256 TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT b.organization_id, b.sha256 FROM media_blobs b
    WHERE b.created_at < NOW() - p_grace
      AND NOT EXISTS (SELECT 1 FROM media m WHERE m.organization_id = b.organization_id
                      AND (m.metadata->>'sha256' = b.sha256 OR m.metadata->'thumbnail'->>'sha256' = b.sha256))
$$;
REVOKE ALL ON FUNCTION plugs_unreferenced_blobs(INTERVAL) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plugs_unreferenced_blobs(INTERVAL) TO plugs_app;
