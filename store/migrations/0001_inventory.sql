-- 0001: the inventory (people, devices, services, accounts) and the audit log.
-- Times are stored as RFC 3339 UTC text ("2026-11-27T13:51:38Z"), dates as YYYY-MM-DD,
-- so that they sort as text and read well in the sqlite3 shell.

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    title       TEXT NOT NULL DEFAULT '',
    department  TEXT NOT NULL DEFAULT '',
    manager_id  INTEGER REFERENCES people(id),
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','leaving','departed')),
    role        TEXT NOT NULL DEFAULT 'viewer' CHECK (role IN ('admin','operator','viewer')),
    start_date  TEXT NOT NULL DEFAULT '',
    end_date    TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX people_status ON people(status);

CREATE TABLE ssh_keys (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    fingerprint TEXT NOT NULL UNIQUE,
    public_key  TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    added_at    TEXT NOT NULL
);
CREATE INDEX ssh_keys_person ON ssh_keys(person_id);

CREATE TABLE devices (
    id                  INTEGER PRIMARY KEY,
    asset_tag           TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('laptop','desktop','server','vm','database','network','phone','other')),
    serial              TEXT NOT NULL DEFAULT '',
    model               TEXT NOT NULL DEFAULT '',
    os                  TEXT NOT NULL DEFAULT '',
    os_version          TEXT NOT NULL DEFAULT '',
    holder_id           INTEGER REFERENCES people(id),
    location            TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'in_use' CHECK (status IN ('in_use','spare','repair','retired','lost')),
    disk_encrypted      INTEGER,
    endpoint_protection TEXT NOT NULL DEFAULT '',
    patch_level         TEXT NOT NULL DEFAULT '',
    last_seen_at        TEXT,
    purchase_date       TEXT NOT NULL DEFAULT '',
    notes               TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX devices_holder ON devices(holder_id);
CREATE UNIQUE INDEX devices_serial ON devices(serial) WHERE serial <> '';

CREATE TABLE services (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL COLLATE NOCASE UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('saas','app','database','infra','internal')),
    criticality  TEXT NOT NULL CHECK (criticality IN ('low','medium','high','critical')),
    owner_id     INTEGER REFERENCES people(id),
    url          TEXT NOT NULL DEFAULT '',
    runbook_url  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','retired')),
    notes        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX services_owner ON services(owner_id);

CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    person_id        INTEGER NOT NULL REFERENCES people(id),
    service_id       INTEGER NOT NULL REFERENCES services(id),
    username         TEXT NOT NULL,
    entitlement      TEXT NOT NULL CHECK (entitlement IN ('admin','member')),
    status           TEXT NOT NULL CHECK (status IN ('active','suspended','revoked','unverified')),
    last_verified_at TEXT,
    notes            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (service_id, username COLLATE NOCASE)
);
CREATE INDEX accounts_person ON accounts(person_id);

CREATE TABLE service_hosts (
    service_id INTEGER NOT NULL REFERENCES services(id),
    device_id  INTEGER NOT NULL REFERENCES devices(id),
    PRIMARY KEY (service_id, device_id)
);
CREATE INDEX service_hosts_device ON service_hosts(device_id);

CREATE TABLE service_deps (
    service_id    INTEGER NOT NULL REFERENCES services(id),
    depends_on_id INTEGER NOT NULL REFERENCES services(id),
    PRIMARY KEY (service_id, depends_on_id),
    CHECK (service_id <> depends_on_id)
);

CREATE TABLE sw_observations (
    device_id   INTEGER NOT NULL REFERENCES devices(id),
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    PRIMARY KEY (device_id, name)
);

-- Append-only: no code path updates or deletes audit rows.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL DEFAULT 0,
    before    TEXT NOT NULL DEFAULT '',
    after     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Small key/value facts about the database itself (demo loaded, lease holders...).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
