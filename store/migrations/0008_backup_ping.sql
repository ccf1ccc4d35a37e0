-- 0008: heartbeat backup jobs can report over HTTP (GET/POST /backup/TOKEN[/fail]),
-- like heartbeat checks. The token is the only secret in the URL, so every job
-- gets its own random one.
ALTER TABLE backup_jobs ADD COLUMN ping_token TEXT NOT NULL DEFAULT '';
UPDATE backup_jobs SET ping_token = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX backup_jobs_ping_token ON backup_jobs(ping_token) WHERE ping_token <> '';
