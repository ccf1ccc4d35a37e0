package main

import (
	"strings"
	"testing"
)

type personJSON struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Role   string `json:"role"`
}

type auditJSON struct {
	ID       int64  `json:"id"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Entity   string `json:"entity"`
	EntityID int64  `json:"entity_id"`
	Before   string `json:"before"`
	After    string `json:"after"`
}

func auditRows(t *testing.T, db string) []auditJSON {
	t.Helper()
	var rows []auditJSON
	runJSON(t, db, &rows, "audit", "list", "--limit", "100000")
	return rows
}

func TestDemoListsTheCastAndIsIdempotent(t *testing.T) {
	db := demoDB(t)
	var people []personJSON
	runJSON(t, db, &people, "people", "list")
	byEmail := map[string]personJSON{}
	for _, p := range people {
		byEmail[p.Email] = p
	}
	for _, e := range []string{"tammy@example.com", "bob@example.com", "bill@example.com", "dave@example.com",
		"kristen@example.com", "jenny@example.com", "oscar@example.com"} {
		if _, ok := byEmail[e]; !ok {
			t.Errorf("demo lacks %s", e)
		}
	}
	if len(people) < 18 {
		t.Errorf("demo has %d people, want about 20", len(people))
	}
	if byEmail["bill@example.com"].Status != "departed" {
		t.Errorf("Bill is %q, want departed", byEmail["bill@example.com"].Status)
	}
	// Bill left but still holds an active GitHub admin account and AWS login.
	var accts []struct {
		ServiceName string `json:"service_name"`
		Entitlement string `json:"entitlement"`
		Status      string `json:"status"`
	}
	runJSON(t, db, &accts, "accounts", "list", "--person", "bill@example.com", "--status", "active")
	got := map[string]string{}
	for _, a := range accts {
		got[a.ServiceName] = a.Entitlement
	}
	if got["GitHub"] != "admin" || got["AWS"] == "" {
		t.Errorf("Bill's active accounts = %v, want GitHub admin and AWS", got)
	}

	n := len(auditRows(t, db))
	mustRun(t, db, "demo")
	if m := len(auditRows(t, db)); m != n {
		t.Fatalf("second demo load wrote %d audit rows", m-n)
	}
}

func TestAddEditDeactivateAreAudited(t *testing.T) {
	db := newDB(t)
	var p personJSON
	runJSON(t, db, &p, "people", "add", "--name", "Kristen Park", "--email", "kristen@example.com", "--title", "Engineer")
	if p.ID == 0 || p.Status != "active" || p.Role != "viewer" {
		t.Fatalf("added %+v", p)
	}
	mustRun(t, db, "people", "edit", "kristen@example.com", "--title", "Senior Engineer")
	mustRun(t, db, "people", "deactivate", "Kristen Park")
	rows := auditRows(t, db)
	if len(rows) != 3 {
		t.Fatalf("%d audit rows, want 3: %+v", len(rows), rows)
	}
	if rows[0].Action != "update" || !strings.Contains(rows[0].After, `"status":"departed"`) || !strings.Contains(rows[0].Before, `"status":"active"`) {
		t.Errorf("deactivate audit row: %+v", rows[0])
	}
	if rows[1].Action != "update" || !strings.Contains(rows[1].Before, `"title":"Engineer"`) || !strings.Contains(rows[1].After, `"title":"Senior Engineer"`) {
		t.Errorf("edit audit row: %+v", rows[1])
	}
	if rows[2].Action != "create" || rows[2].Before != "" || rows[2].EntityID != p.ID || !strings.HasPrefix(rows[2].Actor, "local:") {
		t.Errorf("create audit row: %+v", rows[2])
	}
	out := mustRun(t, db, "audit", "list", "--entity", "person")
	if !strings.Contains(out, "title: Engineer → Senior Engineer") {
		t.Errorf("human audit list does not say what changed:\n%s", out)
	}

	// Devices, services, accounts and links go through the same path.
	mustRun(t, db, "people", "add", "--name", "Oscar", "--email", "oscar@example.com")
	mustRun(t, db, "devices", "add", "--asset_tag", "LT-001", "--name", "oscar-laptop", "--holder", "oscar@example.com", "--disk_encrypted", "yes")
	mustRun(t, db, "devices", "add", "--asset_tag", "SRV-1", "--name", "app-01", "--kind", "server")
	mustRun(t, db, "services", "add", "--name", "GitHub", "--criticality", "critical", "--owner", "oscar")
	mustRun(t, db, "services", "add", "--name", "App", "--kind", "app")
	mustRun(t, db, "services", "host", "App", "SRV-1")
	mustRun(t, db, "services", "depend", "App", "GitHub")
	mustRun(t, db, "accounts", "add", "--person", "oscar@example.com", "--service", "GitHub", "--username", "oscar-ops", "--entitlement", "admin")
	mustRun(t, db, "accounts", "deactivate", "GitHub:oscar-ops")
	rows = auditRows(t, db)
	if len(rows) != 12 {
		t.Fatalf("%d audit rows after 12 mutations", len(rows))
	}
	show := mustRun(t, db, "services", "show", "App")
	if !strings.Contains(show, "app-01") || !strings.Contains(show, "GitHub") {
		t.Errorf("service detail lacks its host or dependency:\n%s", show)
	}
}

func TestBadInputExitsNonZeroAndWritesNothing(t *testing.T) {
	db := demoDB(t)
	before := len(auditRows(t, db))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"people", "add", "--name", "X", "--email", "not-an-email"}, `email: "not-an-email" is not a valid email address`},
		{[]string{"people", "add", "--name", "X", "--email", "bill@example.com"}, `email: "bill@example.com" already belongs to Bill Carter`},
		{[]string{"people", "add", "--name", "X", "--email", "x@example.com", "--status", "gone"}, `status: "gone" is not one of active, joining, leaving, departed`},
		{[]string{"people", "add", "--name", "X", "--email", "x@example.com", "--start_date", "2026-13-01"}, `start_date: "2026-13-01" is not a date`},
		{[]string{"people", "add", "--name", "X", "--email", "x@example.com", "--frobnicate"}, `unknown flag: --frobnicate`},
		{[]string{"people", "add", "--name", "X", "--email", "x@example.com", "--manager", "nobody@example.com"}, `manager: "nobody@example.com" is not a known person`},
		{[]string{"people", "edit", "kristen@example.com", "--email", "dave@example.com"}, `email: "dave@example.com" already belongs to Dave Kim`},
		{[]string{"people", "edit", "ghost@example.com", "--title", "x"}, `person "ghost@example.com": not found`},
		{[]string{"devices", "add", "--asset_tag", "LT-001", "--name", "dup"}, `asset_tag: "LT-001" already belongs to device`},
		{[]string{"devices", "add", "--asset_tag", "LT-999", "--name", "x", "--kind", "toaster"}, `kind: "toaster" is not one of`},
		{[]string{"devices", "add", "--asset_tag", "LT-999", "--name", "x", "--disk_encrypted", "maybe"}, `disk_encrypted: "maybe" is not yes, no or unknown`},
		{[]string{"services", "add", "--name", "github"}, `name: "github" already names service`},
		{[]string{"accounts", "add", "--person", "kristen@example.com", "--service", "Nope", "--username", "k"}, `service: "Nope" is not a known service`},
		{[]string{"accounts", "add", "--person", "kristen@example.com", "--service", "GitHub", "--username", "davekim"}, `username: "davekim" already exists on this service`},
		{[]string{"people", "list", "--status", "zombie"}, `status: "zombie" is not one of`},
	}
	for _, c := range cases {
		r := run(t, db, c.args...)
		if r.code == 0 {
			t.Errorf("%v: exit 0, want non-zero", c.args)
			continue
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if len(lines) != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", c.args, r.stderr, c.want)
		}
	}
	if after := len(auditRows(t, db)); after != before {
		t.Fatalf("failed commands wrote %d audit rows", after-before)
	}
}

func TestNewDatabaseStartsEmptyAndVersionPrints(t *testing.T) {
	db := newDB(t)
	var people []personJSON
	runJSON(t, db, &people, "people", "list")
	if people == nil || len(people) != 0 {
		t.Fatalf("new database people = %v, want []", people)
	}
	if out := mustRun(t, db, "version"); !strings.HasPrefix(out, "opsdeck ") {
		t.Fatalf("version printed %q", out)
	}
}
