-- Every request looks up its session by the access token's hash. As a SQL function with its own
-- search_path (a SECURITY DEFINER function is never inlined) the query was planned again on every
-- call and the setting swapped in and out around it: about a third of a millisecond of the
-- database's time per request. In PL/pgSQL the plan is kept for the connection's life; the
-- tables are named with their schema instead (functions and operators resolve from pg_catalog
-- first, and no relation can be taken from pg_temp).
CREATE OR REPLACE FUNCTION plugs_session_by_access(p_hash BYTEA)
RETURNS TABLE (session_id UUID, user_id UUID, organization_id UUID, is_admin BOOLEAN, access_expires_at TIMESTAMP WITH TIME ZONE)
LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
BEGIN
    RETURN QUERY
    SELECT s.id, s.user_id, s.organization_id, COALESCE(u.is_admin, false), s.access_expires_at
    FROM public.auth_sessions s JOIN public.users u ON u.id = s.user_id
    WHERE s.access_hash = p_hash AND s.revoked_at IS NULL
      AND COALESCE(u.is_active, false) AND NOT COALESCE(u.is_deleted, false);
END
$$;
ALTER FUNCTION plugs_session_by_access(BYTEA) RESET ALL;

-- Login finds every account with an email, in any organization, without reading all users.
CREATE INDEX IF NOT EXISTS users_email_lower ON users (lower(email));
