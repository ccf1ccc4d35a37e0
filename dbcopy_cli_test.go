package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/internal/testenv/pg"
)

// TestDBCopyBothWays moves the demo company from a file to PostgreSQL and
// back to a new file: each copy verifies every table, the three databases
// export the same records, and a target with data is refused without --force.
func TestDBCopyBothWays(t *testing.T) {
	file := filepath.Join(t.TempDir(), "demo.db")
	mustRun(t, file, "init")
	mustRun(t, file, "demo")
	url := pg.URL(t)
	out := mustRun(t, "", "db", "copy", "--from", file, "--to", url)
	if !strings.Contains(out, "every table's count and checksum verified") {
		t.Fatalf("copy to PostgreSQL: %s", out)
	}
	back := filepath.Join(t.TempDir(), "back.db")
	mustRun(t, "", "db", "copy", "--from", url, "--to", back)
	for _, kind := range []string{"people", "devices", "services", "accounts", "audit"} {
		want := mustRun(t, file, "export", kind, "--format", "json")
		if got := mustRun(t, url, "export", kind, "--format", "json"); got != want {
			t.Errorf("export %s differs between the file and PostgreSQL", kind)
		}
		if got := mustRun(t, back, "export", kind, "--format", "json"); got != want {
			t.Errorf("export %s differs between the file and its copy back", kind)
		}
	}
	r := run(t, "", "db", "copy", "--from", back, "--to", url)
	if r.code == 0 || !strings.Contains(r.stderr, "target is not empty") || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("copy onto a database with data: exit %d, %q; want a refusal naming --force", r.code, r.stderr)
	}
	mustRun(t, "", "db", "copy", "--from", back, "--to", url, "--force")
}
