-- 0003: checks, their results and rollups, alerts and their timeline,
-- silences, on-call, notification channels and queue, the scheduler lease.

CREATE TABLE checks (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL COLLATE NOCASE UNIQUE,
    kind              TEXT NOT NULL CHECK (kind IN ('http','tcp','dns','tls','exec','heartbeat')),
    service_id        INTEGER REFERENCES services(id),
    device_id         INTEGER REFERENCES devices(id),
    target            TEXT NOT NULL DEFAULT '',
    method            TEXT NOT NULL DEFAULT '',
    headers           TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL DEFAULT '',
    record_type       TEXT NOT NULL DEFAULT '',
    resolver          TEXT NOT NULL DEFAULT '',
    expect            TEXT NOT NULL DEFAULT '',
    condition         TEXT NOT NULL DEFAULT '',
    interval_s        INTEGER NOT NULL,
    timeout_s         INTEGER NOT NULL,
    grace_s           INTEGER NOT NULL DEFAULT 0,
    fail_threshold    INTEGER NOT NULL DEFAULT 3,
    success_threshold INTEGER NOT NULL DEFAULT 2,
    tls_skip_verify   INTEGER NOT NULL DEFAULT 0,
    paused            INTEGER NOT NULL DEFAULT 0,
    ping_token        TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK (service_id IS NOT NULL OR device_id IS NOT NULL)
);
CREATE INDEX checks_service ON checks(service_id);
CREATE INDEX checks_device ON checks(device_id);
CREATE UNIQUE INDEX checks_ping_token ON checks(ping_token) WHERE ping_token <> '';

-- The latest state of every check: one row, updated with each result, so
-- "is it up?" and "when does it run next?" never scan history.
CREATE TABLE check_state (
    check_id      INTEGER PRIMARY KEY REFERENCES checks(id) ON DELETE CASCADE,
    status        TEXT NOT NULL DEFAULT 'pending',
    consec_ok     INTEGER NOT NULL DEFAULT 0,
    consec_fail   INTEGER NOT NULL DEFAULT 0,
    history       TEXT NOT NULL DEFAULT '',
    flapping      INTEGER NOT NULL DEFAULT 0,
    last_run_at   TEXT,
    last_ok_at    TEXT,
    last_fail_at  TEXT,
    latency_ms    REAL NOT NULL DEFAULT 0,
    message       TEXT NOT NULL DEFAULT '',
    next_run_at   TEXT NOT NULL,
    last_ping_at  TEXT,
    last_ping_bad INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX check_state_next ON check_state(next_run_at);

-- Raw results, kept a few days. Compact on purpose (5,000 checks a minute is
-- 7 million rows a day): times are Unix milliseconds, status a small code
-- (0 up, 1 warn, 2 down, 3 error), latency whole tenths of a millisecond,
-- and the message is stored only when it says something (failures, exec).
CREATE TABLE check_results (
    check_id   INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL,
    status     INTEGER NOT NULL,
    latency    INTEGER NOT NULL,
    message    TEXT,
    PRIMARY KEY (check_id, at_ms)
) WITHOUT ROWID;

-- Rollups: one row per check and hour (kept weeks) or day (kept a year+).
CREATE TABLE check_rollups_hourly (
    check_id   INTEGER NOT NULL,
    bucket     INTEGER NOT NULL, -- Unix seconds at the start of the hour
    n          INTEGER NOT NULL,
    ok         INTEGER NOT NULL,
    p50_ms     REAL NOT NULL,
    p95_ms     REAL NOT NULL,
    max_ms     REAL NOT NULL,
    PRIMARY KEY (check_id, bucket)
) WITHOUT ROWID;
CREATE TABLE check_rollups_daily (
    check_id   INTEGER NOT NULL,
    bucket     INTEGER NOT NULL, -- Unix seconds at the start of the UTC day
    n          INTEGER NOT NULL,
    ok         INTEGER NOT NULL,
    p50_ms     REAL NOT NULL,
    p95_ms     REAL NOT NULL,
    max_ms     REAL NOT NULL,
    PRIMARY KEY (check_id, bucket)
) WITHOUT ROWID;

CREATE TABLE silences (
    id         INTEGER PRIMARY KEY,
    check_id   INTEGER REFERENCES checks(id) ON DELETE CASCADE,
    service_id INTEGER REFERENCES services(id),
    device_id  INTEGER REFERENCES devices(id),
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expired_at TEXT
);
CREATE INDEX silences_ends ON silences(ends_at);

CREATE TABLE alerts (
    id                  INTEGER PRIMARY KEY,
    check_id            INTEGER REFERENCES checks(id) ON DELETE SET NULL,
    check_name          TEXT NOT NULL,
    service_id          INTEGER REFERENCES services(id),
    device_id           INTEGER REFERENCES devices(id),
    state               TEXT NOT NULL CHECK (state IN ('firing','acknowledged','resolved')),
    severity            TEXT NOT NULL DEFAULT 'critical',
    summary             TEXT NOT NULL DEFAULT '',
    flapping            INTEGER NOT NULL DEFAULT 0,
    caused_by_device_id INTEGER REFERENCES devices(id),
    caused_by_alert_id  INTEGER REFERENCES alerts(id),
    silence_id          INTEGER REFERENCES silences(id) ON DELETE SET NULL,
    opened_at           TEXT NOT NULL,
    acked_at            TEXT,
    acked_by            TEXT NOT NULL DEFAULT '',
    ack_reason          TEXT NOT NULL DEFAULT '',
    snoozed_until       TEXT,
    snooze_reason       TEXT NOT NULL DEFAULT '',
    resolved_at         TEXT,
    resolved_by         TEXT NOT NULL DEFAULT '',
    resolve_note        TEXT NOT NULL DEFAULT '',
    last_notified_at    TEXT,
    notify_count        INTEGER NOT NULL DEFAULT 0
);
-- At most one open alert per check.
CREATE UNIQUE INDEX alerts_open_check ON alerts(check_id) WHERE state <> 'resolved';
CREATE INDEX alerts_state ON alerts(state, opened_at);
CREATE INDEX alerts_check ON alerts(check_id, opened_at);

CREATE TABLE alert_events (
    id       INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,
    actor    TEXT NOT NULL,
    message  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_events_alert ON alert_events(alert_id, id);

CREATE TABLE oncall (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    set_by     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX oncall_window ON oncall(starts_at, ends_at);

-- Where notifications go: per service (service_id set) or global (NULL).
CREATE TABLE notification_channels (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('webhook','slack','ntfy','email')),
    url        TEXT NOT NULL DEFAULT '',   -- webhook/slack/ntfy endpoint
    smtp_addr  TEXT NOT NULL DEFAULT '',   -- email: host:port
    smtp_from  TEXT NOT NULL DEFAULT '',
    smtp_user  TEXT NOT NULL DEFAULT '',
    smtp_pass  TEXT NOT NULL DEFAULT '',
    smtp_tls   TEXT NOT NULL DEFAULT 'opportunistic' CHECK (smtp_tls IN ('none','opportunistic','required')),
    extra_to   TEXT NOT NULL DEFAULT '',   -- email: addresses beyond owner and on-call
    service_id INTEGER REFERENCES services(id),
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Outgoing notifications, delivered off the check path with retries.
CREATE TABLE notification_queue (
    id          INTEGER PRIMARY KEY,
    alert_id    INTEGER NOT NULL REFERENCES alerts(id),
    channel_id  INTEGER NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,            -- fired, repeat, flapping, resolved, test
    recipients  TEXT NOT NULL DEFAULT '', -- comma-separated emails (owner, on-call)
    payload     TEXT NOT NULL,            -- JSON the notifiers render
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed','dropped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT NOT NULL,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    sent_at     TEXT
);
CREATE INDEX notification_queue_due ON notification_queue(state, not_before);

-- Which process runs the schedule of this database, until when.
CREATE TABLE scheduler_lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    renewed_at TEXT NOT NULL
);
