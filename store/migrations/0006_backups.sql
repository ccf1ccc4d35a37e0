-- 0006: backups. backup_runs records opsdeck's own database backups (each
-- file, how it was verified, when it was last proven to restore);
-- backup_jobs are the company's backups (a command opsdeck runs on a cron
-- schedule, or an external job that reports like a heartbeat), and
-- backup_job_runs their runs, reports and restore tests.

CREATE TABLE backup_runs (
    id                  INTEGER PRIMARY KEY,
    file                TEXT NOT NULL,
    reason              TEXT NOT NULL DEFAULT 'manual' CHECK (reason IN ('manual','scheduled','pre-migration','pre-restore')),
    status              TEXT NOT NULL CHECK (status IN ('ok','failed')),
    started_at          TEXT NOT NULL,
    finished_at         TEXT NOT NULL,
    size_bytes          INTEGER NOT NULL DEFAULT 0,
    duration_ms         INTEGER NOT NULL DEFAULT 0,
    pages               INTEGER NOT NULL DEFAULT 0,
    verified            INTEGER NOT NULL DEFAULT 0,
    integrity           TEXT NOT NULL DEFAULT '',
    row_counts          TEXT NOT NULL DEFAULT '{}',
    sha256              TEXT NOT NULL DEFAULT '',
    restore_tested_at   TEXT,
    restore_test_ok     INTEGER,
    restore_test_error  TEXT NOT NULL DEFAULT '',
    pruned_at           TEXT,
    error               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_runs_started ON backup_runs(started_at);

CREATE TABLE backup_jobs (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL COLLATE NOCASE UNIQUE,
    service_id             INTEGER NOT NULL REFERENCES services(id),
    kind                   TEXT NOT NULL CHECK (kind IN ('command','heartbeat')),
    command                TEXT NOT NULL DEFAULT '',
    schedule               TEXT NOT NULL DEFAULT '',
    heartbeat_period_s     INTEGER NOT NULL DEFAULT 0,
    timeout_s              INTEGER NOT NULL DEFAULT 3600,
    restore_test_max_age_s INTEGER NOT NULL DEFAULT 2592000,
    status                 TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','paused','retired')),
    notes                  TEXT NOT NULL DEFAULT '',
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    CHECK ((kind = 'command' AND command <> '' AND schedule <> '') OR (kind = 'heartbeat' AND heartbeat_period_s > 0))
);
CREATE INDEX backup_jobs_service ON backup_jobs(service_id);

CREATE TABLE backup_job_runs (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES backup_jobs(id),
    kind        TEXT NOT NULL DEFAULT 'backup' CHECK (kind IN ('backup','restore_test')),
    source      TEXT NOT NULL CHECK (source IN ('scheduled','manual','report')),
    status      TEXT NOT NULL CHECK (status IN ('running','ok','failed')),
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    exit_code   INTEGER,
    size_bytes  INTEGER,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    output      TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_job_runs_job ON backup_job_runs(job_id, kind, started_at);
