-- 0007: checks that watch opsdeck's own records, so backups and leftover
-- access raise alerts through the same engine as probes:
--   backup  target "self" or "job:NAME" (opsdeck's own backups have no service)
--   access  target a leaver's email, service_id the service they still reach
--
-- The kind list and the "service or device" rule are CHECK constraints of
-- the checks table. Rebuilding that table inside this migration's
-- transaction (foreign keys on) would cascade-delete every check's state
-- and silences and detach its alerts, so the constraint text is widened in
-- place, the procedure SQLite documents for loosening CHECK constraints
-- (https://sqlite.org/lang_altertable.html#otheralter): only values that
-- were refused before become allowed, so no existing row can violate it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(replace(sql,
       '''exec'',''heartbeat'')', '''exec'',''heartbeat'',''backup'',''access'')'),
       'CHECK (service_id IS NOT NULL OR device_id IS NOT NULL)',
       'CHECK (service_id IS NOT NULL OR device_id IS NOT NULL OR (kind = ''backup'' AND target = ''self''))')
 WHERE type = 'table' AND name = 'checks';
PRAGMA writable_schema = RESET;

-- One check per source: the sync that creates them is idempotent because
-- of this index, not because of timing. Creating it also bumps the schema
-- cookie, so every open connection re-reads the widened constraints.
CREATE UNIQUE INDEX checks_source ON checks(kind, target COLLATE NOCASE, coalesce(service_id, 0))
    WHERE kind IN ('backup', 'access');
