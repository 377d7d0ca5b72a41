-- The purge keeps what it removes in the sync log, as removal markers (see the function). Before, a
-- purged row's entry left the log and raised the organization's horizon: devices behind it resynced,
-- but devices that had already pulled the tombstone never learned that the row, and the live
-- children the purge removed with it by cascade, were gone; and a device's late edit of a purged row
-- brought it back. The horizon stays for cursors older than purges made by that earlier version.
CREATE OR REPLACE FUNCTION plugs_purge_tombstones(p_retention INTERVAL) RETURNS BIGINT
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
    -- Rows gone (purged, or removed with a purged parent by cascade) stay in the sync log as removal
    -- markers with fresh sequence numbers: every device learns of them by its next pull, however
    -- long it was away, and drops them (and their children) too. A marker stays: a device's late
    -- edit of the row is refused by it, never brings the row back.
    WITH gone AS (
        SELECT sr.organization_id, sr.table_name, sr.record_id,
               row_number() OVER (PARTITION BY sr.organization_id ORDER BY sr.seq) AS pos,
               count(*) OVER (PARTITION BY sr.organization_id) AS total
        FROM sync_rows sr
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
    ), bumped AS (
        UPDATE sync_org_state s SET last_seq = s.last_seq + g.total
        FROM (SELECT DISTINCT organization_id, total FROM gone) g
        WHERE s.organization_id = g.organization_id
        RETURNING s.organization_id, s.last_seq - g.total AS base
    )
    UPDATE sync_rows sr SET removed = true, seq = b.base + g.pos, field_versions = '{}'
    FROM gone g JOIN bumped b ON b.organization_id = g.organization_id
    WHERE sr.organization_id = g.organization_id AND sr.table_name = g.table_name AND sr.record_id = g.record_id;
    RETURN n;
END
$$;
