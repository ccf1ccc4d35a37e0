package store

import (
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// Raw results are kept per check by count: the newest RawKeep, the newest
// ChangeKeep state changes beyond those, and every result not yet rolled
// up into an hour, however old.
func TestPruneKeepsRawResultsByCount(t *testing.T) {
	f := newFixture(t)
	// 200 results at 30 s: down at 10-12 and 50 (state changes at 10, 13,
	// 50 and 51, plus the first result), up otherwise.
	down := map[int]bool{10: true, 11: true, 12: true, 50: true}
	for i := range 200 {
		r := byte('+')
		if down[i] {
			r = '-'
		}
		f.feed(t, map[*model.Check]byte{f.api: r})
	}
	keep := Retention{RawKeep: 20, ChangeKeep: 3, HourlyDays: 8, DailyDays: 400}
	prune := func() int64 {
		var n int64
		if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error {
			var err error
			n, err = t.Prune(f.now, keep)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Nothing is rolled up yet: nothing raw may go, however many.
	if n := prune(); n != 0 {
		t.Fatalf("prune before any rollup removed %d raw results, want 0", n)
	}
	if err := f.s.Write(f.ctx, f.systemUser, func(t *Tx) error { _, err := t.Rollup(f.now.Add(2*time.Hour), 100); return err }); err != nil {
		t.Fatal(err)
	}
	prune()
	rs, err := f.s.RecentResults(f.ctx, f.api.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// The newest 20 and the newest 3 state changes (results 13, 50, 51).
	if len(rs) != 23 {
		t.Fatalf("kept %d raw results, want 23 (20 newest + 3 state changes)", len(rs))
	}
	start := rs[len(rs)-1].At
	for i, want := range []int{51, 50, 13} {
		got := rs[20+i].At
		if idx := int(got.Sub(start)/(30*time.Second)) + 13; idx != want {
			t.Errorf("kept state change %d: result %d, want %d", i, idx, want)
		}
	}
	if n := prune(); n != 0 {
		t.Errorf("second prune removed %d more, want 0 (stable)", n)
	}
	// Rollups still count every run.
	ru, err := f.s.Rollups(f.ctx, f.api.ID, false, f.now.Add(-3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range ru {
		n += r.N
	}
	if n != 200 {
		t.Errorf("hourly rollups count %d runs, want 200", n)
	}
}
