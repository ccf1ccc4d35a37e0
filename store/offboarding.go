package store

import (
	"context"
	"database/sql"
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
	return stepsWithNotes(ctx, db, "offboarding", offID, stepSelect, scanStep,
		func(s *model.OffboardingStep) (int64, *[]model.StepNote) { return s.ID, &s.Notes })
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
	return trail(ctx, s.r, "offboarding", offID)
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
	if h.Procedures, err = t.ProceduresFor(model.Deprovision); err != nil {
		return h, err
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
