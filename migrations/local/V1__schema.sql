-- The Plugs: the local SQLite copy of the central schema (seed schema.md), table for table.
--
-- Type mapping, decided once (PostgreSQL -> SQLite). Every table is STRICT, so a value of the wrong
-- storage class is refused just as PostgreSQL would refuse it.
--   UUID              TEXT, lowercase canonical form (36 chars), CHECKed. IDs are UUID v7, generated in
--                     Rust where the row is born, so offline devices never collide; there is no
--                     gen_random_uuid() default here.
--   TIMESTAMPTZ       TEXT in UTC with fixed microsecond precision: 2026-11-24T14:03:05.123456Z. The
--                     fixed width makes text order equal time order; a CHECK refuses any other shape and
--                     impossible dates (2026-02-30). Defaults are the same format.
--   DATE              TEXT 'YYYY-MM-DD', CHECKed to be a real calendar date.
--   JSONB             TEXT with CHECK (json_valid(...)) and the seed's '{}' / '[]' defaults.
--   DECIMAL(12,2)     INTEGER hundredths (12.34 is stored as 1234), range-checked to 12 digits. Exact:
--                     sums in SQL stay integers; Rust reads them as rust_decimal with scale 2.
--   BOOLEAN           INTEGER 0/1 with a CHECK.
--   INTEGER / BIGINT  INTEGER; INTEGER columns are CHECKed to the 32-bit range PostgreSQL has.
--   INET              TEXT; the store parses it as an IP address (v4/v6, optional /prefix) before
--                     writing, and a CHECK keeps out anything that is not address characters.
--   VARCHAR(n)        TEXT with CHECK (length(col) <= n) (characters, as in PostgreSQL).
-- Foreign keys (with ON DELETE CASCADE where the seed has it), UNIQUE constraints, CHECKs and partial
-- indexes (WHERE NOT is_deleted) are the seed's own. PRAGMA foreign_keys is switched on per connection
-- by the store.

-- 1. organizations
CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    name TEXT NOT NULL
        CHECK (length(name) <= 255),
    domain TEXT UNIQUE
        CHECK (length(domain) <= 255),
    subscription_plan TEXT DEFAULT 'free'
        CHECK (length(subscription_plan) <= 50),
    settings TEXT DEFAULT '{}'
        CHECK (json_valid(settings)),
    is_active INTEGER DEFAULT 1
        CHECK (is_active IN (0, 1)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19))
) STRICT;

CREATE INDEX idx_organizations_domain ON organizations(domain) WHERE NOT is_deleted;
CREATE INDEX idx_organizations_active ON organizations(is_active) WHERE NOT is_deleted;

-- 2. users
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    email TEXT NOT NULL
        CHECK (length(email) <= 255),
    password_hash TEXT NOT NULL
        CHECK (length(password_hash) <= 255),
    first_name TEXT NOT NULL
        CHECK (length(first_name) <= 50),
    last_name TEXT NOT NULL
        CHECK (length(last_name) <= 50),
    phone TEXT
        CHECK (length(phone) <= 20),
    bio TEXT,
    avatar_url TEXT
        CHECK (length(avatar_url) <= 500),
    job_title TEXT
        CHECK (length(job_title) <= 100),
    company TEXT
        CHECK (length(company) <= 100),
    linkedin_url TEXT
        CHECK (length(linkedin_url) <= 255),
    is_active INTEGER DEFAULT 1
        CHECK (is_active IN (0, 1)),
    is_verified INTEGER DEFAULT 0
        CHECK (is_verified IN (0, 1)),
    is_admin INTEGER DEFAULT 0
        CHECK (is_admin IN (0, 1)),
    verified_at TEXT
        CHECK (verified_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', verified_at, '+0 days') IS substr(verified_at, 1, 19)),
    last_login TEXT
        CHECK (last_login GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', last_login, '+0 days') IS substr(last_login, 1, 19)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19)),
    created_by TEXT REFERENCES users(id)
        CHECK (length(created_by) = 36 AND created_by GLOB '????????-????-????-????-????????????' AND created_by NOT GLOB '*[^0-9a-f-]*'),
    updated_by TEXT REFERENCES users(id)
        CHECK (length(updated_by) = 36 AND updated_by GLOB '????????-????-????-????-????????????' AND updated_by NOT GLOB '*[^0-9a-f-]*'),
    CONSTRAINT users_unique_email_per_org UNIQUE (organization_id, email)
) STRICT;

CREATE INDEX idx_users_organization ON users(organization_id) WHERE NOT is_deleted;
CREATE INDEX idx_users_email ON users(email) WHERE NOT is_deleted;
CREATE INDEX idx_users_active ON users(is_active, is_verified) WHERE NOT is_deleted;

-- 3. contacts
CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    created_by TEXT NOT NULL REFERENCES users(id)
        CHECK (length(created_by) = 36 AND created_by GLOB '????????-????-????-????-????????????' AND created_by NOT GLOB '*[^0-9a-f-]*'),
    first_name TEXT NOT NULL
        CHECK (length(first_name) <= 50),
    last_name TEXT NOT NULL
        CHECK (length(last_name) <= 50),
    email TEXT
        CHECK (length(email) <= 255),
    phone TEXT
        CHECK (length(phone) <= 20),
    company TEXT
        CHECK (length(company) <= 100),
    job_title TEXT
        CHECK (length(job_title) <= 100),
    linkedin_url TEXT
        CHECK (length(linkedin_url) <= 255),
    bio TEXT,
    avatar_url TEXT
        CHECK (length(avatar_url) <= 500),
    contact_type TEXT DEFAULT 'target'
        CHECK (contact_type IN ('target', 'contact', 'plug'))
        CHECK (length(contact_type) <= 20),
    status TEXT DEFAULT 'cold_lead'
        CHECK (status IN ('new_client', 'existing_client', 'hot_lead', 'cold_lead'))
        CHECK (length(status) <= 30),
    priority TEXT DEFAULT 'medium'
        CHECK (priority IN ('high', 'medium', 'low'))
        CHECK (length(priority) <= 10),
    business_type TEXT
        CHECK (length(business_type) <= 50),
    network_type TEXT
        CHECK (length(network_type) <= 50),
    industry TEXT
        CHECK (length(industry) <= 100),
    notes TEXT,
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    lead_score INTEGER DEFAULT 0
        CHECK (lead_score BETWEEN -2147483648 AND 2147483647)
        CHECK (lead_score >= 0 AND lead_score <= 100),
    last_interaction TEXT
        CHECK (last_interaction GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', last_interaction, '+0 days') IS substr(last_interaction, 1, 19)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19)),
    updated_by TEXT REFERENCES users(id)
        CHECK (length(updated_by) = 36 AND updated_by GLOB '????????-????-????-????-????????????' AND updated_by NOT GLOB '*[^0-9a-f-]*')
) STRICT;

CREATE INDEX idx_contacts_organization ON contacts(organization_id) WHERE NOT is_deleted;
CREATE INDEX idx_contacts_created_by ON contacts(created_by) WHERE NOT is_deleted;
CREATE INDEX idx_contacts_type_status ON contacts(contact_type, status) WHERE NOT is_deleted;
CREATE INDEX idx_contacts_email ON contacts(email) WHERE NOT is_deleted AND email IS NOT NULL;
CREATE INDEX idx_contacts_company ON contacts(company) WHERE NOT is_deleted AND company IS NOT NULL;
CREATE INDEX idx_contacts_lead_score ON contacts(lead_score DESC) WHERE NOT is_deleted;

-- 4. contact_interactions
CREATE TABLE contact_interactions (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE
        CHECK (length(contact_id) = 36 AND contact_id GLOB '????????-????-????-????-????????????' AND contact_id NOT GLOB '*[^0-9a-f-]*'),
    user_id TEXT NOT NULL REFERENCES users(id)
        CHECK (length(user_id) = 36 AND user_id GLOB '????????-????-????-????-????????????' AND user_id NOT GLOB '*[^0-9a-f-]*'),
    interaction_type TEXT NOT NULL
        CHECK (interaction_type IN ('meeting', 'call', 'email', 'linkedin', 'event', 'follow_up'))
        CHECK (length(interaction_type) <= 20),
    subject TEXT
        CHECK (length(subject) <= 255),
    description TEXT,
    outcome TEXT,
    interaction_date TEXT NOT NULL
        CHECK (interaction_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', interaction_date, '+0 days') IS substr(interaction_date, 1, 19)),
    status TEXT DEFAULT 'completed'
        CHECK (status IN ('completed', 'scheduled', 'cancelled'))
        CHECK (length(status) <= 20),
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19))
) STRICT;

CREATE INDEX idx_contact_interactions_contact ON contact_interactions(contact_id) WHERE NOT is_deleted;
CREATE INDEX idx_contact_interactions_user ON contact_interactions(user_id) WHERE NOT is_deleted;
CREATE INDEX idx_contact_interactions_date ON contact_interactions(interaction_date DESC) WHERE NOT is_deleted;
CREATE INDEX idx_contact_interactions_type ON contact_interactions(interaction_type) WHERE NOT is_deleted;

-- 5. events
CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    created_by TEXT NOT NULL REFERENCES users(id)
        CHECK (length(created_by) = 36 AND created_by GLOB '????????-????-????-????-????????????' AND created_by NOT GLOB '*[^0-9a-f-]*'),
    title TEXT NOT NULL
        CHECK (length(title) <= 255),
    description TEXT,
    event_type TEXT DEFAULT 'networking'
        CHECK (event_type IN ('conference', 'workshop', 'networking', 'meeting'))
        CHECK (length(event_type) <= 20),
    status TEXT DEFAULT 'draft'
        CHECK (status IN ('draft', 'published', 'ongoing', 'completed', 'cancelled'))
        CHECK (length(status) <= 20),
    start_date TEXT NOT NULL
        CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', start_date, '+0 days') IS substr(start_date, 1, 19)),
    end_date TEXT NOT NULL
        CHECK (end_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', end_date, '+0 days') IS substr(end_date, 1, 19)),
    timezone TEXT DEFAULT 'UTC'
        CHECK (length(timezone) <= 50),
    location TEXT
        CHECK (length(location) <= 255),
    venue TEXT
        CHECK (length(venue) <= 255),
    venue_details TEXT DEFAULT '{}'
        CHECK (json_valid(venue_details)),
    budget INTEGER DEFAULT 0
        CHECK (budget > -1000000000000 AND budget < 1000000000000),
    currency TEXT DEFAULT 'USD'
        CHECK (length(currency) <= 3),
    max_attendees INTEGER
        CHECK (max_attendees BETWEEN -2147483648 AND 2147483647),
    current_attendees INTEGER DEFAULT 0
        CHECK (current_attendees BETWEEN -2147483648 AND 2147483647),
    registration_url TEXT
        CHECK (length(registration_url) <= 500),
    settings TEXT DEFAULT '{}'
        CHECK (json_valid(settings)),
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19)),
    updated_by TEXT REFERENCES users(id)
        CHECK (length(updated_by) = 36 AND updated_by GLOB '????????-????-????-????-????????????' AND updated_by NOT GLOB '*[^0-9a-f-]*'),
    CONSTRAINT events_date_range CHECK (end_date > start_date),
    CONSTRAINT events_attendees_check CHECK (current_attendees >= 0 AND (max_attendees IS NULL OR current_attendees <= max_attendees))
) STRICT;

CREATE INDEX idx_events_organization ON events(organization_id) WHERE NOT is_deleted;
CREATE INDEX idx_events_created_by ON events(created_by) WHERE NOT is_deleted;
CREATE INDEX idx_events_status ON events(status) WHERE NOT is_deleted;
CREATE INDEX idx_events_date_range ON events(start_date, end_date) WHERE NOT is_deleted;
CREATE INDEX idx_events_type ON events(event_type) WHERE NOT is_deleted;

-- 6. event_attendees
CREATE TABLE event_attendees (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE
        CHECK (length(event_id) = 36 AND event_id GLOB '????????-????-????-????-????????????' AND event_id NOT GLOB '*[^0-9a-f-]*'),
    user_id TEXT NOT NULL REFERENCES users(id)
        CHECK (length(user_id) = 36 AND user_id GLOB '????????-????-????-????-????????????' AND user_id NOT GLOB '*[^0-9a-f-]*'),
    status TEXT DEFAULT 'registered'
        CHECK (status IN ('registered', 'confirmed', 'attended', 'no_show', 'cancelled'))
        CHECK (length(status) <= 20),
    registration_date TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (registration_date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', registration_date, '+0 days') IS substr(registration_date, 1, 19)),
    check_in_time TEXT
        CHECK (check_in_time GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', check_in_time, '+0 days') IS substr(check_in_time, 1, 19)),
    check_out_time TEXT
        CHECK (check_out_time GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', check_out_time, '+0 days') IS substr(check_out_time, 1, 19)),
    notes TEXT,
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19)),
    CONSTRAINT event_attendees_unique UNIQUE (event_id, user_id),
    CONSTRAINT event_attendees_checkin_checkout CHECK (check_out_time IS NULL OR check_in_time IS NOT NULL)
) STRICT;

CREATE INDEX idx_event_attendees_event ON event_attendees(event_id) WHERE NOT is_deleted;
CREATE INDEX idx_event_attendees_user ON event_attendees(user_id) WHERE NOT is_deleted;
CREATE INDEX idx_event_attendees_status ON event_attendees(status) WHERE NOT is_deleted;

-- 7. event_agenda_items
CREATE TABLE event_agenda_items (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE
        CHECK (length(event_id) = 36 AND event_id GLOB '????????-????-????-????-????????????' AND event_id NOT GLOB '*[^0-9a-f-]*'),
    created_by TEXT NOT NULL REFERENCES users(id)
        CHECK (length(created_by) = 36 AND created_by GLOB '????????-????-????-????-????????????' AND created_by NOT GLOB '*[^0-9a-f-]*'),
    title TEXT NOT NULL
        CHECK (length(title) <= 255),
    description TEXT,
    start_time TEXT NOT NULL
        CHECK (start_time GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', start_time, '+0 days') IS substr(start_time, 1, 19)),
    end_time TEXT NOT NULL
        CHECK (end_time GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', end_time, '+0 days') IS substr(end_time, 1, 19)),
    agenda_type TEXT DEFAULT 'presentation'
        CHECK (agenda_type IN ('presentation', 'break', 'networking', 'workshop'))
        CHECK (length(agenda_type) <= 20),
    location TEXT
        CHECK (length(location) <= 255),
    speaker_id TEXT REFERENCES users(id)
        CHECK (length(speaker_id) = 36 AND speaker_id GLOB '????????-????-????-????-????????????' AND speaker_id NOT GLOB '*[^0-9a-f-]*'),
    sort_order INTEGER DEFAULT 0
        CHECK (sort_order BETWEEN -2147483648 AND 2147483647),
    status TEXT DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'ongoing', 'completed', 'cancelled'))
        CHECK (length(status) <= 20),
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19)),
    CONSTRAINT agenda_time_range CHECK (end_time > start_time)
) STRICT;

CREATE INDEX idx_agenda_items_event ON event_agenda_items(event_id, sort_order) WHERE NOT is_deleted;
CREATE INDEX idx_agenda_items_speaker ON event_agenda_items(speaker_id) WHERE NOT is_deleted;
CREATE INDEX idx_agenda_items_time ON event_agenda_items(start_time) WHERE NOT is_deleted;

-- 8. expenses
CREATE TABLE expenses (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    created_by TEXT NOT NULL REFERENCES users(id)
        CHECK (length(created_by) = 36 AND created_by GLOB '????????-????-????-????-????????????' AND created_by NOT GLOB '*[^0-9a-f-]*'),
    event_id TEXT REFERENCES events(id)
        CHECK (length(event_id) = 36 AND event_id GLOB '????????-????-????-????-????????????' AND event_id NOT GLOB '*[^0-9a-f-]*'),
    title TEXT NOT NULL
        CHECK (length(title) <= 255),
    description TEXT,
    amount INTEGER NOT NULL
        CHECK (amount > -1000000000000 AND amount < 1000000000000)
        CHECK (amount >= 0),
    currency TEXT DEFAULT 'USD'
        CHECK (length(currency) <= 3),
    category TEXT
        CHECK (length(category) <= 50),
    expense_type TEXT DEFAULT 'other'
        CHECK (expense_type IN ('travel', 'accommodation', 'catering', 'venue', 'marketing', 'other'))
        CHECK (length(expense_type) <= 20),
    expense_date TEXT NOT NULL
        CHECK (date(expense_date, '+0 days') IS expense_date),
    status TEXT DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'paid'))
        CHECK (length(status) <= 20),
    receipt_url TEXT
        CHECK (length(receipt_url) <= 500),
    notes TEXT,
    approved_by TEXT REFERENCES users(id)
        CHECK (length(approved_by) = 36 AND approved_by GLOB '????????-????-????-????-????????????' AND approved_by NOT GLOB '*[^0-9a-f-]*'),
    approved_at TEXT
        CHECK (approved_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', approved_at, '+0 days') IS substr(approved_at, 1, 19)),
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19))
) STRICT;

CREATE INDEX idx_expenses_organization ON expenses(organization_id) WHERE NOT is_deleted;
CREATE INDEX idx_expenses_event ON expenses(event_id) WHERE NOT is_deleted;
CREATE INDEX idx_expenses_created_by ON expenses(created_by) WHERE NOT is_deleted;
CREATE INDEX idx_expenses_status ON expenses(status) WHERE NOT is_deleted;
CREATE INDEX idx_expenses_date ON expenses(expense_date DESC) WHERE NOT is_deleted;
CREATE INDEX idx_expenses_amount ON expenses(amount DESC) WHERE NOT is_deleted;

-- 9. media
CREATE TABLE media (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    uploaded_by TEXT NOT NULL REFERENCES users(id)
        CHECK (length(uploaded_by) = 36 AND uploaded_by GLOB '????????-????-????-????-????????????' AND uploaded_by NOT GLOB '*[^0-9a-f-]*'),
    title TEXT NOT NULL
        CHECK (length(title) <= 255),
    description TEXT,
    file_name TEXT NOT NULL
        CHECK (length(file_name) <= 255),
    file_path TEXT NOT NULL
        CHECK (length(file_path) <= 500),
    file_url TEXT
        CHECK (length(file_url) <= 500),
    media_type TEXT NOT NULL
        CHECK (media_type IN ('image', 'video', 'document', 'audio'))
        CHECK (length(media_type) <= 20),
    mime_type TEXT NOT NULL
        CHECK (length(mime_type) <= 100),
    file_size INTEGER NOT NULL
        CHECK (file_size > 0),
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    status TEXT DEFAULT 'processing'
        CHECK (status IN ('processing', 'ready', 'failed'))
        CHECK (length(status) <= 20),
    related_event TEXT REFERENCES events(id)
        CHECK (length(related_event) = 36 AND related_event GLOB '????????-????-????-????-????????????' AND related_event NOT GLOB '*[^0-9a-f-]*'),
    related_contact TEXT REFERENCES contacts(id)
        CHECK (length(related_contact) = 36 AND related_contact GLOB '????????-????-????-????-????????????' AND related_contact NOT GLOB '*[^0-9a-f-]*'),
    access_level TEXT DEFAULT 'organization'
        CHECK (access_level IN ('public', 'private', 'organization'))
        CHECK (length(access_level) <= 20),
    tags TEXT DEFAULT '[]'
        CHECK (json_valid(tags)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19))
) STRICT;

CREATE INDEX idx_media_organization ON media(organization_id) WHERE NOT is_deleted;
CREATE INDEX idx_media_uploaded_by ON media(uploaded_by) WHERE NOT is_deleted;
CREATE INDEX idx_media_type ON media(media_type) WHERE NOT is_deleted;
CREATE INDEX idx_media_related_event ON media(related_event) WHERE NOT is_deleted;
CREATE INDEX idx_media_related_contact ON media(related_contact) WHERE NOT is_deleted;
CREATE INDEX idx_media_access_level ON media(access_level) WHERE NOT is_deleted;

-- 10. media_collections
CREATE TABLE media_collections (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    created_by TEXT NOT NULL REFERENCES users(id)
        CHECK (length(created_by) = 36 AND created_by GLOB '????????-????-????-????-????????????' AND created_by NOT GLOB '*[^0-9a-f-]*'),
    name TEXT NOT NULL
        CHECK (length(name) <= 255),
    description TEXT,
    collection_type TEXT DEFAULT 'general'
        CHECK (collection_type IN ('event_photos', 'contact_media', 'general'))
        CHECK (length(collection_type) <= 20),
    settings TEXT DEFAULT '{}'
        CHECK (json_valid(settings)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19))
) STRICT;

CREATE INDEX idx_media_collections_organization ON media_collections(organization_id) WHERE NOT is_deleted;
CREATE INDEX idx_media_collections_created_by ON media_collections(created_by) WHERE NOT is_deleted;

-- 11. media_collection_items
CREATE TABLE media_collection_items (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    collection_id TEXT NOT NULL REFERENCES media_collections(id) ON DELETE CASCADE
        CHECK (length(collection_id) = 36 AND collection_id GLOB '????????-????-????-????-????????????' AND collection_id NOT GLOB '*[^0-9a-f-]*'),
    media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE
        CHECK (length(media_id) = 36 AND media_id GLOB '????????-????-????-????-????????????' AND media_id NOT GLOB '*[^0-9a-f-]*'),
    sort_order INTEGER DEFAULT 0
        CHECK (sort_order BETWEEN -2147483648 AND 2147483647),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    CONSTRAINT media_collection_items_unique UNIQUE (collection_id, media_id)
) STRICT;

CREATE INDEX idx_media_collection_items_collection ON media_collection_items(collection_id, sort_order);
CREATE INDEX idx_media_collection_items_media ON media_collection_items(media_id);

-- 12. notifications
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE
        CHECK (length(user_id) = 36 AND user_id GLOB '????????-????-????-????-????????????' AND user_id NOT GLOB '*[^0-9a-f-]*'),
    title TEXT NOT NULL
        CHECK (length(title) <= 255),
    message TEXT NOT NULL,
    notification_type TEXT DEFAULT 'info'
        CHECK (notification_type IN ('info', 'success', 'warning', 'error', 'reminder'))
        CHECK (length(notification_type) <= 20),
    channel TEXT DEFAULT 'in_app'
        CHECK (channel IN ('in_app', 'email', 'sms', 'push'))
        CHECK (length(channel) <= 20),
    data TEXT DEFAULT '{}'
        CHECK (json_valid(data)),
    is_read INTEGER DEFAULT 0
        CHECK (is_read IN (0, 1)),
    read_at TEXT
        CHECK (read_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', read_at, '+0 days') IS substr(read_at, 1, 19)),
    expires_at TEXT
        CHECK (expires_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', expires_at, '+0 days') IS substr(expires_at, 1, 19)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1))
) STRICT;

CREATE INDEX idx_notifications_user ON notifications(user_id, is_read) WHERE NOT is_deleted;
CREATE INDEX idx_notifications_created_at ON notifications(created_at DESC) WHERE NOT is_deleted;
CREATE INDEX idx_notifications_expires_at ON notifications(expires_at) WHERE NOT is_deleted AND expires_at IS NOT NULL;

-- 13. integrations
CREATE TABLE integrations (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    provider TEXT NOT NULL
        CHECK (provider IN ('hubspot', 'mailchimp', 'zoom', 'teams'))
        CHECK (length(provider) <= 50),
    integration_type TEXT NOT NULL
        CHECK (integration_type IN ('crm', 'email', 'video', 'calendar'))
        CHECK (length(integration_type) <= 20),
    credentials TEXT NOT NULL
        CHECK (json_valid(credentials)),
    settings TEXT DEFAULT '{}'
        CHECK (json_valid(settings)),
    is_active INTEGER DEFAULT 1
        CHECK (is_active IN (0, 1)),
    last_sync TEXT
        CHECK (last_sync GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', last_sync, '+0 days') IS substr(last_sync, 1, 19)),
    status TEXT DEFAULT 'disconnected'
        CHECK (status IN ('connected', 'disconnected', 'error'))
        CHECK (length(status) <= 20),
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19)),
    updated_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', updated_at, '+0 days') IS substr(updated_at, 1, 19)),
    is_deleted INTEGER DEFAULT 0
        CHECK (is_deleted IN (0, 1)),
    deleted_at TEXT
        CHECK (deleted_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', deleted_at, '+0 days') IS substr(deleted_at, 1, 19)),
    CONSTRAINT integrations_unique_provider UNIQUE (organization_id, provider)
) STRICT;

CREATE INDEX idx_integrations_organization ON integrations(organization_id) WHERE NOT is_deleted;
CREATE INDEX idx_integrations_provider ON integrations(provider) WHERE NOT is_deleted;
CREATE INDEX idx_integrations_status ON integrations(status) WHERE NOT is_deleted;

-- 14. integration_logs
CREATE TABLE integration_logs (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE
        CHECK (length(integration_id) = 36 AND integration_id GLOB '????????-????-????-????-????????????' AND integration_id NOT GLOB '*[^0-9a-f-]*'),
    operation TEXT NOT NULL
        CHECK (operation IN ('sync', 'export', 'import', 'webhook'))
        CHECK (length(operation) <= 20),
    status TEXT NOT NULL
        CHECK (status IN ('success', 'failed', 'partial'))
        CHECK (length(status) <= 20),
    message TEXT,
    request_data TEXT
        CHECK (json_valid(request_data)),
    response_data TEXT
        CHECK (json_valid(response_data)),
    started_at TEXT NOT NULL
        CHECK (started_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', started_at, '+0 days') IS substr(started_at, 1, 19)),
    completed_at TEXT
        CHECK (completed_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', completed_at, '+0 days') IS substr(completed_at, 1, 19)),
    records_processed INTEGER DEFAULT 0
        CHECK (records_processed BETWEEN -2147483648 AND 2147483647),
    records_failed INTEGER DEFAULT 0
        CHECK (records_failed BETWEEN -2147483648 AND 2147483647),
    error_details TEXT
        CHECK (json_valid(error_details)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19))
) STRICT;

CREATE INDEX idx_integration_logs_integration ON integration_logs(integration_id, started_at DESC);
CREATE INDEX idx_integration_logs_status ON integration_logs(status, started_at DESC);
CREATE INDEX idx_integration_logs_operation ON integration_logs(operation, started_at DESC);

-- 15. analytics_events
CREATE TABLE analytics_events (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT REFERENCES organizations(id)
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    user_id TEXT REFERENCES users(id)
        CHECK (length(user_id) = 36 AND user_id GLOB '????????-????-????-????-????????????' AND user_id NOT GLOB '*[^0-9a-f-]*'),
    event_name TEXT NOT NULL
        CHECK (length(event_name) <= 100),
    event_category TEXT NOT NULL
        CHECK (length(event_category) <= 50),
    properties TEXT DEFAULT '{}'
        CHECK (json_valid(properties)),
    session_id TEXT
        CHECK (length(session_id) <= 100),
    ip_address TEXT
        CHECK (length(ip_address) BETWEEN 2 AND 49 AND ip_address NOT GLOB '*[^0-9A-Fa-f:./]*'),
    user_agent TEXT,
    event_timestamp TEXT NOT NULL
        CHECK (event_timestamp GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', event_timestamp, '+0 days') IS substr(event_timestamp, 1, 19)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19))
) STRICT;

CREATE INDEX idx_analytics_events_organization ON analytics_events(organization_id, event_timestamp DESC);
CREATE INDEX idx_analytics_events_user ON analytics_events(user_id, event_timestamp DESC);
CREATE INDEX idx_analytics_events_name ON analytics_events(event_name, event_timestamp DESC);
CREATE INDEX idx_analytics_events_category ON analytics_events(event_category, event_timestamp DESC);

-- 16. audit_logs
CREATE TABLE audit_logs (
    id TEXT PRIMARY KEY NOT NULL
        CHECK (length(id) = 36 AND id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    organization_id TEXT NOT NULL REFERENCES organizations(id)
        CHECK (length(organization_id) = 36 AND organization_id GLOB '????????-????-????-????-????????????' AND organization_id NOT GLOB '*[^0-9a-f-]*'),
    user_id TEXT REFERENCES users(id)
        CHECK (length(user_id) = 36 AND user_id GLOB '????????-????-????-????-????????????' AND user_id NOT GLOB '*[^0-9a-f-]*'),
    table_name TEXT NOT NULL
        CHECK (length(table_name) <= 100),
    record_id TEXT NOT NULL
        CHECK (length(record_id) = 36 AND record_id GLOB '????????-????-????-????-????????????' AND record_id NOT GLOB '*[^0-9a-f-]*'),
    action TEXT NOT NULL
        CHECK (action IN ('create', 'update', 'delete', 'restore'))
        CHECK (length(action) <= 20),
    old_values TEXT
        CHECK (json_valid(old_values)),
    new_values TEXT
        CHECK (json_valid(new_values)),
    metadata TEXT DEFAULT '{}'
        CHECK (json_valid(metadata)),
    created_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))
        CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' AND strftime('%Y-%m-%dT%H:%M:%S', created_at, '+0 days') IS substr(created_at, 1, 19))
) STRICT;

CREATE INDEX idx_audit_logs_organization ON audit_logs(organization_id, created_at DESC);
CREATE INDEX idx_audit_logs_user ON audit_logs(user_id, created_at DESC);
CREATE INDEX idx_audit_logs_table_record ON audit_logs(table_name, record_id, created_at DESC);
CREATE INDEX idx_audit_logs_action ON audit_logs(action, created_at DESC);

-- Views --------------------------------------------------------------------------------------------

-- Contact performance, as in the seed.
CREATE VIEW contact_performance_summary AS
SELECT
    c.organization_id,
    c.contact_type,
    c.status,
    COUNT(*) AS total_contacts,
    AVG(c.lead_score) AS avg_lead_score,
    COUNT(ci.id) AS total_interactions,
    MAX(ci.interaction_date) AS last_interaction_date
FROM contacts c
LEFT JOIN contact_interactions ci ON c.id = ci.contact_id AND NOT ci.is_deleted
WHERE NOT c.is_deleted
GROUP BY c.organization_id, c.contact_type, c.status;

-- Event analytics, as in the seed. Amounts are integer hundredths here; expense_count (an extra last
-- column) lets the typed query compute the exact average instead of SQLite's floating AVG.
CREATE VIEW event_analytics AS
SELECT
    e.organization_id,
    e.event_type,
    e.status,
    COUNT(*) AS event_count,
    AVG(e.current_attendees) AS avg_attendees,
    SUM(exp.amount) AS total_expenses,
    AVG(exp.amount) AS avg_expense_per_event,
    COUNT(exp.id) AS expense_count
FROM events e
LEFT JOIN expenses exp ON e.id = exp.event_id AND NOT exp.is_deleted
WHERE NOT e.is_deleted
GROUP BY e.organization_id, e.event_type, e.status;
