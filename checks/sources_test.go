package checks

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// judge runs one check now through the real Runner and records the result
// through the alert engine, as the scheduler does, and returns the check's
// open alert (nil if none).
func judge(t *testing.T, s *store.Store, name string) (model.CheckResult, *model.Alert) {
	t.Helper()
	ctx := context.Background()
	c, err := s.FindCheck(ctx, name)
	if err != nil {
		t.Fatalf("check %s: %v", name, err)
	}
	r := NewRunner()
	r.Sources, r.Clock = s, s.Clock()
	res := r.Run(ctx, &c, nil)
	if err := s.Write(ctx, system, func(t *store.Tx) error {
		return t.ApplyResults([]store.Outcome{{Result: res}}, store.DefaultNotifyPolicy)
	}); err != nil {
		t.Fatal(err)
	}
	open, err := s.ListAlerts(ctx, store.AlertQuery{State: "open", CheckID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) == 0 {
		return res, nil
	}
	return res, &open[0]
}

func syncSources(t *testing.T, s *store.Store) model.SourceSync {
	t.Helper()
	plan, err := SyncSources(context.Background(), s, model.DefaultSelfBackupPolicy, s.Now())
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func names(cs []model.Check) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return strings.Join(out, " ")
}

// A backup job's state alerts through the engine: a failed report fires
// after the check's configured failures, routed to the job's service, and
// a good report resolves it. Syncing is idempotent, and a retired job's
// check leaves once its alert has resolved.
func TestFailedBackupJobAlertsAndResolves(t *testing.T) {
	s, svc := testDB(t)
	ctx := context.Background()
	var job model.BackupJob
	report := func(ok, restoreTest bool) {
		t.Helper()
		if err := s.Write(ctx, admin, func(t *store.Tx) error {
			_, err := t.ReportJobRun(job.ID, restoreTest, store.JobOutcome{OK: ok, Error: map[bool]string{false: "disk full"}[ok]})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Write(ctx, admin, func(t *store.Tx) error {
		job = model.BackupJob{Name: "web-db", ServiceID: svc.ID, HeartbeatPeriod: 24 * time.Hour}
		return t.AddBackupJob(&job)
	}); err != nil {
		t.Fatal(err)
	}
	report(true, false)
	report(true, true)

	plan := syncSources(t, s)
	if got := names(plan.Add); got != "backup-web-db" { // opsdeck's own backups need no attention yet
		t.Fatalf("sync added %q", got)
	}
	if plan := syncSources(t, s); len(plan.Add)+len(plan.Retire)+len(plan.Keep) != 0 {
		t.Fatalf("second sync changed something: %+v", plan)
	}
	if res, a := judge(t, s, "backup-web-db"); res.Status != "up" || a != nil {
		t.Fatalf("healthy backup: %s %q, alert %v", res.Status, res.Message, a)
	}

	// Operators may tune the thresholds of a source check.
	if err := s.Write(ctx, admin, func(t *store.Tx) error {
		c, err := t.FindCheck("backup-web-db")
		if err != nil {
			return err
		}
		_, _, err = t.UpdateCheck(c.ID, func(c *model.Check) error { c.FailThreshold = 2; return nil })
		return err
	}); err != nil {
		t.Fatal(err)
	}
	report(false, false)
	if res, a := judge(t, s, "backup-web-db"); res.Status != "down" || a != nil {
		t.Fatalf("first failure: %s, alert %v (threshold is 2)", res.Status, a)
	}
	res, a := judge(t, s, "backup-web-db")
	if a == nil || a.State != "firing" || a.Severity != "critical" || a.ServiceID == nil || *a.ServiceID != svc.ID ||
		a.Summary != res.Message || !strings.Contains(a.Summary, "backup job web-db failed") || !strings.Contains(a.Summary, "disk full") {
		t.Fatalf("second failure: %s %q, alert %+v", res.Status, res.Message, a)
	}
	if plan := syncSources(t, s); len(plan.Add)+len(plan.Retire) != 0 {
		t.Fatalf("sync with an alert open changed something: %+v", plan)
	}

	report(true, false)
	if res, a := judge(t, s, "backup-web-db"); res.Status != "up" || a != nil {
		t.Fatalf("good run: %s %q, alert still open %+v", res.Status, res.Message, a)
	}

	// A retired job: its check stays while an alert is open, judges "up"
	// (nothing left to alert on), and the next sync retires it.
	report(false, false)
	judge(t, s, "backup-web-db")
	if _, a := judge(t, s, "backup-web-db"); a == nil {
		t.Fatal("failed again, but no alert")
	}
	if err := s.Write(ctx, admin, func(t *store.Tx) error { _, err := t.SetBackupJobStatus(job.ID, "retired"); return err }); err != nil {
		t.Fatal(err)
	}
	if plan := syncSources(t, s); len(plan.Keep) != 1 || len(plan.Retire) != 0 {
		t.Fatalf("retired job with an open alert: %+v", plan)
	}
	if res, a := judge(t, s, "backup-web-db"); res.Status != "up" || a != nil {
		t.Fatalf("retired job: %s %q, alert %+v", res.Status, res.Message, a)
	}
	if got := names(syncSources(t, s).Retire); got != "backup-web-db" {
		t.Fatalf("retired %q", got)
	}
}

// Access still present for a departed person raises one alert per
// service, with the text the offboarding story promises, routed to the
// service; revoking the accounts resolves it.
func TestAccessStillPresentAlertsUntilRevoked(t *testing.T) {
	s, svc := testDB(t)
	ctx := context.Background()
	var accts []model.Account
	if err := s.Write(ctx, admin, func(t *store.Tx) error {
		bill := model.Person{Name: "Bill Carter", Email: "bill@example.com", Status: "departed"}
		if err := t.AddPerson(&bill); err != nil {
			return err
		}
		gh := model.Service{Name: "GitHub"}
		if err := t.AddService(&gh); err != nil {
			return err
		}
		for _, a := range []model.Account{
			{PersonID: bill.ID, ServiceID: gh.ID, Username: "billc-dev", Entitlement: "admin"},
			{PersonID: bill.ID, ServiceID: gh.ID, Username: "billc-bot", Entitlement: "member"},
			{PersonID: bill.ID, ServiceID: svc.ID, Username: "bill", Entitlement: "member"},
		} {
			if err := t.AddAccount(&a); err != nil {
				return err
			}
			accts = append(accts, a)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := names(syncSources(t, s).Add); got != "access-bill-carter-github access-bill-carter-web" {
		t.Fatalf("sync added %q", got)
	}
	res, a := judge(t, s, "access-bill-carter-github")
	if a == nil || a.Summary != "access still present for Bill Carter on GitHub" || a.ServiceID == nil {
		t.Fatalf("access: %s %q, alert %+v", res.Status, res.Message, a)
	}
	if _, a := judge(t, s, "access-bill-carter-web"); a == nil || *a.ServiceID != svc.ID {
		t.Fatalf("web access: alert %+v", a)
	}

	// One of two GitHub accounts revoked: still present.
	revoke := func(a model.Account) {
		t.Helper()
		if err := s.Write(ctx, admin, func(t *store.Tx) error { _, _, err := t.DeactivateAccount(a.ID); return err }); err != nil {
			t.Fatal(err)
		}
	}
	revoke(accts[0])
	if _, a := judge(t, s, "access-bill-carter-github"); a == nil {
		t.Fatal("GitHub alert resolved while billc-bot is still active")
	}
	revoke(accts[1])
	if res, a := judge(t, s, "access-bill-carter-github"); res.Status != "up" || a != nil {
		t.Fatalf("all GitHub accounts revoked: %s %q, alert %+v", res.Status, res.Message, a)
	}
	if got := names(syncSources(t, s).Retire); got != "access-bill-carter-github" {
		t.Fatalf("retired %q", got)
	}
	resolved, err := s.ListAlerts(ctx, store.AlertQuery{State: "resolved"})
	if err != nil || len(resolved) != 1 || resolved[0].CheckName != "access-bill-carter-github" {
		t.Fatalf("the resolved alert stays for the record: %+v %v", resolved, err)
	}
}

// opsdeck's own backups get a check only while they need attention: a
// backup taken two hours ago and never restore-tested is a warning routed
// to whoever is on call (no service); the restore test resolves it and
// the next sync retires the check.
func TestOwnBackupNeverRestoreTested(t *testing.T) {
	s, _ := testDB(t)
	ctx := context.Background()
	clock := clockwork.NewFakeClock()
	s.SetClock(clock)
	run, err := s.Backup(ctx, admin, store.BackupOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * model.RestoreTestGrace)
	if got := names(syncSources(t, s).Add); got != "backup-opsdeck" {
		t.Fatalf("sync added %q", got)
	}
	res, a := judge(t, s, "backup-opsdeck")
	if a == nil || a.Severity != "warning" || a.ServiceID != nil || !strings.HasPrefix(a.Summary, "opsdeck's own backup never-restore-tested") {
		t.Fatalf("own backup: %s %q, alert %+v", res.Status, res.Message, a)
	}
	if err := s.Write(ctx, admin, func(t *store.Tx) error { return t.RecordRestoreTest(run.ID, true, "") }); err != nil {
		t.Fatal(err)
	}
	if res, a := judge(t, s, "backup-opsdeck"); res.Status != "up" || a != nil {
		t.Fatalf("after the restore test: %s %q, alert %+v", res.Status, res.Message, a)
	}
	if got := names(syncSources(t, s).Retire); got != "backup-opsdeck" {
		t.Fatalf("retired %q", got)
	}
}

// Without a database a source check has nothing to record (an error
// result would fire its alert, or hold one whose access was revoked).
func TestSourceCheckWithoutStore(t *testing.T) {
	svc := int64(1)
	res := NewRunner().Run(context.Background(), &model.Check{Kind: "access", Target: "bill@example.com", ServiceID: &svc, TimeoutS: 1}, nil)
	if res.Status != "" || !strings.Contains(res.Message, "judged from the database") {
		t.Fatalf("%s %q", res.Status, res.Message)
	}
}

// BenchmarkSyncSources is the steady-state minute of the sync job for a
// company with 200 backup jobs and 300 leftover accounts (60 leavers × 5
// services): read every source, plan, change nothing (500 source checks). Also reports one
// source check's run.
func BenchmarkSyncSources(b *testing.B) {
	s, err := store.Open(b.TempDir() + "/b.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Write(ctx, admin, func(t *store.Tx) error {
		var svcs []model.Service
		for i := range 5 {
			sv := model.Service{Name: fmt.Sprintf("svc-%d", i)}
			if err := t.AddService(&sv); err != nil {
				return err
			}
			svcs = append(svcs, sv)
		}
		for i := range 200 {
			j := model.BackupJob{Name: fmt.Sprintf("job-%d", i), ServiceID: svcs[i%5].ID, HeartbeatPeriod: 24 * time.Hour}
			if err := t.AddBackupJob(&j); err != nil {
				return err
			}
			if _, err := t.ReportJobRun(j.ID, false, store.JobOutcome{OK: i%3 != 0}); err != nil {
				return err
			}
		}
		for i := range 60 {
			p := model.Person{Name: fmt.Sprintf("Leaver %d", i), Email: fmt.Sprintf("leaver%d@example.com", i), Status: "departed"}
			if err := t.AddPerson(&p); err != nil {
				return err
			}
			for _, sv := range svcs {
				if err := t.AddAccount(&model.Account{PersonID: p.ID, ServiceID: sv.ID, Username: p.Email}); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if p, err := SyncSources(ctx, s, model.DefaultSelfBackupPolicy, time.Now()); err != nil || len(p.Add) != 500 {
		b.Fatalf("first sync: %d added, %v", len(p.Add), err)
	}
	r := NewRunner()
	r.Sources = s
	backup, err := s.FindCheck(ctx, "backup-job-7")
	if err != nil {
		b.Fatal(err)
	}
	access, err := s.FindCheck(ctx, "access-leaver-7-svc-3")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if p, err := SyncSources(ctx, s, model.DefaultSelfBackupPolicy, time.Now()); err != nil || len(p.Add)+len(p.Retire) != 0 {
			b.Fatalf("steady sync changed %+v: %v", p, err)
		}
	}
	b.StopTimer()
	start := time.Now()
	const runs = 200
	for range runs / 2 {
		r.Run(ctx, &backup, nil)
		r.Run(ctx, &access, nil)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/runs, "µs/source-run")
}
