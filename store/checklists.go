package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/opsdeck/opsdeck/model"
)

// Generic checklists: storage only. What a kind's steps are and what
// marking one done changes lives with the kind (ops.ChecklistKind); the
// store keeps states, notes, who and when, and audits every change under
// the entities "checklist" and "checklist_step".

const checklistSelect = `SELECT id, kind, title, subject_kind, subject_id, subject_name, params, due, status,
	started_at, started_by, completed_at, completed_by, forced, force_reason, summary FROM checklists`

func scanChecklist(sc scanner) (model.Checklist, error) {
	var c model.Checklist
	var subj sql.NullInt64
	var params, started string
	var completed sql.NullString
	err := sc.Scan(&c.ID, &c.Kind, &c.Title, &c.SubjectKind, &subj, &c.SubjectName, &params, &c.Due, &c.Status,
		&started, &c.StartedBy, &completed, &c.CompletedBy, &c.Forced, &c.ForceReason, &c.Summary)
	if err != nil {
		return c, err
	}
	c.SubjectID = idPtr(subj)
	c.StartedAt = parseTime(started)
	c.CompletedAt = parseTimePtr(completed)
	c.Params = map[string]string{}
	if params != "" {
		if err := json.Unmarshal([]byte(params), &c.Params); err != nil {
			return c, fmt.Errorf("checklist %d params: %w", c.ID, err)
		}
	}
	return c, nil
}

const checklistStepSelect = `SELECT id, checklist_id, n, kind, ref_kind, ref_id, title, detail, procedure, link, warn,
	input, default_value, value, due, state, reason, effect, by, at, undo_data FROM checklist_steps`

func scanChecklistStep(sc scanner) (model.ChecklistStep, string, error) {
	var s model.ChecklistStep
	var ref sql.NullInt64
	var at sql.NullString
	var undo string
	err := sc.Scan(&s.ID, &s.ChecklistID, &s.N, &s.Kind, &s.RefKind, &ref, &s.Title, &s.Detail, &s.Procedure, &s.Link, &s.Warn,
		&s.Input, &s.Default, &s.Value, &s.Due, &s.State, &s.Reason, &s.Effect, &s.By, &at, &undo)
	s.RefID = idPtr(ref)
	s.At = parseTimePtr(at)
	s.Notes = []model.StepNote{}
	return s, undo, err
}

// checklistSteps reads the steps of checklist id in order, with their
// notes oldest first.
func checklistSteps(ctx context.Context, db querier, id int64) ([]model.ChecklistStep, error) {
	steps, err := collectRows(ctx, db, func(sc scanner) (model.ChecklistStep, error) {
		s, _, err := scanChecklistStep(sc)
		return s, err
	}, checklistStepSelect+` WHERE checklist_id = ? ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("checklist steps: %w", err)
	}
	byStep, err := stepNotes(ctx, db, id)
	if err != nil {
		return nil, fmt.Errorf("checklist notes: %w", err)
	}
	for i := range steps {
		steps[i].Notes = append(steps[i].Notes, byStep[steps[i].ID]...)
	}
	if steps == nil {
		steps = []model.ChecklistStep{}
	}
	return steps, nil
}

// stepNotes reads the notes on the steps of checklist id, oldest first,
// by step id.
func stepNotes(ctx context.Context, db querier, id int64) (map[int64][]model.StepNote, error) {
	rows, err := db.QueryContext(ctx, `SELECT n.step_id, n.at, n.actor, n.text FROM checklist_notes n
		JOIN checklist_steps s ON s.id = n.step_id WHERE s.checklist_id = ? ORDER BY n.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byStep := map[int64][]model.StepNote{}
	for rows.Next() {
		var stepID int64
		var at string
		var n model.StepNote
		if err := rows.Scan(&stepID, &at, &n.Actor, &n.Text); err != nil {
			return nil, err
		}
		n.At = parseTime(at)
		byStep[stepID] = append(byStep[stepID], n)
	}
	return byStep, rows.Err()
}

// insertStepNote adds a note, by the transaction's actor and at its time,
// to a step.
func (t *Tx) insertStepNote(stepID int64, text string) error {
	if _, err := t.exec(`INSERT INTO checklist_notes(step_id, at, actor, text) VALUES (?,?,?,?)`, stepID, fmtTime(t.at), t.actor.String(), text); err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	return nil
}

// stepsFrozen refuses a change to a step of completed checklist id, named
// as its kind ("offboarding", "checklist").
func stepsFrozen(what string, id int64) error {
	return model.Invalid(what, strconv.FormatInt(id, 10), "is completed; its steps can no longer change")
}

// notAStep refuses step n of a checklist of count steps.
func notAStep(what string, n, count int) error {
	return model.Invalid("step", strconv.Itoa(n), fmt.Sprintf("is not a step of this %s (1-%d)", what, count))
}

// noun is how refusals name checklist c: an offboarding by its kind (as
// its verbs always have), any other kind "checklist".
func noun(c model.Checklist) string {
	if c.Kind == model.OffboardingKind {
		return c.Kind
	}
	return "checklist"
}

// markAction is the audit action of a step marked into state.
func markAction(state string) string {
	return map[string]string{model.StateDone: "done", model.StateSkipped: "skip", model.StateBlocked: "block"}[state]
}

// refuseCompletion says why checklist id (what names its kind) may not
// complete: forcing needs a reason and a reason goes only with force;
// unfinished steps refuse it unless forced, naming the first of them.
func refuseCompletion(what string, id int64, force bool, reason string, p model.Progress, firstN int, firstTitle, firstState string) error {
	if force && reason == "" {
		return model.Invalid("reason", "", "is required to force completion")
	}
	if !force && reason != "" {
		return model.Invalid("reason", reason, "is only used with --force")
	}
	if unfinished := p.Open + p.Blocked; unfinished > 0 && !force {
		return model.Invalid(what, strconv.FormatInt(id, 10),
			fmt.Sprintf("has %d unfinished step(s) (first: %d %q is %s); finish them or use --force --reason", unfinished, firstN, firstTitle, firstState))
	}
	return nil
}

func getChecklist(ctx context.Context, db querier, id int64) (model.Checklist, error) {
	c, err := scanChecklist(db.QueryRowContext(ctx, checklistSelect+` WHERE id = ?`, id))
	if isNoRows(err) {
		return c, notFound("checklist", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return c, fmt.Errorf("read checklist: %w", err)
	}
	if c.Steps, err = checklistSteps(ctx, db, id); err != nil {
		return c, err
	}
	c.Progress = model.CountChecklist(c.Steps)
	return c, nil
}

// Checklist reads one checklist with its steps, notes and progress.
func (s *Store) Checklist(ctx context.Context, id int64) (model.Checklist, error) {
	return getChecklist(ctx, s.r, id)
}

// ChecklistKind is the kind of checklist id, read alone (the operations
// pick the kind's hooks before the store reads the whole checklist).
func (t *Tx) ChecklistKind(id int64) (string, error) {
	var kind string
	err := t.queryRow(`SELECT kind FROM checklists WHERE id = ?`, id).Scan(&kind)
	if isNoRows(err) {
		return "", notFound("checklist", strconv.FormatInt(id, 10))
	}
	return kind, err
}

// GetChecklist reads one checklist inside the transaction.
func (t *Tx) GetChecklist(id int64) (model.Checklist, error) { return getChecklist(t.ctx, t.tx, id) }

// ChecklistQuery narrows ListChecklists; zero values match everything.
type ChecklistQuery struct {
	Kind        string
	Status      string
	SubjectKind string
	SubjectID   int64
}

func (q ChecklistQuery) where() (string, []any) {
	w, args := ` WHERE 1=1`, []any{}
	if q.Kind != "" {
		w, args = w+` AND kind = ?`, append(args, q.Kind)
	}
	if q.Status != "" {
		w, args = w+` AND status = ?`, append(args, q.Status)
	}
	if q.SubjectKind != "" {
		w, args = w+` AND subject_kind = ?`, append(args, q.SubjectKind)
	}
	if q.SubjectID != 0 {
		w, args = w+` AND subject_id = ?`, append(args, q.SubjectID)
	}
	return w, args
}

// ListChecklists lists checklists, open ones first, newest first, with
// progress but without steps.
func (s *Store) ListChecklists(ctx context.Context, q ChecklistQuery) ([]model.Checklist, error) {
	return listChecklists(ctx, s.r, q)
}

// ListChecklists lists checklists inside the transaction (see Store.ListChecklists).
func (t *Tx) ListChecklists(q ChecklistQuery) ([]model.Checklist, error) {
	return listChecklists(t.ctx, t.tx, q)
}

func listChecklists(ctx context.Context, db querier, q ChecklistQuery) ([]model.Checklist, error) {
	w, args := q.where()
	list, err := collectRows(ctx, db, scanChecklist, checklistSelect+w+` ORDER BY status = 'open' DESC, started_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list checklists: %w", err)
	}
	if len(list) == 0 {
		return []model.Checklist{}, nil
	}
	prog := map[int64][]string{}
	rows, err := db.QueryContext(ctx, `SELECT checklist_id, state FROM checklist_steps WHERE checklist_id IN (SELECT id FROM checklists`+w+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("checklist progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		prog[id] = append(prog[id], st)
	}
	for i := range list {
		list[i].Progress = model.CountStates(prog[list[i].ID])
	}
	return list, rows.Err()
}

// CreateChecklist stores a new open checklist with its generated steps
// (numbered in order from 1, open unless generated done, with what was
// done as the effect) and audits its start. c.Kind, c.Title and at
// least a subject name are the caller's (the kind's generator).
func (t *Tx) CreateChecklist(c model.Checklist, steps []model.ChecklistStep) (model.Checklist, error) {
	c.Title = model.Sanitize(c.Title)
	c.SubjectName = model.Sanitize(c.SubjectName)
	if c.Kind == "" || c.Title == "" {
		return c, model.Invalid("checklist", c.Title, "needs a kind and a title")
	}
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	params, err := json.Marshal(c.Params)
	if err != nil {
		return c, err
	}
	res, err := t.exec(`INSERT INTO checklists(kind, title, subject_kind, subject_id, subject_name, params, due, status, started_at, started_by)
		VALUES (?,?,?,?,?,?,?,'open',?,?)`, c.Kind, c.Title, c.SubjectKind, nullID(c.SubjectID), c.SubjectName, string(params), c.Due,
		fmtTime(t.at), t.actor.String())
	if err != nil {
		return c, fmt.Errorf("start checklist: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return c, err
	}
	for i, s := range steps {
		s.Normalize()
		if err := s.Validate(); err != nil {
			return c, fmt.Errorf("step %d: %w", i+1, err)
		}
		state, by, at := model.StateOpen, "", sql.NullString{}
		if s.State == model.StateDone { // done while generating (an offboarding's on-call step)
			state, by, at = s.State, t.actor.String(), sql.NullString{String: fmtTime(t.at), Valid: true}
		}
		if _, err := t.exec(`INSERT INTO checklist_steps(checklist_id, n, kind, ref_kind, ref_id, title, detail, procedure, link, warn,
			input, default_value, due, state, effect, by, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			id, i+1, s.Kind, s.RefKind, nullID(s.RefID), s.Title, s.Detail, s.Procedure, s.Link, s.Warn, s.Input, s.Default, s.Due,
			state, model.Sanitize(s.Effect), by, at); err != nil {
			return c, fmt.Errorf("add step %d: %w", i+1, err)
		}
	}
	after, err := getChecklist(t.ctx, t.tx, id)
	if err != nil {
		return after, err
	}
	return after, t.Audit("start", "checklist", id, nil, after)
}

// openChecklist reads a checklist whose steps may still change.
func (t *Tx) openChecklist(id int64) (model.Checklist, error) {
	c, err := getChecklist(t.ctx, t.tx, id)
	if err != nil {
		return c, err
	}
	if c.Status != model.ChecklistOpen {
		return c, stepsFrozen(noun(c), id)
	}
	return c, nil
}

// openStep reads step n of open checklist id, with its undo data: what
// every step verb starts from.
func (t *Tx) openStep(id int64, n int) (model.Checklist, model.ChecklistStep, string, error) {
	c, err := t.openChecklist(id)
	if err != nil {
		return c, model.ChecklistStep{}, "", err
	}
	s, undo, err := scanChecklistStep(t.queryRow(checklistStepSelect+` WHERE checklist_id = ? AND n = ?`, c.ID, n))
	if isNoRows(err) {
		return c, s, "", notAStep(noun(c), n, len(c.Steps))
	}
	return c, s, undo, err
}

// StepOutcome is what a kind's "on done" hook did: Effect in words, the
// Value it used (a username, an asset tag) and Undo, the kind's own data
// to put the change back.
type StepOutcome struct {
	Effect string
	Value  string
	Undo   string
}

// MarkChecklistStep moves step n of checklist id as m says (the shared
// transition rules: a reason to skip or block; undo before re-marking).
// Marking done runs onDone, if given, in this transaction first: it may
// change the inventory (audited by the inventory method it calls) or
// refuse, and what it returns is recorded on the step.
func (t *Tx) MarkChecklistStep(id int64, n int, m model.ChecklistMark,
	onDone func(c model.Checklist, s model.ChecklistStep, m model.ChecklistMark) (StepOutcome, error)) (model.ChecklistStep, error) {
	m.Normalize()
	c, before, _, err := t.openStep(id, n)
	if err != nil {
		return before, err
	}
	if err := m.Transition(before.State); err != nil {
		return before, err
	}
	var out StepOutcome
	if m.State == model.StateDone && onDone != nil {
		if m.Value == "" {
			m.Value = before.Default
		}
		if out, err = onDone(c, before, m); err != nil {
			return before, err
		}
	}
	if _, err := t.exec(`UPDATE checklist_steps SET state = ?, reason = ?, value = ?, effect = ?, undo_data = ?, by = ?, at = ? WHERE id = ?`,
		m.State, m.Reason, model.Sanitize(out.Value), model.Sanitize(out.Effect), out.Undo, t.actor.String(), fmtTime(t.at), before.ID); err != nil {
		return before, fmt.Errorf("mark step: %w", err)
	}
	if m.Note != "" {
		if err := t.insertStepNote(before.ID, m.Note); err != nil {
			return before, err
		}
	}
	return t.auditChecklistStep(c.ID, n, markAction(m.State), before)
}

// UndoChecklistStep puts step n back to open; onUndo, if given, receives
// the undo data the done hook left and puts the inventory back first.
func (t *Tx) UndoChecklistStep(id int64, n int, onUndo func(c model.Checklist, s model.ChecklistStep, undo string) error) (model.ChecklistStep, error) {
	c, before, undo, err := t.openStep(id, n)
	if err != nil {
		return before, err
	}
	if err := model.CanUndo(n, before.State); err != nil {
		return before, err
	}
	if before.State == model.StateDone && onUndo != nil {
		if err := onUndo(c, before, undo); err != nil {
			return before, err
		}
	}
	if _, err := t.exec(`UPDATE checklist_steps SET state = 'open', reason = '', value = '', effect = '', undo_data = '', by = ?, at = ? WHERE id = ?`,
		t.actor.String(), fmtTime(t.at), before.ID); err != nil {
		return before, fmt.Errorf("undo step: %w", err)
	}
	return t.auditChecklistStep(c.ID, n, "undo", before)
}

// AddChecklistNote appends a note or evidence (a ticket link) to step n.
func (t *Tx) AddChecklistNote(id int64, n int, text string) (model.ChecklistStep, error) {
	text = model.SanitizeMultiline(text, 4096)
	if text == "" {
		return model.ChecklistStep{}, model.Invalid("note", "", "is required")
	}
	c, before, _, err := t.openStep(id, n)
	if err != nil {
		return before, err
	}
	if err := t.insertStepNote(before.ID, text); err != nil {
		return before, err
	}
	return t.auditChecklistStep(c.ID, n, "note", before)
}

func (t *Tx) auditChecklistStep(id int64, n int, action string, before model.ChecklistStep) (model.ChecklistStep, error) {
	c, err := getChecklist(t.ctx, t.tx, id)
	if err != nil {
		return before, err
	}
	after := c.Steps[n-1]
	return after, t.Audit(action, "checklist_step", after.ID, before, after)
}

// CompleteChecklist closes checklist id: refused while a step is open or
// blocked unless force is set with a reason (recorded). onComplete, if
// given, runs first in this transaction (it may refuse) and its summary is
// kept as the checklist's outcome.
func (t *Tx) CompleteChecklist(id int64, force bool, reason string, onComplete func(c model.Checklist) (string, error)) (model.Checklist, error) {
	reason = model.Sanitize(reason)
	before, err := t.openChecklist(id)
	if err != nil {
		return before, err
	}
	first, _ := model.FirstUnfinished(before.Steps)
	if err := refuseCompletion(noun(before), id, force, reason, before.Progress, first.N, first.Title, first.State); err != nil {
		return before, err
	}
	unfinished := before.Progress.Open + before.Progress.Blocked
	summary := ""
	if onComplete != nil {
		if summary, err = onComplete(before); err != nil {
			return before, err
		}
	}
	if _, err := t.exec(`UPDATE checklists SET status = 'completed', completed_at = ?, completed_by = ?, forced = ?, force_reason = ?, summary = ? WHERE id = ?`,
		fmtTime(t.at), t.actor.String(), force && unfinished > 0, reason, model.Sanitize(summary), id); err != nil {
		return before, fmt.Errorf("complete checklist: %w", err)
	}
	after, err := getChecklist(t.ctx, t.tx, id)
	if err != nil {
		return after, err
	}
	return after, t.Audit("complete", "checklist", id, before, after)
}

// ChecklistTrail is the audit trail of one checklist: its start and
// completion and every step change, oldest first. Offboardings moved here
// by migration 0020 keep their older rows under the entities offboarding
// and offboarding_step with their old ids (audit_log is append-only);
// checklist_legacy maps them, and they read as the checklist's own rows
// (entity checklist or checklist_step, the new id), their before and after
// as they were written.
func (s *Store) ChecklistTrail(ctx context.Context, id int64) ([]model.AuditEntry, error) {
	return collectRows(ctx, s.r, func(sc scanner) (model.AuditEntry, error) {
		var e model.AuditEntry
		var at string
		err := sc.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
		e.At = parseTime(at)
		return e, err
	}, `SELECT a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.before, a.after FROM audit_log a
		WHERE (a.entity = 'checklist' AND a.entity_id = ?1)
		   OR (a.entity = 'checklist_step' AND a.entity_id IN (SELECT id FROM checklist_steps WHERE checklist_id = ?1))
		UNION ALL
		SELECT a.id, a.at, a.actor, a.action, replace(a.entity, 'offboarding', 'checklist'), l.new_id, a.before, a.after
		  FROM audit_log a JOIN checklist_legacy l ON l.entity = a.entity AND l.old_id = a.entity_id
		 WHERE (l.entity = 'offboarding' AND l.new_id = ?1)
		    OR (l.entity = 'offboarding_step' AND l.new_id IN (SELECT id FROM checklist_steps WHERE checklist_id = ?1))
		ORDER BY 1`, id)
}
