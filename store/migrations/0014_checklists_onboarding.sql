-- 0014: generic checklists (onboarding, access reviews, monthly reviews
-- share them; the kind decides the steps and what "done" changes), role
-- profiles for onboarding, per-service provisioning and deprovisioning
-- procedures, and people who have not started yet ("joining").
-- Nothing here is deleted: steps change state, notes are appended.

CREATE TABLE checklists (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,            -- ops.ChecklistKind name: onboarding, access_review...
    title         TEXT NOT NULL,
    subject_kind  TEXT NOT NULL DEFAULT '', -- person, service, month...
    subject_id    INTEGER,
    subject_name  TEXT NOT NULL DEFAULT '',
    params        TEXT NOT NULL DEFAULT '{}', -- JSON: the kind's start inputs
    due           TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','completed')),
    started_at    TEXT NOT NULL,
    started_by    TEXT NOT NULL,
    completed_at  TEXT,
    completed_by  TEXT NOT NULL DEFAULT '',
    forced        INTEGER NOT NULL DEFAULT 0,
    force_reason  TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX checklists_kind ON checklists(kind, status);
CREATE INDEX checklists_subject ON checklists(subject_kind, subject_id);

CREATE TABLE checklist_steps (
    id            INTEGER PRIMARY KEY,
    checklist_id  INTEGER NOT NULL REFERENCES checklists(id),
    n             INTEGER NOT NULL,          -- 1-based position shown to the user
    kind          TEXT NOT NULL,             -- the checklist kind's step kind: account, laptop, template...
    ref_kind      TEXT NOT NULL DEFAULT '',  -- what ref_id points at: service, device, account, person...
    ref_id        INTEGER,
    title         TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    procedure     TEXT NOT NULL DEFAULT '',  -- how to do it (a service's procedure, a template's text)
    link          TEXT NOT NULL DEFAULT '',  -- runbook or ticket link
    warn          TEXT NOT NULL DEFAULT '',
    input         TEXT NOT NULL DEFAULT '',  -- the value marking it done asks for (username, asset tag)
    default_value TEXT NOT NULL DEFAULT '',
    value         TEXT NOT NULL DEFAULT '',  -- the value given when it was done
    due           TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','done','skipped','blocked')),
    reason        TEXT NOT NULL DEFAULT '',
    effect        TEXT NOT NULL DEFAULT '',  -- what marking it done changed in the inventory
    undo_data     TEXT NOT NULL DEFAULT '',  -- the kind's data to put that change back
    by            TEXT NOT NULL DEFAULT '',
    at            TEXT,
    UNIQUE (checklist_id, n)
);

CREATE TABLE checklist_notes (
    id       INTEGER PRIMARY KEY,
    step_id  INTEGER NOT NULL REFERENCES checklist_steps(id),
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    text     TEXT NOT NULL
);
CREATE INDEX checklist_notes_step ON checklist_notes(step_id);

-- Role profiles: what a new hire in a role gets. tools is a JSON object
-- (tool → version range) for the laptop's toolchain, empty to use the
-- company baseline; steps a JSON array of {title, detail}. A profile may
-- extend another: it gets the parent's services, tools and steps, and
-- its own win.
CREATE TABLE role_profiles (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL COLLATE NOCASE UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    extends_id   INTEGER REFERENCES role_profiles(id),
    device_kind  TEXT NOT NULL DEFAULT '',
    tools        TEXT NOT NULL DEFAULT '{}',
    steps        TEXT NOT NULL DEFAULT '[]',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE profile_services (
    profile_id   INTEGER NOT NULL REFERENCES role_profiles(id),
    service_id   INTEGER NOT NULL REFERENCES services(id),
    entitlement  TEXT NOT NULL,
    PRIMARY KEY (profile_id, service_id)
);

-- How to give a user access to a service and how to take it away.
CREATE TABLE service_procedures (
    service_id   INTEGER NOT NULL REFERENCES services(id),
    direction    TEXT NOT NULL CHECK (direction IN ('provision','deprovision')),
    text         TEXT NOT NULL DEFAULT '',
    link         TEXT NOT NULL DEFAULT '',
    command      TEXT NOT NULL DEFAULT '',  -- a template: {{.Username}}, {{.Email}}, {{.Entitlement}}
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (service_id, direction)
);

-- A person with a future start date is joining: not active, so no SSH
-- access. The status list is widened in place, the way 0012 narrowed the
-- checks table (https://sqlite.org/lang_altertable.html#otheralter): a
-- wider CHECK changes nothing on disk and every row satisfies it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (status IN (''active'',''leaving'',''departed''))',
                          'CHECK (status IN (''joining'',''active'',''leaving'',''departed''))')
 WHERE type = 'table' AND name = 'people';
PRAGMA writable_schema = RESET;
CREATE INDEX people_status_0014 ON people(status);
DROP INDEX people_status_0014;
