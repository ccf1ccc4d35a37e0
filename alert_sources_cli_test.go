package main

import (
	"bytes"
	"os"
	"os/exec"
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

// The demo opens with the alerts its stories are about: Bill's leftover
// GitHub and AWS access, and the failed, late and unproven backups. The
// source checks are listed and runnable like any check, cannot be made by
// hand or pointed elsewhere, and walking Bill's offboarding resolves his.
func TestAlertSourcesOnTheDemo(t *testing.T) {
	db := demoDB(t)
	as := sourceAlerts(t, db)
	for check, want := range map[string]string{
		"access-bill-carter-github": "access still present for Bill Carter on GitHub",
		"access-bill-carter-aws":    "access still present for Bill Carter on AWS",
		"backup-jenkins-config":     "backup job jenkins-config failed: last run",
		"backup-analytics-dump":     "backup job analytics-dump late:",
		"backup-aws-s3-sync":        "backup job aws-s3-sync never-restore-tested",
		"backup-replica-snapshot":   "backup job replica-snapshot restore-test-stale",
	} {
		if a := as[check]; a.State != "firing" || !strings.HasPrefix(a.Summary, want) || a.ServiceID == nil {
			t.Errorf("%s: %+v, want firing %q routed to its service", check, a, want)
		}
	}
	if a, ok := as["backup-postgres-nightly"]; ok {
		t.Errorf("a healthy backup alerts: %+v", a)
	}

	var cs []struct{ Name, Kind, Target string }
	runJSON(t, db, &cs, "checks", "list")
	kinds := map[string]string{}
	for _, c := range cs {
		kinds[c.Name] = c.Kind + " " + c.Target
	}
	if kinds["access-bill-carter-github"] != "access bill@example.com" || kinds["backup-opsdeck"] != "backup self" ||
		kinds["backup-postgres-nightly"] != "backup job:postgres-nightly" {
		t.Errorf("checks list: %v", kinds)
	}
	var res struct{ Status, Message string }
	runJSON(t, db, &res, "checks", "run", "backup-jenkins-config")
	if res.Status != "down" || !strings.Contains(res.Message, "exit status 2") {
		t.Errorf("checks run backup-jenkins-config: %+v", res)
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
	mustRun(t, db, "checks", "pause", "backup-opsdeck")

	// Loading the demo again changes nothing.
	checksBefore, alertsBefore := mustRun(t, db, "checks", "list", "--json"), mustRun(t, db, "alerts", "list", "--state", "all", "--json")
	mustRun(t, db, "demo")
	if mustRun(t, db, "checks", "list", "--json") != checksBefore || mustRun(t, db, "alerts", "list", "--state", "all", "--json") != alertsBefore {
		t.Error("a second demo changed the checks or the alerts")
	}

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
}

// The headless scheduler creates the source checks by itself: a new
// backup job that reports a failure and a leaver who still holds accounts
// alert within seconds of `opsdeck run` starting, without anyone adding a
// check; good reports resolve the backup alert on the check's next run.
func TestAlertSourcesScheduler(t *testing.T) {
	if testing.Short() {
		t.Skip("about a minute of real scheduling")
	}
	db := demoDB(t)
	mustRun(t, db, "backups", "add", "nas-sync", "--service", "Postgres Primary", "--heartbeat", "26h")
	mustRun(t, db, "backups", "report", "nas-sync", "--fail", "--message", "rsync: No space left on device")
	mustRun(t, db, "offboard", "start", "leo@example.com")

	sched := exec.Command(binPath, "--db", db, "run")
	var schedErr bytes.Buffer
	sched.Stderr = &schedErr
	sched.Env = append(os.Environ(), "OPSDECK_DB=")
	if err := sched.Start(); err != nil {
		t.Fatal(err)
	}
	defer sched.Process.Kill()

	waitFor(t, "the new backup job and Leo's access to alert", 30*time.Second, func() bool {
		as := sourceAlerts(t, db)
		leo := 0
		for check, a := range as {
			if strings.HasPrefix(check, "access-leo-tanaka-") && strings.HasPrefix(a.Summary, "access still present for Leo Tanaka on ") {
				leo++
			}
		}
		return as["backup-nas-sync"].State == "firing" && strings.Contains(as["backup-nas-sync"].Summary, "No space left on device") && leo == 4
	})
	// A good run alone leaves it never restore-tested (still an alert, a
	// warning); a passing restore test makes it healthy.
	mustRun(t, db, "backups", "report", "nas-sync", "--ok")
	mustRun(t, db, "backups", "report", "nas-sync", "--ok", "--restore-test")
	waitFor(t, "the backup alert to resolve", 75*time.Second, func() bool {
		_, open := sourceAlerts(t, db)["backup-nas-sync"]
		return !open
	})
	sched.Process.Signal(syscall.SIGINT)
	if err := sched.Wait(); err != nil {
		t.Fatalf("opsdeck run: %v\n%s", err, schedErr.String())
	}
	if !strings.Contains(schedErr.String(), "source checks:") {
		t.Errorf("run output does not mention the sync:\n%s", schedErr.String())
	}
	// One check per source, however many times the sync ran.
	var cs []struct{ Name string }
	runJSON(t, db, &cs, "checks", "list")
	n := 0
	for _, c := range cs {
		if strings.HasPrefix(c.Name, "backup-nas-sync") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d checks for nas-sync", n)
	}
}
