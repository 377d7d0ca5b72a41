-- Reminders fired on this device (not synced): each (source, kind, due time) fires once here,
-- however often the app restarts or the row comes back by sync. A snooze re-arms it.
CREATE TABLE reminder_log (
    source_table TEXT NOT NULL,
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_at TEXT NOT NULL,
    fired_at TEXT NOT NULL,
    late INTEGER NOT NULL CHECK (late IN (0, 1)),
    snoozed_until TEXT,
    PRIMARY KEY (source_table, source_id, kind, due_at)
) STRICT;
