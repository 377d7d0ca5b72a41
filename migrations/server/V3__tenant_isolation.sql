-- Tenant isolation, the second wall. The API server connects as plugs_app, a role that does not
-- bypass row-level security, and sets `plugs.org_id` at the start of every transaction; every
-- table with an organization_id only shows and accepts that organization's rows. A query that
-- forgets its organization filter still sees nothing of another tenant. Without the setting, the
-- policies see no rows at all.
--
-- Migrations run as the schema owner, who is not subject to these policies (the tables are not
-- FORCEd), and so do the few SECURITY DEFINER functions that must look across tenants before an
-- organization is known: finding login candidates by email and resolving a token to its session.

-- Roles are shared by every database of the cluster: create it once, and tolerate a concurrent
-- migration of another database creating it at the same moment.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plugs_app') THEN
        CREATE ROLE plugs_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

CREATE FUNCTION plugs_current_org() RETURNS UUID
LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('plugs.org_id', true), '')::uuid $$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations USING (id = plugs_current_org()) WITH CHECK (id = plugs_current_org());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contacts USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE contact_interactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_interactions USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE event_attendees ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_attendees USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE event_agenda_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_agenda_items USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE expenses ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON expenses USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE media ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE media_collections ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media_collections USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE integrations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integrations USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE integration_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON integration_logs USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE analytics_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_events USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_logs USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());
ALTER TABLE auth_sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auth_sessions USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());

-- media_collection_items has no organization_id: it belongs to its collection's organization.
ALTER TABLE media_collection_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media_collection_items
    USING (EXISTS (SELECT 1 FROM media_collections mc WHERE mc.id = collection_id))
    WITH CHECK (EXISTS (SELECT 1 FROM media_collections mc WHERE mc.id = collection_id));

-- The views run with the caller's rights, so the policies above apply through them too.
ALTER VIEW contact_performance_summary SET (security_invoker = true);
ALTER VIEW event_analytics SET (security_invoker = true);

-- Login: every account with this email, in any organization (the password decides which).
CREATE FUNCTION plugs_login_candidates(p_email TEXT)
RETURNS TABLE (user_id UUID, organization_id UUID, password_hash TEXT, is_active BOOLEAN, is_verified BOOLEAN, is_deleted BOOLEAN, org_active BOOLEAN)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.organization_id, u.password_hash, COALESCE(u.is_active, false), COALESCE(u.is_verified, false),
           COALESCE(u.is_deleted, false), COALESCE(o.is_active, false) AND NOT COALESCE(o.is_deleted, false)
    FROM users u JOIN organizations o ON o.id = u.organization_id
    WHERE lower(u.email) = lower(p_email)
$$;

-- A live access token's session, only while its user may still sign in.
CREATE FUNCTION plugs_session_by_access(p_hash BYTEA)
RETURNS TABLE (session_id UUID, user_id UUID, organization_id UUID, is_admin BOOLEAN, access_expires_at TIMESTAMP WITH TIME ZONE)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.user_id, s.organization_id, COALESCE(u.is_admin, false), s.access_expires_at
    FROM auth_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.access_hash = p_hash AND s.revoked_at IS NULL
      AND COALESCE(u.is_active, false) AND NOT COALESCE(u.is_deleted, false)
$$;

-- The session a refresh token belongs to, now or before its last rotation (a reused old token).
CREATE FUNCTION plugs_session_by_refresh(p_hash BYTEA)
RETURNS TABLE (session_id UUID, user_id UUID, organization_id UUID, refresh_expires_at TIMESTAMP WITH TIME ZONE, revoked BOOLEAN, reused BOOLEAN)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.user_id, s.organization_id, s.refresh_expires_at, s.revoked_at IS NOT NULL, s.refresh_hash <> p_hash
    FROM auth_sessions s
    WHERE s.refresh_hash = p_hash OR s.previous_refresh_hash = p_hash
$$;

REVOKE ALL ON FUNCTION plugs_login_candidates(TEXT), plugs_session_by_access(BYTEA), plugs_session_by_refresh(BYTEA) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plugs_login_candidates(TEXT), plugs_session_by_access(BYTEA), plugs_session_by_refresh(BYTEA), plugs_current_org() TO plugs_app;

GRANT USAGE ON SCHEMA public TO plugs_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO plugs_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO plugs_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO plugs_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO plugs_app;

-- The migration history is the owner's alone.
REVOKE INSERT, UPDATE, DELETE ON refinery_schema_history FROM plugs_app;
