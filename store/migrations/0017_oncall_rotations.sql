-- 0017: on-call for a team. Rotations hand the pager from member to member
-- at a wall-clock time in their own zone; the oncall table's shifts become
-- overrides that cover a window of a rotation and give it back when they
-- end (nothing is cut or deleted any more); escalation delays per service
-- criticality; alerts remember how far they escalated; handovers keep each
-- finished shift's summary.
CREATE TABLE oncall_rotations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    rank       INTEGER NOT NULL,          -- 1 primary, 2 secondary, ...
    every_days INTEGER NOT NULL CHECK (every_days >= 1),
    handoff    TEXT NOT NULL,             -- "Mon 09:00" or "09:00"
    tz         TEXT NOT NULL,             -- IANA zone the handoff is read in
    anchor     TEXT NOT NULL,             -- the first handoff (UTC instant)
    turn_offset INTEGER NOT NULL DEFAULT 0, -- whose turn the first shift is
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Members in turn order. A removed member keeps their row (past shifts stay
-- theirs); from removed_at their turns go to the next member.
CREATE TABLE oncall_members (
    id          INTEGER PRIMARY KEY,
    rotation_id INTEGER NOT NULL REFERENCES oncall_rotations(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    position    INTEGER NOT NULL,
    shadow      INTEGER NOT NULL DEFAULT 0,
    joined_at   TEXT NOT NULL,
    removed_at  TEXT,
    removed_why TEXT NOT NULL DEFAULT '',
    UNIQUE (rotation_id, position)
);
CREATE INDEX oncall_members_person ON oncall_members(person_id);

-- A shift set by hand is now an override of a rotation (NULL: of the
-- primary, or the whole on-call when there is no rotation).
ALTER TABLE oncall ADD COLUMN rotation_id INTEGER REFERENCES oncall_rotations(id) ON DELETE CASCADE;
ALTER TABLE oncall ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE oncall ADD COLUMN cancelled_at TEXT;

-- Minutes an unacknowledged alert waits before each escalation step, per
-- service criticality; missing rows take the model's defaults.
CREATE TABLE oncall_escalation (
    criticality TEXT PRIMARY KEY,
    after_s     INTEGER NOT NULL CHECK (after_s > 0)
);

ALTER TABLE alerts ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0;

-- One row per finished shift: the summary the outgoing person was sent.
CREATE TABLE oncall_handovers (
    id          INTEGER PRIMARY KEY,
    rotation_id INTEGER NOT NULL REFERENCES oncall_rotations(id) ON DELETE CASCADE,
    person_id   INTEGER REFERENCES people(id),
    shift_start TEXT NOT NULL,
    shift_end   TEXT NOT NULL,
    summary     TEXT NOT NULL,            -- JSON model.Handover
    delivered   TEXT NOT NULL DEFAULT '', -- what the notification path said
    created_at  TEXT NOT NULL,
    UNIQUE (rotation_id, shift_end)
);
