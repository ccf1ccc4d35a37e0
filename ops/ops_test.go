package ops_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/demo"
	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/transfer"
)

// pinned is the instant the tests' clock starts at.
var pinned = time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)

// newEnv opens a real SQLite file in t.TempDir() on a fake clock, with
// the demo company when demoCo is set, and returns an admin's env.
func newEnv(t *testing.T, demoCo bool) ops.Env {
	t.Helper()
	clock := clockwork.NewFakeClockAt(pinned)
	var seed []func(context.Context, *store.Store) error
	if demoCo {
		seed = append(seed, demo.Load)
	}
	s := storetest.Open(t, clock, seed...)
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

func addCheck(t *testing.T, e ops.Env, c model.Check) model.Check {
	t.Helper()
	err := e.Store.Write(context.Background(), e.Actor, func(tx *store.Tx) error {
		sv := model.Service{Name: "svc-" + c.Name}
		if err := tx.AddService(&sv); err != nil {
			return err
		}
		c.ServiceID = &sv.ID
		return tx.AddCheck(&c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRunCheckRecordsLikeTheScheduler(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	c := addCheck(t, e, model.Check{Name: "db-port", Kind: "tcp", Target: addr, IntervalS: 60, TimeoutS: 2})
	run, err := ops.RunCheck(ctx, e, c.ID)
	if err != nil || !run.Recorded || run.Result.Status != "up" {
		t.Fatalf("run against a listener: %+v %v", run, err)
	}
	ln.Close()
	for range model.DefaultFailAfter {
		if run, err = ops.RunCheck(ctx, e, c.ID); err != nil || run.Result.Status != "down" {
			t.Fatalf("run against a closed port: %+v %v", run, err)
		}
	}
	as, err := e.Store.ListAlerts(ctx, store.AlertQuery{CheckID: c.ID, State: "open"})
	if err != nil || len(as) != 1 {
		t.Fatalf("manual runs fire like scheduled ones: %v %v", as, err)
	}
	if got := ops.RunTimeout(c); got != 2*time.Second+5*time.Second {
		t.Errorf("RunTimeout %v", got)
	}

	hb := addCheck(t, e, model.Check{Name: "nightly", Kind: "heartbeat", IntervalS: 86400, GraceS: 3600})
	run, err = ops.RunCheck(ctx, e, hb.ID)
	if err != nil || run.Recorded || run.Result.Status != "up" || !strings.Contains(run.Result.Message, "heartbeat on time") {
		t.Fatalf("heartbeat run: %+v %v", run, err)
	}
	if _, err := ops.RunCheck(ctx, e, 9999); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("unknown check: %v", err)
	}

	paused, err := ops.ToggleCheck(ctx, e, c.ID)
	if err != nil || !paused.Paused {
		t.Fatalf("pause: %+v %v", paused, err)
	}
	if resumed, err := ops.ToggleCheck(ctx, e, c.ID); err != nil || resumed.Paused {
		t.Fatalf("resume: %+v %v", resumed, err)
	}
}

// firing runs a check against a closed port until its alert fires.
func firing(t *testing.T, e ops.Env) model.Alert {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := addCheck(t, e, model.Check{Name: "web", Kind: "tcp", Target: addr, IntervalS: 60, TimeoutS: 1})
	for range model.DefaultFailAfter {
		if _, err := ops.RunCheck(ctx, e, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	as, err := e.Store.ListAlerts(ctx, store.AlertQuery{CheckID: c.ID, State: "open"})
	if err != nil || len(as) != 1 {
		t.Fatalf("open alerts %v %v", as, err)
	}
	return as[0]
}

func TestAlertTriage(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, false)
	a := firing(t, e)
	if _, err := ops.ChangeAlert(ctx, e, a.ID, ops.AlertChange{Verb: ops.Acknowledge}); err == nil {
		t.Fatal("acknowledged without a reason")
	}
	if _, err := ops.ChangeAlert(ctx, e, a.ID, ops.AlertChange{Verb: "shrug", Text: "x"}); err == nil {
		t.Fatal("an unknown verb was accepted")
	}
	got, err := ops.ChangeAlert(ctx, e, a.ID, ops.AlertChange{Verb: ops.Acknowledge, Text: "restarting it"})
	if err != nil || got.State != "acknowledged" || got.AckReason != "restarting it" {
		t.Fatalf("ack: %+v %v", got, err)
	}
	// The ledger hook: acknowledging starts the actor's incident entry.
	run, err := e.Store.RunningEntry(ctx, e.Actor.String())
	if err != nil || run == nil || run.AlertID == nil || *run.AlertID != a.ID {
		t.Fatalf("incident entry after ack: %+v %v", run, err)
	}
	_, err = ops.ChangeAlert(ctx, e, a.ID, ops.AlertChange{Verb: ops.Snooze, Text: "after the deploy", For: "soon"})
	wantField(t, err, "for", "is not a duration")
	got, err = ops.ChangeAlert(ctx, e, a.ID, ops.AlertChange{Verb: ops.Snooze, Text: "after the deploy", For: "1d"})
	if err != nil || got.SnoozedUntil == nil || !got.SnoozedUntil.Equal(pinned.AddDate(0, 0, 1)) {
		t.Fatalf("snooze 1d: %+v %v", got, err)
	}
	got, err = ops.ChangeAlert(ctx, e, a.ID, ops.AlertChange{Verb: ops.Resolve, Text: "restarted"})
	if err != nil || got.State != "resolved" {
		t.Fatalf("resolve: %+v %v", got, err)
	}
}

func TestUntil(t *testing.T) {
	now := pinned
	for in, want := range map[string]time.Time{"90": now.Add(90 * time.Second), "2h": now.Add(2 * time.Hour), "3d": now.AddDate(0, 0, 3)} {
		if got, err := ops.Until("for", in, now); err != nil || !got.Equal(want) {
			t.Errorf("Until(%q) = %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-5m", "later"} {
		if _, err := ops.Until("for", bad, now); err == nil {
			t.Errorf("Until(%q) accepted", bad)
		}
	}
	if got, err := ops.Until("until", "2026-12-01 09:00", now); err != nil || got.Hour() != 9 {
		t.Errorf("absolute time: %v %v", got, err)
	}
}

func TestOffboardingWalk(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, true)
	bill := ops.LeaverRef("bill@example.com")

	_, err := ops.StartOffboarding(ctx, e, bill, "", "ghost@example.com", true)
	wantField(t, err, "successor", "is not a known person")
	_, err = ops.StartOffboarding(ctx, e, ops.LeaverRef("nobody@example.com"), "", "", false)
	wantField(t, err, "person", "is not a known person")

	preview, err := ops.StartOffboarding(ctx, e, bill, "", "dave@example.com", true)
	if err != nil || len(preview.Steps) == 0 {
		t.Fatalf("preview: %+v %v", preview, err)
	}
	if _, err := ops.OffboardingOf(ctx, e.Store, "bill@example.com"); err == nil || !strings.Contains(err.Error(), "has never been offboarded") {
		t.Fatalf("a preview wrote an offboarding: %v", err)
	}
	off, err := ops.StartOffboarding(ctx, e, bill, "", "dave@example.com", false)
	if err != nil || len(off.Steps) != len(preview.Steps) || off.Status != "open" {
		t.Fatalf("start: %+v %v", off, err)
	}

	if _, err := ops.AdvanceStep(ctx, e, bill, ops.StepChange{N: 1, Action: "finish"}); err == nil {
		t.Fatal("an unknown action was accepted")
	}
	if _, err := ops.AdvanceStep(ctx, e, bill, ops.StepChange{N: 2, Action: ops.StepSkip}); err == nil {
		t.Fatal("skipped without a reason")
	}
	st, err := ops.AdvanceStep(ctx, e, bill, ops.StepChange{N: 1, Action: ops.StepDone})
	if err != nil || st.State != model.StateDone {
		t.Fatalf("done: %+v %v", st, err)
	}
	st, err = ops.AdvanceStep(ctx, e, ops.LeaverID(off.PersonID), ops.StepChange{N: 1, Action: ops.StepUndo, Note: "wrong account"})
	if err != nil || st.State != model.StateOpen || len(st.Notes) != 1 {
		t.Fatalf("undo with a note: %+v %v", st, err)
	}
	st, err = ops.AdvanceStep(ctx, e, ops.OffboardingID(off.ID), ops.StepChange{N: 2, Action: ops.StepBlock, Reason: "waiting for AWS"})
	if err != nil || st.State != model.StateBlocked {
		t.Fatalf("block by offboarding id: %+v %v", st, err)
	}

	if _, err := ops.CompleteOffboarding(ctx, e, bill, false, ""); err == nil {
		t.Fatal("completed with open steps")
	}
	done, err := ops.CompleteOffboarding(ctx, e, bill, true, "left early")
	if err != nil || !done.Forced || done.Status != "completed" {
		t.Fatalf("forced completion: %+v %v", done, err)
	}
	// A completed offboarding's steps no longer change, by either name.
	if _, err := ops.AdvanceStep(ctx, e, ops.OffboardingID(off.ID), ops.StepChange{N: 3, Action: ops.StepDone}); err == nil {
		t.Fatal("changed a step of a completed offboarding")
	}
	if _, err := ops.AdvanceStep(ctx, e, bill, ops.StepChange{N: 3, Action: ops.StepDone}); err == nil {
		t.Fatal("changed a step with no open offboarding")
	}
	latest, err := ops.OffboardingOf(ctx, e.Store, "bill@example.com")
	if err != nil || latest.ID != off.ID {
		t.Fatalf("latest offboarding: %+v %v", latest, err)
	}
}

func TestReferences(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, true)
	p, err := ops.Person(ctx, e.Store, "holder", "bill@example.com")
	if err != nil || p.Email != "bill@example.com" {
		t.Fatalf("person by email: %+v %v", p, err)
	}
	_, err = ops.Person(ctx, e.Store, "holder", "ghost@example.com")
	wantField(t, err, "holder", "is not a known person")
	_, err = ops.Person(ctx, e.Store, "manager", "example.com")
	if err == nil {
		t.Fatal("a reference matching several people resolved")
	}
	_, err = ops.Service(ctx, e.Store, "service", "No Such Service")
	wantField(t, err, "service", "is not a known service")
	_, err = ops.Device(ctx, e.Store, "device", "NO-SUCH-TAG")
	wantField(t, err, "device", "is not a known device")

	err = e.Store.Write(ctx, e.Actor, func(tx *store.Tx) error {
		for _, ref := range []string{"", "none"} {
			for _, opt := range []func(*store.Tx, string, string) (*int64, error){ops.OptPersonTx, ops.OptDeviceTx, ops.OptServiceTx} {
				if id, err := opt(tx, "f", ref); id != nil || err != nil {
					t.Errorf("optional reference %q: %v %v", ref, id, err)
				}
			}
		}
		id, err := ops.OptPersonTx(tx, "owner", "bill@example.com")
		if err != nil || id == nil || *id != p.ID {
			t.Errorf("optional person: %v %v", id, err)
		}
		_, err = ops.OptServiceTx(tx, "service", "ghost")
		wantField(t, err, "service", "is not a known service")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestImportPlanAndCommit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, false)
	dir := t.TempDir()
	good := []byte("name,email\nAnn Lee,ann@example.com\nBo Chan,bo@example.com\n")
	if err := os.WriteFile(filepath.Join(dir, "people.csv"), good, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("name,email\nAnn Lee,not-an-email\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := ops.PlanImport(ctx, e, "planets", ops.ImportSource{Name: "x.csv"}, transfer.Options{})
	wantField(t, err, "kind", "is not one of")
	_, err = ops.PlanImport(ctx, e, "people", ops.ImportSource{Name: "x.csv"}, transfer.Options{Format: "xml"})
	wantField(t, err, "format", "is not one of")

	// A remote session reads no server path: only the import directory,
	// and none when it is not set.
	if _, err := ops.PlanImport(ctx, e, "people", ops.ImportSource{Name: "people.csv", Remote: true}, transfer.Options{}); err == nil || !strings.Contains(err.Error(), "send the file instead") {
		t.Fatalf("remote import without a directory: %v", err)
	}
	if _, err := ops.PlanImport(ctx, e, "people", ops.ImportSource{Name: filepath.Join(dir, "people.csv"), Remote: true, Dir: dir}, transfer.Options{}); err == nil {
		t.Fatal("a remote session read an absolute path")
	}
	rep, err := ops.PlanImport(ctx, e, "people", ops.ImportSource{Name: "people.csv", Remote: true, Dir: dir}, transfer.Options{})
	if err != nil || rep.Summary.New != 2 || !ops.CanCommit(rep) {
		t.Fatalf("remote plan: %+v %v", rep, err)
	}

	bad, err := ops.PlanImport(ctx, e, "people", ops.ImportSource{Name: filepath.Join(dir, "bad.csv")}, transfer.Options{})
	if err != nil || ops.CanCommit(bad) {
		t.Fatalf("plan of a bad file: %+v %v", bad, err)
	}
	if err := ops.CommitImport(ctx, e, bad, nil); err == nil {
		t.Fatal("committed a plan with problems")
	}

	if _, err := ops.PlanImport(ctx, e, "people", ops.ImportSource{Name: transfer.StdinName}, transfer.Options{}); err == nil {
		t.Fatal("planned standard input that is not there")
	}
	rep, err = ops.PlanImport(ctx, e, "people", ops.ImportSource{Name: transfer.StdinName, Stdin: bytes.NewReader(good)}, transfer.Options{})
	if err != nil || rep.Summary.New != 2 {
		t.Fatalf("plan from a stream: %+v %v", rep, err)
	}
	var last int
	if err := ops.CommitImport(ctx, e, rep, func(phase string, done, total int) { last = done }); err != nil {
		t.Fatal(err)
	}
	if last != 2 || rep.RunID == 0 {
		t.Errorf("commit progress ended at %d, run %d", last, rep.RunID)
	}
	if p, err := ops.Person(ctx, e.Store, "person", "bo@example.com"); err != nil || p.Name != "Bo Chan" {
		t.Errorf("imported person: %+v %v", p, err)
	}
}
