package main

// End-to-end tests of offboarding, shared secrets and the risk report,
// driven through the built binary on the demo company.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

type stepJSON struct {
	N            int    `json:"n"`
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	Detail       string `json:"detail"`
	BusFactorOne bool   `json:"bus_factor_one"`
	State        string `json:"state"`
	Reason       string `json:"reason"`
	Effect       string `json:"effect"`
	By           string `json:"by"`
	Notes        []struct {
		Text string `json:"text"`
	} `json:"notes"`
}

func checklist(t *testing.T, db, email string) []stepJSON {
	t.Helper()
	var out []stepJSON
	runJSON(t, db, &out, "offboard", "steps", email)
	return out
}

// auditMark is the newest audit row id: unchanged means nothing was written.
func offboardAuditMark(t *testing.T, db string) int64 {
	t.Helper()
	var rows []struct {
		ID int64 `json:"id"`
	}
	runJSON(t, db, &rows, "audit", "list", "--limit", "1")
	if len(rows) == 0 {
		return 0
	}
	return rows[0].ID
}

// TestOffboardBill walks the demo story: Bill left a month ago but still
// holds a GitHub admin account, an AWS login, his laptop and two shared
// secrets. Offboarding him lists exactly those, admin first, and walking
// the checklist revokes each one in the inventory.
func TestOffboardBill(t *testing.T) {
	db := demoDB(t)
	out := mustRun(t, db, "offboard", "start", "bill@example.com", "--successor", "dave@example.com")
	// Its id is its checklist's (the demo's review took an earlier one).
	if !regexp.MustCompile(`^offboarding \d+ started for Bill Carter`).MatchString(out) {
		t.Fatalf("start: %s", out)
	}
	got := checklist(t, db, "bill@example.com")
	var lines []string
	for _, s := range got {
		if s.Kind != "template" {
			lines = append(lines, fmt.Sprintf("%d %s %s", s.N, s.Kind, s.Title))
		}
	}
	want := []string{
		"1 account Revoke GitHub admin account billc-dev",
		"2 account Revoke AWS member account bill",
		"3 device Recover laptop LT-006 (bill-laptop)",
		"4 secret Rotate AWS root credentials",
		"5 secret Rotate Production DB password",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Bill's checklist:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(got[2].Detail, "serial SN4205196") || len(got) != 10 {
		t.Fatalf("device detail %q, %d steps", got[2].Detail, len(got))
	}
	var bill struct{ Status, EndDate string }
	runJSON(t, db, &bill, "people", "show", "bill@example.com")
	if bill.Status != "departed" {
		t.Fatalf("a departed person stays departed while offboarded, got %s", bill.Status)
	}

	mustRun(t, db, "offboard", "step", "bill@example.com", "1", "done", "--note", "OPS-412 removed from GitHub org")
	mustRun(t, db, "offboard", "step", "bill@example.com", "2", "done")
	mustRun(t, db, "offboard", "step", "bill@example.com", "3", "block", "--reason", "laptop not returned yet")
	mustRun(t, db, "offboard", "step", "bill@example.com", "3", "done", "--device-status", "spare", "--note", "received by courier")
	mustRun(t, db, "offboard", "step", "bill@example.com", "4", "done")
	mustRun(t, db, "offboard", "step", "bill@example.com", "5", "done", "--note", "rotated in Secrets Manager")
	mustRun(t, db, "offboard", "step", "bill@example.com", "6", "skip", "--reason", "badge returned on his last day")
	for n := 7; n <= 10; n++ {
		mustRun(t, db, "offboard", "step", "bill@example.com", fmt.Sprint(n), "done")
	}

	var accts []struct{ Service, Username, Status string }
	runJSON(t, db, &accts, "accounts", "list", "--person", "bill@example.com", "--status", "active")
	if len(accts) != 0 {
		t.Fatalf("Bill still has active accounts: %+v", accts)
	}
	var dev struct {
		Status   string `json:"status"`
		HolderID *int64 `json:"holder_id"`
	}
	runJSON(t, db, &dev, "devices", "show", "LT-006")
	if dev.Status != "spare" || dev.HolderID != nil {
		t.Fatalf("laptop after recovery: %+v", dev)
	}
	var sec struct {
		Holders []struct{ Email string } `json:"holders"`
		Overdue bool                     `json:"overdue"`
	}
	runJSON(t, db, &sec, "secrets", "show", "AWS root credentials")
	if len(sec.Holders) != 1 || sec.Holders[0].Email != "oscar@example.com" || sec.Overdue {
		t.Fatalf("AWS root credentials after rotation: %+v", sec)
	}
	var risks []struct{ Rule, Name string }
	runJSON(t, db, &risks, "risks", "--rule", "access_still_present")
	if len(risks) != 0 {
		t.Fatalf("access still present after offboarding: %+v", risks)
	}

	out = mustRun(t, db, "offboard", "complete", "bill@example.com")
	if !strings.Contains(out, "Bill Carter departed, last day 2026-10-30, 10/10 steps closed") {
		t.Fatalf("complete: %s", out)
	}
	report := mustRun(t, db, "offboard", "report", "bill@example.com", "--format", "md")
	for _, want := range []string{
		"# Offboarding report: Bill Carter <bill@example.com>",
		"- Successor: Dave Kim",
		"| 1 | Revoke GitHub admin account billc-dev | done |",
		"account GitHub:billc-dev active → revoked",
		"OPS-412 removed from GitHub org",
		"step 3 blocked: Recover laptop LT-006 (bill-laptop) — reason: laptop not returned yet",
		"device LT-006 in_use → spare, holder cleared",
		"step 6 skipped: Collect badge and office keys — reason: badge returned on his last day",
		"completed offboarding; Bill Carter departed, last day 2026-10-30",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	var rep struct {
		Offboarding struct{ Status string } `json:"offboarding"`
		Trail       []struct {
			Actor, Action, Summary string
			Step                   int
		} `json:"trail"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "offboard", "report", "bill@example.com", "--format", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Offboarding.Status != "completed" || len(rep.Trail) != 13 || rep.Trail[0].Action != "start" || rep.Trail[12].Action != "complete" {
		t.Fatalf("json report: %+v", rep)
	}
	var list []struct {
		Status   string `json:"status"`
		Progress struct{ Total, Done, Skipped int }
	}
	runJSON(t, db, &list, "offboard", "list")
	if len(list) != 1 || list[0].Status != "completed" || list[0].Progress.Total != 10 || list[0].Progress.Skipped != 1 {
		t.Fatalf("list: %+v", list)
	}
	// Completed: the checklist is frozen.
	if r := run(t, db, "offboard", "step", "bill@example.com", "1", "undo"); r.code == 0 || !strings.Contains(r.stderr, "has no open offboarding") {
		t.Fatalf("undo after completion: %+v", r)
	}
}

// TestOffboardActivePerson: Jenny is Jira's only admin and owns Jira and
// Confluence; offboarding her makes her leaving, flags bus factor 1 and
// hands her services to the successor.
func TestOffboardActivePerson(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "offboard", "start", "jenny@example.com", "--last-day", "2026-12-18", "--successor", "oscar@example.com")
	var p struct{ Status, EndDate string }
	runJSON(t, db, &p, "people", "show", "jenny@example.com")
	if p.Status != "leaving" {
		t.Fatalf("status after start: %s", p.Status)
	}
	got := checklist(t, db, "jenny@example.com")
	byTitle := map[string]stepJSON{}
	for _, s := range got {
		byTitle[s.Title] = s
	}
	jira, conf := byTitle["Revoke Jira admin account jenny"], byTitle["Revoke Confluence admin account jenny"]
	if !jira.BusFactorOne || conf.BusFactorOne || got[0].Title != "Revoke Confluence admin account jenny" || got[1].Title != "Revoke Jira admin account jenny" {
		t.Fatalf("admin steps: %+v", got[:2])
	}
	handover := byTitle["Hand over Jira to Oscar Lindqvist"]
	if handover.Kind != "service" || !handover.BusFactorOne {
		t.Fatalf("Jira handover: %+v", handover)
	}
	out := mustRun(t, db, "offboard", "step", "jenny@example.com", fmt.Sprint(handover.N), "done")
	if !strings.Contains(out, "service Jira owner Jenny Alvarez → Oscar Lindqvist") {
		t.Fatalf("handover: %s", out)
	}
	var risks []struct{ Kind, Name, Detail string }
	runJSON(t, db, &risks, "risks", "--rule", "access_still_present")
	jennys := 0
	for _, r := range risks {
		if strings.Contains(r.Detail, "access still present for Jenny Alvarez on") {
			jennys++
		}
	}
	if jennys != 4 {
		t.Fatalf("a leaving person's active accounts are not all reported: %+v", risks)
	}
}

func TestOffboardForceComplete(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "offboard", "start", "leo@example.com", "--last-day", "2026-12-05")
	mustRun(t, db, "offboard", "step", "leo@example.com", "1", "done")
	mark := offboardAuditMark(t, db)
	r := run(t, db, "offboard", "complete", "leo@example.com")
	if r.code != 1 || !strings.Contains(r.stderr, "unfinished step(s)") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("complete with open steps: %+v", r)
	}
	r = run(t, db, "offboard", "complete", "leo@example.com", "--force")
	if r.code != 1 || r.stderr != "opsdeck: reason: \"\" is required to force completion (use --reason)\n" {
		t.Fatalf("force without reason: %+v", r)
	}
	if offboardAuditMark(t, db) != mark {
		t.Fatal("refused completion wrote to the database")
	}
	mustRun(t, db, "offboard", "complete", "leo@example.com", "--force", "--reason", "left early; IT handles the rest in OPS-500")
	var p struct{ Status, EndDate string }
	runJSON(t, db, &p, "people", "show", "leo@example.com")
	var pj map[string]any
	_ = json.Unmarshal([]byte(mustRun(t, db, "people", "show", "leo@example.com", "--json")), &pj)
	if pj["status"] != "departed" || pj["end_date"] != "2026-12-05" {
		t.Fatalf("person after forced completion: %v", pj)
	}
	report := mustRun(t, db, "offboard", "report", "leo@example.com")
	if !strings.Contains(report, "**Forced completion**, reason: left early; IT handles the rest in OPS-500") ||
		!strings.Contains(report, "FORCED with") {
		t.Fatalf("report does not record the forced completion:\n%s", report)
	}
}

func TestOffboardUndo(t *testing.T) {
	db := demoDB(t)
	mustRun(t, db, "offboard", "start", "bill@example.com")
	mustRun(t, db, "offboard", "step", "bill@example.com", "1", "done")
	var a struct{ Status string }
	runJSON(t, db, &a, "accounts", "show", "GitHub:billc-dev")
	if a.Status != "revoked" {
		t.Fatalf("after done: %s", a.Status)
	}
	out := mustRun(t, db, "offboard", "step", "bill@example.com", "1", "undo", "--note", "clicked the \x1b[31mwrong\x1b[0m line\u202e")
	if !strings.Contains(out, "step 1 open") {
		t.Fatalf("undo: %s", out)
	}
	runJSON(t, db, &a, "accounts", "show", "GitHub:billc-dev")
	if a.Status != "active" {
		t.Fatalf("undo did not restore the account: %s", a.Status)
	}
	s := checklist(t, db, "bill@example.com")[0]
	if s.State != "open" || s.Effect != "" || len(s.Notes) != 1 || s.Notes[0].Text != "clicked the wrong line" {
		t.Fatalf("step after undo: %+v", s)
	}
	report := mustRun(t, db, "offboard", "report", "bill@example.com")
	if !strings.Contains(report, "step 1 undone (was done): Revoke GitHub admin account billc-dev — reverted: account GitHub:billc-dev active → revoked") {
		t.Fatalf("report lacks the undo:\n%s", report)
	}
}

// TestOffboardBadInput: each mistake is one line on stderr naming the
// field, exit 1, and nothing written.
func TestOffboardBadInput(t *testing.T) {
	db := demoDB(t)
	var id int64
	if _, err := fmt.Sscanf(mustRun(t, db, "offboard", "start", "bill@example.com"), "offboarding %d started", &id); err != nil {
		t.Fatal(err)
	}
	before := mustRun(t, db, "offboard", "steps", "bill@example.com", "--json")
	mark := offboardAuditMark(t, db)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"offboard", "start", "nobody@example.com"}, `person: "nobody@example.com" is not a known person`},
		{[]string{"offboard", "start", "bill@example.com"}, fmt.Sprintf(`person: "bill@example.com" already has an open offboarding (%d)`, id)},
		{[]string{"offboard", "start", "kristen@example.com", "--last-day", "next friday"}, `last_day: "next friday" is not a date (want YYYY-MM-DD)`},
		{[]string{"offboard", "start", "kristen@example.com", "--successor", "kristen@example.com"}, `successor: "kristen@example.com" is the person leaving`},
		{[]string{"offboard", "start", "kristen@example.com", "--successor", "ghost@example.com"}, `successor: "ghost@example.com" is not a known person`},
		{[]string{"offboard", "steps", "nobody@example.com"}, `person: "nobody@example.com" is not a known person`},
		{[]string{"offboard", "steps", "kristen@example.com"}, `person: "kristen@example.com" has never been offboarded (start with 'opsdeck offboard start EMAIL')`},
		{[]string{"offboard", "step", "nobody@example.com", "1", "done"}, `person: "nobody@example.com" is not a known person`},
		{[]string{"offboard", "step", "kristen@example.com", "1", "done"}, `person: "kristen@example.com" has no open offboarding (start one with 'opsdeck offboard start EMAIL')`},
		{[]string{"offboard", "step", "bill@example.com", "99", "done"}, `step: "99" is not a step of this offboarding (1-10)`},
		{[]string{"offboard", "step", "bill@example.com", "two", "done"}, `step: "two" is not a step number (1, 2, ...)`},
		{[]string{"offboard", "step", "bill@example.com", "1", "skip"}, `reason: "" is required to skip a step (use --reason)`},
		{[]string{"offboard", "step", "bill@example.com", "1", "block"}, `reason: "" is required to block a step (use --reason)`},
		{[]string{"offboard", "step", "bill@example.com", "1", "finish"}, `action: "finish" is not one of done, skip, block, undo, note`},
		{[]string{"offboard", "step", "bill@example.com", "1", "undo"}, `step: "1" is open; there is nothing to undo`},
		{[]string{"offboard", "step", "bill@example.com", "1", "note"}, `note: "" is required (use --note)`},
		{[]string{"offboard", "step", "bill@example.com", "3", "done", "--device-status", "bin"}, `device_status: "bin" is not one of spare, repair, lost`},
		{[]string{"offboard", "complete", "bill@example.com", "--reason", "x"}, `reason: "x" is only used with --force`},
		{[]string{"offboard", "report", "bill@example.com", "--format", "pdf"}, `format: "pdf" is not one of md, json`},
		{[]string{"secrets", "add", "--name", "X", "--rotation_days", "-5"}, `rotation_days: "-5" is not between 0 (never) and 3650`},
		{[]string{"secrets", "add", "--name", "AWS root credentials"}, `name: "AWS root credentials" already names secret 1`},
		{[]string{"secrets", "add", "--name", "Y", "--holders", "ghost@example.com"}, `holders: "ghost@example.com" is not a known person`},
		{[]string{"secrets", "rotated", "No such secret"}, `secret: "No such secret" is not a known secret`},
	}
	for _, tc := range tests {
		r := run(t, db, tc.args...)
		if r.code != 1 || r.stderr != "opsdeck: "+tc.want+"\n" || r.stdout != "" {
			t.Errorf("%s:\n  exit %d, stderr %q\n  want %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
	}
	if offboardAuditMark(t, db) != mark {
		t.Error("bad input wrote to the database")
	}
	if after := mustRun(t, db, "offboard", "steps", "bill@example.com", "--json"); after != before {
		t.Error("bad input changed the checklist")
	}
}

func TestSecretsCLI(t *testing.T) {
	db := demoDB(t)
	out := mustRun(t, db, "secrets", "add", "--name", "VPN pre-shared key", "--location", "1Password: Ops vault",
		"--service", "AWS", "--holders", "oscar@example.com, chen@example.com", "--rotation_days", "30", "--last_rotated_at", "2020-01-01")
	if !strings.Contains(out, "known by Chen Wei, Oscar Lindqvist") {
		t.Fatalf("add: %s", out)
	}
	var overdue []struct {
		Name           string `json:"name"`
		Overdue        bool   `json:"overdue"`
		RotationStatus string `json:"rotation_status"`
	}
	runJSON(t, db, &overdue, "secrets", "list", "--overdue")
	names := []string{}
	for _, s := range overdue {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "AWS root credentials,GitHub deploy key (production),VPN pre-shared key" {
		t.Fatalf("overdue: %v", names)
	}
	raw := mustRun(t, db, "secrets", "list", "--json")
	if strings.Contains(raw, `"value"`) || strings.Contains(raw, `"secret"`) {
		t.Fatalf("secret list exposes a value field: %s", raw)
	}
	mustRun(t, db, "secrets", "rotated", "VPN pre-shared key", "--holders", "oscar@example.com")
	var s struct {
		Overdue       bool   `json:"overdue"`
		LastRotatedBy string `json:"last_rotated_by"`
		Holders       []struct{ Email string }
	}
	runJSON(t, db, &s, "secrets", "show", "VPN pre-shared key")
	if s.Overdue || len(s.Holders) != 1 || !strings.HasPrefix(s.LastRotatedBy, "local:") {
		t.Fatalf("after rotation: %+v", s)
	}
	out = mustRun(t, db, "secrets", "edit", "VPN pre-shared key", "--rotation_days", "0", "--holders", "oscar@example.com,dave@example.com")
	if out != "updated secret 7: VPN pre-shared key, known by Dave Kim, Oscar Lindqvist\n" {
		t.Fatalf("edit: %q", out)
	}
	if r := run(t, db, "secrets", "edit", "VPN pre-shared key", "--name", "Jenkins admin password"); r.code != 1 ||
		r.stderr != "opsdeck: name: \"Jenkins admin password\" already names secret 5\n" {
		t.Fatalf("rename onto another secret: %+v", r)
	}
	if human := mustRun(t, db, "secrets", "list"); !strings.Contains(human, "OVERDUE") {
		t.Fatalf("human list does not flag overdue rotations:\n%s", human)
	}
}

func TestRisksCLI(t *testing.T) {
	db := demoDB(t)
	var risks []struct {
		Rule, Severity, Kind, Name, Detail string
		ID                                 int64
	}
	runJSON(t, db, &risks, "risks")
	found := map[string]bool{}
	for _, r := range risks {
		if r.ID == 0 || r.Kind == "" || r.Name == "" {
			t.Errorf("risk without a record: %+v", r)
		}
		found[r.Rule+" "+r.Kind+" "+r.Name] = true
	}
	for _, want := range []string{
		"single_admin service Jira",
		"bus_factor_person person Jenny Alvarez",
		"single_host service Postgres Primary",
		"secret_known_by_leaver secret AWS root credentials",
		"secret_overdue secret AWS root credentials",
		"access_still_present account GitHub:billc-dev",
		"access_still_present account AWS:bill",
		"no_check service GitHub",
		"no_backup service Production App",
	} {
		if !found[want] {
			t.Errorf("risks lack %q", want)
		}
	}
	if out := mustRun(t, db, "risks"); strings.Contains(out, "Not evaluated") {
		t.Errorf("every rule has its data now, yet risks says:\n%s", out)
	}
}

func TestDemoSecretsIdempotent(t *testing.T) {
	db := demoDB(t)
	mark := offboardAuditMark(t, db)
	mustRun(t, db, "demo")
	if offboardAuditMark(t, db) != mark {
		t.Fatal("loading the demo twice wrote to the database")
	}
	var secrets []struct{ Name string }
	runJSON(t, db, &secrets, "secrets", "list")
	if len(secrets) != 6 {
		t.Fatalf("demo secrets: %+v", secrets)
	}
}
