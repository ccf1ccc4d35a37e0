package gen

import (
	"context"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/store"
)

func genDB(t *testing.T, z Sizes) *store.Store {
	t.Helper()
	return storetest.Open(t, nil, func(ctx context.Context, s *store.Store) error { return Run(ctx, s, z, nil) })
}

// The same seed gives the same checks; history lands as raw results for
// the retention window and rollups before it, audited once per batch.
func TestChecksAndHistory(t *testing.T) {
	ctx := context.Background()
	z := Sizes{People: 20, Devices: 20, Services: 10, AccountsPerPerson: 1, Checks: 60, HistoryDays: 3, Seed: 7}
	a, b := genDB(t, z), genDB(t, z)
	ca, err := a.ListChecks(ctx, store.CheckQuery{})
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := b.ListChecks(ctx, store.CheckQuery{})
	if len(ca) != 60 || len(cb) != 60 {
		t.Fatalf("checks: %d and %d, want 60", len(ca), len(cb))
	}
	active := 0
	for i := range ca {
		x, y := ca[i], cb[i]
		if x.Name != y.Name || x.Kind != y.Kind || x.Target != y.Target || x.Paused != y.Paused || x.IntervalS != y.IntervalS {
			t.Fatalf("seed 7 gave different checks: %+v vs %+v", x, y)
		}
		if x.ServiceID == nil {
			t.Fatalf("check %s bound to no service", x.Name)
		}
		if !x.Paused {
			active++
			if x.Kind != "heartbeat" && x.Target != "127.0.0.1:9" {
				t.Fatalf("active check %s points off the machine: %s %s", x.Name, x.Kind, x.Target)
			}
		}
	}
	if active == 0 || active > 20 {
		t.Fatalf("%d of 60 checks active, want mostly paused", active)
	}

	c := ca[0]
	recent, err := a.RecentResults(ctx, c.ID, 100000)
	if err != nil {
		t.Fatal(err)
	}
	perDay := int(24 * time.Hour / c.Interval())
	if len(recent) < perDay*2-2 || len(recent) > perDay*2+2 {
		t.Fatalf("check %s every %ds: %d raw results, want two days (%d)", c.Name, c.IntervalS, len(recent), perDay*2)
	}
	now := a.Now()
	hourly, err := a.Rollups(ctx, c.ID, false, now.AddDate(0, 0, -4))
	if err != nil {
		t.Fatal(err)
	}
	daily, _ := a.Rollups(ctx, c.ID, true, now.AddDate(0, 0, -4))
	if len(hourly) < 3*24 || len(daily) != 3 {
		t.Fatalf("rollups: %d hourly, %d daily; want 3 days of each", len(hourly), len(daily))
	}
	if daily[0].N != 24*hourly[0].N {
		t.Fatalf("daily n %d, hourly n %d", daily[0].N, hourly[0].N)
	}
	audit, err := a.ListAudit(ctx, store.AuditQuery{Entity: "check_results"})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 { // 60 checks, 50 per transaction
		t.Fatalf("%d history audit rows, want one per batch (2)", len(audit))
	}
}
