package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Checks as code: the demo's checks and on-call rotations exported,
// applied to a database that has the same inventory but no checks,
// recreate the same file; a second apply changes nothing; edits show up
// as a diff; an unknown member is a warning (--strict-refs: refused);
// --prune removes (retires) only what apply created; a managed check or
// rotation warns when changed by hand.
func TestApplyRoundTrip(t *testing.T) {
	src := demoDB(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "checks.yaml")
	r := run(t, src, "export", "checks", "--format", "yaml", "-o", file)
	if r.code != 0 || !strings.Contains(r.stderr, "OPSDECK_OPS_WEBHOOK_URL") {
		t.Fatalf("export: exit %d, stderr %q (want the webhook's secret named as a variable)", r.code, r.stderr)
	}
	doc, _ := os.ReadFile(file)
	if strings.Contains(string(doc), "18099/") || !strings.Contains(string(doc), "url_env: OPSDECK_OPS_WEBHOOK_URL") {
		t.Fatalf("the file must reference the webhook URL by variable, never hold it:\n%s", doc)
	}
	if !strings.Contains(string(doc), "rotations:\n- name: primary\n  rank: 1\n  every: 7d\n  handoff: Mon 09:00\n  tz: Europe/Berlin\n") ||
		!strings.Contains(string(doc), "  members:\n  - oscar@example.com\n") {
		t.Fatalf("the file lacks the demo's rotations:\n%s", doc)
	}
	dst := newDB(t)
	for _, kind := range []string{"people", "devices", "services"} {
		out := filepath.Join(dir, kind+".csv")
		mustRun(t, src, "export", kind, "-o", out)
		mustRun(t, dst, "import", kind, out)
	}
	env := []string{"OPSDECK_OPS_WEBHOOK_URL=http://127.0.0.1:18099/hook/from-env"}
	// Without the variable: refused, naming it, nothing written.
	bad := runEnv(t, []string{"OPSDECK_OPS_WEBHOOK_URL="}, dst, "apply", "-f", file)
	if bad.code == 0 || !strings.Contains(bad.stderr, "url_env") {
		t.Fatalf("apply without the secret's variable: exit %d %q", bad.code, bad.stderr)
	}
	if out := mustRun(t, dst, "checks", "list"); strings.Contains(out, "app-web") {
		t.Fatalf("a refused apply wrote checks:\n%s", out)
	}
	dry := runEnv(t, env, dst, "apply", "-f", file, "--dry-run")
	if dry.code != 0 || !strings.Contains(dry.stdout, "+ check app-web: create") || !strings.Contains(dry.stdout, "dry run: nothing written") {
		t.Fatalf("dry run: exit %d\n%s%s", dry.code, dry.stdout, dry.stderr)
	}
	if out := mustRun(t, dst, "checks", "list"); strings.Contains(out, "app-web") {
		t.Fatalf("the dry run wrote checks:\n%s", out)
	}
	if r := runEnv(t, env, dst, "apply", "-f", file); r.code != 0 || !strings.Contains(r.stdout, "applied") {
		t.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	again := filepath.Join(dir, "again.yaml")
	mustRun(t, dst, "export", "checks", "-o", again)
	if b, _ := os.ReadFile(again); string(b) != string(doc) {
		t.Fatalf("the recreated checks differ:\n--- source\n%s\n--- recreated\n%s", doc, b)
	}
	second := runEnv(t, env, dst, "apply", "-f", file)
	if second.code != 0 || !strings.Contains(second.stdout, "nothing to change") || strings.Contains(second.stdout, "0 unchanged") {
		t.Fatalf("second apply must change nothing:\n%s%s", second.stdout, second.stderr)
	}
	// The file changes: an interval, a pause, a check gone.
	text := strings.Replace(string(doc), "- name: app-web\n", "- name: app-web\n  notes: from git\n", 1)
	text = strings.Replace(text, "- name: db-01-up\n", "- name: db-01-renamed\n", 1)
	text = text[:strings.Index(text, "- name: secondary\n")]
	text = strings.Replace(text, "  - chen@example.com\n", "  - ghost@example.com\n", 1)
	os.WriteFile(file, []byte(text), 0o600)
	if r := runEnv(t, env, dst, "apply", "-f", file, "--strict-refs"); r.code == 0 || !strings.Contains(r.stderr, `rotations[0] (primary).members: "ghost@example.com" is not a known person`) {
		t.Fatalf("--strict-refs with an unknown member: exit %d %q", r.code, r.stderr)
	}
	diff := runEnv(t, env, dst, "apply", "-f", file, "--dry-run")
	for _, want := range []string{"~ check app-web: change", `notes: (none) → "from git"`, "+ check db-01-renamed: create", "? check db-01-up: not in file",
		"~ rotation primary: change", "members: [oscar@example.com, chen@example.com, dave@example.com] → [oscar@example.com, dave@example.com]",
		`WARNING: rotations[0] (primary).members: "ghost@example.com" is not a known person; left out`, "? rotation secondary: not in file"} {
		if !strings.Contains(diff.stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff.stdout)
		}
	}
	pruned := runEnv(t, env, dst, "apply", "-f", file, "--prune")
	if pruned.code != 0 || !strings.Contains(pruned.stdout, "- check db-01-up: remove") || !strings.Contains(pruned.stdout, "- rotation secondary: retire") {
		t.Fatalf("prune: exit %d\n%s%s", pruned.code, pruned.stdout, pruned.stderr)
	}
	if r := run(t, dst, "checks", "show", "db-01-up"); r.code == 0 {
		t.Errorf("db-01-up survived --prune")
	}
	// A managed check edited by hand: the edit is made, with a warning.
	edit := run(t, dst, "checks", "edit", "app-web", "--interval", "2m")
	if edit.code != 0 || !strings.Contains(edit.stderr, "managed by a checks file") {
		t.Errorf("edit of a managed check: exit %d, stderr %q", edit.code, edit.stderr)
	}
	if r := run(t, dst, "oncall", "rotation", "add-member", "primary", "chen@example.com"); r.code != 0 || !strings.Contains(r.stderr, "rotation primary is managed by a checks file") {
		t.Errorf("add-member to a managed rotation: exit %d, stderr %q", r.code, r.stderr)
	}
	if out := mustRun(t, dst, "oncall", "now"); strings.Contains(out, "secondary") {
		t.Errorf("the retired rotation still pages:\n%s", out)
	}
	back := runEnv(t, env, dst, "apply", "-f", file)
	if !strings.Contains(back.stdout, `interval: "2m" → "30s"`) || !strings.Contains(back.stdout, "→ [oscar@example.com, dave@example.com]") {
		t.Errorf("the file wins on the next apply:\n%s", back.stdout)
	}
	var audit []struct{ Action, Entity string }
	runJSON(t, dst, &audit, "audit", "list")
	applies := 0
	for _, a := range audit {
		if a.Action == "apply" && a.Entity == "checks_file" {
			applies++
		}
	}
	if applies != 3 { // first apply, prune, the file winning back; the no-op apply writes nothing
		t.Errorf("%d apply audit rows, want 3", applies)
	}
}

// Bad checks files: one line naming the record, the key, the value and
// why; nothing written.
func TestApplyBadInput(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	for _, c := range []struct{ doc, want string }{
		{"version: 1\nchecks:\n- name: x\n  kind: http\n  service: Production App\n  target: http://127.0.0.1/\n  intervl: 30s\n", `checks[0] (x): "intervl" is not a key here`},
		{"version: 1\nchecks:\n- name: x\n  kind: http\n  service: Production App\n  target: http://127.0.0.1/\n  interval: 5x\n", `checks[0] (x).interval: "5x" is not a duration`},
		{"version: 1\nchecks:\n- name: x\n  kind: http\n  service: Nope\n  target: http://127.0.0.1/\n", `checks[0] (x).service: "Nope" is not a known service`},
		{"version: 1\nchecks:\n- name: x\n  kind: http\n  service: Production App\n  target: http://127.0.0.1/\n  headers: 'Authorization: Bearer s3cret'\n", `checks[0] (x).headers: "" holds a credential`},
		{"version: 1\nchannels:\n- name: c\n  kind: webhook\n  url: https://hooks.example.com/T000/secret\n", `channels[0] (c).url: "" holds a credential`},
		{"version: 2\nchecks: []\n", `version: "2" is not 1`},
		{"checks: [\n", "not a checks file"},
		{"version: 1\nrotations:\n- name: r\n  tz: Mars/Base\n  members: [oscar@example.com]\n", `rotations[0] (r).tz: "Mars/Base" is not a known time zone`},
		{"version: 1\nrotations:\n- name: r\n  tz: Europe/Berlin\n  starts: 2026-11-30T08:30:00Z\n  members: [oscar@example.com]\n", `rotations[0] (r).starts: "2026-11-30T08:30:00Z" is not a handoff (Mon 09:00 Europe/Berlin)`},
		{"version: 1\nrotations:\n- name: r\n  tz: Europe/Berlin\n  members: [olivia@example.com]\n", `rotations[0] (r).members: "olivia@example.com" names nobody opsdeck can put on call`},
		{"version: 1\nstuff: []\n", "not a checks file"},
	} {
		file := filepath.Join(dir, "bad.yaml")
		os.WriteFile(file, []byte(c.doc), 0o600)
		r := run(t, db, "apply", "-f", file)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("apply %q: exit %d, stderr %q, want one line with %q", c.doc, r.code, r.stderr, c.want)
		}
		if strings.Contains(r.stderr, "s3cret") || strings.Contains(r.stderr, "T000/secret") {
			t.Errorf("the error echoes a secret: %q", r.stderr)
		}
	}
	if r := run(t, db, "apply"); r.code == 0 || !strings.Contains(r.stderr, "file") {
		t.Errorf("apply without -f: exit %d %q", r.code, r.stderr)
	}
	if r := run(t, db, "export", "checks", "--format", "csv"); r.code == 0 || !strings.Contains(r.stderr, "yaml") {
		t.Errorf("export checks as csv: exit %d %q", r.code, r.stderr)
	}
}
