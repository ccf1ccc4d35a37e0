package main

// End-to-end tests of onboarding through the built binary on the demo
// company: role profiles, the checklist (accounts recorded on done, the
// laptop's build verdict), bad input, and a three-hire CSV batch after a
// dry run.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/model"
)

func future(days int) string { return binNow().AddDate(0, 0, days).Format(model.DateLayout) }

func onboardSteps(t *testing.T, db, ref string) []model.ChecklistStep {
	t.Helper()
	var steps []model.ChecklistStep
	runJSON(t, db, &steps, "onboard", "steps", ref)
	return steps
}

func TestOnboardDeveloper(t *testing.T) {
	db := demoDB(t)
	out := mustRun(t, db, "profiles", "show", "sre")
	for _, want := range []string{"developer", "AWS", "admin", "Jenkins CI", "GitHub", "On-call shadowing", "Issue door badge"} {
		if !strings.Contains(out, want) {
			t.Errorf("profiles show sre lacks %q:\n%s", want, out)
		}
	}
	start := future(7)
	mustRun(t, db, "onboard", "start", "kim.lee@example.com", "--profile", "developer", "--start", start, "--laptop", "LT-090", "--manager", "dave@example.com")
	var p model.Person
	runJSON(t, db, &p, "people", "show", "kim.lee@example.com")
	if p.Status != "joining" || p.StartDate != start {
		t.Fatalf("hire is %s from %s, want joining from %s", p.Status, p.StartDate, start)
	}
	steps := onboardSteps(t, db, "kim.lee@example.com")
	var titles []string
	for _, s := range steps {
		titles = append(titles, s.Title)
	}
	want := "Create AWS member account|Create GitHub member account|Create Google Workspace member account|Create Jira member account|" +
		"Create Slack member account|Assign laptop LT-090 (spare-laptop-90)|Build the laptop to the baseline|Issue door badge|Welcome session with the manager"
	if got := strings.Join(titles, "|"); got != want {
		t.Fatalf("steps:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(steps[1].Procedure, "gh api -X PUT orgs/example-co/memberships/kim.lee") || steps[1].Default != "kim.lee" {
		t.Errorf("GitHub step procedure %q default %q", steps[1].Procedure, steps[1].Default)
	}

	// Done records the account with the username and the profile's entitlement.
	mustRun(t, db, "onboard", "step", "kim.lee@example.com", "2", "done")
	mustRun(t, db, "onboard", "step", "kim.lee@example.com", "1", "done", "--value", "klee")
	var accts []model.Account
	runJSON(t, db, &accts, "accounts", "list", "--person", "kim.lee@example.com")
	got := map[string]string{}
	for _, a := range accts {
		got[a.ServiceName] = a.Username + "/" + a.Entitlement + "/" + a.Status
	}
	if got["GitHub"] != "kim.lee/member/active" || got["AWS"] != "klee/member/active" || len(got) != 2 {
		t.Fatalf("accounts %v", got)
	}
	// The build waits for the assignment; then passes (LT-090 is on the baseline).
	if r := run(t, db, "onboard", "step", "kim.lee@example.com", "7", "done"); r.code == 0 || !strings.Contains(r.stderr, "assigned first") {
		t.Fatalf("build before assign: %d %s", r.code, r.stderr)
	}
	mustRun(t, db, "onboard", "step", "kim.lee@example.com", "6", "done")
	out = mustRun(t, db, "onboard", "step", "kim.lee@example.com", "7", "done")
	if !strings.Contains(out, "no drift from the baseline") {
		t.Errorf("build: %s", out)
	}
	var d model.Device
	runJSON(t, db, &d, "devices", "show", "LT-090")
	if d.Status != "in_use" || d.HolderID == nil || *d.HolderID != p.ID {
		t.Errorf("LT-090 %s held by %v", d.Status, d.HolderID)
	}
	// Undo revokes (never deletes) the account it created.
	mustRun(t, db, "onboard", "step", "kim.lee@example.com", "1", "undo")
	runJSON(t, db, &accts, "accounts", "list", "--person", "kim.lee@example.com")
	for _, a := range accts {
		if a.ServiceName == "AWS" && a.Status != "revoked" {
			t.Errorf("undone AWS account is %s", a.Status)
		}
	}

	// A laptop with a newer compiler keeps the build step open, with the reason.
	mustRun(t, db, "onboard", "start", "ana@example.com", "--profile", "developer", "--start", start, "--laptop", "LT-091")
	mustRun(t, db, "onboard", "step", "ana@example.com", "6", "done")
	r := run(t, db, "onboard", "step", "ana@example.com", "7", "done")
	if r.code == 0 || !strings.Contains(r.stderr, "go 1.27.1 is newer than the baseline >=1.25 <1.27") {
		t.Fatalf("newer compiler: exit %d %s", r.code, r.stderr)
	}
	if s := onboardSteps(t, db, "ana@example.com"); s[6].State != model.StateOpen {
		t.Errorf("build step is %s", s[6].State)
	}

	// Risks: critical services without a deprovisioning procedure.
	risks := mustRun(t, db, "risks")
	if !strings.Contains(risks, "no_deprovision_procedure") || !strings.Contains(risks, "AWS") {
		t.Errorf("risks lack the deprovisioning rule:\n%s", risks)
	}
	// The offboarding of someone with a GitHub account shows how to remove it.
	off := mustRun(t, db, "offboard", "start", "bill@example.com", "--json")
	if !strings.Contains(off, "gh api -X DELETE orgs/example-co/members/billc-dev") {
		t.Errorf("offboarding lacks the deprovisioning procedure:\n%s", off)
	}

	// The record, and the ledger.
	rep := mustRun(t, db, "onboard", "report", "kim.lee@example.com")
	for _, w := range []string{"# Onboarding Kim Lee (developer)", "## Accounts", "account GitHub:kim.lee member recorded", "## Ledger", "planned onboarding"} {
		if !strings.Contains(rep, w) {
			t.Errorf("report lacks %q:\n%s", w, rep)
		}
	}
	var rj struct {
		Trail []struct{ Summary string } `json:"trail"`
	}
	runJSON(t, db, &rj, "onboard", "report", "kim.lee@example.com")
	if len(rj.Trail) < 5 {
		t.Errorf("report trail %+v", rj.Trail)
	}
}

func TestOnboardBadInput(t *testing.T) {
	db := demoDB(t)
	mark := offboardAuditMark(t, db)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"onboard", "start", "x@example.com", "--profile", "developer", "--start", "next week"}, `start: "next week"`},
		{[]string{"onboard", "start", "x@example.com", "--profile", "nope", "--start", future(3)}, `profile: "nope" is not a role profile`},
		{[]string{"onboard", "start", "x@example.com", "--profile", "developer", "--start", future(3), "--laptop", "LT-404"}, `laptop: "LT-404" is not a known device`},
		{[]string{"onboard", "start", "x@example.com", "--profile", "developer", "--start", future(3), "--laptop", "LT-001"}, `laptop: "LT-001" is held by someone else`},
		{[]string{"onboard", "start", "not-an-email", "--profile", "developer", "--start", future(3)}, `email: "not-an-email" is not an email address`},
		{[]string{"onboard", "start", "bill@example.com", "--profile", "developer", "--start", future(3), "--manager", "nobody@example.com"}, `manager: "nobody@example.com"`},
		{[]string{"profiles", "add", "--name", "ops", "--service", "GitHub=owner"}, `entitlement: "owner"`},
		{[]string{"profiles", "add", "--name", "ops", "--tool", "go=banana"}, `tool: "go=banana"`},
		{[]string{"procedures", "set", "GitHub", "--direction", "sideways", "--text", "x"}, `direction: "sideways"`},
		{[]string{"procedures", "set", "GitHub", "--direction", "provision", "--command", "gh {{.Nope}}"}, `command: "gh {{.Nope}}"`},
		{[]string{"onboard", "explode"}, `unknown`},
	} {
		r := run(t, db, c.args...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("%v: exit %d stderr %q, want one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if got := offboardAuditMark(t, db); got != mark {
		t.Errorf("bad input wrote audit rows (%d → %d)", mark, got)
	}
}

func TestOnboardBatchAfterDryRun(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	csv := filepath.Join(dir, "hires.csv")
	start := future(10)
	body := "email,name,profile,start,laptop,manager\n" +
		"ana.ortiz@example.com,Ana Ortiz,developer," + start + ",LT-090,dave@example.com\n" +
		"ben.ito@example.com,Ben Ito,sre," + start + ",,oscar@example.com\n" +
		"cy.hale@example.com,,developer," + start + ",,\n"
	if err := os.WriteFile(csv, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	mark := offboardAuditMark(t, db)
	out := mustRun(t, db, "onboard", "start", "--from", csv, "--dry-run")
	if !strings.Contains(out, "dry run: 3 hire(s) would start; nothing written") || !strings.Contains(out, "ben.ito@example.com") {
		t.Fatalf("dry run:\n%s", out)
	}
	if got := offboardAuditMark(t, db); got != mark {
		t.Fatal("the dry run wrote")
	}
	out = mustRun(t, db, "onboard", "start", "--from", csv)
	if !strings.Contains(out, "3 onboarding(s) started") {
		t.Fatalf("batch:\n%s", out)
	}
	var list []model.Checklist
	runJSON(t, db, &list, "onboard", "list")
	if len(list) != 3 {
		t.Fatalf("%d onboardings", len(list))
	}
	// sre extends developer: AWS admin, plus Jenkins, plus the developer's.
	steps := onboardSteps(t, db, "ben.ito@example.com")
	if steps[0].Title != "Create AWS admin account" || !strings.Contains(stepTitles(steps), "Create Jenkins CI member account") ||
		!strings.Contains(stepTitles(steps), "On-call shadowing") {
		t.Errorf("sre steps: %s", stepTitles(steps))
	}

	// A batch with one bad row starts nobody and names the row.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("email,profile,start\nd@example.com,developer,"+start+"\ne@example.com,developer,31/12/2026\n"), 0o600)
	mark = offboardAuditMark(t, db)
	r := run(t, db, "onboard", "start", "--from", bad, "--dry-run")
	if r.code == 0 || !strings.Contains(r.stdout, `ERROR start: "31/12/2026"`) || !strings.Contains(r.stderr, "1 of 2 hire(s) have problems") {
		t.Fatalf("bad dry run: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, db, "onboard", "start", "--from", bad)
	if r.code == 0 || !strings.Contains(r.stderr, "nothing was started") {
		t.Fatalf("bad batch: %d %s", r.code, r.stderr)
	}
	if got := offboardAuditMark(t, db); got != mark {
		t.Fatal("a refused batch wrote")
	}
	os.WriteFile(bad, []byte("mail,who\nx,y\n"), 0o600)
	if r := run(t, db, "onboard", "start", "--from", bad); r.code == 0 || !strings.Contains(r.stderr, `from: "mail" is not a hire column`) {
		t.Fatalf("bad header: %d %s", r.code, r.stderr)
	}
}

func stepTitles(s []model.ChecklistStep) string {
	var t []string
	for _, x := range s {
		t = append(t, x.Title)
	}
	return strings.Join(t, "|")
}
