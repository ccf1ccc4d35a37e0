package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/opsdeck/opsdeck/model"
)

const offboardingSelect = `SELECT o.id, o.person_id, p.name, p.email, p.status, o.successor_id, coalesce(sp.name, ''), o.last_day,
	o.status, o.prior_status, o.started_at, o.started_by, o.completed_at, o.completed_by, o.forced, o.force_reason
	FROM offboardings o JOIN people p ON p.id = o.person_id LEFT JOIN people sp ON sp.id = o.successor_id`

func scanOffboarding(sc scanner) (model.Offboarding, error) {
	var o model.Offboarding
	var succ sql.NullInt64
	var started string
	var completed sql.NullString
	err := sc.Scan(&o.ID, &o.PersonID, &o.PersonName, &o.PersonEmail, &o.PersonStatus, &succ, &o.SuccessorName, &o.LastDay,
		&o.Status, &o.PriorStatus, &started, &o.StartedBy, &completed, &o.CompletedBy, &o.Forced, &o.ForceReason)
	o.SuccessorID = idPtr(succ)
	o.StartedAt = parseTime(started)
	o.CompletedAt = parseTimePtr(completed)
	return o, err
}

const stepSelect = `SELECT id, offboarding_id, n, kind, ref_id, title, detail, bus_factor_one, state, reason, effect, by, at, undo_data
	FROM offboarding_steps`

// scanStep reads a step and its undo data (kept out of the model: it is
// the store's business how undo restores the inventory).
func scanStep(sc scanner) (model.OffboardingStep, string, error) {
	var st model.OffboardingStep
	var ref sql.NullInt64
	var at sql.NullString
	var undo string
	err := sc.Scan(&st.ID, &st.OffboardingID, &st.N, &st.Kind, &ref, &st.Title, &st.Detail, &st.BusFactorOne, &st.State,
		&st.Reason, &st.Effect, &st.By, &at, &undo)
	st.RefID = idPtr(ref)
	st.At = parseTimePtr(at)
	st.Notes = []model.StepNote{}
	return st, undo, err
}

// collectRows runs a query and scans every row with scan.
func collectRows[T any](ctx context.Context, db querier, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func stepsOf(ctx context.Context, db querier, offID int64) ([]model.OffboardingStep, error) {
	steps, err := collectRows(ctx, db, func(sc scanner) (model.OffboardingStep, error) {
		st, _, err := scanStep(sc)
		return st, err
	}, stepSelect+` WHERE offboarding_id = ? ORDER BY n`, offID)
	if err != nil {
		return nil, fmt.Errorf("offboarding steps: %w", err)
	}
	byID := map[int64]int{}
	for i, st := range steps {
		byID[st.ID] = i
	}
	notes, err := db.QueryContext(ctx, `SELECT n.step_id, n.at, n.actor, n.text FROM offboarding_notes n
		JOIN offboarding_steps s ON s.id = n.step_id WHERE s.offboarding_id = ? ORDER BY n.id`, offID)
	if err != nil {
		return nil, fmt.Errorf("offboarding notes: %w", err)
	}
	defer notes.Close()
	for notes.Next() {
		var stepID int64
		var at string
		var n model.StepNote
		if err := notes.Scan(&stepID, &at, &n.Actor, &n.Text); err != nil {
			return nil, err
		}
		n.At = parseTime(at)
		i := byID[stepID]
		steps[i].Notes = append(steps[i].Notes, n)
	}
	return steps, notes.Err()
}

// withSteps fills o's steps and progress.
func withSteps(ctx context.Context, db querier, o model.Offboarding) (model.Offboarding, error) {
	steps, err := stepsOf(ctx, db, o.ID)
	if err != nil {
		return o, err
	}
	o.Steps = nonNilSteps(steps)
	o.Progress = model.CountProgress(steps)
	return o, nil
}

func nonNilSteps(s []model.OffboardingStep) []model.OffboardingStep {
	if s == nil {
		return []model.OffboardingStep{}
	}
	return s
}

// latestOffboarding is the person's open offboarding, or else their most
// recent one.
func latestOffboarding(ctx context.Context, db querier, personID int64) (model.Offboarding, error) {
	o, err := scanOffboarding(db.QueryRowContext(ctx, offboardingSelect+` WHERE o.person_id = ?
		ORDER BY o.status = 'open' DESC, o.id DESC LIMIT 1`, personID))
	if isNoRows(err) {
		return o, notFound("offboarding for person", strconv.FormatInt(personID, 10))
	}
	if err != nil {
		return o, fmt.Errorf("read offboarding: %w", err)
	}
	return withSteps(ctx, db, o)
}

// Offboarding returns the person's current offboarding (the open one, or
// else the latest) with its steps, notes and progress: everything the
// console's checklist view shows.
func (s *Store) Offboarding(ctx context.Context, personID int64) (model.Offboarding, error) {
	return latestOffboarding(ctx, s.r, personID)
}

// GetOffboarding reads one offboarding by id, with steps.
func (s *Store) GetOffboarding(ctx context.Context, id int64) (model.Offboarding, error) {
	return getOffboarding(ctx, s.r, id)
}

func getOffboarding(ctx context.Context, db querier, id int64) (model.Offboarding, error) {
	o, err := scanOffboarding(db.QueryRowContext(ctx, offboardingSelect+` WHERE o.id = ?`, id))
	if isNoRows(err) {
		return o, notFound("offboarding", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return o, fmt.Errorf("read offboarding: %w", err)
	}
	return withSteps(ctx, db, o)
}

// ListOffboardings returns every offboarding, open ones first, newest
// first, with progress but without steps.
func (s *Store) ListOffboardings(ctx context.Context) ([]model.Offboarding, error) {
	list, err := collectRows(ctx, s.r, scanOffboarding, offboardingSelect+` ORDER BY o.status = 'open' DESC, o.started_at DESC, o.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list offboardings: %w", err)
	}
	for i := range list {
		full, err := withSteps(ctx, s.r, list[i])
		if err != nil {
			return nil, err
		}
		full.Steps = nil
		list[i] = full
	}
	return list, nil
}

// OffboardingTrail is the audit trail of one offboarding: its start and
// completion and every step change, oldest first.
func (s *Store) OffboardingTrail(ctx context.Context, offID int64) ([]model.AuditEntry, error) {
	return collectRows(ctx, s.r, func(sc scanner) (model.AuditEntry, error) {
		var e model.AuditEntry
		var at string
		err := sc.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After)
		e.At = parseTime(at)
		return e, err
	}, `SELECT id, at, actor, action, entity, entity_id, before, after FROM audit_log
		WHERE (entity = 'offboarding' AND entity_id = ?)
		   OR (entity = 'offboarding_step' AND entity_id IN (SELECT id FROM offboarding_steps WHERE offboarding_id = ?))
		ORDER BY id`, offID, offID)
}

// OffboardingTemplates lists the company-wide template steps by position
// (inactive ones included, marked).
func (s *Store) OffboardingTemplates(ctx context.Context) ([]model.OffboardingTemplate, error) {
	return listTemplates(ctx, s.r, false)
}

func listTemplates(ctx context.Context, db querier, activeOnly bool) ([]model.OffboardingTemplate, error) {
	q := `SELECT id, position, title, detail, active FROM offboarding_templates`
	if activeOnly {
		q += ` WHERE active = 1`
	}
	return collectRows(ctx, db, func(sc scanner) (model.OffboardingTemplate, error) {
		var o model.OffboardingTemplate
		err := sc.Scan(&o.ID, &o.Position, &o.Title, &o.Detail, &o.Active)
		return o, err
	}, q+` ORDER BY position, id`)
}

// AddOffboardingTemplate appends a template step to every future checklist.
func (t *Tx) AddOffboardingTemplate(o *model.OffboardingTemplate) error {
	if err := t.requireAdmin("change offboarding templates"); err != nil {
		return err
	}
	id, err := addRecord(t, "offboarding_template", o, func(o *model.OffboardingTemplate) (int64, error) {
		res, err := t.exec(`INSERT INTO offboarding_templates(position, title, detail, active)
			VALUES ((SELECT coalesce(max(position), 0) + 1 FROM offboarding_templates), ?, ?, 1)`, o.Title, o.Detail)
		if err != nil {
			return 0, fmt.Errorf("add template: %w", err)
		}
		return res.LastInsertId()
	})
	if err != nil {
		return err
	}
	err = t.queryRow(`SELECT id, position, title, detail, active FROM offboarding_templates WHERE id = ?`, id).
		Scan(&o.ID, &o.Position, &o.Title, &o.Detail, &o.Active)
	if err != nil {
		return err
	}
	return t.Audit("create", "offboarding_template", id, nil, o)
}

// SetOffboardingTemplateActive turns a template step on or off for future
// checklists; existing checklists keep their steps.
func (t *Tx) SetOffboardingTemplateActive(id int64, active bool) error {
	if err := t.requireAdmin("change offboarding templates"); err != nil {
		return err
	}
	var before model.OffboardingTemplate
	err := t.queryRow(`SELECT id, position, title, detail, active FROM offboarding_templates WHERE id = ?`, id).
		Scan(&before.ID, &before.Position, &before.Title, &before.Detail, &before.Active)
	if isNoRows(err) {
		return model.Invalid("template", strconv.FormatInt(id, 10), "is not a template step id")
	} else if err != nil {
		return err
	}
	if before.Active == active {
		return nil
	}
	if _, err := t.exec(`UPDATE offboarding_templates SET active = ? WHERE id = ?`, active, id); err != nil {
		return fmt.Errorf("update template: %w", err)
	}
	after := before
	after.Active = active
	return t.Audit("update", "offboarding_template", id, before, after)
}

// holdings gathers what person holds right now, inside the transaction, so
// the checklist and the status change see one snapshot.
func (t *Tx) holdings(p model.Person, successor string) (model.Holdings, error) {
	h := model.Holdings{Successor: successor, OtherAdmins: map[int64]int{}}
	var err error
	h.Accounts, err = collectRows(t.ctx, t.tx, scanAccount, accountSelect+` WHERE a.person_id = ?`, p.ID)
	if err != nil {
		return h, fmt.Errorf("read accounts: %w", err)
	}
	h.Devices, err = collectRows(t.ctx, t.tx, scanDevice, `SELECT `+deviceCols+` FROM devices WHERE holder_id = ? AND status <> 'retired'`, p.ID)
	if err != nil {
		return h, fmt.Errorf("read devices: %w", err)
	}
	h.Secrets, err = secretsWhere(t.ctx, t.tx, `x.id IN (SELECT secret_id FROM secret_holders WHERE person_id = ? AND removed_at IS NULL)`, p.ID)
	if err != nil {
		return h, err
	}
	owned, err := collectRows(t.ctx, t.tx, scanService, `SELECT `+serviceCols+` FROM services WHERE owner_id = ? AND status = 'active'`, p.ID)
	if err != nil {
		return h, fmt.Errorf("read services: %w", err)
	}
	rows, err := t.query(`SELECT a.service_id, count(*) FROM accounts a JOIN people q ON q.id = a.person_id
		WHERE a.entitlement = 'admin' AND a.status = 'active' AND q.status = 'active' AND q.id <> ? GROUP BY a.service_id`, p.ID)
	if err != nil {
		return h, fmt.Errorf("count admins: %w", err)
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return h, err
		}
		h.OtherAdmins[id] = n
	}
	rows.Close()
	for _, sv := range owned {
		h.Services = append(h.Services, model.OwnedService{Service: sv, OtherAdmins: h.OtherAdmins[sv.ID]})
	}
	h.Templates, err = listTemplates(t.ctx, t.tx, true)
	return h, err
}

// StartOffboarding opens an offboarding for personID: the person becomes
// leaving (which refuses their SSH keys from this transaction on; a person
// already departed stays departed), and the checklist is generated from what
// they hold now. lastDay ("" keeps the person's end date) becomes their end
// date; successorID, if set, receives the services they own.
func (t *Tx) StartOffboarding(personID int64, lastDay string, successorID *int64) (model.Offboarding, error) {
	if err := t.requireAdmin("start offboardings"); err != nil {
		return model.Offboarding{}, err
	}
	p, err := t.GetPerson(personID)
	if err != nil {
		return model.Offboarding{}, err
	}
	if lastDay, err = model.ParseDate("last_day", lastDay); err != nil {
		return model.Offboarding{}, err
	}
	var open int64
	if err := t.queryRow(`SELECT id FROM offboardings WHERE person_id = ? AND status = 'open'`, personID).Scan(&open); err == nil {
		return model.Offboarding{}, model.Invalid("person", p.Email, fmt.Sprintf("already has an open offboarding (%d)", open))
	} else if !isNoRows(err) {
		return model.Offboarding{}, err
	}
	successor := ""
	if successorID != nil {
		sp, err := t.GetPerson(*successorID)
		switch {
		case err != nil:
			return model.Offboarding{}, model.Invalid("successor", strconv.FormatInt(*successorID, 10), "is not a known person")
		case sp.ID == p.ID:
			return model.Offboarding{}, model.Invalid("successor", sp.Email, "is the person leaving")
		case sp.Status != "active":
			return model.Offboarding{}, model.Invalid("successor", sp.Email, "is "+sp.Status+", not active")
		}
		successor = sp.Name
	}
	prior := p.Status
	if _, p, err = t.UpdatePerson(p.ID, func(q *model.Person) error {
		if q.Status == "active" {
			q.Status = "leaving"
		}
		if lastDay != "" {
			q.EndDate = lastDay
		}
		return nil
	}); err != nil {
		return model.Offboarding{}, err
	}
	h, err := t.holdings(p, successor)
	if err != nil {
		return model.Offboarding{}, err
	}
	res, err := t.exec(`INSERT INTO offboardings(person_id, successor_id, last_day, status, prior_status, started_at, started_by)
		VALUES (?,?,?,'open',?,?,?)`, p.ID, nullID(successorID), p.EndDate, prior, fmtTime(t.at), t.actor.String())
	if err != nil {
		return model.Offboarding{}, fmt.Errorf("start offboarding: %w", err)
	}
	offID, err := res.LastInsertId()
	if err != nil {
		return model.Offboarding{}, err
	}
	for _, st := range model.PlanOffboarding(h) {
		if _, err := t.exec(`INSERT INTO offboarding_steps(offboarding_id, n, kind, ref_id, title, detail, bus_factor_one, state)
			VALUES (?,?,?,?,?,?,?,'open')`, offID, st.N, st.Kind, nullID(st.RefID), st.Title, st.Detail, st.BusFactorOne); err != nil {
			return model.Offboarding{}, fmt.Errorf("add step %d: %w", st.N, err)
		}
	}
	o, err := getOffboarding(t.ctx, t.tx, offID)
	if err != nil {
		return o, err
	}
	return o, t.Audit("start", "offboarding", offID, nil, o)
}

// openOffboarding reads an offboarding that steps may still change.
func (t *Tx) openOffboarding(offID int64) (model.Offboarding, error) {
	o, err := getOffboarding(t.ctx, t.tx, offID)
	if err != nil {
		return o, err
	}
	if o.Status != "open" {
		return o, model.Invalid("offboarding", strconv.FormatInt(offID, 10), "is completed; its steps can no longer change")
	}
	return o, nil
}

// step reads step n of an open offboarding with its undo data.
func (t *Tx) step(o model.Offboarding, n int) (model.OffboardingStep, string, error) {
	st, undo, err := scanStep(t.queryRow(stepSelect+` WHERE offboarding_id = ? AND n = ?`, o.ID, n))
	if isNoRows(err) {
		return st, "", model.Invalid("step", strconv.Itoa(n), fmt.Sprintf("is not a step of this offboarding (1-%d)", len(o.Steps)))
	}
	return st, undo, err
}

// stepUndo holds the inventory records as they were before a step was
// marked done, so undo can put them back.
type stepUndo struct {
	Account *model.Account `json:"account,omitempty"`
	Device  *model.Device  `json:"device,omitempty"`
	Service *model.Service `json:"service,omitempty"`
	Secret  *model.Secret  `json:"secret,omitempty"`
}

// MarkStep moves step n of offboarding offID to m.State. Marking done acts
// on the inventory in the same transaction: an account is revoked, a device
// goes to spare/repair/lost with its holder cleared, a service gets the
// successor as owner, a secret's rotation is recorded and the leaver
// removed from its holders. Each of those is audited by the inventory
// method that does it (so role rules apply: devices and services need an
// admin), and the step records what changed.
func (t *Tx) MarkStep(offID int64, n int, m model.StepMark) (model.OffboardingStep, error) {
	m.Normalize()
	o, err := t.openOffboarding(offID)
	if err != nil {
		return model.OffboardingStep{}, err
	}
	before, _, err := t.step(o, n)
	if err != nil {
		return before, err
	}
	if err := m.Transition(before.State); err != nil {
		return before, err
	}
	effect, undo := "", stepUndo{}
	if m.State == model.StateDone && before.RefID != nil {
		if effect, undo, err = t.applyStep(o, before, m); err != nil {
			return before, err
		}
	}
	undoJSON := ""
	if undo != (stepUndo{}) {
		b, err := json.Marshal(undo)
		if err != nil {
			return before, err
		}
		undoJSON = string(b)
	}
	if _, err := t.exec(`UPDATE offboarding_steps SET state = ?, reason = ?, effect = ?, undo_data = ?, by = ?, at = ? WHERE id = ?`,
		m.State, m.Reason, effect, undoJSON, t.actor.String(), fmtTime(t.at), before.ID); err != nil {
		return before, fmt.Errorf("mark step: %w", err)
	}
	if m.Note != "" {
		if err := t.insertNote(before.ID, m.Note); err != nil {
			return before, err
		}
	}
	return t.auditStep(o, n, map[string]string{model.StateDone: "done", model.StateSkipped: "skip", model.StateBlocked: "block"}[m.State], before)
}

func (t *Tx) auditStep(o model.Offboarding, n int, action string, before model.OffboardingStep) (model.OffboardingStep, error) {
	o, err := getOffboarding(t.ctx, t.tx, o.ID)
	if err != nil {
		return before, err
	}
	after := o.Steps[n-1]
	return after, t.Audit(action, "offboarding_step", after.ID, before, after)
}

// applyStep performs a done step's inventory change and describes it.
func (t *Tx) applyStep(o model.Offboarding, st model.OffboardingStep, m model.StepMark) (string, stepUndo, error) {
	id := *st.RefID
	switch st.Kind {
	case model.StepAccount:
		b, a, err := t.UpdateAccount(id, func(a *model.Account) error { a.Status = "revoked"; return nil })
		if err != nil {
			return "", stepUndo{}, err
		}
		if b.Status == a.Status {
			return fmt.Sprintf("account %s:%s was already revoked", a.ServiceName, a.Username), stepUndo{}, nil
		}
		return fmt.Sprintf("account %s:%s %s → revoked", a.ServiceName, a.Username, b.Status), stepUndo{Account: &b}, nil
	case model.StepDevice:
		b, a, err := t.UpdateDevice(id, func(d *model.Device) error {
			d.Status, d.HolderID = m.DeviceStatus, nil
			return nil
		})
		if err != nil {
			return "", stepUndo{}, err
		}
		return fmt.Sprintf("device %s %s → %s, holder cleared", a.AssetTag, b.Status, a.Status), stepUndo{Device: &b}, nil
	case model.StepService:
		succ := o.SuccessorID
		if m.SuccessorID != nil {
			succ = m.SuccessorID
		}
		if succ == nil {
			return "", stepUndo{}, model.Invalid("successor", "", "is required to hand over a service (give --successor)")
		}
		sp, err := t.GetPerson(*succ)
		if err != nil || sp.Status != "active" || sp.ID == o.PersonID {
			return "", stepUndo{}, model.Invalid("successor", strconv.FormatInt(*succ, 10), "is not an active person other than the leaver")
		}
		b, a, err := t.UpdateService(id, func(s *model.Service) error { s.OwnerID = &sp.ID; return nil })
		if err != nil {
			return "", stepUndo{}, err
		}
		return fmt.Sprintf("service %s owner %s → %s", a.Name, o.PersonName, sp.Name), stepUndo{Service: &b}, nil
	case model.StepSecret:
		b, _, err := t.RotateSecret(id, t.at, nil, o.PersonID)
		if err != nil {
			return "", stepUndo{}, err
		}
		return fmt.Sprintf("secret %s rotated; %s no longer a holder", b.Name, o.PersonName), stepUndo{Secret: &b}, nil
	}
	return "", stepUndo{}, nil
}

// UndoStep puts step n back to open and, if marking it done changed the
// inventory, puts those records back as they were (audited).
func (t *Tx) UndoStep(offID int64, n int) (model.OffboardingStep, error) {
	o, err := t.openOffboarding(offID)
	if err != nil {
		return model.OffboardingStep{}, err
	}
	before, undoJSON, err := t.step(o, n)
	if err != nil {
		return before, err
	}
	if err := model.CanUndo(n, before.State); err != nil {
		return before, err
	}
	if undoJSON != "" {
		var u stepUndo
		if err := json.Unmarshal([]byte(undoJSON), &u); err != nil {
			return before, fmt.Errorf("step %d undo data: %w", n, err)
		}
		if err := t.restore(u); err != nil {
			return before, err
		}
	}
	if _, err := t.exec(`UPDATE offboarding_steps SET state = 'open', reason = '', effect = '', undo_data = '', by = ?, at = ? WHERE id = ?`,
		t.actor.String(), fmtTime(t.at), before.ID); err != nil {
		return before, fmt.Errorf("undo step: %w", err)
	}
	return t.auditStep(o, n, "undo", before)
}

func (t *Tx) restore(u stepUndo) error {
	var err error
	switch {
	case u.Account != nil:
		_, _, err = t.UpdateAccount(u.Account.ID, func(a *model.Account) error { a.Status = u.Account.Status; return nil })
	case u.Device != nil:
		_, _, err = t.UpdateDevice(u.Device.ID, func(d *model.Device) error {
			d.Status, d.HolderID = u.Device.Status, u.Device.HolderID
			return nil
		})
	case u.Service != nil:
		_, _, err = t.UpdateService(u.Service.ID, func(s *model.Service) error { s.OwnerID = u.Service.OwnerID; return nil })
	case u.Secret != nil:
		err = t.restoreSecret(*u.Secret)
	}
	return err
}

// AddStepNote appends a note or evidence (a ticket link) to step n.
func (t *Tx) AddStepNote(offID int64, n int, text string) (model.OffboardingStep, error) {
	text = model.SanitizeMultiline(text, 4096)
	if text == "" {
		return model.OffboardingStep{}, model.Invalid("note", "", "is required")
	}
	o, err := t.openOffboarding(offID)
	if err != nil {
		return model.OffboardingStep{}, err
	}
	before, _, err := t.step(o, n)
	if err != nil {
		return before, err
	}
	if err := t.insertNote(before.ID, text); err != nil {
		return before, err
	}
	return t.auditStep(o, n, "note", before)
}

func (t *Tx) insertNote(stepID int64, text string) error {
	_, err := t.exec(`INSERT INTO offboarding_notes(step_id, at, actor, text) VALUES (?,?,?,?)`, stepID, fmtTime(t.at), t.actor.String(), text)
	if err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	return nil
}

// CompleteOffboarding closes offboarding offID: refused while any step is
// open or blocked unless force is set with a reason, which is recorded.
// The person becomes departed with the offboarding's last day (or today) as
// end date. Nothing is deleted.
func (t *Tx) CompleteOffboarding(offID int64, force bool, reason string) (model.Offboarding, error) {
	if err := t.requireAdmin("complete offboardings"); err != nil {
		return model.Offboarding{}, err
	}
	reason = model.Sanitize(reason)
	before, err := t.openOffboarding(offID)
	if err != nil {
		return before, err
	}
	if force && reason == "" {
		return before, model.Invalid("reason", "", "is required to force completion")
	}
	if !force && reason != "" {
		return before, model.Invalid("reason", reason, "is only used with --force")
	}
	unfinished := before.Progress.Open + before.Progress.Blocked
	if unfinished > 0 && !force {
		var first model.OffboardingStep
		for _, st := range before.Steps {
			if !st.Closed() {
				first = st
				break
			}
		}
		return before, model.Invalid("offboarding", strconv.FormatInt(offID, 10),
			fmt.Sprintf("has %d unfinished step(s) (first: %d %q is %s); finish them or use --force --reason", unfinished, first.N, first.Title, first.State))
	}
	lastDay := before.LastDay
	if lastDay == "" {
		lastDay = t.at.Format(model.DateLayout)
	}
	if _, _, err := t.UpdatePerson(before.PersonID, func(p *model.Person) error {
		p.Status, p.EndDate = "departed", lastDay
		return nil
	}); err != nil {
		return before, err
	}
	if _, err := t.exec(`UPDATE offboardings SET status = 'completed', last_day = ?, completed_at = ?, completed_by = ?, forced = ?, force_reason = ? WHERE id = ?`,
		lastDay, fmtTime(t.at), t.actor.String(), force && unfinished > 0, reason, offID); err != nil {
		return before, fmt.Errorf("complete offboarding: %w", err)
	}
	after, err := getOffboarding(t.ctx, t.tx, offID)
	if err != nil {
		return after, err
	}
	return after, t.Audit("complete", "offboarding", offID, before, after)
}

// OpenOffboardingFor returns the person's open offboarding, with steps.
func (t *Tx) OpenOffboardingFor(personID int64) (model.Offboarding, error) {
	var id int64
	err := t.queryRow(`SELECT id FROM offboardings WHERE person_id = ? AND status = 'open'`, personID).Scan(&id)
	if isNoRows(err) {
		p, _ := t.GetPerson(personID)
		return model.Offboarding{}, model.Invalid("person", p.Email, "has no open offboarding (start one with 'opsdeck offboard start EMAIL')")
	}
	if err != nil {
		return model.Offboarding{}, err
	}
	return getOffboarding(t.ctx, t.tx, id)
}
