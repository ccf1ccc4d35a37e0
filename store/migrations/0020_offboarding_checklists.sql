-- 0020: offboarding becomes a kind of the generic checklists (0014): every
-- offboarding, its steps and their notes move into checklists,
-- checklist_steps and checklist_notes, and the old tables go.
--
-- Nothing is lost. The person is the checklist's subject; the successor,
-- the person's email and status when it started, and the old id are its
-- params; the last day is its due date. A step keeps its number, kind,
-- record (ref_kind names what ref_id points at), state, who and when,
-- reason, effect and undo data (the same JSON the offboarding hooks in
-- ops read); bus factor 1 becomes the step's warning.
--
-- audit_log is append-only, so its rows keep the entities 'offboarding'
-- and 'offboarding_step' and the old ids; checklist_legacy maps those ids
-- to the new ones, and the checklist trail reads them through it.

CREATE TABLE checklist_legacy (
    entity  TEXT NOT NULL CHECK (entity IN ('offboarding','offboarding_step')),
    old_id  INTEGER NOT NULL,
    new_id  INTEGER NOT NULL,
    PRIMARY KEY (entity, old_id)
);
CREATE INDEX checklist_legacy_new ON checklist_legacy(entity, new_id);

INSERT INTO checklists(kind, title, subject_kind, subject_id, subject_name, params, due, status,
                       started_at, started_by, completed_at, completed_by, forced, force_reason, summary)
SELECT 'offboarding', 'Offboarding ' || p.name, 'person', o.person_id, p.name,
       json_object('email', p.email, 'prior_status', o.prior_status,
                   'successor_id', coalesce(CAST(o.successor_id AS TEXT), ''),
                   'successor', coalesce(sp.name, ''),
                   'offboarding_id', CAST(o.id AS TEXT)),
       o.last_day, o.status, o.started_at, o.started_by, o.completed_at, o.completed_by, o.forced, o.force_reason,
       CASE o.status WHEN 'completed' THEN p.name || ' is departed (last day ' || o.last_day || ')' ELSE '' END
  FROM offboardings o
  JOIN people p ON p.id = o.person_id
  LEFT JOIN people sp ON sp.id = o.successor_id
 ORDER BY o.id;

INSERT INTO checklist_legacy(entity, old_id, new_id)
SELECT 'offboarding', CAST(json_extract(params, '$.offboarding_id') AS INTEGER), id
  FROM checklists
 WHERE kind = 'offboarding' AND json_extract(params, '$.offboarding_id') IS NOT NULL;

INSERT INTO checklist_steps(checklist_id, n, kind, ref_kind, ref_id, title, detail, warn,
                            state, reason, effect, undo_data, by, at)
SELECT m.new_id, s.n, s.kind,
       CASE WHEN s.ref_id IS NULL THEN '' WHEN s.kind = 'template' THEN 'offboarding_template' ELSE s.kind END,
       s.ref_id, s.title, s.detail, CASE s.bus_factor_one WHEN 1 THEN 'bus factor 1' ELSE '' END,
       s.state, s.reason, s.effect, s.undo_data, s.by, s.at
  FROM offboarding_steps s
  JOIN checklist_legacy m ON m.entity = 'offboarding' AND m.old_id = s.offboarding_id
 ORDER BY s.id;

INSERT INTO checklist_legacy(entity, old_id, new_id)
SELECT 'offboarding_step', s.id, cs.id
  FROM offboarding_steps s
  JOIN checklist_legacy m ON m.entity = 'offboarding' AND m.old_id = s.offboarding_id
  JOIN checklist_steps cs ON cs.checklist_id = m.new_id AND cs.n = s.n;

INSERT INTO checklist_notes(step_id, at, actor, text)
SELECT m.new_id, n.at, n.actor, n.text
  FROM offboarding_notes n
  JOIN checklist_legacy m ON m.entity = 'offboarding_step' AND m.old_id = n.step_id
 ORDER BY n.id;

DROP INDEX offboarding_notes_step;
DROP TABLE offboarding_notes;
DROP TABLE offboarding_steps;
DROP INDEX offboardings_one_open;
DROP TABLE offboardings;

-- At most one open offboarding per person, as before.
CREATE UNIQUE INDEX checklists_one_open_offboarding ON checklists(subject_id)
 WHERE kind = 'offboarding' AND status = 'open';
