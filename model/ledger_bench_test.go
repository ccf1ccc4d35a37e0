package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchEntries makes n finished entries spread over the 12 weeks before
// now, for 20 actors, with links and some overlaps.
func benchEntries(n int, now time.Time) []WorkEntry {
	rng := rand.New(rand.NewPCG(1, 2))
	span := int64(12 * 7 * 24 * time.Hour)
	out := make([]WorkEntry, n)
	for i := range out {
		start := now.Add(-time.Duration(rng.Int64N(span)))
		end := start.Add(time.Duration(10+rng.IntN(110)) * time.Minute)
		dev, svc, per := int64(rng.IntN(40)+1), int64(rng.IntN(12)+1), int64(rng.IntN(20)+1)
		kind := WorkKinds[rng.IntN(2)]
		out[i] = WorkEntry{ID: int64(i + 1), Kind: kind, Category: DefaultLedgerCategories[rng.IntN(len(DefaultLedgerCategories))],
			StartedAt: start, EndedAt: &end, Status: "stopped", Actor: fmt.Sprintf("local:user%d", rng.IntN(20)),
			DeviceID: &dev, DeviceTag: fmt.Sprintf("LT-%03d", dev), ServiceID: &svc, ServiceName: fmt.Sprintf("svc-%d", svc),
			PersonID: &per, PersonName: fmt.Sprintf("person %d", per),
			Segments: []Segment{{Start: start, End: &end}}}
	}
	return out
}

// BenchmarkBuildReport50k is the pure part of `ledger report` over 12
// weeks of 50 000 entries: attribution, days, weeks, top sources.
func BenchmarkBuildReport50k(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Skip(err)
	}
	now := time.Date(2026, 11, 27, 14, 0, 0, 0, loc)
	es := benchEntries(50000, now)
	to := WeekStart(now, loc).AddDate(0, 0, 7)
	from := to.AddDate(0, 0, -7*TrendWeeks)
	rs := ReportRange(from, to, now, loc)
	b.ResetTimer()
	for b.Loop() {
		r := BuildReport(es, rs, now, loc)
		if r.Total() == 0 {
			b.Fatal("empty report")
		}
	}
}
