package main

// Checks as code in the console: a check and a rotation the checks file
// manages say so on their pages, the check's edit form warns before the
// change, the save says the next apply undoes it, and the next apply's
// dry run shows the file winning back.

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestManagedRecordsWarnInTheConsole(t *testing.T) {
	db := demoDB(t)
	file := filepath.Join(t.TempDir(), "checks.yaml")
	mustRun(t, db, "export", "checks", "-o", file)
	env := []string{"OPSDECK_OPS_WEBHOOK_URL=http://127.0.0.1:18099/hook"}
	if r := runEnv(t, env, db, "apply", "-f", file); r.code != 0 || !strings.Contains(r.stdout, "managed: no → yes") {
		t.Fatalf("apply (adopting the demo's checks and rotations): exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	tm := startConsole(t, db, 140, 40, "--start-tab", "services")
	tm.keys("/", "text:Production App", "Enter", "Enter")
	tm.waitFor("Checks (4)", "app-api")
	tm.keys("Down", "Enter") // the first check, app-api
	tm.waitFor("services › Production App › app-api", "check · http", "Managed by a checks file", "the next opsdeck apply overwrites changes made here")
	tm.keys("e")
	tm.waitFor("Edit check app-api", "! managed by a checks file: the next opsdeck apply overwrites changes made here")
	tm.keys("Tab", "Tab", "Tab", "Tab", "Tab", "C-u", "text:2m", "C-s")
	tm.waitFor("warning: check app-api is managed by a checks file")
	if r := runEnv(t, env, db, "apply", "-f", file, "--dry-run"); !strings.Contains(r.stdout, `interval: "2m" → "30s"`) {
		t.Errorf("the console's edit is not what the next apply undoes:\n%s%s", r.stdout, r.stderr)
	}
	// The rotation: schedule → the shift → its rotation's page.
	tm.keys(":", "text:oncall", "Enter")
	tm.waitFor("primary (primary)")
	tm.keys("Enter")
	tm.waitFor("Rotation", "every 7d · handoff")
	tm.keys("Enter")
	tm.waitFor("rotation · primary", "Managed by a checks file", "Members")
	tm.keys("Escape", "Escape", "Escape", "q")
	tm.waitExit()
}
