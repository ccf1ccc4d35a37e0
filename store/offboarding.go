package store

import (
	"context"
	"fmt"

	"github.com/opsdeck/opsdeck/model"
)

// Offboarding is a checklist kind (ops registers it); the store keeps its
// checklists with every other kind's (checklists.go) and reads them here
// as the offboarding view (model.Offboarding) the screens, verbs and JSON
// show, with the leaver as they are now.

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

// collectList is collectRows for a record's sub-list: none is an empty
// list ([] in JSON, not null), and an error says which list (what).
func collectList[T any](ctx context.Context, db querier, what string, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	out, err := collectRows(ctx, db, scan, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}

// firstFound is the first of what a lookup by ref found, or the kind's
// not-found error when it found nothing.
func firstFound[T any](found []T, err error, entity, ref string) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(found) == 0 {
		return zero, notFound(entity, ref)
	}
	return found[0], nil
}

// offboardingView is checklist c as an offboarding, its leaver read in db.
func offboardingView(ctx context.Context, db querier, c model.Checklist) (model.Offboarding, error) {
	if c.Kind != model.OffboardingKind {
		return model.Offboarding{}, model.Invalid("offboarding", fmt.Sprint(c.ID), "is a "+c.Kind+" checklist, not an offboarding")
	}
	var email, status, end string
	if c.SubjectID != nil {
		if err := db.QueryRowContext(ctx, `SELECT email, status, end_date FROM people WHERE id = ?`, *c.SubjectID).Scan(&email, &status, &end); err != nil && !isNoRows(err) {
			return model.Offboarding{}, fmt.Errorf("read leaver: %w", err)
		}
	}
	return model.OffboardingFromChecklist(c, email, status, end), nil
}

// OffboardingView is checklist c (of kind offboarding) as an offboarding.
func (t *Tx) OffboardingView(c model.Checklist) (model.Offboarding, error) {
	return offboardingView(t.ctx, t.tx, c)
}

// OffboardingView is checklist c (of kind offboarding), as read, as an
// offboarding: only the leaver is read.
func (s *Store) OffboardingView(ctx context.Context, c model.Checklist) (model.Offboarding, error) {
	return offboardingView(ctx, s.r, c)
}

// latestOffboarding is the person's open offboarding, or else their most
// recent one, with steps.
func latestOffboarding(ctx context.Context, db querier, personID int64) (model.Offboarding, error) {
	list, err := listChecklists(ctx, db, ChecklistQuery{Kind: model.OffboardingKind, SubjectKind: "person", SubjectID: personID})
	if err != nil {
		return model.Offboarding{}, err
	}
	if len(list) == 0 {
		return model.Offboarding{}, notFound("offboarding for person", fmt.Sprint(personID))
	}
	return getOffboarding(ctx, db, list[0].ID)
}

// Offboarding returns the person's current offboarding (the open one, or
// else the latest) with its steps, notes and progress: everything the
// console's checklist view shows.
func (s *Store) Offboarding(ctx context.Context, personID int64) (model.Offboarding, error) {
	return latestOffboarding(ctx, s.r, personID)
}

// GetOffboarding reads one offboarding by its checklist id, with steps.
func (s *Store) GetOffboarding(ctx context.Context, id int64) (model.Offboarding, error) {
	return getOffboarding(ctx, s.r, id)
}

func getOffboarding(ctx context.Context, db querier, id int64) (model.Offboarding, error) {
	c, err := getChecklist(ctx, db, id)
	if err != nil {
		return model.Offboarding{}, err
	}
	return offboardingView(ctx, db, c)
}

// ListOffboardings returns every offboarding, open ones first, newest
// first, with progress but without steps.
func (s *Store) ListOffboardings(ctx context.Context) ([]model.Offboarding, error) {
	list, err := listChecklists(ctx, s.r, ChecklistQuery{Kind: model.OffboardingKind})
	if err != nil {
		return nil, fmt.Errorf("list offboardings: %w", err)
	}
	out := make([]model.Offboarding, len(list))
	for i, c := range list {
		if out[i], err = offboardingView(ctx, s.r, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OffboardingTrail is the audit trail of one offboarding: its start and
// completion and every step change, oldest first (rows from before
// migration 0020 included, see ChecklistTrail).
func (s *Store) OffboardingTrail(ctx context.Context, id int64) ([]model.AuditEntry, error) {
	return s.ChecklistTrail(ctx, id)
}

// RequireAdmin refuses an actor who is not an admin; what says what they
// may not do ("start offboardings").
func (t *Tx) RequireAdmin(what string) error { return t.requireAdmin(what) }

// Holdings gathers what person holds right now, inside the transaction, so
// the checklist and the status change see one snapshot: the input of
// model.PlanOffboarding.
func (t *Tx) Holdings(p model.Person, successor string) (model.Holdings, error) {
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
