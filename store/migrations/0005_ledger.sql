-- 0005: the unplanned-work ledger.
--
-- A work entry is one piece of work: planned or unplanned (exactly one), a
-- category, a note, optional links (requester, device, service, alert) and the
-- actor whose time it is. Its time is the union of its segments: a plain entry
-- has one; an entry paused by an interruption and resumed later has several.
-- status: running (one open segment), paused (no open segment, not finished),
-- stopped (finished; ended_at set). An actor has at most one running entry.

CREATE TABLE ledger_categories (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    position   INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
);

INSERT INTO ledger_categories(name, position, created_at) VALUES
    ('laptop support',      10, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('access request',      20, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('production incident', 30, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('deployment',          40, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('onboarding',          50, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('offboarding',         60, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('project',             70, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('meeting',             80, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('other',               90, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TABLE work_entries (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('planned', 'unplanned')),
    category      TEXT NOT NULL REFERENCES ledger_categories(name),
    note          TEXT NOT NULL DEFAULT '',
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    status        TEXT NOT NULL CHECK (status IN ('running', 'paused', 'stopped')),
    person_id     INTEGER REFERENCES people(id),
    device_id     INTEGER REFERENCES devices(id),
    service_id    INTEGER REFERENCES services(id),
    alert_id      INTEGER,  -- alerts live in another migration; no FK on purpose
    interrupts_id INTEGER REFERENCES work_entries(id), -- the entry this one paused; resumed when this one stops
    actor         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((status = 'stopped') = (ended_at IS NOT NULL)),
    CHECK (ended_at IS NULL OR ended_at >= started_at),
    CHECK (interrupts_id IS NULL OR interrupts_id <> id)
);
CREATE INDEX work_entries_started ON work_entries(started_at);
CREATE INDEX work_entries_open ON work_entries(actor, status) WHERE status <> 'stopped';
CREATE UNIQUE INDEX work_entries_one_running ON work_entries(actor) WHERE status = 'running';
CREATE INDEX work_entries_alert ON work_entries(alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX work_entries_device ON work_entries(device_id) WHERE device_id IS NOT NULL;
CREATE INDEX work_entries_service ON work_entries(service_id) WHERE service_id IS NOT NULL;
CREATE INDEX work_entries_person ON work_entries(person_id) WHERE person_id IS NOT NULL;

CREATE TABLE work_segments (
    entry_id   INTEGER NOT NULL REFERENCES work_entries(id),
    started_at TEXT NOT NULL,
    ended_at   TEXT,  -- NULL while the entry runs
    PRIMARY KEY (entry_id, started_at),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX work_segments_one_open ON work_segments(entry_id) WHERE ended_at IS NULL;
CREATE INDEX work_segments_started ON work_segments(started_at);
