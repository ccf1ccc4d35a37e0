package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"
)

// Keys in the meta table that remember how far rollups have got.
const (
	metaRolledHourly = "checks.rolled_hourly_until"
	metaRolledDaily  = "checks.rolled_daily_until"
)

func (s *Store) metaTime(ctx context.Context, key string) (time.Time, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if isNoRows(err) {
		return time.Time{}, nil
	}
	return parseTime(v), err
}

func (t *Tx) metaTime(key string) (time.Time, error) {
	var v string
	err := t.queryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if isNoRows(err) {
		return time.Time{}, nil
	}
	return parseTime(v), err
}

func (t *Tx) setMetaTime(key string, v time.Time) error {
	_, err := t.exec(`INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, fmtTime(v))
	return err
}

// Retention says how much of each level of history is kept. Raw results
// are kept per check by count, so their space is bounded whatever the
// check count and interval; rollups by age.
type Retention struct {
	RawKeep    int // raw results per check, newest first (default 100)
	ChangeKeep int // results that changed the check's status, kept beyond RawKeep (default 100)
	HourlyDays int // hourly rollups (default 8: the 24 h and 7 d windows)
	DailyDays  int // daily rollups (default 400)
}

// DefaultRetention keeps 50,000 checks every 30 s for a year under 2 GB
// (BENCHMARKS.md, #24, has the formula and the measured bytes per row).
var DefaultRetention = Retention{RawKeep: 100, ChangeKeep: 100, HourlyDays: 8, DailyDays: 400}

// notifyKeepDays is how long delivered notifications stay in the queue.
const notifyKeepDays = 45

// Rollup summarizes complete hours not yet summarized from raw results
// (count, successes, p50/p95/max latency) and complete days from those
// hours. Each bucket touches every check, so one call does at most
// maxBuckets buckets and reports whether more are left: the scheduler
// commits between steps and never holds the writer for long, even when it
// catches up after downtime. Idempotent.
func (t *Tx) Rollup(now time.Time, maxBuckets int) (more bool, err error) {
	ids, err := t.checkIDs()
	if err != nil {
		return false, err
	}
	done := 0
	for _, lv := range []struct {
		key  string
		size time.Duration
		one  func(id int64, b time.Time) error
	}{{metaRolledHourly, time.Hour, t.rollupHour}, {metaRolledDaily, 24 * time.Hour, t.rollupDay}} {
		until := now.UTC().Truncate(time.Hour).Truncate(lv.size) // days close only once their hours are rolled
		from, err := t.rollupStart(lv.key, lv.size)
		if err != nil {
			return false, err
		}
		for b := from; b.Before(until); b = b.Add(lv.size) {
			if done == maxBuckets {
				return true, t.setMetaTime(lv.key, b)
			}
			for _, id := range ids {
				if err := lv.one(id, b); err != nil {
					return false, err
				}
			}
			done++
		}
		if until.After(from) {
			if err := t.setMetaTime(lv.key, until); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

// rollupStart is where a level resumes: where it stopped, or (first time)
// when the oldest check was created.
func (t *Tx) rollupStart(key string, size time.Duration) (time.Time, error) {
	from, err := t.metaTime(key)
	if err != nil || !from.IsZero() {
		return from, err
	}
	var created sql.NullString
	if err := t.queryRow(`SELECT min(created_at) FROM checks`).Scan(&created); err != nil || !created.Valid {
		return t.at.Truncate(size), err
	}
	return parseTime(created.String).Truncate(size), nil
}

func (t *Tx) checkIDs() ([]int64, error) { return t.ids(`SELECT id FROM checks ORDER BY id`) }

func (t *Tx) ids(q string, args ...any) ([]int64, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (t *Tx) rollupHour(checkID int64, b time.Time) error {
	rows, err := t.query(`SELECT status, latency FROM check_results WHERE check_id = ? AND at_ms >= ? AND at_ms < ?`,
		checkID, b.UnixMilli(), b.Add(time.Hour).UnixMilli())
	if err != nil {
		return err
	}
	var lats []float64
	ok := 0
	for rows.Next() {
		var st int
		var lat int64
		if err := rows.Scan(&st, &lat); err != nil {
			rows.Close()
			return err
		}
		if st == 0 {
			ok++
		}
		lats = append(lats, float64(lat)/10)
	}
	rows.Close()
	if len(lats) == 0 {
		return nil
	}
	sort.Float64s(lats)
	_, err = t.exec(`INSERT OR REPLACE INTO check_rollups_hourly(check_id, bucket, n, ok, p50_ms, p95_ms, max_ms) VALUES (?,?,?,?,?,?,?)`,
		checkID, b.Unix(), len(lats), ok, quantile(lats, 0.5), quantile(lats, 0.95), lats[len(lats)-1])
	return err
}

// rollupDay sums a day's hours. Its percentiles are the run-weighted
// percentiles of the hourly ones: an approximation that needs 24 rows per
// check instead of every raw result of the day.
func (t *Tx) rollupDay(checkID int64, b time.Time) error {
	rows, err := t.query(`SELECT n, ok, p50_ms, p95_ms, max_ms FROM check_rollups_hourly WHERE check_id = ? AND bucket >= ? AND bucket < ?`,
		checkID, b.Unix(), b.Add(24*time.Hour).Unix())
	if err != nil {
		return err
	}
	var p50s, p95s []weighted
	n, ok, maxMs := 0, 0, 0.0
	for rows.Next() {
		var hn, hok int
		var p50, p95, hmax float64
		if err := rows.Scan(&hn, &hok, &p50, &p95, &hmax); err != nil {
			rows.Close()
			return err
		}
		n, ok, maxMs = n+hn, ok+hok, max(maxMs, hmax)
		p50s, p95s = append(p50s, weighted{p50, hn}), append(p95s, weighted{p95, hn})
	}
	rows.Close()
	if n == 0 {
		return nil
	}
	_, err = t.exec(`INSERT OR REPLACE INTO check_rollups_daily(check_id, bucket, n, ok, p50_ms, p95_ms, max_ms) VALUES (?,?,?,?,?,?,?)`,
		checkID, b.Unix(), n, ok, weightedQuantile(p50s, 0.5), weightedQuantile(p95s, 0.95), maxMs)
	return err
}

type weighted struct {
	v float64
	w int
}

func weightedQuantile(xs []weighted, q float64) float64 {
	sort.Slice(xs, func(i, j int) bool { return xs[i].v < xs[j].v })
	total := 0
	for _, x := range xs {
		total += x.w
	}
	acc := 0
	for _, x := range xs {
		acc += x.w
		if float64(acc) >= q*float64(total) {
			return x.v
		}
	}
	return xs[len(xs)-1].v
}

// quantile of sorted values by nearest rank.
func quantile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Prune trims history to the retention: per check, raw results beyond
// the newest RawKeep, except state changes (the newest ChangeKeep of
// those stay) and results not yet rolled up into hours; rollups older
// than their days. One check at a time, so each delete walks the primary
// key (or the state-change index) of that check only.
func (t *Tx) Prune(now time.Time, r Retention) (int64, error) {
	var total int64
	for after := int64(0); ; {
		next, n, err := t.PruneStep(now, r, after, 0)
		total += n
		if err != nil || next == 0 {
			return total, err
		}
		after = next
	}
}

// PruneStep is Prune for at most limit checks (0: all) with ids above
// after; next is the last id done, 0 when none are left. The scheduler
// commits between steps, so 50,000 checks never hold the writer for long.
// The notification queue is trimmed with the first step.
func (t *Tx) PruneStep(now time.Time, r Retention, after int64, limit int) (next, n int64, err error) {
	rolled, err := t.metaTime(metaRolledHourly)
	if err != nil {
		return 0, 0, err
	}
	q := `SELECT id FROM checks WHERE id > ? ORDER BY id`
	args := []any{after}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	ids, err := t.ids(q, args...)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range ids {
		for _, p := range []struct {
			sql  string
			args []any
		}{
			// Older than the RawKeep-th newest, not a state change, rolled up.
			{`DELETE FROM check_results WHERE check_id = ?1 AND changed = 0 AND at_ms < ?2
				AND at_ms < coalesce((SELECT at_ms FROM check_results WHERE check_id = ?1 ORDER BY at_ms DESC LIMIT 1 OFFSET ?3), 0)`,
				[]any{id, rolled.UnixMilli(), max(r.RawKeep-1, 0)}},
			// State changes beyond the ChangeKeep newest, outside the RawKeep newest.
			{`DELETE FROM check_results WHERE check_id = ?1 AND changed = 1 AND at_ms < ?2
				AND at_ms < coalesce((SELECT at_ms FROM check_results WHERE check_id = ?1 AND changed = 1 ORDER BY at_ms DESC LIMIT 1 OFFSET ?3), 0)
				AND at_ms < coalesce((SELECT at_ms FROM check_results WHERE check_id = ?1 ORDER BY at_ms DESC LIMIT 1 OFFSET ?4), 0)`,
				[]any{id, rolled.UnixMilli(), max(r.ChangeKeep-1, 0), max(r.RawKeep-1, 0)}},
			{`DELETE FROM check_rollups_hourly WHERE check_id = ? AND bucket < ?`, []any{id, now.AddDate(0, 0, -r.HourlyDays).Unix()}},
			{`DELETE FROM check_rollups_daily WHERE check_id = ? AND bucket < ?`, []any{id, now.AddDate(0, 0, -r.DailyDays).Unix()}},
		} {
			res, err := t.exec(p.sql, p.args...)
			if err != nil {
				return 0, n, fmt.Errorf("prune check %d: %w", id, err)
			}
			k, _ := res.RowsAffected()
			n += k
		}
	}
	if after == 0 {
		if _, err := t.exec(`DELETE FROM notification_queue WHERE state <> 'pending' AND created_at < ?`, fmtTime(now.AddDate(0, 0, -notifyKeepDays))); err != nil {
			return 0, n, err
		}
	}
	if len(ids) == 0 || (limit > 0 && len(ids) < limit) || limit == 0 {
		return 0, n, nil
	}
	return ids[len(ids)-1], n, nil
}

// Rollup is one hourly or daily summary row.
type Rollup struct {
	Bucket time.Time `json:"bucket"`
	N      int       `json:"n"`
	OK     int       `json:"ok"`
	P50    float64   `json:"p50_ms"`
	P95    float64   `json:"p95_ms"`
	Max    float64   `json:"max_ms"`
}

// Rollups returns a check's hourly (daily=false) or daily rollups since from.
func (s *Store) Rollups(ctx context.Context, checkID int64, daily bool, from time.Time) ([]Rollup, error) {
	table := "check_rollups_hourly"
	if daily {
		table = "check_rollups_daily"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT bucket, n, ok, p50_ms, p95_ms, max_ms FROM `+table+` WHERE check_id = ? AND bucket >= ? ORDER BY bucket`, checkID, from.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rollup
	for rows.Next() {
		var r Rollup
		var b int64
		if err := rows.Scan(&b, &r.N, &r.OK, &r.P50, &r.P95, &r.Max); err != nil {
			return nil, err
		}
		r.Bucket = time.Unix(b, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
