package ops_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
)

// pinned is the instant the tests' clock starts at.
var pinned = time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)

// newEnv opens a real SQLite file in t.TempDir() on a fake clock, with
// the demo company when demoCo is set, and returns an admin's env.
func newEnv(t *testing.T, demoCo bool) ops.Env {
	t.Helper()
	clock := clockwork.NewFakeClockAt(pinned)
	s, err := store.OpenWithClock(filepath.Join(t.TempDir(), "opsdeck.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if demoCo {
		if err := demo.Load(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	actor := model.LocalActor("tester")
	return ops.Env{Store: s.For(actor), Actor: actor, Clock: clock}
}

// wantField fails unless err is a model.Invalid naming field and
// containing reason.
func wantField(t *testing.T, err error, field, reason string) {
	t.Helper()
	fe, ok := model.AsFieldError(err)
	if !ok || fe.Field != field || !strings.Contains(err.Error(), reason) {
		t.Fatalf("error %v, want field %s: ...%s", err, field, reason)
	}
}

func TestRestoreTest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, true)
	if _, _, err := ops.RestoreTest(ctx, e, "", nil); !errors.Is(err, ops.ErrNoBackup) {
		t.Fatalf("restore test without a backup: %v", err)
	}
	if _, err := e.Store.Backup(ctx, e.Actor, store.BackupOptions{Reason: "manual"}); err != nil {
		t.Fatal(err)
	}
	var phases []string
	run, rep, err := ops.RestoreTest(ctx, e, "", func(phase string, done, total int) {
		if len(phases) == 0 || phases[len(phases)-1] != phase {
			phases = append(phases, phase)
		}
	})
	if err != nil || !rep.OK {
		t.Fatalf("restore test: %v %+v", err, rep)
	}
	if got := strings.Join(phases, ","); got != "copy,verify,open" {
		t.Errorf("phases %q, want copy,verify,open", got)
	}
	runs, err := e.Store.ListBackupRuns(ctx, store.BackupRunQuery{OnlyPresent: true, Limit: 1})
	if err != nil || len(runs) != 1 || runs[0].ID != run.ID || runs[0].RestoreTestOK == nil || !*runs[0].RestoreTestOK {
		t.Fatalf("recorded run %+v (%v)", runs, err)
	}

	// A cancelled test records nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	before := *runs[0].RestoreTestedAt
	e.Clock.(*clockwork.FakeClock).Advance(time.Hour)
	if _, _, err := ops.RestoreTest(cctx, e, run.File, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled restore test: %v", err)
	}
	runs, _ = e.Store.ListBackupRuns(ctx, store.BackupRunQuery{OnlyPresent: true, Limit: 1})
	if !runs[0].RestoreTestedAt.Equal(before) {
		t.Errorf("a cancelled test was recorded at %v", runs[0].RestoreTestedAt)
	}
}
