package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// genCheck is what the history generator needs to know of a check.
type genCheck struct {
	id       int64
	interval time.Duration
	baseMs   float64 // typical latency
	failPct  int     // percent of runs that fail
}

// Check intervals, weighted as a small company sets them: a few every
// minute, most every five, the slow ones every quarter hour.
var intervals = []int{60, 300, 300, 300, 300, 300, 300, 900, 900, 900}

// genChecks adds z.Checks checks bound to generated services. Nothing
// leaves the machine: 90% are paused (their targets are under
// gen.example.com and never resolved), the active ones connect to
// 127.0.0.1:9 where nothing listens, or are heartbeats judged locally.
func genChecks(ctx context.Context, s *store.Store, actor model.Actor, r *rand.Rand, z Sizes, serviceIDs []int64, progress Progress) ([]genCheck, error) {
	var out []genCheck
	err := batches(ctx, s, actor, z.Checks, z.Batch, func(t *store.Tx, i int) error {
		sid := serviceIDs[i%len(serviceIDs)]
		host := fmt.Sprintf("svc-%05d.gen.example.com", i%len(serviceIDs))
		c := model.Check{Name: fmt.Sprintf("gen-check-%05d", i), ServiceID: &sid,
			IntervalS: intervals[r.IntN(len(intervals))], Paused: r.IntN(10) != 0}
		switch k := r.IntN(10); {
		case !c.Paused && k < 5:
			c.Kind, c.Target = "tcp", "127.0.0.1:9"
		case !c.Paused:
			c.Kind, c.IntervalS, c.GraceS = "heartbeat", 86400, 3600
		case k < 6:
			c.Kind, c.Target = "http", "https://"+host+"/health"
		case k < 8:
			c.Kind, c.Target = "tls", host+":443"
		default:
			c.Kind, c.Target = "dns", host
		}
		c.TimeoutS = 5
		if err := t.AddCheck(&c); err != nil {
			return err
		}
		fail := 0
		if r.IntN(5) == 0 {
			fail = 1 + r.IntN(5)
		}
		out = append(out, genCheck{id: c.ID, interval: c.Interval(), baseMs: 5 + r.Float64()*200, failPct: fail})
		return nil
	}, func(n int) { progress("checks", n) })
	return out, err
}

// genHistory writes days of history for every check, as the scheduler
// would have left it: raw results for the last rawDays (at least
// store.DefaultRetention.RawKeep per active check; the scheduler's prune
// trims them to the retention by count), hourly rollups for every complete hour, daily rollups for
// every complete day. Checks go a few dozen per transaction.
func genHistory(ctx context.Context, s *store.Store, actor model.Actor, r *rand.Rand, days int, checks []genCheck, progress Progress) error {
	if days <= 0 || len(checks) == 0 {
		return nil
	}
	now := s.Now().UTC()
	from := now.AddDate(0, 0, -days).Truncate(24 * time.Hour)
	const rawDays = 2
	rawFrom := now.AddDate(0, 0, -min(days, rawDays))
	const perTx = 50
	err := batches(ctx, s, actor, (len(checks)+perTx-1)/perTx, 1, func(t *store.Tx, b int) error {
		var hb store.HistoryBatch
		for _, c := range checks[b*perTx : min(len(checks), (b+1)*perTx)] {
			hb.Results = append(hb.Results, rawResults(r, c, rawFrom, now)...)
			hourly := rollups(r, c, from, now.Truncate(time.Hour))
			hb.Hourly = append(hb.Hourly, hourly...)
			hb.Daily = append(hb.Daily, daily(hourly)...)
		}
		return t.InsertHistory(hb)
	}, func(n int) { progress("history_checks", min(len(checks), n*perTx)) })
	if err != nil {
		return err
	}
	return s.Write(ctx, actor, func(t *store.Tx) error { return t.MarkRolledUp(now) })
}

// outcome draws one run of c.
func outcome(r *rand.Rand, c genCheck) (status string, ms float64) {
	ms = c.baseMs * (0.7 + r.ExpFloat64()*0.4)
	if r.IntN(100) < c.failPct {
		return "down", float64(5000)
	}
	return "up", ms
}

// rawResults are c's runs on its beat between from and to.
func rawResults(r *rand.Rand, c genCheck, from, to time.Time) []store.RawResult {
	var out []store.RawResult
	for at := model.NextRun(from, c.interval, model.Offset(c.id, c.interval)); at.Before(to); at = at.Add(c.interval) {
		st, ms := outcome(r, c)
		res := store.RawResult{CheckID: c.id, At: at, Status: st, LatencyMs: ms}
		if st != "up" {
			res.Message = "connect: connection timed out"
		}
		out = append(out, res)
	}
	return out
}

// rollups are c's hourly summaries for the complete hours in [from, to).
func rollups(r *rand.Rand, c genCheck, from, to time.Time) []store.RollupRow {
	n := max(1, int(time.Hour/c.interval))
	var out []store.RollupRow
	for b := from; b.Before(to); b = b.Add(time.Hour) {
		ok := n
		for range n {
			if r.IntN(100) < c.failPct {
				ok--
			}
		}
		p50 := c.baseMs * (0.9 + r.Float64()*0.2)
		p95 := p50 * (1.5 + r.Float64())
		mx := p95 * (1 + r.Float64())
		if ok < n {
			mx = 5000
		}
		out = append(out, store.RollupRow{CheckID: c.id, Rollup: store.Rollup{Bucket: b, N: n, OK: ok, P50: p50, P95: p95, Max: mx}})
	}
	return out
}

// daily folds complete days of hourly rollups the way the scheduler does
// not quite (it reads raw rows), but close enough for load: counts add,
// the percentiles take the day's median p50 and worst p95 and max.
func daily(hourly []store.RollupRow) []store.RollupRow {
	var out []store.RollupRow
	for i := 0; i+24 <= len(hourly); i += 24 {
		day := hourly[i : i+24]
		d := store.RollupRow{CheckID: day[0].CheckID, Rollup: store.Rollup{Bucket: day[0].Bucket, P50: day[12].P50}}
		for _, h := range day {
			d.N += h.N
			d.OK += h.OK
			d.P95 = max(d.P95, h.P95)
			d.Max = max(d.Max, h.Max)
		}
		out = append(out, d)
	}
	return out
}
