package main

// Import, export and toolchain drift, end to end through the binary.
// Golden files: testdata/golden/import/*.txt hold what each dry run prints
// (stdout, stderr, exit code). Regenerate with OPSDECK_UPDATE_GOLDEN=1.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestImportGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"google-workspace", []string{"import", "people", "testdata/import/google-workspace-users.csv", "--dry-run"}},
		{"snipeit", []string{"import", "devices", "testdata/import/snipeit-assets.csv", "--dry-run"}},
		{"nasty-people", []string{"import", "people", "testdata/import/nasty-people.csv", "--dry-run"}},
		{"latin1", []string{"import", "people", "testdata/import/latin1-people.csv", "--dry-run"}},
		{"latin1-decoded", []string{"import", "people", "testdata/import/latin1-people.csv", "--dry-run", "--encoding", "latin1"}},
		{"people-json", []string{"import", "people", "testdata/import/people.json", "--dry-run"}},
		{"devices-yaml", []string{"import", "devices", "testdata/import/devices.yaml", "--dry-run", "--update-existing"}},
		{"github-members", []string{"import", "accounts", "testdata/import/github-members.csv", "--service", "GitHub", "--dry-run"}},
		{"github-no-service", []string{"import", "accounts", "testdata/import/github-members.csv", "--dry-run"}},
		{"aws-iam", []string{"import", "accounts", "testdata/import/aws-iam-credential-report.csv", "--service", "AWS", "--dry-run"}},
		{"people-1000-7bad", []string{"import", "people", "testdata/import/people-1000-7bad.csv", "--dry-run"}},
		{"software-kristen", []string{"import", "software", "testdata/import/toolchain-kristen.json", "--dry-run"}},
		{"software-osquery-deb", []string{"import", "software", "testdata/import/osquery-deb_packages.json", "--device", "LT-002", "--dry-run"}},
		{"software-osquery-brew", []string{"import", "software", "testdata/import/osquery-homebrew_packages.json", "--dry-run"}},
	}
	db := demoDB(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, db, c.args...)
			got := "$ opsdeck " + strings.Join(c.args, " ") + "\n" + r.stdout + "--- stderr\n" + r.stderr + "--- exit " + strconv.Itoa(r.code) + "\n"
			golden := filepath.Join("testdata", "golden", "import", c.name+".txt")
			if os.Getenv("OPSDECK_UPDATE_GOLDEN") != "" {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with OPSDECK_UPDATE_GOLDEN=1 to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

// The acceptance story: a file with 7 bad rows of 1,000. The dry run shows
// all 7 (golden above); the atomic import writes nothing; skip-bad imports
// 993 and writes a rejects file next to the input.
func TestImportSevenBadOfThousand(t *testing.T) {
	db := demoDB(t)
	data, err := os.ReadFile("testdata/import/people-1000-7bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "hr-export.csv")
	os.WriteFile(file, data, 0o600)
	before := mustRun(t, db, "audit", "list", "--limit", "1")

	r := run(t, db, "import", "people", file)
	if r.code != 1 || !strings.Contains(r.stderr, "7 of 1000 rows have problems; nothing imported") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("atomic import: exit %d, stderr %q", r.code, r.stderr)
	}
	if after := mustRun(t, db, "audit", "list", "--limit", "1"); after != before {
		t.Fatalf("atomic import of a bad file changed the database:\n%s\n%s", before, after)
	}

	out := mustRun(t, db, "import", "people", file, "--mode", "skip-bad")
	if !strings.Contains(out, "993 new") || !strings.Contains(out, "7 bad") || !strings.Contains(out, "hr-export.rejects.csv") {
		t.Fatalf("skip-bad:\n%s", out)
	}
	rejects, err := os.ReadFile(filepath.Join(filepath.Dir(file), "hr-export.rejects.csv"))
	if err != nil || strings.Count(string(rejects), "\n") != 8 || !strings.Contains(string(rejects), "row 446: email") {
		t.Fatalf("rejects file (%v):\n%s", err, rejects)
	}
	var people []map[string]any
	runJSON(t, db, &people, "people", "list")
	if len(people) != 20+993 {
		t.Fatalf("%d people, want 1013", len(people))
	}
	var audit []map[string]any
	runJSON(t, db, &audit, "audit", "list", "--entity", "import_run")
	if len(audit) != 1 || !strings.Contains(audit[0]["after"].(string), `"rejected":7`) {
		t.Fatalf("import run audit: %v", audit)
	}
}

func TestExportImportChangesNothing(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	for _, kind := range []string{"people", "devices", "services", "accounts"} {
		for _, format := range []string{"csv", "json", "yaml"} {
			file := filepath.Join(dir, kind+"."+format)
			mustRun(t, db, "export", kind, "--format", format, "-o", file)
			out := mustRun(t, db, "import", kind, file, "--update-existing")
			if !strings.Contains(out, " 0 new, 0 updated, 0 verified, ") || !strings.Contains(out, " 0 skipped, 0 bad") {
				t.Errorf("%s %s: re-import changed something:\n%s", kind, format, out)
			}
		}
	}
	if out := mustRun(t, db, "export", "audit", "--format", "json"); !strings.Contains(out, `"action": "create"`) {
		t.Errorf("audit export: %.200s", out)
	}
}

func TestDriftDemoKristenAhead(t *testing.T) {
	db := demoDB(t)
	var rows []struct {
		AssetTag, Holder, Tool, Version, Status, Reported string
	}
	runJSON(t, db, &rows, "devices", "drift")
	got := map[string]string{}
	for _, r := range rows {
		if r.Holder == "Kristen Park" {
			got[r.Tool] = r.Version + " " + r.Status
		}
	}
	if got["go"] != "1.27.1 ahead" || got["gcc"] != "14.2.0 ahead" {
		t.Fatalf("Kristen's laptop: %v", got)
	}
	before := mustRun(t, db, "audit", "list", "--limit", "1")
	mustRun(t, db, "demo")
	if after := mustRun(t, db, "audit", "list", "--limit", "1"); after != before {
		t.Errorf("loading the demo twice changed something:\n%s\n%s", before, after)
	}
	out := mustRun(t, db, "devices", "drift")
	if !strings.Contains(out, "AHEAD") || !strings.Contains(out, "never reported software") {
		t.Errorf("drift table:\n%s", out)
	}
	// A fresh report moves her back into the baseline; drift says when.
	mustRun(t, db, "devices", "baseline", "set", "go", ">=1.25 <1.28")
	runJSON(t, db, &rows, "devices", "drift")
	for _, r := range rows {
		if r.Holder == "Kristen Park" && r.Tool == "go" && r.Status != "ok" {
			t.Errorf("after widening the baseline: %+v", r)
		}
	}
}

func TestBaselineBadInput(t *testing.T) {
	db := demoDB(t)
	before := mustRun(t, db, "devices", "baseline", "list")
	r := run(t, db, "devices", "baseline", "set", "go", "banana")
	if r.code != 1 || !strings.HasPrefix(r.stderr, `opsdeck: constraint: "banana" is not a version range`) || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if after := mustRun(t, db, "devices", "baseline", "list"); after != before {
		t.Fatal("a refused baseline changed the database")
	}
	for _, args := range [][]string{
		{"import", "laptops", "x.csv"},
		{"import", "people", "testdata/import/people.json", "--mode", "best-effort"},
		{"export", "people", "--format", "xlsx"},
	} {
		if r := run(t, db, args...); r.code == 0 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d stderr %q", args, r.code, r.stderr)
		}
	}
}
