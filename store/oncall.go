package store

import (
	"context"
	"fmt"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

const oncallSelect = `SELECT o.id, o.person_id, p.name, p.email, o.starts_at, o.ends_at, o.set_by FROM oncall o JOIN people p ON p.id = o.person_id `

func scanOnCall(sc scanner) (model.OnCall, error) {
	var o model.OnCall
	var s, e string
	err := sc.Scan(&o.ID, &o.PersonID, &o.PersonName, &o.Email, &s, &e, &o.SetBy)
	o.StartsAt, o.EndsAt = parseTime(s), parseTime(e)
	return o, err
}

func onCallAt(ctx context.Context, db querier, at time.Time) ([]model.OnCall, error) {
	rows, err := db.QueryContext(ctx, oncallSelect+`WHERE o.starts_at <= ? AND o.ends_at > ? AND p.status <> 'departed' ORDER BY o.starts_at DESC`, fmtTime(at), fmtTime(at))
	if err != nil {
		return nil, fmt.Errorf("on call: %w", err)
	}
	defer rows.Close()
	var out []model.OnCall
	for rows.Next() {
		o, err := scanOnCall(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OnCallAt lists who is on call at a moment (usually one person).
func (s *Store) OnCallAt(ctx context.Context, at time.Time) ([]model.OnCall, error) {
	return onCallAt(ctx, s.r, at)
}

// UpcomingOnCall lists shifts that end after at, soonest first.
func (s *Store) UpcomingOnCall(ctx context.Context, at time.Time) ([]model.OnCall, error) {
	rows, err := s.r.QueryContext(ctx, oncallSelect+`WHERE o.ends_at > ? ORDER BY o.starts_at`, fmtTime(at))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.OnCall
	for rows.Next() {
		o, err := scanOnCall(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetOnCall puts a person on call from start until end. Whoever is on call
// in that window is replaced there: their shift is cut at start.
func (t *Tx) SetOnCall(personRef string, start, end time.Time) (model.OnCall, error) {
	p, err := t.FindPerson(personRef)
	if err != nil {
		return model.OnCall{}, model.Invalid("person", personRef, "is not a known person")
	}
	if p.Status == "departed" {
		return model.OnCall{}, model.Invalid("person", personRef, "has departed")
	}
	if !end.After(start) {
		return model.OnCall{}, model.Invalid("until", end.UTC().Format(time.RFC3339), "is not after "+start.UTC().Format(time.RFC3339))
	}
	if _, err := t.exec(`UPDATE oncall SET ends_at = ? WHERE starts_at <= ? AND ends_at > ?`, fmtTime(start), fmtTime(start), fmtTime(start)); err != nil {
		return model.OnCall{}, err
	}
	res, err := t.exec(`INSERT INTO oncall(person_id, starts_at, ends_at, set_by, created_at) VALUES (?,?,?,?,?)`,
		p.ID, fmtTime(start), fmtTime(end), t.actor.String(), fmtTime(t.at))
	if err != nil {
		return model.OnCall{}, err
	}
	id, _ := res.LastInsertId()
	o, err := scanOnCall(t.queryRow(oncallSelect+`WHERE o.id = ?`, id))
	if err != nil {
		return o, err
	}
	return o, t.Audit("create", "oncall", id, nil, o)
}
