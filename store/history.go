package store

import (
	"fmt"
	"math"
	"time"
)

// HistoryBatch is generated check history written in bulk: raw results and
// hourly/daily rollups. It exists for the generator (benchmarks at scale
// need 30 days of history for 5,000 checks); the scheduler never uses it.
type HistoryBatch struct {
	Results []RawResult
	Hourly  []RollupRow
	Daily   []RollupRow
}

// RawResult is one row of check_results.
type RawResult struct {
	CheckID   int64
	At        time.Time
	Status    string // up, warn, down or error
	LatencyMs float64
	Message   string // kept only for results that are not up, as the scheduler does
}

// RollupRow is one row of an hourly or daily rollup table.
type RollupRow struct {
	CheckID int64
	Rollup
}

// InsertHistory writes b in this transaction and audits it as one row
// (counts only): auditing each of millions of results would double the
// database for nothing an operator could read.
//
// Within a batch, a check's result whose status differs from its previous
// one in the batch (and its first) is marked as a state change, which
// Prune keeps (results are expected in time order per check).
func (t *Tx) InsertHistory(b HistoryBatch) error {
	prev := map[int64]string{}
	for _, r := range b.Results {
		var msg any
		if r.Status != "up" {
			msg = r.Message
		}
		code, ok := statusCode[r.Status]
		if !ok {
			return fmt.Errorf("insert history: unknown status %q", r.Status)
		}
		last, seen := prev[r.CheckID]
		prev[r.CheckID] = r.Status
		if _, err := t.exec(`INSERT OR REPLACE INTO check_results(check_id, at_ms, status, latency, message, changed) VALUES (?,?,?,?,?,?)`,
			r.CheckID, r.At.UnixMilli(), code, int64(math.Round(r.LatencyMs*10)), msg, !seen || last != r.Status); err != nil {
			return fmt.Errorf("insert history result: %w", err)
		}
	}
	for _, lv := range []struct {
		table string
		rows  []RollupRow
	}{{"check_rollups_hourly", b.Hourly}, {"check_rollups_daily", b.Daily}} {
		q := `INSERT OR REPLACE INTO ` + lv.table + `(check_id, bucket, n, ok, p50_ms, p95_ms, max_ms) VALUES (?,?,?,?,?,?,?)`
		for _, r := range lv.rows {
			if _, err := t.exec(q, r.CheckID, r.Bucket.Unix(), r.N, r.OK, r.P50, r.P95, r.Max); err != nil {
				return fmt.Errorf("insert history %s: %w", lv.table, err)
			}
		}
	}
	return t.Audit("insert_history", "check_results", 0, nil,
		map[string]int{"results": len(b.Results), "hourly": len(b.Hourly), "daily": len(b.Daily)})
}

// MarkRolledUp records that rollups are complete up to now, so the
// scheduler does not recompute generated history from raw rows.
func (t *Tx) MarkRolledUp(now time.Time) error {
	if err := t.setMetaTime(metaRolledHourly, now.UTC().Truncate(time.Hour)); err != nil {
		return err
	}
	return t.setMetaTime(metaRolledDaily, now.UTC().Truncate(24*time.Hour))
}
