package backups

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// A backup run recorded by a clock set to 2035 is neither the latest
// backup nor a reason to wait: the daily backup is still due, the health
// line does not count it, and it is reported once.
func TestFutureBackupRunDoesNotStopDailyBackup(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	now := time.Now()
	s.Now = func() time.Time { return time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC) }
	run, err := s.Backup(ctx, admin, store.BackupOptions{Dir: t.TempDir(), Reason: "manual"})
	if err != nil || run.Status != "ok" {
		t.Fatalf("setup backup: %v %+v", err, run)
	}
	s.Now = func() time.Time { return now }
	var logged []string
	cfg := Config{Policy: model.DefaultSelfBackupPolicy, Dir: t.TempDir(), Logf: func(f string, a ...any) { logged = append(logged, f) }}
	for range 2 {
		due, err := Due(ctx, s, cfg, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) == 0 || due[0].Key != "self:backup" {
			t.Fatalf("daily backup not due beside a 2035 run: %+v", due)
		}
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "in the future") {
		t.Errorf("the 2035 run was not reported exactly once: %q", logged)
	}
	h, err := s.BackupHealth(ctx, model.DefaultSelfBackupPolicy, now)
	if err != nil {
		t.Fatal(err)
	}
	if h[0].LastRunAt != nil && h[0].LastRunAt.Year() == 2035 {
		t.Errorf("health counts the 2035 run as the latest: %+v", h[0])
	}
	if h[0].State.Healthy() {
		t.Errorf("no real backup, yet healthy: %+v", h[0].BackupStatus)
	}
}
