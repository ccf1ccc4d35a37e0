-- The scheduler check (kind 'scheduler', target 'self'): opsdeck raises it
-- on itself when its check scheduler's worker pool is saturated (issue 24).
-- It watches opsdeck, not a service or device, so the "service or device"
-- rule is widened in place as 0007 and 0016 did (only rows refused before
-- become allowed); the index below, one scheduler check per database, bumps
-- the schema cookie so connections re-read it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'OR (kind = ''backup'' AND target = ''self'') OR kind = ''finding'')',
       'OR (kind = ''backup'' AND target = ''self'') OR kind = ''finding'' OR (kind = ''scheduler'' AND target = ''self''))')
 WHERE type = 'table' AND name = 'checks';
PRAGMA writable_schema = RESET;
CREATE UNIQUE INDEX checks_scheduler_source ON checks(kind) WHERE kind = 'scheduler';
