package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdeck/opsdeck/internal/testenv"
)

// The on-call story over SSH, with the real binary and the real OpenSSH
// client: people enter with their own keys, see each other, act under
// their own names; a viewer cannot change anything; a leaver is refused.

type sshServer struct {
	t    *testing.T
	db   string
	port string
	dir  string
}

func startServe(t *testing.T, db string) *sshServer {
	t.Helper()
	testenv.Require(t, "ssh", "ssh-keygen")
	s, _, _ := serveSSH(t, db, nil)
	return s
}

// serveSSH starts `opsdeck serve` (under wrapper, when given, and with
// flags) on a free loopback port with a fresh host key, and stops it when
// the test ends, showing its log if the test failed.
func serveSSH(t *testing.T, db string, wrapper []string, flags ...string) (*sshServer, *exec.Cmd, *lockedBuffer) {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	args := append(append([]string{}, wrapper...), binPath, "--db", db, "serve", "--listen", "127.0.0.1:"+port, "--host-key", filepath.Join(dir, "host_key"))
	cmd := exec.Command(args[0], append(args[1:], flags...)...)
	log := &lockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("serve log:\n%s", log.String())
		}
	})
	waitPort(t, port)
	return &sshServer{t: t, db: db, port: port, dir: dir}, cmd, log
}

// key makes a key pair and registers it to email (when email is set).
func (s *sshServer) key(name, email string) string {
	s.t.Helper()
	path := filepath.Join(s.dir, name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path).CombinedOutput(); err != nil {
		s.t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	if email != "" {
		mustRun(s.t, s.db, "people", "add-key", email, path+".pub")
	}
	return path
}

func (s *sshServer) sshLine(key string, extra ...string) []string {
	return append([]string{"ssh", "-p", s.port, "-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"}, extra...)
}

func (s *sshServer) exec(key string, command ...string) result {
	s.t.Helper()
	args := s.sshLine(key, append([]string{"127.0.0.1", "--"}, command...)...)
	cmd := exec.Command(args[0], args[1:]...)
	out, errb, code, _ := testenv.Run(cmd)
	return result{out, errb, code}
}

func (s *sshServer) console(key string, w, h int) *term {
	s.t.Helper()
	return newTerm(s.t, w, h, strings.Join(s.sshLine(key, "-t", "127.0.0.1"), " "))
}

func TestOnCallOverSSH(t *testing.T) {
	db := demoDB(t)
	srv := startServe(t, db)
	oscar := srv.key("oscar", "oscar@example.com")       // admin
	kristen := srv.key("kristen", "kristen@example.com") // viewer
	bill := srv.key("bill", "bill@example.com")          // departed
	stranger := srv.key("stranger", "")

	// Read-only commands answer like the local CLI, as the key's person.
	r := srv.exec(oscar, "whoami")
	if r.code != 0 || r.stdout != "ssh:oscar@example.com admin\n" {
		t.Fatalf("whoami: %+v", r)
	}
	r = srv.exec(oscar, "people", "--json")
	var people []personJSON
	if err := json.Unmarshal([]byte(r.stdout), &people); err != nil || len(people) != 20 {
		t.Fatalf("people --json over SSH: %v %+v", err, r)
	}
	// Changes are not remote commands, and the client cannot pick a database.
	if r = srv.exec(oscar, "people", "add", "--name", "X", "--email", "x@example.com"); r.code == 0 || !strings.Contains(r.stderr, "not available as a remote command") {
		t.Fatalf("remote people add: %+v", r)
	}
	if r = srv.exec(oscar, "--db", "/etc/passwd", "people"); r.code == 0 || !strings.Contains(r.stderr, "unknown flag: --db") {
		t.Fatalf("remote --db: %+v", r)
	}
	// Bill left: refused with one clear line. A stranger's key never gets in.
	if r = srv.exec(bill, "whoami"); r.code == 0 || !strings.Contains(r.stderr, "access refused: bill@example.com is departed") {
		t.Fatalf("bill: %+v", r)
	}
	if r = srv.exec(stranger, "whoami"); r.code != 255 || !strings.Contains(r.stderr, "Permission denied") {
		t.Fatalf("stranger: %+v", r)
	}

	// A heartbeat's ping token is a credential: the admin sees it, a viewer not.
	tokens := func(key string) (n int) {
		var cs []struct {
			Kind      string `json:"kind"`
			PingToken string `json:"ping_token"`
		}
		r := srv.exec(key, "checks", "--json")
		if err := json.Unmarshal([]byte(r.stdout), &cs); err != nil {
			t.Fatalf("checks --json over SSH: %v %+v", err, r)
		}
		for _, c := range cs {
			if c.PingToken != "" && !strings.HasPrefix(c.PingToken, "•") { // a viewer gets "•••• sha256:…"
				n++
			}
		}
		return n
	}
	if tokens(oscar) == 0 || tokens(kristen) != 0 {
		t.Fatalf("ping tokens: admin sees %d, viewer sees %d", tokens(oscar), tokens(kristen))
	}

	// Two people at once see each other; the viewer cannot change anything.
	o := srv.console(oscar, 120, 24)
	o.waitFor("ssh:oscar@example.com (admin)")
	k := srv.console(kristen, 120, 24)
	k.waitFor("ssh:kristen@example.com (viewer)", "also here: Oscar")
	o.waitFor("also here: Kristen")
	k.keys("1", "a") // the console opens on Home; a adds on people
	k.waitFor("your role (viewer) cannot change anything")

	// One acknowledges an alert; the other sees who did. (The demo's
	// analytics backup heartbeat is late from the start.)
	o.keys("4")
	o.waitFor("analytics-db-backup")
	o.keys("/", "text:analytics", "Enter", "a")
	o.waitFor("Acknowledge alert")
	o.keys("text:restarting the exporter", "C-s")
	o.waitFor("acknowledged alert")
	k.keys("4")
	k.waitFor("ssh:oscar@example.", "restarting the exporter")
	var alerts []struct {
		Check   string `json:"check"`
		AckedBy string `json:"acked_by"`
	}
	runJSON(t, db, &alerts, "alerts", "list")
	acked := false
	for _, a := range alerts {
		acked = acked || (a.Check == "analytics-db-backup" && a.AckedBy == "ssh:oscar@example.com")
	}
	if !acked {
		t.Fatalf("alerts after the SSH acknowledgement: %+v", alerts)
	}
	o.keys("1")

	// The admin edits a title in the console; the audit log names him.
	o.keys("/", "text:bob", "Enter", "e")
	o.waitFor("Edit")
	o.keys("Down", "Down", "C-u", "text:People Lead", "C-s")
	o.waitFor("People Lead")
	var audit []auditJSON
	runJSON(t, db, &audit, "audit", "list", "--entity", "person")
	if len(audit) == 0 || audit[0].Actor != "ssh:oscar@example.com" || !strings.Contains(audit[0].After, "People Lead") {
		t.Fatalf("latest person audit row: %+v", audit[:1])
	}
	runJSON(t, db, &audit, "audit", "list", "--entity", "ssh_session", "--actor", "ssh:kristen@example.com")
	if len(audit) == 0 || !strings.Contains(audit[len(audit)-1].After, "SHA256:") {
		t.Fatalf("kristen's session is not logged with her key: %+v", audit)
	}
}
