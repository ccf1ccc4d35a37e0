package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/opsdeck/opsdeck/internal/testenv/storetest"
)

// goClient opens an authenticated connection with x/crypto/ssh, for what
// the OpenSSH client will not do (a 1000×1000 window, exact sizes).
func (h *harness) goClient(keyPath string) *gossh.Client {
	h.t.Helper()
	pem, err := os.ReadFile(keyPath)
	if err != nil {
		h.t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		h.t.Fatal(err)
	}
	c, err := gossh.Dial("tcp", h.srv.Addr().String(), &gossh.ClientConfig{
		User: "ops", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

// sizeRecorder is a console that records every window size it is given.
type sizeRecorder struct {
	mu    *sync.Mutex
	sizes *[][2]int
}

func (m sizeRecorder) Init() tea.Cmd { return nil }
func (m sizeRecorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if w, ok := msg.(tea.WindowSizeMsg); ok {
		m.mu.Lock()
		*m.sizes = append(*m.sizes, [2]int{w.Width, w.Height})
		m.mu.Unlock()
	}
	return m, nil
}
func (m sizeRecorder) View() tea.View { return tea.NewView("sizes") }

func TestWindowSizeIsClamped(t *testing.T) {
	var mu sync.Mutex
	var sizes [][2]int
	h := newHarness(t, func(c *Config) {
		c.NewModel = func(context.Context, *Session) tea.Model { return sizeRecorder{mu: &mu, sizes: &sizes} }
	})
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	sess, err := h.goClient(key).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm", 1000, 1000, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := sess.StdinPipe()
	defer in.Close()
	sess.Stdout, sess.Stderr = io.Discard, io.Discard
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	h.waitSessions(1)
	// x/crypto/ssh takes height first.
	if err := sess.WindowChange(30000, 100000); err != nil {
		t.Fatal(err)
	}
	if err := sess.WindowChange(40, 120); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		got := append([][2]int(nil), sizes...)
		mu.Unlock()
		if len(got) > 0 && got[len(got)-1] == [2]int{120, 40} {
			for _, s := range got {
				if s[0] > MaxWindowWidth || s[1] > MaxWindowHeight {
					t.Fatalf("the console was given a %d×%d window (sizes %v)", s[0], s[1], got)
				}
			}
			if got[0] != [2]int{MaxWindowWidth, MaxWindowHeight} {
				t.Fatalf("first size %v, want the 1000×1000 request clamped to %d×%d", got[0], MaxWindowWidth, MaxWindowHeight)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sizes seen: %v", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A session without a command gets an empty argument list, never nil (a
// nil list makes cobra fall back to the server's own os.Args).
func TestSessionWithoutCommandGetsEmptyArgs(t *testing.T) {
	got := make(chan []string, 1)
	h := newHarness(t, func(c *Config) {
		c.Exec = func(_ context.Context, _ *Session, args []string, _ io.Reader, _, _ io.Writer) int {
			got <- args
			return 0
		}
	})
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	_, stderr, code := h.ssh([]string{key}) // no -t, no command: a non-interactive shell
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	args := <-got
	if args == nil || len(args) != 0 {
		t.Fatalf("args %#v, want an empty, non-nil list", args)
	}
}

func TestIdleUnauthenticatedConnectionsAreClosed(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.LoginTimeout = 1500 * time.Millisecond })
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	var conns []net.Conn
	for range 20 {
		c, err := net.Dial("tcp", h.srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	// A real user still gets in while they sit there.
	if out, stderr, code := h.ssh([]string{key}, "whoami"); code != 0 || out != "ssh:oscar@example.com admin\n" {
		t.Fatalf("whoami beside idle sockets: %d %q %q", code, out, stderr)
	}
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("idle connection %d still open 10s after connecting", i)
			}
		}
	}
	if n := h.srv.gate.Pending(); n != 0 {
		t.Fatalf("%d connections still counted as logging in", n)
	}
}

func TestPendingCapClosesTheOldest(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxPending = 5 })
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	var conns []net.Conn
	for range 12 {
		c, err := net.Dial("tcp", h.srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
		// Each is accepted before the next, so "oldest" is well defined.
		buf := make([]byte, 4)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "SSH-" {
			t.Fatalf("no server banner: %q %v", buf, err)
		}
	}
	// The first seven were closed to make room for later ones.
	for i, c := range conns[:7] {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatalf("connection %d not closed: %v", i, err)
		}
	}
	if n := h.srv.gate.Pending(); n != 5 {
		t.Fatalf("pending %d, want the cap of 5", n)
	}
	// A real user gets in all the same (evicting an idle socket).
	if out, stderr, code := h.ssh([]string{key}, "whoami"); code != 0 || out != "ssh:oscar@example.com admin\n" {
		t.Fatalf("whoami at the cap: %d %q %q", code, out, stderr)
	}
}

// A client in the middle of its handshake outlives idle sockets that came
// after it: when the gate is full, the silent ones go first.
func TestPendingCapSparesAClientThatSpoke(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxPending = 3 })
	dial := func() net.Conn {
		c, err := net.Dial("tcp", h.srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		buf := make([]byte, 4)
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "SSH-" {
			t.Fatalf("no server banner: %q %v", buf, err)
		}
		return c
	}
	talker := dial()
	// Half a version line: wait until the server has read it (its
	// handshake goroutine may run late on a loaded machine).
	if _, err := talker.Write([]byte("SSH-2.0-slow")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); !h.srv.gate.spoke(talker.LocalAddr().String()); {
		if time.Now().After(deadline) {
			t.Fatal("the server never read the half version line")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var idle []net.Conn
	for range 8 {
		idle = append(idle, dial())
	}
	for i, c := range idle[:6] {
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatalf("idle connection %d not closed: %v", i, err)
		}
	}
	// Still open: a read waits for the server instead of seeing EOF.
	talker.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err := io.Copy(io.Discard, talker)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("the connection that had spoken was closed for idle ones (read: %v)", err)
	}
}

func TestMaxSessionLengthSaysWhy(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxSessionLength = 800 * time.Millisecond })
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	_, in, out, wait := h.interactive(key)
	defer in.Close()
	code, exited := wait(5 * time.Second)
	if !exited || code == 0 || !strings.Contains(out.String(), "session closed: open for the longest a session may be (800ms)") {
		t.Fatalf("exited %v code %d output %q", exited, code, out.String())
	}
}

func TestShutdownSaysWhy(t *testing.T) {
	h := newHarness(t, nil)
	key := h.person("Oscar", "oscar@example.com", "admin", "active")
	_, in, out, wait := h.interactive(key)
	defer in.Close()
	h.waitSessions(1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h.srv.Shutdown(ctx)
	if _, exited := wait(5 * time.Second); !exited || !strings.Contains(out.String(), "session closed: the server is shutting down") {
		t.Fatalf("exited %v output %q", exited, out.String())
	}
}

// hostKeyConfig builds (without starting) a server with the host key at path.
func hostKeyConfig(t *testing.T, path string, logf func(string, ...any)) error {
	t.Helper()
	s := storetest.Open(t, nil)
	_, err := New(Config{
		Listen: "127.0.0.1:0", HostKeyPath: path, Store: s, Logf: logf,
		NewModel: func(context.Context, *Session) tea.Model { return nil },
		Exec:     func(context.Context, *Session, []string, io.Reader, io.Writer, io.Writer) int { return 0 },
	})
	return err
}

func TestHostKeyChecks(t *testing.T) {
	dir := t.TempDir()
	keygen := func(name string, args ...string) string {
		p := filepath.Join(dir, name)
		if out, err := exec.Command("ssh-keygen", append([]string{"-q", "-N", "", "-f", p}, args...)...).CombinedOutput(); err != nil {
			t.Skipf("ssh-keygen %v: %v %s", args, err, out)
		}
		return p
	}

	t.Run("generated with mode 0600", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "new_key")
		if err := hostKeyConfig(t, p, nil); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("generated key: %v %v", fi, err)
		}
		if err := hostKeyConfig(t, p, nil); err != nil {
			t.Fatalf("second start with the generated key: %v", err)
		}
	})
	t.Run("readable by others is refused", func(t *testing.T) {
		for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620} {
			p := keygen("open", "-t", "ed25519")
			os.Chmod(p, mode)
			err := hostKeyConfig(t, p, nil)
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "chmod 600") {
				t.Fatalf("mode %o: %v", mode, err)
			}
			os.Remove(p)
			os.Remove(p + ".pub")
		}
	})
	t.Run("corrupt key names the file", func(t *testing.T) {
		p := filepath.Join(dir, "corrupt")
		os.WriteFile(p, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600)
		err := hostKeyConfig(t, p, nil)
		if err == nil || !strings.Contains(err.Error(), "host key "+p+":") || strings.Contains(err.Error(), "not a key") {
			t.Fatalf("corrupt key: %v", err)
		}
	})
	t.Run("a directory is refused", func(t *testing.T) {
		p := filepath.Join(dir, "adir")
		os.Mkdir(p, 0o700)
		if err := hostKeyConfig(t, p, nil); err == nil || !strings.Contains(err.Error(), p) {
			t.Fatalf("directory as host key: %v", err)
		}
	})
	t.Run("weak RSA key is warned about", func(t *testing.T) {
		p := keygen("weak", "-t", "rsa", "-b", "1024")
		var logged []string
		err := hostKeyConfig(t, p, func(f string, a ...any) { logged = append(logged, strings.TrimSpace(fmt.Sprintf(f, a...))) })
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(logged, "\n"), "WARNING: host key "+p+" is a 1024-bit RSA key") {
			t.Fatalf("no warning for a 1024-bit key; logged %q", logged)
		}
		strong := keygen("strong", "-t", "rsa", "-b", "3072")
		logged = nil
		if err := hostKeyConfig(t, strong, func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }); err != nil || len(logged) != 0 {
			t.Fatalf("3072-bit key: %v, logged %q", err, logged)
		}
	})
}

// spoke reports whether the pending connection from remote has sent bytes.
func (g *loginGate) spoke(remote string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for e := g.pending.Front(); e != nil; e = e.Next() {
		if pc := e.Value.(*pendingConn); pc.RemoteAddr().String() == remote {
			return pc.spoke.Load()
		}
	}
	return false
}
