-- 0016: security audits — the findings register (with the records each
-- finding affects and its notes and evidence), the laptop compliance
-- policy and when each device's verdict per rule last changed.
-- Nothing here is deleted: findings change state, notes are appended.

CREATE TABLE findings (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    severity        TEXT NOT NULL CHECK (severity IN ('critical','high','medium','low','info')),
    source          TEXT NOT NULL DEFAULT '',
    owner_id        INTEGER REFERENCES people(id),
    due             TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','in_progress','resolved','accepted_risk','closed')),
    accept_reason   TEXT NOT NULL DEFAULT '',
    accept_expires  TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX findings_state ON findings(state, due);

-- The records a finding affects: links by id, not text.
CREATE TABLE finding_links (
    finding_id  INTEGER NOT NULL REFERENCES findings(id),
    kind        TEXT NOT NULL CHECK (kind IN ('service','device','person','account')),
    ref_id      INTEGER NOT NULL,
    PRIMARY KEY (finding_id, kind, ref_id)
);
CREATE INDEX finding_links_ref ON finding_links(kind, ref_id);

-- Notes and evidence links on a finding; appended, never edited.
CREATE TABLE finding_log (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES findings(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('note','evidence')),
    text        TEXT NOT NULL
);
CREATE INDEX finding_log_finding ON finding_log(finding_id);

-- The laptop compliance policy: one row, JSON of model.CompliancePolicy;
-- absent means the shipped default.
CREATE TABLE compliance_policy (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    policy  TEXT NOT NULL
);

-- Each device's verdict per rule and since when it holds.
CREATE TABLE device_compliance (
    device_id  INTEGER NOT NULL REFERENCES devices(id),
    rule       TEXT NOT NULL,
    status     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    since      TEXT NOT NULL,
    PRIMARY KEY (device_id, rule)
);

-- One alert check per overdue finding (kind 'finding', target 'finding:ID'),
-- created by opsdeck like the backup and access checks. It watches a
-- finding, not a service or device, so the "service or device" rule is
-- widened in place as 0007 did (only rows refused before become allowed);
-- the index below bumps the schema cookie so connections re-read it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'CHECK (service_id IS NOT NULL OR device_id IS NOT NULL OR (kind = ''backup'' AND target = ''self''))',
       'CHECK (service_id IS NOT NULL OR device_id IS NOT NULL OR (kind = ''backup'' AND target = ''self'') OR kind = ''finding'')')
 WHERE type = 'table' AND name = 'checks';
PRAGMA writable_schema = RESET;
CREATE UNIQUE INDEX checks_finding_source ON checks(kind, target COLLATE NOCASE) WHERE kind = 'finding';

-- A monthly review's report as signed off: what changed since last
-- month's and each decision, frozen at sign-off (JSON of the sections).
CREATE TABLE review_reports (
    checklist_id  INTEGER PRIMARY KEY REFERENCES checklists(id),
    month         TEXT NOT NULL,
    signed_at     TEXT NOT NULL,
    signed_by     TEXT NOT NULL,
    comparison    TEXT NOT NULL,   -- JSON: model.ReviewComparison
    sections      TEXT NOT NULL    -- JSON: []model.ReportSection
);
