-- Which files' bytes are on this device (media/{sha256}), how large, when last used, and whether
-- they were added here (kept until the server has them). The cache's size limit removes the least
-- recently used downloads first.
CREATE TABLE IF NOT EXISTS media_files (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size INTEGER NOT NULL,
    last_used TEXT NOT NULL,
    added_here INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idx_media_files_used ON media_files (last_used);
CREATE INDEX IF NOT EXISTS media_content_sha256 ON media (json_extract(metadata, '$.sha256'));
