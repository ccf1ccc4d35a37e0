-- 0021 (#21): on-call rotations in the checks file.
-- oncall_rotations.managed: created (or adopted) by `opsdeck apply`; the
-- file is its source, so an edit elsewhere warns that the next apply puts
-- the file's rotation back.
ALTER TABLE oncall_rotations ADD COLUMN managed INTEGER NOT NULL DEFAULT 0;
-- oncall_rotations.retired_at: `apply --prune` retires a managed rotation
-- the file no longer has. It pages nobody from then on but keeps its row,
-- members and handovers (history is never deleted); a file that names it
-- again brings it back.
ALTER TABLE oncall_rotations ADD COLUMN retired_at TEXT;
