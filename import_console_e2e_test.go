package main

// End-to-end test of importing from the console: the real binary in tmux,
// a dry run of a file with 7 bad rows of 1,000, cancel (nothing written),
// then a clean file committed and its rows on screen.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// userWrites counts the audit rows written by a person at the console (not
// the scheduler the console runs, whose backups and checks audit as
// system:*), through `opsdeck audit list --json` as a script would.
func userWrites(t *testing.T, db string) int {
	t.Helper()
	var rows []struct {
		Actor string `json:"actor"`
	}
	runJSON(t, db, &rows, "audit", "list", "--limit", "1000000")
	n := 0
	for _, r := range rows {
		if !strings.HasPrefix(r.Actor, "system:") {
			n++
		}
	}
	return n
}

func TestConsoleImportEndToEnd(t *testing.T) {
	db := demoDB(t)
	bad, err := filepath.Abs(filepath.Join("testdata", "import", "people-1000-7bad.csv"))
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "new-hires.csv")
	if err := os.WriteFile(good, []byte("name,email,title,department,status,start_date\r\n"+
		"Quinn Avery,quinn@example.com,SRE,Engineering,active,2026-12-01\r\n"+
		"Rosa Diaz,rosa@example.com,Support Engineer,Support,active,2026-12-07\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := userWrites(t, db)

	tm := startConsole(t, db, 80, 24)
	tm.waitFor("1 people", "Kristen Park", "people 20", "live")
	tm.keys("i")
	tm.waitFor("people › import people", "file:")
	tm.keys("text:" + bad)
	tm.keys("Enter")
	tm.waitFor("1000 rows: 993 new", "7 bad", "PROBLEMS (7, in 7 rows)", "58  email", `"not-an-email"`, "131  status", "302  start_date")
	tm.keys("G") // the rest of the problems
	tm.waitFor("613  name", "809  start_date", "978  status")
	tm.keys("Escape")
	if s := tm.waitFor("1 of 20"); strings.Contains(s, "PROBLEMS") { // back on the table
		t.Fatalf("esc did not close the report:\n%s", s)
	}
	if after := userWrites(t, db); after != before {
		t.Fatalf("a cancelled import wrote %d audit rows", after-before)
	}

	tm.keys("i")
	tm.waitFor("file:")
	tm.keys("text:"+filepath.Dir(good)+"/new-h", "Tab") // completes the file name
	tm.waitFor("file: " + good)
	tm.keys("Enter")
	tm.waitFor("2 rows: 2 new", "0 bad", "enter/c commit")
	tm.keys("Enter")
	s := tm.waitFor("imported new-hires.csv: 2 new", "people 22", "Quinn Avery", "Rosa Diaz")
	if strings.Contains(s, "PROBLEMS") {
		t.Fatalf("report still shown:\n%s", s)
	}
	tm.keys("q")
	tm.waitExit()
	if out := mustRun(t, db, "people", "show", "rosa@example.com"); !strings.Contains(out, "Support Engineer") {
		t.Fatalf("imported person not stored:\n%s", out)
	}
	if after := userWrites(t, db); after <= before+2 {
		t.Fatalf("import audited %d rows, want the run and one per person", after-before)
	}
}
