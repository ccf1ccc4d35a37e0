package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// apply over SSH, with the real ssh client: an admin sends the checks
// file on stdin (apply -) and it is applied as them; a path is refused
// with one line and nothing of the file shown; an operator is refused;
// the server's environment is never read for a KEY_env secret.
func TestApplyOverSSH(t *testing.T) {
	db := demoDB(t)
	srv := startSecServe(t, db, nil)
	hostKey := filepath.Join(srv.dir, "host_key")
	oscar := srv.key("oscar", "oscar@example.com") // admin
	dave := srv.key("dave", "dave@example.com")    // operator
	leak := secrets(t, hostKey)

	// A file on the server: refused, whatever the spelling, content never shown.
	for _, args := range [][]string{{"apply", hostKey}, {"apply", "-f", "/etc/passwd"}, {"apply", "-f", db, "--dry-run"}} {
		r := srv.run(oscar, nil, args...)
		if r.code != 3 || !strings.Contains(r.stderr, "apply reads the file you send, never a file on the server") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Fatalf("ssh %v: %+v", args, r)
		}
		assertNoLeak(t, "ssh apply", r.stdout+r.stderr, leak)
	}
	file := "version: 1\nchecks:\n- name: ssh-applied\n  service: Production App\n  kind: tcp\n  target: 127.0.0.1:1\n  interval: 1m\n" +
		"rotations:\n- name: primary\n  rank: 1\n  tz: Europe/Berlin\n  members: [chen@example.com, oscar@example.com]\n  shadows: [dave@example.com]\n"
	if r := srv.run(dave, strings.NewReader(file), "apply", "-"); r.code != 3 || !strings.Contains(r.stderr, "your role (operator) cannot apply") {
		t.Fatalf("operator apply: %+v", r)
	}
	// The exported file names the webhook's secret by variable: over SSH
	// no environment is read, so it is refused, naming the key.
	exported := mustRun(t, db, "export", "checks")
	t.Setenv("OPSDECK_OPS_WEBHOOK_URL", "http://127.0.0.1:1/from-the-servers-env") // would be read if the server's env were
	if r := srv.run(oscar, strings.NewReader(exported), "apply", "-"); r.code == 0 || !strings.Contains(r.stderr, "url_env") || !strings.Contains(r.stderr, "over SSH apply reads none") {
		t.Fatalf("apply of a file with KEY_env over SSH: %+v", r)
	}
	dry := srv.run(oscar, strings.NewReader(file), "apply", "-", "--dry-run")
	for _, want := range []string{"+ check ssh-applied: create", "~ rotation primary: change", "shadows: (none) → [dave@example.com]", "dry run: nothing written"} {
		if dry.code != 0 || !strings.Contains(dry.stdout, want) {
			t.Fatalf("ssh apply - --dry-run lacks %q: %+v", want, dry)
		}
	}
	if r := run(t, db, "checks", "show", "ssh-applied"); r.code == 0 {
		t.Fatal("the dry run over SSH wrote the check")
	}
	if r := srv.run(oscar, strings.NewReader(file), "apply", "-f", "-"); r.code != 0 || !strings.Contains(r.stdout, "applied") {
		t.Fatalf("ssh apply -f -: %+v", r)
	}
	var rots []struct {
		Name    string
		Managed bool
	}
	runJSON(t, db, &rots, "oncall", "rotation", "list", "--json")
	if len(rots) == 0 || rots[0].Name != "primary" || !rots[0].Managed {
		t.Fatalf("rotations after the SSH apply: %+v", rots)
	}
	var audit []struct{ Actor, Action, Entity string }
	runJSON(t, db, &audit, "audit", "list", "--json")
	who := map[string]string{}
	for _, a := range audit {
		if k := a.Action + " " + a.Entity; who[k] == "" { // the newest first
			who[k] = a.Actor
		}
	}
	for _, k := range []string{"apply checks_file", "update oncall_rotation", "create check"} {
		if !strings.Contains(who[k], "oscar@example.com") {
			t.Errorf("audit %q by %q, want the SSH session's person (audit: %v)", k, who[k], who)
		}
	}
}
