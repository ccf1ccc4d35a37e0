package sshd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/opsdeck/opsdeck/internal/testenv"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// These tests drive the server with the real OpenSSH client on 127.0.0.1.

type harness struct {
	t     *testing.T
	dir   string
	store *store.Store
	srv   *Server
	port  string
}

// greeter is a minimal console for tests: it shows who the session is and
// quits on q, so tests can see identity and lifecycle without the real UI.
type greeter struct{ who string }

func (g greeter) Init() tea.Cmd { return nil }
func (g greeter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "q" {
		return g, tea.Quit
	}
	return g, nil
}
func (g greeter) View() tea.View { return tea.NewView("console for " + g.who) }

func newHarness(t *testing.T, mutate func(*Config)) *harness {
	t.Helper()
	testenv.Require(t, "ssh", "ssh-keygen")
	dir := t.TempDir()
	s, err := store.Open(filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg := Config{
		Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(dir, "host_key"), Store: s, Poll: 100 * time.Millisecond,
		NewModel: func(_ context.Context, ss *Session) tea.Model {
			return greeter{who: ss.Actor.String() + " " + ss.Actor.Role}
		},
		Exec: func(ctx context.Context, ss *Session, args []string, _ io.Reader, stdout, stderr io.Writer) int {
			if len(args) == 1 && args[0] == "whoami" {
				fmt.Fprintf(stdout, "%s %s\n", ss.Actor, ss.Actor.Role)
				return 0
			}
			fmt.Fprintln(stderr, "unknown command")
			return 1
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	_, port, _ := strings.Cut(srv.Addr().String(), "127.0.0.1:")
	return &harness{t: t, dir: dir, store: s, srv: srv, port: port}
}

// person adds a person with a fresh ed25519 key and returns the key path.
func (h *harness) person(name, email, role, status string) string {
	h.t.Helper()
	key := filepath.Join(h.dir, strings.Split(email, "@")[0])
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", email, "-f", key).CombinedOutput(); err != nil {
		h.t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	pub, _ := os.ReadFile(key + ".pub")
	k, err := model.ParseSSHKey(string(pub))
	if err != nil {
		h.t.Fatal(err)
	}
	err = h.store.Write(context.Background(), model.LocalActor("test"), func(t *store.Tx) error {
		p := model.Person{Name: name, Email: email, Role: role, Status: status}
		if err := t.AddPerson(&p); err != nil {
			return err
		}
		return t.AddSSHKey(p.ID, &k)
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return key
}

func (h *harness) sshArgs(keys []string, extra ...string) []string {
	args := []string{"-p", h.port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"}
	for _, k := range keys {
		args = append(args, "-i", k)
	}
	return append(append(args, "ops@127.0.0.1"), extra...)
}

func (h *harness) ssh(keys []string, command ...string) (string, string, int) {
	h.t.Helper()
	cmd := exec.Command("ssh", h.sshArgs(keys, command...)...)
	out, errb, code, err := testenv.Run(cmd)
	if err != nil {
		h.t.Fatal(err)
	}
	return out, errb, code
}

// interactive opens a PTY session (ssh -tt) and returns the running client
// and a function that waits for it with a deadline.
func (h *harness) interactive(key string) (*exec.Cmd, io.WriteCloser, *bytes.Buffer, func(time.Duration) (int, bool)) {
	h.t.Helper()
	cmd := exec.Command("ssh", append([]string{"-tt"}, h.sshArgs([]string{key})...)...)
	in, _ := cmd.StdinPipe()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		cmd.Wait()
		done <- cmd.ProcessState.ExitCode()
	}()
	h.t.Cleanup(func() { cmd.Process.Kill() })
	wait := func(d time.Duration) (int, bool) {
		select {
		case c := <-done:
			return c, true
		case <-time.After(d):
			return 0, false
		}
	}
	return cmd, in, &out, wait
}

func (h *harness) waitSessions(n int) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(h.srv.Sessions()) != n {
		if time.Now().After(deadline) {
			h.t.Fatalf("%d sessions open, want %d", len(h.srv.Sessions()), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRegisteredKeyIsAdmittedAsItsPerson(t *testing.T) {
	h := newHarness(t, nil)
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	out, stderr, code := h.ssh([]string{key}, "whoami")
	if code != 0 || out != "ssh:oscar@example.com admin\n" {
		t.Fatalf("whoami: code %d out %q err %q", code, out, stderr)
	}
	// The server records the end after telling the client the exit status.
	var audit []model.AuditEntry
	for deadline := time.Now().Add(5 * time.Second); len(audit) < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		audit, _ = h.store.ListAudit(context.Background(), store.AuditQuery{Entity: "ssh_session"})
	}
	if len(audit) != 2 || audit[1].Action != "session_start" || audit[0].Action != "session_end" ||
		!strings.Contains(audit[1].After, "SHA256:") || !strings.Contains(audit[1].After, "127.0.0.1") || audit[1].Actor != "ssh:oscar@example.com" {
		t.Fatalf("session audit rows: %+v", audit)
	}
}

func TestUnknownKeyIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.person("Oscar", "oscar@example.com", "admin", "active")
	stranger := filepath.Join(h.dir, "stranger")
	exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger).Run()
	_, stderr, code := h.ssh([]string{stranger}, "whoami")
	if code != 255 || !strings.Contains(stderr, "Permission denied (publickey)") {
		t.Fatalf("stranger: code %d stderr %q", code, stderr)
	}
}

// CVE-2024-45337 class: a client may offer a key it cannot sign with (here
// an agent refuses to use Oscar's key: its confirmation is denied), then
// authenticate with another. The session must be the key that signed, not
// the admin's key that was merely offered and accepted.
func TestOfferedButUnusedKeyDoesNotAuthenticateAsItsOwner(t *testing.T) {
	h := newHarness(t, nil)
	admin := h.person("Oscar", "oscar@example.com", "admin", "active")
	viewer := h.person("Kristen", "kristen@example.com", "viewer", "active")
	testenv.Require(t, "ssh-agent", "ssh-add")
	sock := filepath.Join(h.dir, "agent.sock")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	agent.Env = append(os.Environ(), "SSH_ASKPASS=/bin/false", "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0")
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	// The socket file exists from bind; wait until the agent accepts.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ssh-agent never accepted a connection")
		}
	}
	add := exec.Command("ssh-add", "-c", admin)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v %s", err, out)
	}
	os.Remove(admin) // only the agent holds Oscar's private key now

	cmd := exec.Command("ssh", append([]string{"-v"}, h.sshArgs([]string{admin + ".pub", viewer}, "whoami")...)...)
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Run()
	if !strings.Contains(errb.String(), "Server accepts key: "+admin+".pub") {
		t.Fatalf("Oscar's key was not offered and accepted, so this test proves nothing:\n%s", errb.String())
	}
	if got := out.String(); got != "ssh:kristen@example.com viewer\n" {
		t.Fatalf("session identity %q, want Kristen the viewer\n%s", got, errb.String())
	}
}

func TestLeaverIsRefusedWithOneClearLine(t *testing.T) {
	h := newHarness(t, nil)
	bill := h.person("Bill", "bill@example.com", "operator", "departed")
	out, stderr, code := h.ssh([]string{bill}, "whoami")
	if code == 0 || out != "" || !strings.Contains(stderr, "opsdeck: access refused: bill@example.com is departed") {
		t.Fatalf("departed: code %d out %q stderr %q", code, out, stderr)
	}
}

func TestOpenSessionClosesWhenOffboardingStarts(t *testing.T) {
	h := newHarness(t, nil)
	key := h.person("Dave", "dave@example.com", "operator", "active")
	_, _, out, wait := h.interactive(key)
	h.waitSessions(1)
	err := h.store.Write(context.Background(), model.LocalActor("test"), func(t *store.Tx) error {
		p, err := t.FindPerson("dave@example.com")
		if err != nil {
			return err
		}
		_, _, err = t.UpdatePerson(p.ID, func(p *model.Person) error { p.Status = "leaving"; return nil })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code, exited := wait(5 * time.Second)
	if !exited {
		t.Fatalf("session still open after offboarding started; output:\n%s", out)
	}
	if code == 0 || !strings.Contains(out.String(), "access revoked: dave@example.com is leaving") {
		t.Fatalf("exit %d, output:\n%q", code, out.String())
	}
}

func TestSessionCap(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxSessions = 1 })
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	_, in, _, _ := h.interactive(key)
	defer in.Close()
	h.waitSessions(1)
	_, stderr, code := h.ssh([]string{key}, "whoami")
	if code == 0 || !strings.Contains(stderr, "too many sessions (at most 1)") {
		t.Fatalf("second session: code %d stderr %q", code, stderr)
	}
}

func TestIdleTimeoutCountsKeypressesNotRefreshes(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IdleTimeout = 700 * time.Millisecond })
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	_, in, out, wait := h.interactive(key)
	// Typing keeps the session alive...
	for i := 0; i < 5; i++ {
		time.Sleep(300 * time.Millisecond)
		in.Write([]byte("x"))
	}
	if _, exited := wait(0); exited {
		t.Fatalf("session closed while typing:\n%s", out)
	}
	// ...silence closes it.
	code, exited := wait(5 * time.Second)
	if !exited || code == 0 || !strings.Contains(out.String(), "idle for too long") {
		t.Fatalf("idle session: exited %v code %d output %q", exited, code, out.String())
	}
}

func TestZeroSizedPtyDoesNotHang(t *testing.T) {
	h := newHarness(t, nil)
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	// ssh -tt with stdin closed: a 0x0 terminal that goes away at once.
	cmd := exec.Command("ssh", append([]string{"-tt"}, h.sshArgs([]string{key})...)...)
	cmd.Stdin = nil
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("0x0 session did not end; %d bytes of output", out.Len())
	}
	if out.Len() > 64<<10 {
		t.Fatalf("0x0 session flooded %d bytes", out.Len())
	}
}

// The console is built on the session's context, which ends with the
// session, so its store calls stop when the person leaves instead of
// running on for the life of the server.
func TestConsoleRunsOnTheSessionsContext(t *testing.T) {
	ctxs := make(chan context.Context, 1)
	h := newHarness(t, func(c *Config) {
		c.NewModel = func(ctx context.Context, ss *Session) tea.Model {
			ctxs <- ctx
			return greeter{who: ss.Actor.String()}
		}
	})
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	_, in, out, wait := h.interactive(key)
	var ctx context.Context
	select {
	case ctx = <-ctxs:
	case <-time.After(10 * time.Second):
		t.Fatalf("no console was built; output:\n%s", out)
	}
	if ctx.Err() != nil {
		t.Fatalf("the console's context is done while its session is open: %v", ctx.Err())
	}
	in.Write([]byte("q"))
	if _, exited := wait(5 * time.Second); !exited {
		t.Fatalf("the session did not end on q; output:\n%s", out)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the console's context outlived its session")
	}
}
