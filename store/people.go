package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// peopleTable is the people table, read and written from model.PersonFields.
var peopleTable = newTable("people", "person", model.PersonFields, func(p *model.Person) (*int64, *time.Time, *time.Time) {
	return &p.ID, &p.CreatedAt, &p.UpdatedAt
})

var personCols = peopleTable.cols("")

func scanPerson(sc scanner) (model.Person, error) { return peopleTable.scan(sc, nil) }

// PeopleQuery narrows ListPeople. Zero value: everyone.
type PeopleQuery struct {
	Status string // active, joining, leaving, departed, or "" for all
	Limit  int
}

// ListPeople returns people ordered by name.
func (s *Store) ListPeople(ctx context.Context, q PeopleQuery) ([]model.Person, error) {
	f := (&filter{}).eq("status", q.Status)
	return peopleTable.list(ctx, s.r, f.sql(), "name COLLATE NOCASE, id", q.Limit, f.args...)
}

// GetPerson reads one person by id.
func (s *Store) GetPerson(ctx context.Context, id int64) (model.Person, error) {
	return peopleTable.get(ctx, s.r, id)
}

// FindPerson resolves what a user typed: an id, an email, or a name (exact,
// then a unique case-insensitive substring).
func (s *Store) FindPerson(ctx context.Context, ref string) (model.Person, error) {
	return findPerson(ctx, s.r, ref)
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func findPerson(ctx context.Context, db querier, ref string) (model.Person, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		p, err := scanPerson(db.QueryRowContext(ctx, `SELECT `+personCols+` FROM people WHERE id = ?`, id))
		if isNoRows(err) {
			return p, notFound("person", ref)
		}
		return p, err
	}
	// Email first: it is unique and indexed, and what scripts pass.
	p, err := scanPerson(db.QueryRowContext(ctx, `SELECT `+personCols+` FROM people WHERE email = ?`, ref))
	if err == nil || !isNoRows(err) {
		return p, err
	}
	// Then a name: exactly, else a unique part of a name or an email's start.
	found, err := peopleWhere(ctx, db, `name = ? COLLATE NOCASE`, ref)
	if err == nil && len(found) == 0 {
		found, err = peopleWhere(ctx, db, `instr(lower(name), lower(?)) > 0 OR instr(lower(email), lower(?)) = 1`, ref, ref)
	}
	if err != nil {
		return model.Person{}, err
	}
	switch len(found) {
	case 0:
		return model.Person{}, notFound("person", ref)
	case 1:
		return found[0], nil
	default:
		return model.Person{}, model.Invalid("person", ref, fmt.Sprintf("matches several people (%s, %s, ...); use the email", found[0].Email, found[1].Email))
	}
}

// peopleWhere returns up to three people matching a condition: enough to
// tell one match from several.
func peopleWhere(ctx context.Context, db querier, where string, args ...any) ([]model.Person, error) {
	return collectRows(ctx, db, scanPerson, `SELECT `+personCols+` FROM people WHERE `+where+` LIMIT 3`, args...)
}

// FindPerson resolves a reference inside a write transaction.
func (t *Tx) FindPerson(ref string) (model.Person, error) { return findPerson(t.ctx, t.tx, ref) }

// GetPerson reads one person inside the transaction.
func (t *Tx) GetPerson(id int64) (model.Person, error) { return peopleTable.get(t.ctx, t.tx, id) }

func (t *Tx) checkPersonUnique(p *model.Person) error {
	var id int64
	var name string
	err := t.queryRow(`SELECT id, name FROM people WHERE email = ? AND id <> ?`, p.Email, p.ID).Scan(&id, &name)
	if err == nil {
		return model.Invalid("email", p.Email, fmt.Sprintf("already belongs to %s (id %d)", name, id))
	}
	if !isNoRows(err) {
		return err
	}
	if p.ManagerID != nil {
		if *p.ManagerID == p.ID {
			return model.Invalid("manager", strconv.FormatInt(*p.ManagerID, 10), "cannot be the person themself")
		}
	}
	return t.checkPersonRef("manager", p.ManagerID)
}

// checkPersonRef refuses a reference, in the field named, to a person who
// does not exist; a nil id is no reference.
func (t *Tx) checkPersonRef(field string, id *int64) error {
	if id != nil && !t.personExists(*id) {
		return model.Invalid(field, strconv.FormatInt(*id, 10), "is not a known person")
	}
	return nil
}

// personExists is the cheap form of GetPerson for reference checks: a
// bulk import checks one manager per row.
func (t *Tx) personExists(id int64) bool {
	var one int
	return t.queryRow(`SELECT 1 FROM people WHERE id = ?`, id).Scan(&one) == nil
}

// AddPerson inserts p (setting its ID) and audits it.
func (t *Tx) AddPerson(p *model.Person) error {
	return addAdminRow(t, "add people", peopleTable, p, t.checkPersonUnique, t.GetPerson)
}

// UpdatePerson applies fn to person id and audits the change.
func (t *Tx) UpdatePerson(id int64, fn func(*model.Person) error) (before, after model.Person, err error) {
	return updateAdminRow(t, "edit people", peopleTable, id, t.GetPerson, fn, t.checkPersonUnique)
}

// DeactivatePerson marks a person departed (with today as end date if none
// was set). History stays: nothing is deleted.
func (t *Tx) DeactivatePerson(id int64) (before, after model.Person, err error) {
	return t.UpdatePerson(id, func(p *model.Person) error {
		p.Status = "departed"
		if p.EndDate == "" {
			p.EndDate = t.at.Format(model.DateLayout)
		}
		return nil
	})
}

// CountPeople counts people by status ("" for all).
func (s *Store) CountPeople(ctx context.Context, status string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE ? = '' OR status = ?`, status, status).Scan(&n)
	return n, err
}
