package main

import (
	"maps"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sourceAlert is the part of `alerts list --json` these tests read.
type sourceAlert struct {
	ID        int64  `json:"id"`
	Check     string `json:"check"`
	ServiceID *int64 `json:"service_id"`
	State     string `json:"state"`
	Severity  string `json:"severity"`
	Summary   string `json:"summary"`
}

func sourceAlerts(t *testing.T, db string, args ...string) map[string]sourceAlert {
	t.Helper()
	var as []sourceAlert
	runJSON(t, db, &as, append([]string{"alerts", "list"}, args...)...)
	out := map[string]sourceAlert{}
	for _, a := range as {
		if _, seen := out[a.Check]; !seen { // newest first within a state
			out[a.Check] = a
		}
	}
	return out
}

// runScheduler runs `opsdeck run` until done() holds (or within passes),
// then stops it with SIGINT and checks it stopped cleanly. It returns what
// the scheduler logged.
func runScheduler(t *testing.T, db, what string, within time.Duration, done func() bool) string {
	t.Helper()
	sched, logs := spawnScheduler(t, db)
	defer sched.Process.Kill()
	waitFor(t, what, within, done)
	sched.Process.Signal(syscall.SIGINT)
	if err := sched.Wait(); err != nil || !strings.Contains(logs.String(), "stopped cleanly") {
		t.Fatalf("opsdeck run: %v\n%s", err, logs.String())
	}
	return logs.String()
}

// demoSourceAlerts are the alerts the demo's records call for. (The
// scheduler runs jenkins-config again at once, its 03:00 run being
// overdue, and it fails again.)
var demoSourceAlerts = map[string]string{
	"access-bill-carter-github": "access still present for Bill Carter on GitHub",
	"access-bill-carter-aws":    "access still present for Bill Carter on AWS",
	"backup-jenkins-config":     "backup job jenkins-config failed: last run",
	"backup-analytics-dump":     "backup job analytics-dump late:",
	"backup-aws-s3-sync":        "backup job aws-s3-sync never-restore-tested",
	"backup-replica-snapshot":   "backup job replica-snapshot restore-test-stale",
	// #17: Bill's AWS password was used after his last day.
	"used-after-departure-bill-carter-aws": "used after departure: Bill Carter's AWS account bill: password use at ",
}

// `opsdeck run` on the demo raises, by itself and within seconds, the
// alerts the backup and offboarding stories are about, plus those of a new
// failing backup job and of a leaver who still holds accounts. The source
// checks are listed and runnable like any check, cannot be made by hand,
// pointed elsewhere or deleted; a good backup report and walking Bill's
// offboarding resolve theirs; a restart retires what is resolved and
// doubles nothing.
func TestAlertSourcesOnTheDemo(t *testing.T) {
	db := demoDB(t)
	fastClock(t, 10)
	mustRun(t, db, "backups", "add", "nas-sync", "--service", "Postgres Primary", "--heartbeat", "26h")
	mustRun(t, db, "backups", "report", "nas-sync", "--fail", "--message", "rsync: No space left on device")
	mustRun(t, db, "offboard", "start", "leo@example.com")

	var as map[string]sourceAlert
	logs := runScheduler(t, db, "the source alerts", 60*time.Second, func() bool {
		as = sourceAlerts(t, db)
		leo := 0
		for check, a := range as {
			if strings.HasPrefix(check, "access-leo-tanaka-") && strings.HasPrefix(a.Summary, "access still present for Leo Tanaka on ") {
				leo++
			}
		}
		for check := range demoSourceAlerts {
			if as[check].State != "firing" {
				return false
			}
		}
		return leo == 4 && strings.Contains(as["backup-nas-sync"].Summary, "No space left on device")
	})
	if !strings.Contains(logs, "source checks: 13 added") {
		t.Errorf("run log lacks the sync:\n%s", logs)
	}
	for check, want := range demoSourceAlerts {
		if a := as[check]; !strings.HasPrefix(a.Summary, want) || a.ServiceID == nil {
			t.Errorf("%s: %+v, want %q routed to its service", check, a, want)
		}
	}
	if a, ok := as["backup-postgres-nightly"]; ok {
		t.Errorf("a healthy backup alerts: %+v", a)
	}

	var cs []struct {
		Name, Kind, Target string
		ServiceID          *int64 `json:"service_id"`
	}
	runJSON(t, db, &cs, "checks", "list")
	kinds := map[string]string{}
	for _, c := range cs {
		kinds[c.Name] = c.Kind + " " + c.Target
	}
	if kinds["access-bill-carter-github"] != "access bill@example.com" || kinds["backup-postgres-nightly"] != "backup job:postgres-nightly" {
		t.Errorf("checks list: %v", kinds)
	}
	var res struct{ Status, Message string }
	runJSON(t, db, &res, "checks", "run", "backup-nas-sync")
	if res.Status != "down" || !strings.Contains(res.Message, "backup job nas-sync failed") {
		t.Errorf("checks run backup-nas-sync: %+v", res)
	}

	// The late heartbeat job reports a good run: its next judgement is up
	// and the alert resolves (it was restore-tested 20 days ago).
	mustRun(t, db, "backups", "report", "analytics-dump", "--ok", "--size", "3200000000")
	runJSON(t, db, &res, "checks", "run", "backup-analytics-dump")
	if _, open := sourceAlerts(t, db)["backup-analytics-dump"]; res.Status != "up" || open {
		t.Errorf("after a good report: %+v, alert still open: %v", res, open)
	}

	// Bad input: one line naming field, value and why; nothing written.
	before := mustRun(t, db, "checks", "list", "--json")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"checks", "add", "--name", "mine", "--kind", "access", "--service", "GitHub", "--target", "leo@example.com"},
			`opsdeck: kind: "access" checks of this kind are created by opsdeck`},
		{[]string{"checks", "edit", "access-bill-carter-github", "--target", "leo@example.com"},
			`opsdeck: target: "leo@example.com" is managed by opsdeck`},
		{[]string{"checks", "edit", "backup-jenkins-config", "--kind", "http"}, `opsdeck: kind: "http" cannot change a backup check`},
		{[]string{"checks", "delete", "access-bill-carter-github"}, `opsdeck: check: "access-bill-carter-github" is managed by opsdeck`},
	} {
		r := run(t, db, c.args...)
		if r.code == 0 || !strings.HasPrefix(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if after := mustRun(t, db, "checks", "list", "--json"); after != before {
		t.Error("a refused change altered the checks")
	}
	mustRun(t, db, "checks", "pause", "backup-replica-snapshot") // muting is allowed

	// Walking Bill's offboarding revokes GitHub: the check says so and the
	// alert resolves; deactivating the AWS account does the same.
	mustRun(t, db, "offboard", "start", "bill@example.com")
	steps := mustRun(t, db, "offboard", "steps", "bill@example.com")
	if !strings.Contains(steps, "1   [ ] open  account   Revoke GitHub") {
		t.Fatalf("steps:\n%s", steps)
	}
	mustRun(t, db, "offboard", "step", "bill@example.com", "1", "done")
	runJSON(t, db, &res, "checks", "run", "access-bill-carter-github")
	if res.Status != "up" {
		t.Errorf("after revoking GitHub: %+v", res)
	}
	var accts []struct {
		ID          int64  `json:"id"`
		PersonEmail string `json:"person_email"`
		ServiceName string `json:"service_name"`
	}
	runJSON(t, db, &accts, "accounts")
	for _, a := range accts {
		if a.PersonEmail == "bill@example.com" && a.ServiceName == "AWS" {
			mustRun(t, db, "accounts", "deactivate", strconv.FormatInt(a.ID, 10))
		}
	}
	runJSON(t, db, &res, "checks", "run", "access-bill-carter-aws")
	resolved := sourceAlerts(t, db, "--state", "resolved")
	for _, check := range []string{"access-bill-carter-github", "access-bill-carter-aws", "backup-analytics-dump"} {
		if a := resolved[check]; a.ID != as[check].ID {
			t.Errorf("%s not resolved: %+v", check, a)
		}
	}

	// A restart: the sync retires Bill's resolved checks and adds nothing;
	// still one check and at most one open alert per source.
	runScheduler(t, db, "Bill's resolved checks to be retired", 60*time.Second, func() bool {
		_, err := exec.Command(binPath, "--db", db, "checks", "show", "access-bill-carter-github").Output()
		return err != nil
	})
	runJSON(t, db, &cs, "checks", "list")
	seen := map[string]int{}
	for _, c := range cs {
		if c.Kind == "backup" || c.Kind == "access" {
			svc := int64(0)
			if c.ServiceID != nil {
				svc = *c.ServiceID
			}
			seen[c.Kind+" "+c.Target+" "+strconv.FormatInt(svc, 10)]++
		}
	}
	if len(seen) != 10 || strings.Contains(strings.Join(slices.Collect(maps.Keys(seen)), ","), "bill@") {
		t.Errorf("source checks after restart: %v", seen)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%d checks for %s", n, k)
		}
	}
	open := sourceAlerts(t, db)
	if _, ok := open["backup-nas-sync-2"]; ok || open["backup-nas-sync"].ID != as["backup-nas-sync"].ID {
		t.Errorf("the restart doubled or replaced an alert: %+v", open["backup-nas-sync"])
	}
}

// The scheduler also resolves: after good reports, the backup alert
// resolves on the check's next run (up to its one-minute interval).
func TestAlertSourcesSchedulerResolves(t *testing.T) {
	if testing.Short() {
		t.Skip("up to a minute of scheduling")
	}
	db := demoDB(t)
	fastClock(t, 10) // the checks' one-minute interval in six seconds
	mustRun(t, db, "backups", "add", "nas-sync", "--service", "Postgres Primary", "--heartbeat", "26h")
	mustRun(t, db, "backups", "report", "nas-sync", "--fail")
	runScheduler(t, db, "the failed backup to alert", 60*time.Second, func() bool {
		return sourceAlerts(t, db)["backup-nas-sync"].State == "firing"
	})
	// A good run alone leaves it never restore-tested (still an alert, a
	// warning); a passing restore test makes it healthy.
	mustRun(t, db, "backups", "report", "nas-sync", "--ok")
	mustRun(t, db, "backups", "report", "nas-sync", "--ok", "--restore-test")
	runScheduler(t, db, "the backup alert to resolve", 75*time.Second, func() bool {
		_, open := sourceAlerts(t, db)["backup-nas-sync"]
		return !open
	})
}
