-- 0002: import runs (who imported which file, and what it changed) and the
-- toolchain baseline that sw_observations (0001) are compared against.

CREATE TABLE import_runs (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,           -- people, devices, services, accounts, software
    file       TEXT NOT NULL,
    format     TEXT NOT NULL,           -- csv, json, yaml, plus the dialect: "csv/google-workspace"
    mode       TEXT NOT NULL CHECK (mode IN ('atomic','skip-bad')),
    rows_total INTEGER NOT NULL DEFAULT 0,
    created    INTEGER NOT NULL DEFAULT 0,
    updated    INTEGER NOT NULL DEFAULT 0,
    unchanged  INTEGER NOT NULL DEFAULT 0,
    skipped    INTEGER NOT NULL DEFAULT 0,
    rejected   INTEGER NOT NULL DEFAULT 0,
    unverified INTEGER NOT NULL DEFAULT 0,
    reject_file TEXT NOT NULL DEFAULT ''
);

-- One constraint per tool name ("go" ">=1.25 <1.27"), Masterminds semver syntax.
CREATE TABLE sw_baseline (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    version_constraint TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
