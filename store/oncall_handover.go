package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// HandoverRow is a recorded handover: its summary and id.
type HandoverRow struct {
	ID int64 `json:"id"`
	model.Handover
}

// handoverStale: a handoff older than this when the scheduler first sees
// it (opsdeck was not running) gets no summary sent days late.
const handoverStale = 24 * time.Hour

// RecordHandovers writes the summary of every shift that ended at the
// latest handoff of each rotation and has none yet, and returns them to be
// sent to the outgoing person. Runs in the scheduler.
func (t *Tx) RecordHandovers() ([]HandoverRow, error) {
	plan, err := t.Plan()
	if err != nil {
		return nil, err
	}
	var out []HandoverRow
	for _, r := range plan.Rotations {
		k := r.ShiftIndex(t.at)
		if k < 1 {
			continue
		}
		end := r.Boundary(k)
		if t.at.Sub(end) > handoverStale {
			continue
		}
		var n int
		if err := t.queryRow(`SELECT count(*) FROM oncall_handovers WHERE rotation_id = ? AND shift_end = ?`, r.ID, fmtTime(end)).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			continue
		}
		start := r.Boundary(k - 1)
		one := model.OnCallPlan{Rotations: []model.Rotation{r}, Overrides: plan.Overrides}
		outgoing, incoming := one.Now(end.Add(-time.Nanosecond))[0], one.Now(end)[0]
		h, err := shiftSummary(t.ctx, t.tx, t.at, start, end)
		if err != nil {
			return nil, err
		}
		h.Rotation, h.Person, h.Email, h.Next = r.Name, outgoing.Who(), outgoing.Email, incoming.Who()
		body, err := json.Marshal(h)
		if err != nil {
			return nil, err
		}
		res, err := t.exec(`INSERT INTO oncall_handovers(rotation_id, person_id, shift_start, shift_end, summary, created_at) VALUES (?,?,?,?,?,?)`,
			r.ID, nullID(personRef(outgoing)), fmtTime(start), fmtTime(end), string(body), fmtTime(t.at))
		if err != nil {
			return nil, fmt.Errorf("record handover: %w", err)
		}
		id, _ := res.LastInsertId()
		out = append(out, HandoverRow{ID: id, Handover: h})
	}
	return out, nil
}

func personRef(s model.Shift) *int64 {
	if s.Gap {
		return nil
	}
	id := s.PersonID
	return &id
}

// shiftSummary counts the alerts of a window and the unplanned hours
// logged in it, per person.
func shiftSummary(ctx context.Context, db querier, now, start, end time.Time) (model.Handover, error) {
	h := model.Handover{ShiftStart: start, ShiftEnd: end, StillOpen: []string{}, Unplanned: []model.PersonHours{}}
	s, e := fmtTime(start), fmtTime(end)
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM alerts WHERE opened_at >= ? AND opened_at < ?),
		(SELECT count(*) FROM alerts WHERE acked_at >= ? AND acked_at < ?),
		(SELECT count(*) FROM alerts WHERE resolved_at >= ? AND resolved_at < ?)`, s, e, s, e, s, e).Scan(&h.Fired, &h.Acked, &h.Resolved)
	if err != nil {
		return h, fmt.Errorf("shift summary: %w", err)
	}
	open, err := collectRows(ctx, db, func(sc scanner) (string, error) {
		var id int64
		var name, state string
		err := sc.Scan(&id, &name, &state)
		return fmt.Sprintf("#%d %s (%s)", id, name, state), err
	}, `SELECT id, check_name, state FROM alerts WHERE state <> 'resolved' AND opened_at < ? ORDER BY id`, e)
	if err != nil {
		return h, err
	}
	h.StillOpen = append(h.StillOpen, open...)
	type entry struct {
		actor      string
		start, end time.Time
	}
	entries, err := collectRows(ctx, db, func(sc scanner) (entry, error) {
		var x entry
		var st string
		var en sql.NullString
		err := sc.Scan(&x.actor, &st, &en)
		x.start, x.end = parseTime(st), now
		if p := parseTimePtr(en); p != nil {
			x.end = *p
		}
		return x, err
	}, `SELECT actor, started_at, ended_at FROM work_entries WHERE kind = 'unplanned' AND started_at < ? AND (ended_at IS NULL OR ended_at > ?)`, e, s)
	if err != nil {
		return h, fmt.Errorf("shift summary: unplanned work: %w", err)
	}
	hours := map[string]float64{}
	for _, x := range entries {
		a, b := x.start, x.end
		if a.Before(start) {
			a = start
		}
		if b.After(end) {
			b = end
		}
		if b.After(a) {
			_, who, _ := strings.Cut(x.actor, ":")
			if who == "" {
				who = x.actor
			}
			hours[who] += b.Sub(a).Hours()
		}
	}
	for who, hs := range hours {
		h.Unplanned = append(h.Unplanned, model.PersonHours{Person: who, Hours: hs})
	}
	sort.Slice(h.Unplanned, func(i, j int) bool { return h.Unplanned[i].Person < h.Unplanned[j].Person })
	return h, nil
}

// MarkHandover records what delivering a handover said.
func (t *Tx) MarkHandover(id int64, delivered string) error {
	_, err := t.exec(`UPDATE oncall_handovers SET delivered = ? WHERE id = ?`, model.Sanitize(delivered), id)
	return err
}

// Handovers lists recorded handovers, newest first.
func (s *Store) Handovers(ctx context.Context, limit int) ([]HandoverRow, error) {
	return collectRows(ctx, s.r, func(sc scanner) (HandoverRow, error) {
		var r HandoverRow
		var body string
		if err := sc.Scan(&r.ID, &body, &r.Delivered); err != nil {
			return r, err
		}
		d := r.Delivered
		err := json.Unmarshal([]byte(body), &r.Handover)
		r.Delivered = d
		return r, err
	}, `SELECT id, summary, delivered FROM oncall_handovers ORDER BY shift_end DESC, id DESC LIMIT ?`, limit)
}

// ShiftSummary is the summary of the primary rotation's current shift so
// far (what the console shows before the handoff).
func (s *Store) ShiftSummary(ctx context.Context) (model.Handover, error) {
	now := s.now()
	plan, err := loadPlan(ctx, s.r)
	if err != nil {
		return model.Handover{}, err
	}
	cur := plan.Now(now)[0]
	start := cur.Start
	if start.IsZero() {
		start = now.Add(-7 * 24 * time.Hour)
	}
	h, err := shiftSummary(ctx, s.r, now, start, now)
	if err != nil {
		return h, err
	}
	h.Rotation, h.Person, h.Email = cur.Rotation, cur.Who(), cur.Email
	if next, ok := plan.Next(now); ok {
		h.Next = next.Who()
	}
	return h, nil
}
