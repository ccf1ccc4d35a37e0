package backups

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

var admin = model.LocalActor("tester")

func newStore(t *testing.T) *store.Store {
	t.Helper()
	return storetest.Open(t, nil)
}

func addJob(t *testing.T, s *store.Store, j model.BackupJob) model.BackupJob {
	t.Helper()
	err := s.Write(context.Background(), admin, func(tx *store.Tx) error {
		sv := model.Service{Name: "svc-" + j.Name}
		if err := tx.AddService(&sv); err != nil {
			return err
		}
		j.ServiceID = sv.ID
		return tx.AddBackupJob(&j)
	})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestRunCommandExitCodes(t *testing.T) {
	killGrace = 200 * time.Millisecond
	ctx := context.Background()
	cases := []struct {
		name, cmd string
		ok        bool
		code      int // -1: none
		errHas    string
		outHas    string
		timeout   time.Duration
		timedOut  bool
	}{
		{"ok", `echo dumped 42 rows; exit 0`, true, 0, "", "dumped 42 rows", time.Minute, false},
		{"fails", `echo "pg_dump: connection refused" >&2; exit 3`, false, 3, "exit status 3", "connection refused", time.Minute, false},
		{"hangs", `echo started; sleep 600`, false, -1, "timed out after 300ms; killed", "started", 300 * time.Millisecond, true},
		{"ignores TERM", `trap '' TERM; echo stubborn; sleep 600`, false, -1, "timed out", "stubborn", 300 * time.Millisecond, true},
		{"missing", `/nonexistent/pg_dump`, false, 127, "exit status 127", "not found", time.Minute, false},
		{"job name", `echo "job=$OPSDECK_BACKUP_JOB"`, true, 0, "", "job=job name", time.Minute, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := RunCommand(ctx, c.name, c.cmd, "", c.timeout)
			if r.OK != c.ok || r.TimedOut != c.timedOut || !strings.Contains(r.Err, c.errHas) || !strings.Contains(r.Output, c.outHas) {
				t.Fatalf("%+v", r)
			}
			if (c.code < 0) != (r.ExitCode == nil) || (r.ExitCode != nil && *r.ExitCode != c.code) {
				t.Fatalf("exit code %v, want %d", r.ExitCode, c.code)
			}
		})
	}
}

func TestRunCommandKeepsOutputTail(t *testing.T) {
	r := RunCommand(context.Background(), "big", `i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done`, "", time.Minute)
	if !r.OK || len(r.Output) > outputTail || !strings.HasSuffix(r.Output, "line 1999\n") {
		t.Fatalf("len %d ok %v tail %q", len(r.Output), r.OK, r.Output[max(0, len(r.Output)-20):])
	}
}

func TestRunJobRecordsStateAndDue(t *testing.T) {
	killGrace = 200 * time.Millisecond
	s := newStore(t)
	ctx := context.Background()
	job := addJob(t, s, model.BackupJob{Name: "pg", Command: "exit 1", Schedule: "* * * * *", Timeout: time.Minute})
	run, err := RunJob(ctx, s, admin, job, "manual")
	if err != nil || run.Status != "failed" || run.ExitCode == nil || *run.ExitCode != 1 {
		t.Fatalf("run %+v %v", run, err)
	}
	h, err := s.JobHealth(ctx, job, time.Now())
	if err != nil || h.State != model.BackupFailed || !strings.Contains(h.Reason, "exit status 1") {
		t.Fatalf("health %+v %v", h, err)
	}
	// Every minute: due again a minute after the run.
	work, err := Due(ctx, s, Config{Policy: model.DefaultSelfBackupPolicy, Dir: t.TempDir()}, time.Now().Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for _, w := range work {
		keys = append(keys, w.Key)
	}
	if strings.Join(keys, ",") != "self:backup,job:pg" {
		t.Fatalf("due %v", keys)
	}
	// Run the self backup through Due's work: it backs up and prunes; the
	// restore test is then due and passes.
	if err := work[0].Run(ctx); err != nil {
		t.Fatal(err)
	}
	work, _ = Due(ctx, s, Config{Policy: model.DefaultSelfBackupPolicy}, time.Now())
	if len(work) != 1 || work[0].Key != "self:restore-test" {
		t.Fatalf("due %+v", work)
	}
	if err := work[0].Run(ctx); err != nil {
		t.Fatal(err)
	}
	hs, err := s.BackupHealth(ctx, model.DefaultSelfBackupPolicy, time.Now())
	if err != nil || hs[0].Key != "self" || hs[0].State != model.BackupOK {
		t.Fatalf("self health %+v %v", hs, err)
	}
}

// A failed own backup is retried after a pause, not on every poll.
func TestDueBacksOffAfterFailure(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Policy: model.DefaultSelfBackupPolicy, Dir: filepath.Join(file, "sub")} // cannot be created
	if _, err := BackupSelf(ctx, s, cfg, "scheduled"); err == nil {
		t.Fatal("backup into a path under a file succeeded")
	}
	for _, c := range []struct {
		after time.Duration
		due   bool
	}{{time.Minute, false}, {59 * time.Minute, false}, {61 * time.Minute, true}} {
		work, err := Due(ctx, s, cfg, time.Now().Add(c.after))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(work) == 1 && work[0].Key == "self:backup"; got != c.due {
			t.Errorf("after %s: due %v, want %v", c.after, got, c.due)
		}
	}
}
