-- 0018 (#21): checks as code and the public status page.
-- checks.managed: the check was created (or adopted) by `opsdeck apply`;
-- the file is its source, so an edit elsewhere warns that the next apply
-- will put the file's values back.
ALTER TABLE checks ADD COLUMN managed INTEGER NOT NULL DEFAULT 0;
-- services.public: the service is shown on the status page (name, state,
-- uptime; never its owner, URL or checks' targets).
ALTER TABLE services ADD COLUMN public INTEGER NOT NULL DEFAULT 0;
-- alerts.public_note: what the status page says about an open incident;
-- the alert's own notes and reasons stay private.
ALTER TABLE alerts ADD COLUMN public_note TEXT NOT NULL DEFAULT '';
