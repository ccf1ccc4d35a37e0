package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/instants"
	"github.com/opsdeck/opsdeck/model"
)

// The date-sensitive store suites at every instant of the date matrix
// (internal/instants), in the instant's zone.

// Rollups: an hour of results ending at the instant lands in the hours and
// the day it belongs to, whatever the hour boundaries; uptime and raw
// pruning read the same numbers back.
func TestRollupsAtEveryInstant(t *testing.T) {
	instants.Each(t, func(t *testing.T, in instants.Instant) {
		f := newFixtureAt(t, in.Time().Add(-time.Hour))
		start := f.now
		for i := range 120 { // one hour at 30 s: 90 up, 30 down
			r := byte('+')
			if i%4 == 0 {
				r = '-'
			}
			f.feed(t, map[*model.Check]byte{f.api: r})
		}
		hours := map[time.Time]bool{start.UTC().Truncate(time.Hour): true, f.now.Add(-30 * time.Second).UTC().Truncate(time.Hour): true}
		steps := 0
		for more := true; more; steps++ {
			if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error {
				var err error
				more, err = t.Rollup(f.now.Add(time.Hour), 1)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		sum := func(daily bool, from time.Time) (n, ok int64, buckets int) {
			ru, err := f.s.Rollups(f.ctx, f.api.ID, daily, from)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range ru {
				n, ok = n+int64(r.N), ok+int64(r.OK)
			}
			return n, ok, len(ru)
		}
		if n, ok, b := sum(false, start.Add(-time.Hour)); n != 120 || ok != 90 || b != len(hours) {
			t.Fatalf("hourly rollups from %s: %d results, %d ok in %d buckets, want 120, 90 in %d", start, n, ok, b, len(hours))
		}
		if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error { _, err := t.Rollup(f.now.Add(48*time.Hour), 1000); return err }); err != nil {
			t.Fatal(err)
		}
		if n, ok, _ := sum(true, start.Add(-48*time.Hour)); n != 120 || ok != 90 {
			t.Fatalf("daily rollups: %d results, %d ok", n, ok)
		}
		if u, err := f.s.Uptime(f.ctx, f.api.ID, f.now); err != nil || u.Day != 75 || u.Month != 75 {
			t.Fatalf("uptime %+v %v", u, err)
		}
		var n int64
		if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error {
			var err error
			n, err = t.Prune(f.now.AddDate(0, 0, 3), DefaultRetention)
			return err
		}); err != nil || n != 10 {
			// Raw results are kept by count: the newest 100 plus every
			// state change; of the 20 older ones, 10 changed the status.
			t.Fatalf("prune removed %d raw rows (%v), want 10", n, err)
		}
		if rs, err := f.s.RecentResults(f.ctx, f.api.ID, 1000); err != nil || len(rs) != 110 {
			t.Fatalf("after prune: %d raw rows (%v), want 110", len(rs), err)
		}
		if u, _ := f.s.Uptime(f.ctx, f.api.ID, f.now); u.Day != 75 {
			t.Fatalf("uptime from rollups after pruning raw: %+v", u)
		}
	})
}

// Ledger weeks: work just before the instant counts in the local week it
// was done in (a Monday 00:30 puts Sunday evening in last week), and the
// twelve weeks end with this one.
func TestLedgerWeeksAtEveryInstant(t *testing.T) {
	instants.Each(t, func(t *testing.T, in instants.Instant) {
		f := newLedgerFixture(t)
		now := in.Time()
		f.clock = now
		start, end := now.Add(-3*time.Hour), now.Add(-time.Hour)
		e := model.WorkEntry{Kind: "unplanned", StartedAt: start, EndedAt: &end}
		f.write(f.oscar, func(tx *Tx) error { return tx.AddEntry(&e) })
		weeks, err := f.s.LedgerWeeks(context.Background(), 12, time.Local)
		if err != nil || len(weeks) != 12 {
			t.Fatalf("weeks %+v %v", weeks, err)
		}
		if got, want := weeks[11].Start, model.WeekStart(now, time.Local).Format(model.DateLayout); got != want {
			t.Fatalf("the last week starts %s, want %s", got, want)
		}
		var total float64
		for i, w := range weeks {
			total += w.Unplanned.Float()
			ws, _ := time.ParseInLocation(model.DateLayout, w.Start, time.Local)
			if i > 0 {
				if prev, _ := time.ParseInLocation(model.DateLayout, weeks[i-1].Start, time.Local); ws.AddDate(0, 0, -7) != prev || ws.Weekday() != time.Monday {
					t.Fatalf("week %d starts %s after %s", i, w.Start, weeks[i-1].Start)
				}
			}
		}
		if total != 2 {
			t.Fatalf("2 hours logged, weeks hold %v: %+v", total, weeks)
		}
		if ws := model.WeekStart(now, time.Local); !start.Before(ws) && weeks[11].Unplanned.Float() != 2 {
			t.Fatalf("this week lacks the work: %+v", weeks[11])
		}
	})
}

// Backup retention over 400 nightly backups (03:00 local, so across DST)
// ending at the instant: seven days, four ISO weeks and twelve months, each
// counted once, and the newest always kept.
func TestBackupRetentionAtEveryInstant(t *testing.T) {
	instants.Each(t, func(t *testing.T, in instants.Instant) {
		now := in.Time()
		var items []model.RetentionItem
		for i := range 400 {
			d := now.AddDate(0, 0, -i)
			at := time.Date(d.Year(), d.Month(), d.Day(), 3, 0, 0, 0, time.Local)
			if at.After(now) {
				continue
			}
			items = append(items, model.RetentionItem{Key: at.Format(time.RFC3339), At: at})
		}
		got := model.SelectRetention(items, model.DefaultRetention)
		days, weeks, months := map[string]bool{}, map[string]bool{}, map[string]bool{}
		kept := 0
		for _, d := range got {
			if !d.Keep {
				continue
			}
			kept++
			for _, r := range d.Reasons {
				switch {
				case strings.HasPrefix(r, "daily "):
					days[r] = true
				case strings.HasPrefix(r, "weekly "):
					weeks[r] = true
				case strings.HasPrefix(r, "monthly "):
					months[r] = true
				}
			}
		}
		if len(days) != 7 || len(weeks) != 4 || len(months) != 12 || kept < 12 || kept > 23 || !got[0].Keep {
			t.Fatalf("kept %d: %d days, %d weeks, %d months; newest kept %v", kept, len(days), len(weeks), len(months), got[0].Keep)
		}
	})
}
