package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// The ledger's reads. Entries come back with their segments and the names
// of what they link to, so model.BuildReport can rank sources without SQL.

const entrySelect = `SELECT e.id, e.kind, e.category, e.note, e.started_at, e.ended_at, e.status, e.person_id, e.device_id,
	e.service_id, e.alert_id, e.interrupts_id, e.actor, e.created_at, e.updated_at,
	coalesce(p.name, ''), coalesce(d.asset_tag, ''), coalesce(s.name, '')
	FROM work_entries e
	LEFT JOIN people p ON p.id = e.person_id
	LEFT JOIN devices d ON d.id = e.device_id
	LEFT JOIN services s ON s.id = e.service_id`

func scanEntry(sc scanner) (model.WorkEntry, error) {
	var e model.WorkEntry
	var started, created, updated string
	var ended sql.NullString
	var person, device, service, alert, interrupts sql.NullInt64
	err := sc.Scan(&e.ID, &e.Kind, &e.Category, &e.Note, &started, &ended, &e.Status, &person, &device, &service,
		&alert, &interrupts, &e.Actor, &created, &updated, &e.PersonName, &e.DeviceTag, &e.ServiceName)
	e.StartedAt, e.EndedAt = parseTime(started), parseTimePtr(ended)
	e.PersonID, e.DeviceID, e.ServiceID, e.AlertID, e.InterruptsID = idPtr(person), idPtr(device), idPtr(service), idPtr(alert), idPtr(interrupts)
	e.CreatedAt, e.UpdatedAt = parseTime(created), parseTime(updated)
	return e, err
}

// LedgerQuery narrows LedgerEntries. Zero value: every entry.
type LedgerQuery struct {
	// From and To select entries with time in [From, To) (zero: unbounded).
	From, To time.Time
	Actor    string // only this actor's entries ("" all)
	Kind     string // planned or unplanned ("" both)
	Open     bool   // only running or paused entries
	AlertID  int64  // only entries linked to this alert
	Limit    int
}

func (q LedgerQuery) where() (string, []any) {
	where, args := []string{"1=1"}, []any{}
	if !q.To.IsZero() {
		where, args = append(where, "e.started_at < ?"), append(args, fmtTime(q.To))
	}
	if !q.From.IsZero() {
		where, args = append(where, "(e.ended_at IS NULL OR e.ended_at > ?)"), append(args, fmtTime(q.From))
	}
	if q.Actor != "" {
		where, args = append(where, "e.actor = ?"), append(args, q.Actor)
	}
	if q.Kind != "" {
		where, args = append(where, "e.kind = ?"), append(args, q.Kind)
	}
	if q.Open {
		where = append(where, "e.status <> 'stopped'")
	}
	if q.AlertID != 0 {
		where, args = append(where, "e.alert_id = ?"), append(args, q.AlertID)
	}
	return strings.Join(where, " AND "), args
}

// LedgerEntries returns entries ordered by start, with segments.
func (s *Store) LedgerEntries(ctx context.Context, q LedgerQuery) ([]model.WorkEntry, error) {
	return listEntries(ctx, s.r, q, s.now())
}

func listEntries(ctx context.Context, db querier, q LedgerQuery, now time.Time) ([]model.WorkEntry, error) {
	where, args := q.where()
	query := entrySelect + ` WHERE ` + where + ` ORDER BY e.started_at, e.id`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list ledger entries: %w", err)
	}
	var out []model.WorkEntry
	index := map[int64]int{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list ledger entries: %w", err)
		}
		index[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list ledger entries: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	segQuery := `SELECT g.entry_id, g.started_at, g.ended_at FROM work_segments g WHERE g.entry_id IN (SELECT e.id FROM work_entries e WHERE ` + where + `) ORDER BY g.entry_id, g.started_at`
	if q.Limit > 0 {
		// The limited id set is known: ask for exactly those.
		ids := make([]string, len(out))
		for i, e := range out {
			ids[i] = strconv.FormatInt(e.ID, 10)
		}
		segQuery, args = `SELECT g.entry_id, g.started_at, g.ended_at FROM work_segments g WHERE g.entry_id IN (`+strings.Join(ids, ",")+`) ORDER BY g.entry_id, g.started_at`, nil
	}
	srows, err := db.QueryContext(ctx, segQuery, args...)
	if err != nil {
		return nil, fmt.Errorf("list ledger segments: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var id int64
		var start string
		var end sql.NullString
		if err := srows.Scan(&id, &start, &end); err != nil {
			return nil, fmt.Errorf("list ledger segments: %w", err)
		}
		if i, ok := index[id]; ok {
			out[i].Segments = append(out[i].Segments, model.Segment{Start: parseTime(start), End: parseTimePtr(end)})
		}
	}
	if err := srows.Err(); err != nil {
		return nil, fmt.Errorf("list ledger segments: %w", err)
	}
	for i := range out {
		out[i].Minutes = int64(out[i].Duration(now).Round(time.Minute) / time.Minute)
	}
	return out, nil
}

func getEntry(ctx context.Context, db querier, id int64, now time.Time) (model.WorkEntry, error) {
	e, err := scanEntry(db.QueryRowContext(ctx, entrySelect+` WHERE e.id = ?`, id))
	if isNoRows(err) {
		return e, notFound("ledger entry", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return e, fmt.Errorf("read ledger entry %d: %w", id, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT started_at, ended_at FROM work_segments WHERE entry_id = ? ORDER BY started_at`, id)
	if err != nil {
		return e, fmt.Errorf("read ledger entry %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var start string
		var end sql.NullString
		if err := rows.Scan(&start, &end); err != nil {
			return e, err
		}
		e.Segments = append(e.Segments, model.Segment{Start: parseTime(start), End: parseTimePtr(end)})
	}
	e.Minutes = int64(e.Duration(now).Round(time.Minute) / time.Minute)
	return e, rows.Err()
}

// GetEntry reads one ledger entry with its segments.
func (s *Store) GetEntry(ctx context.Context, id int64) (model.WorkEntry, error) {
	return getEntry(ctx, s.r, id, s.now())
}

// RunningEntry is actor's running entry (the status bar's timer), or nil.
func (s *Store) RunningEntry(ctx context.Context, actor string) (*model.WorkEntry, error) {
	open, err := s.OpenEntries(ctx, actor)
	if err != nil || len(open) == 0 || open[0].Status != "running" {
		return nil, err
	}
	return &open[0], nil
}

// OpenEntries lists actor's unfinished entries: the running one first, then
// paused ones, most recently paused first (the order resume picks them).
func (s *Store) OpenEntries(ctx context.Context, actor string) ([]model.WorkEntry, error) {
	open, err := listEntries(ctx, s.r, LedgerQuery{Actor: actor, Open: true}, s.now())
	if err != nil {
		return nil, err
	}
	sortOpen(open)
	return open, nil
}

// sortOpen puts the running entry first, then paused entries by the end of
// their last segment, latest first.
func sortOpen(es []model.WorkEntry) {
	key := func(e model.WorkEntry) time.Time {
		if e.Status == "running" || len(e.Segments) == 0 {
			return time.Unix(1<<40, 0)
		}
		if end := e.Segments[len(e.Segments)-1].End; end != nil {
			return *end
		}
		return e.StartedAt
	}
	sort.SliceStable(es, func(i, j int) bool { return key(es[i]).After(key(es[j])) })
}

// LedgerReport summarizes [from, to) in loc: totals, days, the 12-week trend
// and the biggest sources of unplanned time.
func (s *Store) LedgerReport(ctx context.Context, from, to time.Time, loc *time.Location) (model.LedgerReport, error) {
	rs := model.ReportRange(from.In(loc), to.In(loc), s.now(), loc)
	entries, err := s.LedgerEntries(ctx, LedgerQuery{From: rs.LoadFrom, To: rs.LoadTo})
	if err != nil {
		return model.LedgerReport{}, err
	}
	return model.BuildReport(entries, rs, s.now(), loc), nil
}

// LedgerWeeks is the last n weeks (Monday to Monday in loc, the current
// week last) of planned and unplanned hours: the ledger tab's bar chart.
func (s *Store) LedgerWeeks(ctx context.Context, n int, loc *time.Location) ([]model.Bucket, error) {
	if n <= 0 {
		n = model.TrendWeeks
	}
	now := s.now()
	cur := model.WeekStart(now, loc)
	from := time.Date(cur.Year(), cur.Month(), cur.Day()-7*(n-1), 0, 0, 0, 0, loc)
	to := time.Date(cur.Year(), cur.Month(), cur.Day()+7, 0, 0, 0, 0, loc)
	entries, err := s.LedgerEntries(ctx, LedgerQuery{From: from, To: to})
	if err != nil {
		return nil, err
	}
	return model.Weekly(entries, model.Attribute(entries, from, to, now), from, to, loc), nil
}

// LedgerCategory is one configurable category.
type LedgerCategory struct {
	Name     string `json:"name"`
	Position int    `json:"position"`
	Active   bool   `json:"active"`
}

// LedgerCategories lists the categories in display order.
func (s *Store) LedgerCategories(ctx context.Context) ([]LedgerCategory, error) {
	return ledgerCategories(ctx, s.r)
}

func ledgerCategories(ctx context.Context, db querier) ([]LedgerCategory, error) {
	out, err := collectRows(ctx, db, func(sc scanner) (LedgerCategory, error) {
		var c LedgerCategory
		return c, sc.Scan(&c.Name, &c.Position, &c.Active)
	}, `SELECT name, position, active FROM ledger_categories ORDER BY position, name`)
	if err != nil {
		return nil, fmt.Errorf("list ledger categories: %w", err)
	}
	return out, nil
}
