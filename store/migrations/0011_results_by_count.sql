-- Raw results are kept per check by count (the last N plus every state
-- change), not by days (issue 24). A result that changed the check's
-- status is marked when it is written; the partial index finds a check's
-- state changes without reading its other results.
ALTER TABLE check_results ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;

-- Results written before this migration: mark each check's first result
-- and every result whose status differs from the one before it.
UPDATE check_results SET changed = 1
FROM (SELECT check_id AS cid, at_ms AS at, status AS st,
             lag(status) OVER (PARTITION BY check_id ORDER BY at_ms) AS prev
      FROM check_results) AS x
WHERE x.cid = check_results.check_id AND x.at = check_results.at_ms
  AND (x.prev IS NULL OR x.prev <> x.st);

CREATE INDEX check_results_changes ON check_results(check_id, at_ms) WHERE changed = 1;
