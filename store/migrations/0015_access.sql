-- 0015: access hygiene (#17). What the exports say about each account —
-- its two-step status and the moments it was used — is kept as evidence
-- rows, one per fact, with the file and row that said it and when opsdeck
-- learned it. The account's two-step status and last activity are derived
-- from them in model (model.DeriveAccess), so the accounts table itself is
-- unchanged. An access review's decisions are kept per account, so "not
-- reviewed in 90 days" and the review report read one table.
CREATE TABLE account_signals (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('two_step','sign_in','password_use','key_use')),
    value       TEXT NOT NULL DEFAULT '',   -- two_step: enrolled, enforced or off
    at          TEXT NOT NULL DEFAULT '',   -- activity: the moment of use (UTC)
    source      TEXT NOT NULL,              -- the file it came from
    row         INTEGER NOT NULL DEFAULT 0, -- its row in that file (1 = first data row's line)
    col         TEXT NOT NULL DEFAULT '',   -- the column, as the file wrote it
    learned_at  TEXT NOT NULL,
    learned_by  TEXT NOT NULL DEFAULT ''
);
-- The same fact told twice (the same file imported again) is one row.
CREATE UNIQUE INDEX account_signals_fact ON account_signals(account_id, kind, value, at);
CREATE INDEX account_signals_at ON account_signals(kind, at);

-- One line per account under review: what the reviewer saw, and what
-- they decided, by whom, when and why. review_id is the checklist; step_n
-- its decision step, revoke_n the revocation step a revoke added.
CREATE TABLE access_review_lines (
    id               INTEGER PRIMARY KEY,
    review_id        INTEGER NOT NULL REFERENCES checklists(id),
    step_n           INTEGER NOT NULL,
    revoke_n         INTEGER NOT NULL DEFAULT 0,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    reviewer_id      INTEGER REFERENCES people(id),  -- the service's owner
    holder           TEXT NOT NULL,
    service          TEXT NOT NULL,
    username         TEXT NOT NULL,
    entitlement      TEXT NOT NULL,
    two_step         TEXT NOT NULL,
    last_activity    TEXT NOT NULL DEFAULT '',
    decision         TEXT NOT NULL DEFAULT '' CHECK (decision IN ('','keep','revoke','change')),
    new_entitlement  TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    decided_by       TEXT NOT NULL DEFAULT '',
    decided_at       TEXT,
    due_date         TEXT NOT NULL DEFAULT '',  -- a revocation's deadline
    UNIQUE (review_id, account_id)
);
CREATE INDEX access_review_lines_account ON access_review_lines(account_id, decided_at);
