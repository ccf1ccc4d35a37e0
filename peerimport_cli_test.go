package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type peerReport struct {
	Dialect string `json:"dialect"`
	Summary struct {
		Total, New, Skipped, Bad, Warnings, Unchanged int
	} `json:"summary"`
	Warnings []struct {
		Row            int
		Column, Reason string
	} `json:"warnings"`
	Problems []struct{ Row int } `json:"problems"`
}

// A Gatus config of 50 endpoints and an Uptime Kuma backup of 50
// monitors: the dry run lists every condition or monitor that cannot be
// translated, on its row; the import then creates every translatable
// check, and importing again changes nothing.
func TestPeerImportGatusAndKuma(t *testing.T) {
	for _, c := range []struct {
		file, dialect string
		imported      int
		skipped       int
		mustWarn      []string
	}{
		{"gatus-50.yaml", "gatus", 42, 8, []string{`"[DOMAIN_EXPIRATION] > 720h"`, `"[IP] == 10.0.0.5"`, "icmp://", "ssh://", "alerts (1)"}},
		{"uptime-kuma-50.json", "uptime-kuma", 40, 10, []string{"monitor type docker", "json-query", "push token", "ping (ICMP) becomes a tcp check on port 443", "a group holds monitors", "authentication"}},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			db := newDB(t)
			mustRun(t, db, "services", "add", "--name", "Website")
			file := filepath.Join("testdata", "peers", c.file)
			// Without a service for the checks: every row is bad, saying how to fix it.
			if r := run(t, db, "import", "checks", file, "--dry-run"); r.code == 0 || !strings.Contains(r.stdout, "--service NAME") {
				t.Fatalf("without --service: exit %d\n%s", r.code, r.stdout)
			}
			dry := run(t, db, "import", "checks", file, "--service", "Website", "--dry-run", "--json")
			if dry.code != 0 {
				t.Fatalf("dry run: exit %d %s", dry.code, dry.stderr)
			}
			var rep peerReport
			if err := json.Unmarshal([]byte(dry.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Dialect != c.dialect || rep.Summary.Total != 50 || rep.Summary.New != c.imported || rep.Summary.Skipped != c.skipped || rep.Summary.Bad != 0 {
				t.Fatalf("dry run summary %+v (dialect %s), problems %+v", rep.Summary, rep.Dialect, rep.Problems)
			}
			all := ""
			for _, w := range rep.Warnings {
				if w.Row < 1 || w.Row > 50 || w.Column == "" {
					t.Errorf("a warning without its row and endpoint: %+v", w)
				}
				all += w.Reason + "\n"
			}
			for _, want := range c.mustWarn {
				if !strings.Contains(all, want) {
					t.Errorf("the dry run does not list %q among:\n%s", want, all)
				}
			}
			human := mustRun(t, db, "import", "checks", file, "--service", "Website", "--dry-run")
			if !strings.Contains(human, "WARNINGS") || !strings.Contains(human, "dry run: nothing written") {
				t.Errorf("human dry run:\n%s", human)
			}
			if out := mustRun(t, db, "checks", "list"); strings.Count(out, "\n") > 1 {
				t.Fatalf("the dry run wrote checks:\n%s", out)
			}
			out := mustRun(t, db, "import", "checks", file, "--service", "Website")
			if !strings.Contains(out, "imported (run") {
				t.Fatalf("import:\n%s", out)
			}
			var checks []struct{ Name, Kind, Condition string }
			runJSON(t, db, &checks, "checks", "list")
			if len(checks) != c.imported {
				t.Fatalf("%d checks after the import, want %d", len(checks), c.imported)
			}
			again := run(t, db, "import", "checks", file, "--service", "Website", "--json")
			var rep2 peerReport
			json.Unmarshal([]byte(again.stdout), &rep2)
			if rep2.Summary.Unchanged != c.imported || rep2.Summary.New != 0 {
				t.Errorf("second import: %+v", rep2.Summary)
			}
		})
	}
}

// Files that are not a peer's checks: one line, non-zero, nothing written.
func TestPeerImportBadInput(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	for _, c := range []struct{ name, body, want string }{
		{"people.csv", "name,email\nA,a@example.com\n", "is not a Gatus config"},
		{"broken.json", `{"monitorList": [ {"id": 1, "name": `, "is not a Gatus config"},
		{"bad-kuma.json", `{"monitorList": "nope"}`, "not an Uptime Kuma backup"},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		r := run(t, db, "import", "checks", p, "--service", "x")
		if r.code == 0 || !strings.Contains(r.stdout+r.stderr, c.want) {
			t.Errorf("%s: exit %d\n%s%s", c.name, r.code, r.stdout, r.stderr)
		}
	}
}
