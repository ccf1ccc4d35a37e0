-- 0004: offboarding checklists generated from what a leaver holds, the
-- company-wide template steps, and shared secrets with who knows them.
-- Nothing here is deleted: steps change state, holders get a removed_at.

CREATE TABLE offboardings (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    successor_id  INTEGER REFERENCES people(id),
    last_day      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','completed')),
    prior_status  TEXT NOT NULL,            -- the person's status when it started
    started_at    TEXT NOT NULL,
    started_by    TEXT NOT NULL,
    completed_at  TEXT,
    completed_by  TEXT NOT NULL DEFAULT '',
    forced        INTEGER NOT NULL DEFAULT 0,
    force_reason  TEXT NOT NULL DEFAULT ''
);
-- At most one open offboarding per person.
CREATE UNIQUE INDEX offboardings_one_open ON offboardings(person_id) WHERE status = 'open';

CREATE TABLE offboarding_steps (
    id              INTEGER PRIMARY KEY,
    offboarding_id  INTEGER NOT NULL REFERENCES offboardings(id),
    n               INTEGER NOT NULL,       -- 1-based position shown to the user
    kind            TEXT NOT NULL CHECK (kind IN ('account','device','secret','service','template')),
    ref_id          INTEGER,                -- the account/device/secret/service/template it acts on
    title           TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    bus_factor_one  INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','done','skipped','blocked')),
    reason          TEXT NOT NULL DEFAULT '',
    effect          TEXT NOT NULL DEFAULT '', -- what marking it done changed in the inventory
    undo_data       TEXT NOT NULL DEFAULT '', -- JSON: the values undo puts back
    by              TEXT NOT NULL DEFAULT '',
    at              TEXT,
    UNIQUE (offboarding_id, n)
);

-- Notes and evidence (ticket links) on a step; appended, never edited.
CREATE TABLE offboarding_notes (
    id       INTEGER PRIMARY KEY,
    step_id  INTEGER NOT NULL REFERENCES offboarding_steps(id),
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    text     TEXT NOT NULL
);
CREATE INDEX offboarding_notes_step ON offboarding_notes(step_id);

CREATE TABLE offboarding_templates (
    id        INTEGER PRIMARY KEY,
    position  INTEGER NOT NULL,
    title     TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT '',
    active    INTEGER NOT NULL DEFAULT 1
);
INSERT INTO offboarding_templates(position, title, detail) VALUES
    (1, 'Collect badge and office keys', 'Deactivate the door badge in the access system'),
    (2, 'Set up email forwarding', 'Forward mail to the successor or manager for 90 days'),
    (3, 'Send payroll notice', 'Tell payroll the last day so the final pay and benefits end'),
    (4, 'Remove from on-call rotations', 'Take them off every on-call schedule and escalation path'),
    (5, 'Transfer shared documents', 'Move their drive and wiki pages to the successor');

CREATE TABLE secrets (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL COLLATE NOCASE UNIQUE,
    location         TEXT NOT NULL DEFAULT '',  -- where it is kept (vault, safe...), never the value
    service_id       INTEGER REFERENCES services(id),
    rotation_days    INTEGER NOT NULL DEFAULT 0 CHECK (rotation_days >= 0),
    last_rotated_at  TEXT,
    last_rotated_by  TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE secret_holders (
    secret_id   INTEGER NOT NULL REFERENCES secrets(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    added_at    TEXT NOT NULL,
    removed_at  TEXT,                          -- set when they no longer know the current value
    PRIMARY KEY (secret_id, person_id)
);
CREATE INDEX secret_holders_person ON secret_holders(person_id);
