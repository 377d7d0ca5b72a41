-- Contact search ranks by BM25 with names weighing most, then email, company, job title, industry,
-- notes. Set as the table's rank so `ORDER BY rank` can use FTS5's own top-N path.
INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('rank', 'bm25(10.0, 10.0, 6.0, 4.0, 2.0, 1.5, 1.0)');
