package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// BenchmarkLedgerReport50k is `ledger report` over the last 12 weeks with
// 50 000 entries in the database: the SQL read of entries and segments plus
// the model's report.
func BenchmarkLedgerReport50k(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC()
	rng := rand.New(rand.NewPCG(1, 2))
	err = s.Write(ctx, model.LocalActor("bench"), func(t *Tx) error {
		for i := 0; i < 50000; i++ {
			start := now.Add(-time.Duration(rng.Int64N(int64(12 * 7 * 24 * time.Hour))))
			end := start.Add(time.Duration(10+rng.IntN(110)) * time.Minute)
			if end.After(now) {
				end = now
			}
			res, err := t.exec(`INSERT INTO work_entries(kind, category, note, started_at, ended_at, status, actor, created_at, updated_at)
				VALUES (?,?,?,?,?,?,?,?,?)`, model.WorkKinds[rng.IntN(2)], model.DefaultLedgerCategories[rng.IntN(9)], "bench",
				fmtTime(start), fmtTime(end), "stopped", fmt.Sprintf("local:user%d", rng.IntN(20)), fmtTime(now), fmtTime(now))
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			if _, err := t.exec(`INSERT INTO work_segments(entry_id, started_at, ended_at) VALUES (?,?,?)`, id, fmtTime(start), fmtTime(end)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	loc := time.UTC
	to := model.WeekStart(now, loc).AddDate(0, 0, 7)
	from := to.AddDate(0, 0, -7*model.TrendWeeks)
	b.ResetTimer()
	for b.Loop() {
		r, err := s.LedgerReport(ctx, from, to, loc)
		if err != nil || r.Entries < 40000 {
			b.Fatalf("report: %v (%d entries)", err, r.Entries)
		}
	}
}
