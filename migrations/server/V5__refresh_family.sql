-- Every refresh token a session has used (its family), so that a token from any earlier rotation is
-- recognised when it comes back, not only the last one. The newest rotation also keeps the pair it
-- issued, sealed with a key derived from the used token (only its holder can open it), for a short
-- grace: the same token presented again within seconds (a lost answer, two syncs of one device at
-- the same moment) gets the same pair instead of ending the session.
CREATE TABLE auth_refresh_used (
    refresh_hash BYTEA PRIMARY KEY,
    session_id UUID NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    rotated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    sealed_pair BYTEA
);
CREATE INDEX idx_auth_refresh_used_session ON auth_refresh_used(session_id);

ALTER TABLE auth_refresh_used ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auth_refresh_used USING (organization_id = plugs_current_org()) WITH CHECK (organization_id = plugs_current_org());

-- Tokens rotated before this migration join their family.
INSERT INTO auth_refresh_used (refresh_hash, session_id, organization_id, rotated_at)
    SELECT previous_refresh_hash, id, organization_id, COALESCE(last_refreshed_at, created_at)
    FROM auth_sessions WHERE previous_refresh_hash IS NOT NULL
    ON CONFLICT DO NOTHING;

-- The session a refresh token belongs to: as its current token, or as one it used before (with when,
-- and the sealed pair of the newest rotation). Looked up before the organization is known.
CREATE FUNCTION plugs_refresh_lookup(p_hash BYTEA)
RETURNS TABLE (session_id UUID, user_id UUID, organization_id UUID, refresh_expires_at TIMESTAMP WITH TIME ZONE, revoked BOOLEAN,
               current BOOLEAN, rotated_at TIMESTAMP WITH TIME ZONE, sealed_pair BYTEA)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.user_id, s.organization_id, s.refresh_expires_at, s.revoked_at IS NOT NULL, true, NULL::timestamptz, NULL::bytea
    FROM auth_sessions s WHERE s.refresh_hash = p_hash
    UNION ALL
    SELECT s.id, s.user_id, s.organization_id, s.refresh_expires_at, s.revoked_at IS NOT NULL, false, u.rotated_at, u.sealed_pair
    FROM auth_refresh_used u JOIN auth_sessions s ON s.id = u.session_id WHERE u.refresh_hash = p_hash
$$;
REVOKE ALL ON FUNCTION plugs_refresh_lookup(BYTEA) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plugs_refresh_lookup(BYTEA) TO plugs_app;
