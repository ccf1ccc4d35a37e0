package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

// TestRawResultSteadyState measures bytes per raw result once each check
// has many rows interleaved in time, as after days of running (the soak
// sees only a few rows per check). Set OPSDECK_SIZE=1 to run it.
func TestRawResultSteadyState(t *testing.T) {
	if os.Getenv("OPSDECK_SIZE") == "" {
		t.Skip("set OPSDECK_SIZE=1 to measure raw result size at steady state")
	}
	s, err := Open(filepath.Join(t.TempDir(), "size.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const checks, rounds = 500, 300
	at := time.Now()
	for r := range rounds {
		err := s.Write(ctx, model.SystemActor("size"), func(tx *Tx) error {
			for c := range checks {
				res := model.CheckResult{CheckID: int64(c + 1), At: at.Add(time.Duration(r)*time.Minute + time.Duration(c)*time.Millisecond), Status: "up", LatencyMs: float64(20 + (r*c)%50)}
				if r%97 == 0 {
					res.Status, res.Message = "down", fmt.Sprintf("dial tcp 10.0.0.%d:443: connect: connection refused", c%250)
				}
				if err := tx.insertResult(res, "http", r%97 == 0 || r%97 == 1); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var bytes int64
	if err := s.r.QueryRowContext(ctx, `SELECT sum(pgsize) FROM dbstat WHERE name = 'check_results'`).Scan(&bytes); err != nil {
		t.Fatal(err)
	}
	per := float64(bytes) / (checks * rounds)
	t.Logf("%d raw results: %.1f bytes/row; 50,000 checks × %d raw results kept = %.0f MB",
		checks*rounds, per, DefaultRetention.RawKeep, per*50000*float64(DefaultRetention.RawKeep)/1e6)
}
