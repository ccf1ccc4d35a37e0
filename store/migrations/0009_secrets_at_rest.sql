-- 0009: credentials are encrypted at rest with a key kept outside the
-- database (store/crypt.go, docs/secrets.md). The SQL adds the columns;
-- the Go step sealClearCredentials (store/seal.go) then encrypts the values
-- earlier versions stored in clear and masks them in old audit rows, since
-- SQL alone has neither the key nor the field tables.

-- NAME=value lines for exec checks and backup commands, kept apart from
-- the command so the command can be shown and the credential cannot.
ALTER TABLE checks ADD COLUMN env TEXT NOT NULL DEFAULT '';
ALTER TABLE backup_jobs ADD COLUMN env TEXT NOT NULL DEFAULT '';

-- Ping tokens are stored encrypted; an incoming ping is matched on the
-- token's SHA-256.
ALTER TABLE checks ADD COLUMN ping_token_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE backup_jobs ADD COLUMN ping_token_hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX checks_ping_token_hash ON checks(ping_token_hash) WHERE ping_token_hash <> '';
CREATE UNIQUE INDEX backup_jobs_ping_token_hash ON backup_jobs(ping_token_hash) WHERE ping_token_hash <> '';

-- Facts about the database itself: key_id names the key its credentials
-- are encrypted with (so a missing or wrong key file is named, not
-- guessed); sealed records that no clear credential is left.
CREATE TABLE opsdeck_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
