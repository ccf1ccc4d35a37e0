package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

// TestServePairOnPostgres runs two 'opsdeck serve' on one PostgreSQL
// database, as an active/standby pair does: both serve the console over
// SSH all the time, one schedules and the other waits on the lease. An
// alert acknowledged on host A (the CLI against the shared database, as A's
// operator would) shows in a console on host B by itself; the delay is
// logged (the console polls the audit log's change mark once a second).
// Then A is killed with SIGKILL and B takes the schedule over.
func TestServePairOnPostgres(t *testing.T) {
	testenv.Require(t, "ssh", "ssh-keygen", "tmux")
	t.Setenv(engineEnv, "postgres")
	db := demoDB(t)
	fastClock(t, 10) // the 30 s lease is 3 s of real time
	a, aCmd, aLog := serveSSH(t, db, nil)
	waitFor(t, "serve A to take the schedule", 30*time.Second, func() bool { return strings.Contains(aLog.String(), "scheduling") })
	b, _, bLog := serveSSH(t, db, nil)
	waitFor(t, "serve B to wait on the lease", 30*time.Second, func() bool { return strings.Contains(bLog.String(), "waiting to take over") })

	// Both hosts answer over SSH.
	oscar := a.key("oscar", "oscar@example.com")
	for _, s := range []*sshServer{a, b} {
		if r := s.exec(oscar, "whoami"); r.code != 0 || r.stdout != "ssh:oscar@example.com admin\n" {
			t.Fatalf("whoami on port %s: %+v", s.port, r)
		}
	}
	alerts := openAlerts(t, db)
	target, ok := alerts["db-01-up"]
	if !ok || target.State != "firing" {
		t.Fatalf("the demo's db-01-up alert: %+v", alerts)
	}
	acked := 0
	for _, al := range alerts {
		if al.State == "acknowledged" {
			acked++
		}
	}
	tm := b.console(oscar, 120, 30)
	tm.waitFor(fmt.Sprintf("· %d acked", acked))

	// The change on A, timed to the moment B's console shows it.
	mustRun(t, db, "alerts", "ack", fmt.Sprint(target.ID), "--reason", "on it from host A")
	t0 := time.Now()
	want := fmt.Sprintf("· %d acked", acked+1)
	for !strings.Contains(tm.screen(), want) {
		if time.Since(t0) > 15*time.Second {
			t.Fatalf("console on B never showed %q:\n%s", want, tm.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("an ack on host A showed in the console on host B after %v", time.Since(t0).Round(time.Millisecond))

	// A third host with its own key file is refused at start, in one line,
	// before it serves or schedules anything (docs/secrets.md: a pair
	// shares one key).
	other := []string{"OPSDECK_KEY_FILE=" + filepath.Join(t.TempDir(), "other.key")}
	scratch := filepath.Join(t.TempDir(), "scratch.db")
	if r := runEnv(t, other, scratch, "init"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runEnv(t, other, scratch, "channels", "add", "--name", "hook", "--kind", "webhook", "--url", "https://x.example/T0KEN"); r.code != 0 {
		t.Fatal(r.stderr) // makes the other key
	}
	r := runEnv(t, other, db, "serve", "--listen", "127.0.0.1:"+freePort(t), "--host-key", filepath.Join(t.TempDir(), "hk"))
	if r.code == 0 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "holds key") || !strings.Contains(r.stderr, "OPSDECK_KEY_FILE") {
		t.Fatalf("serve with another key file: %+v", r)
	}

	// A dies; B takes the schedule over and keeps serving.
	aCmd.Process.Signal(syscall.SIGKILL)
	aCmd.Wait()
	waitFor(t, "serve B to take the schedule over", 60*time.Second, func() bool { return strings.Contains(bLog.String(), "scheduling") })
	if r := b.exec(oscar, "alerts", "--json"); r.code != 0 || !strings.Contains(r.stdout, "on it from host A") {
		t.Fatalf("alerts on B after A died: %+v", r)
	}
}
