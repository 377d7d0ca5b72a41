-- Capture's "already in your contacts?" looks contacts up as the person types: by email whatever its
-- case, and by the last nine digits of their phone (separators, the `+` and an extension aside; the
-- expression is `matching::PHONE_TAIL_SQL`, which the lookups repeat word for word). An event's
-- leads are the contacts of the `event` interactions naming it in their metadata.
CREATE INDEX IF NOT EXISTS idx_contacts_email_nocase ON contacts (email COLLATE NOCASE) WHERE NOT is_deleted AND email IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_contacts_phone_tail ON contacts (substr(replace(replace(replace(replace(replace(replace(replace(CASE WHEN instr(phone, 'x') > 0 THEN substr(phone, 1, instr(phone, 'x') - 1) ELSE phone END, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', ''), -9)) WHERE NOT is_deleted AND phone IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_contact_interactions_event ON contact_interactions (json_extract(metadata, '$.event_id')) WHERE NOT is_deleted AND interaction_type = 'event';
