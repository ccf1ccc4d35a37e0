package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Stopping the schedule stops a running backup command and waits for it:
// the command gets its grace to clean up, and its run is recorded (not
// left "running") before the scheduler's Run returns and the database
// closes.
func TestSchedulerStopWaitsForRunningBackupJobs(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(filepath.Join(dir, "opsdeck.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	started := filepath.Join(dir, "started")
	// Like pg_dump removing its partial file: a second of cleanup on TERM.
	command := fmt.Sprintf(`trap 'sleep 1; echo cleaned up; exit 1' TERM; touch %s; sleep 100 & wait`, started)
	job := model.BackupJob{Name: "pg", Command: command, Schedule: "* * * * *", Timeout: time.Hour}
	s.Now = func() time.Time { return time.Now().Add(-2 * time.Minute) } // created long enough ago to be due now
	err = s.Write(context.Background(), model.LocalActor("tester"), func(tx *store.Tx) error {
		sv := model.Service{Name: "Postgres"}
		if err := tx.AddService(&sv); err != nil {
			return err
		}
		job.ServiceID = sv.ID
		return tx.AddBackupJob(&job)
	})
	s.Now = time.Now
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- checks.NewScheduler(s, SchedulerConfig(s, nil)).Run(ctx) }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduler never started the backup command")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("scheduler: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the scheduler did not stop")
	}
	runs, err := s.ListJobRuns(context.Background(), job.ID, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	r := runs[0]
	if r.Status != "failed" || !strings.Contains(r.Error, "cancelled") || !strings.Contains(r.Output, "cleaned up") {
		t.Fatalf("after the scheduler stopped, the run is %s (error %q, output %q); want failed, cancelled, cleaned up", r.Status, r.Error, r.Output)
	}
}
