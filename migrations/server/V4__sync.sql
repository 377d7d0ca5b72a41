-- Sync bookkeeping (server-only; see docs/sync.md).
--
-- sync_org_state.last_seq is each organization's change counter. Every write that clients must see
-- takes the next value while holding that row's lock until it commits, so sequence order is commit
-- order within an organization: a client that has seen seq N has seen everything up to N.
CREATE TABLE sync_org_state (
    organization_id UUID PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    last_seq BIGINT NOT NULL DEFAULT 0,
    -- The highest seq whose row was purged (tombstone past retention). Cursors below it resync.
    purged_through_seq BIGINT NOT NULL DEFAULT 0
);

-- The latest change of every row: its seq, whether it is gone, and who last wrote each field.
CREATE TABLE sync_rows (
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    record_id UUID NOT NULL,
    seq BIGINT NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT false,
    -- {"field": {"at": "<time>", "device": "<uuid>"}}
    field_versions JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (organization_id, table_name, record_id)
);
CREATE UNIQUE INDEX idx_sync_rows_seq ON sync_rows (organization_id, seq);

-- Results of applied mutations, so a retried push applies nothing twice.
CREATE TABLE sync_mutations (
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    mutation_id UUID NOT NULL,
    result JSONB NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    PRIMARY KEY (organization_id, mutation_id)
);

ALTER TABLE sync_org_state ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_org_state USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE sync_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_rows USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE sync_mutations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_mutations USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());

-- Removes tombstones older than the retention, in every organization, and raises each
-- organization's purge horizon so that devices whose cursor predates it resync in full.
CREATE FUNCTION plugs_purge_tombstones(p_retention INTERVAL) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t TEXT;
    n BIGINT := 0;
    k BIGINT;
BEGIN
    -- Children before parents. Users are never purged (audit rows and authorship refer to them);
    -- append-only logs and collection items have no tombstones.
    FOREACH t IN ARRAY ARRAY['notifications', 'integrations', 'expenses', 'event_agenda_items', 'event_attendees',
                              'contact_interactions', 'media', 'media_collections', 'events', 'contacts'] LOOP
        IF t = 'notifications' THEN
            EXECUTE 'DELETE FROM notifications WHERE is_deleted AND updated_at < NOW() - $1' USING p_retention;
        ELSIF t = 'events' THEN
            -- Kept while live expenses or media still point at them (no cascade there).
            DELETE FROM events e WHERE e.is_deleted AND e.deleted_at < NOW() - p_retention
                AND NOT EXISTS (SELECT 1 FROM expenses x WHERE x.event_id = e.id)
                AND NOT EXISTS (SELECT 1 FROM media m WHERE m.related_event = e.id);
        ELSIF t = 'contacts' THEN
            DELETE FROM contacts c WHERE c.is_deleted AND c.deleted_at < NOW() - p_retention
                AND NOT EXISTS (SELECT 1 FROM media m WHERE m.related_contact = c.id);
        ELSE
            EXECUTE format('DELETE FROM %I WHERE is_deleted AND deleted_at < NOW() - $1', t) USING p_retention;
        END IF;
        GET DIAGNOSTICS k = ROW_COUNT;
        n := n + k;
    END LOOP;
    -- Rows gone (purged, or cascaded from a purged parent) leave the sync log and raise the horizon.
    WITH gone AS (
        DELETE FROM sync_rows sr
        WHERE NOT sr.removed AND sr.table_name <> 'organizations' AND NOT EXISTS (
            SELECT 1 FROM (
                SELECT id FROM contacts WHERE sr.table_name = 'contacts' AND id = sr.record_id
                UNION ALL SELECT id FROM contact_interactions WHERE sr.table_name = 'contact_interactions' AND id = sr.record_id
                UNION ALL SELECT id FROM events WHERE sr.table_name = 'events' AND id = sr.record_id
                UNION ALL SELECT id FROM event_attendees WHERE sr.table_name = 'event_attendees' AND id = sr.record_id
                UNION ALL SELECT id FROM event_agenda_items WHERE sr.table_name = 'event_agenda_items' AND id = sr.record_id
                UNION ALL SELECT id FROM expenses WHERE sr.table_name = 'expenses' AND id = sr.record_id
                UNION ALL SELECT id FROM media WHERE sr.table_name = 'media' AND id = sr.record_id
                UNION ALL SELECT id FROM media_collections WHERE sr.table_name = 'media_collections' AND id = sr.record_id
                UNION ALL SELECT id FROM media_collection_items WHERE sr.table_name = 'media_collection_items' AND id = sr.record_id
                UNION ALL SELECT id FROM notifications WHERE sr.table_name = 'notifications' AND id = sr.record_id
                UNION ALL SELECT id FROM integrations WHERE sr.table_name = 'integrations' AND id = sr.record_id
                UNION ALL SELECT id FROM integration_logs WHERE sr.table_name = 'integration_logs' AND id = sr.record_id
                UNION ALL SELECT id FROM analytics_events WHERE sr.table_name = 'analytics_events' AND id = sr.record_id
                UNION ALL SELECT id FROM audit_logs WHERE sr.table_name = 'audit_logs' AND id = sr.record_id
                UNION ALL SELECT id FROM users WHERE sr.table_name = 'users' AND id = sr.record_id
            ) present
        )
        RETURNING sr.organization_id, sr.seq
    ), horizon AS (
        SELECT organization_id, MAX(seq) AS seq FROM gone GROUP BY organization_id
    )
    UPDATE sync_org_state s SET purged_through_seq = GREATEST(s.purged_through_seq, h.seq)
    FROM horizon h WHERE s.organization_id = h.organization_id;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION plugs_purge_tombstones(INTERVAL) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plugs_purge_tombstones(INTERVAL) TO plugs_app;

-- Organizations registered before sync existed get their counter.
INSERT INTO sync_org_state (organization_id) SELECT id FROM organizations ON CONFLICT DO NOTHING;
