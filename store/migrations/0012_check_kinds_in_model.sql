-- 0012: the list of check kinds lives in one place, model/checkkinds.go,
-- which validates every check before it is written. The same list as a
-- CHECK constraint on the checks table meant a new kind also needed a
-- migration, so the constraint is removed in place, the way 0007 widened
-- it (https://sqlite.org/lang_altertable.html#otheralter): removing a
-- CHECK changes nothing on disk and no row can violate its absence.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       ' CHECK (kind IN (''http'',''tcp'',''dns'',''tls'',''exec'',''heartbeat'',''backup'',''access''))', '')
 WHERE type = 'table' AND name = 'checks';
PRAGMA writable_schema = RESET;

-- Creating and dropping an index bumps the schema cookie, so every open
-- connection re-reads the table's definition.
CREATE INDEX checks_kind_0012 ON checks(kind);
DROP INDEX checks_kind_0012;
