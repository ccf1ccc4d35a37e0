-- 0019: when an alert last escalated, so consecutive escalation steps are
-- at least one delay apart. Without it an alert already old when
-- escalation first saw it (an upgrade, a scheduler that was down) went
-- through every step in three passes and paged everyone at once.
ALTER TABLE alerts ADD COLUMN escalated_at TEXT;
