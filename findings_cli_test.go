package main

// End-to-end tests of the findings register through the binary: add with
// links and a due date from severity, the workflow's refusals, notes and
// history, import dry run first, and on the demo the overdue finding and
// its alert addressed to its owner.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/model"
)

func TestFindingsRegister(t *testing.T) {
	db := demoDB(t)
	var f model.Finding
	runJSON(t, db, &f, "findings", "add", "--title", "Printer admin password is the default", "--severity", "critical",
		"--source", "Acme Security audit 2027-03", "--owner", "oscar@example.com", "--affects", "service:AWS,device:LT-015,account:GitHub:billc-dev")
	if want := binNow().In(time.Local).AddDate(0, 0, 7).Format(time.DateOnly); f.Due != want || f.State != "open" || len(f.Links) != 3 {
		t.Fatalf("added: due %s (want %s), state %s, links %+v", f.Due, want, f.State, f.Links)
	}
	id := strconv.FormatInt(f.ID, 10)

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"findings", "add", "--title", "x", "--severity", "urgent"}, `severity: "urgent" is not one of critical, high, medium, low, info`},
		{[]string{"findings", "add", "--title", "x", "--affects", "service:Nope"}, `"Nope"`},
		{[]string{"findings", "add", "--title", "x", "--affects", "ledger:1"}, "names no record kind"},
		{[]string{"findings", "close", id, "--verified", "checked"}, "mark it resolved first"},
		{[]string{"findings", "close", id}, "verified"},
		{[]string{"findings", "accept", id, "--reason", "budget"}, "expires"},
		{[]string{"findings", "accept", id, "--reason", "budget", "--expires", "2020-01-01"}, "not in the future"},
		{[]string{"findings", "frobnicate"}, "unknown command"},
	} {
		r := run(t, db, bad.args...)
		if r.code == 0 || !strings.Contains(r.stderr, bad.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q (want one line with %q)", bad.args, r.code, r.stderr, bad.want)
		}
	}
	mustRun(t, db, "findings", "start", id)
	mustRun(t, db, "findings", "evidence", id, "https://tickets.example.com/SEC-7")
	mustRun(t, db, "findings", "resolve", id, "--note", "password changed")
	mustRun(t, db, "findings", "close", id, "--verified", "logged in with the old password: refused")
	runJSON(t, db, &f, "findings", "show", id)
	if f.State != "closed" || len(f.Log) != 3 {
		t.Fatalf("after the walk: state %s, log %+v", f.State, f.Log)
	}
	out := mustRun(t, db, "findings", "show", id)
	for _, want := range []string{"Notes and evidence (3)", "SEC-7", "History", "create", "update"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, db, "findings", "list"); strings.Contains(out, "Printer admin") {
		t.Errorf("a closed finding is listed without --all:\n%s", out)
	}
	if out := mustRun(t, db, "findings", "list", "--all"); !strings.Contains(out, "Printer admin") {
		t.Errorf("--all misses the closed finding:\n%s", out)
	}
}

func TestFindingsImportDryRunFirst(t *testing.T) {
	db := demoDB(t)
	file := filepath.Join(t.TempDir(), "report.csv")
	os.WriteFile(file, []byte("Finding,Risk,Owner,Affects,Recommendation\n"+
		"TLS 1.0 enabled on the VPN,High,oscar@example.com,service:AWS,Disable TLS 1.0\n"+
		"Bad row,Catastrophic,nobody@example.com,service:Nope,\n"), 0o600)
	r := run(t, db, "import", "findings", file)
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "Catastrophic") {
		t.Fatalf("a bad row must fail the dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var fs []model.Finding
	runJSON(t, db, &fs, "findings", "list", "--all")
	for _, f := range fs {
		if strings.Contains(f.Title, "TLS 1.0") {
			t.Fatal("a failed import wrote a row")
		}
	}
	os.WriteFile(file, []byte("Finding,Risk,Owner,Affects,Recommendation\n"+
		"TLS 1.0 enabled on the VPN,High,oscar@example.com,service:AWS,Disable TLS 1.0\n"), 0o600)
	mustRun(t, db, "import", "findings", file)
	runJSON(t, db, &fs, "findings", "list", "--all")
	found := false
	for _, f := range fs {
		if f.Title == "TLS 1.0 enabled on the VPN" {
			found = f.Severity == "high" && f.OwnerName == "Oscar Lindqvist" && len(f.Links) == 1 && f.Links[0].Name == "AWS"
		}
	}
	if !found {
		t.Fatalf("imported finding not as in the file: %+v", fs)
	}
}

func TestDemoOverdueFindingAlertsItsOwner(t *testing.T) {
	db := demoDB(t)
	out := mustRun(t, db, "findings", "list", "--overdue")
	if !strings.Contains(out, "No two-step verification enforced for GitHub admins") || strings.Contains(out, "Shared AWS root") {
		t.Fatalf("findings list --overdue:\n%s", out)
	}
	// The scheduler runs the finding's check within a minute; run it now.
	var checks []model.Check
	runJSON(t, db, &checks, "checks", "list")
	name := ""
	for _, c := range checks {
		if c.Kind == model.SourceFinding {
			name = c.Name
		}
	}
	if name == "" {
		t.Fatalf("no check follows the overdue finding: %+v", checks)
	}
	run(t, db, "checks", "run", name)
	var alerts []model.Alert
	runJSON(t, db, &alerts, "alerts", "list")
	var alert *model.Alert
	for i, a := range alerts {
		if strings.HasPrefix(a.CheckName, "finding-") && a.State == "firing" {
			alert = &alerts[i]
		}
	}
	if alert == nil {
		t.Fatalf("no firing alert for the overdue finding: %+v", alerts)
	}
	show := mustRun(t, db, "alerts", "show", strconv.FormatInt(alert.ID, 10))
	// Dave owns the finding and is not on call (Oscar is): the page names him.
	if !strings.Contains(show, "to dave@example.com") {
		t.Fatalf("the alert's page did not go to the finding's owner:\n%s", show)
	}
}
